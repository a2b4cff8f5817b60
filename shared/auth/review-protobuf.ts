/**
 * @module review-protobuf
 * Protobuf request bodies of the reviews (kubectl sends `application/vnd.kubernetes.protobuf`
 * for `auth can-i` and `auth whoami`), decoded into their JSON form
 * (`k8s.io/api/authorization/v1` and `authentication/v1` generated.proto field numbers).
 * Status fields of a request are ignored (the server computes them).
 */
import { objectMetaFromProto, protoString, readFields, unwrapEnvelope, type ProtoField } from '../apimachinery/protobuf-decode.js';

/** ObjectMeta; the zero `creationTimestamp` every Go client encodes means unset (as metav1.Time decodes it). */
function metaFromProto(bytes: Uint8Array): Record<string, unknown> {
  const meta = objectMetaFromProto(bytes);
  if (meta['creationTimestamp'] === '1970-01-01T00:00:00Z') delete meta['creationTimestamp'];
  return meta;
}

const first = (fields: readonly ProtoField[], n: number): string | undefined => {
  const f = fields.find((x) => x.field === n);
  return f ? protoString(f) : undefined;
};

const set = (out: Record<string, unknown>, name: string, value: string | undefined): void => {
  if (value) out[name] = value;
};

/** ResourceAttributes: namespace 1, verb 2, group 3, version 4, resource 5, subresource 6, name 7. */
function resourceAttributes(bytes: Uint8Array): Record<string, unknown> {
  const f = readFields(bytes);
  const out: Record<string, unknown> = {};
  (['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'] as const).forEach((name, i) => set(out, name, first(f, i + 1)));
  return out;
}

/** NonResourceAttributes: path 1, verb 2. */
function nonResourceAttributes(bytes: Uint8Array): Record<string, unknown> {
  const f = readFields(bytes);
  const out: Record<string, unknown> = {};
  set(out, 'path', first(f, 1));
  set(out, 'verb', first(f, 2));
  return out;
}

/** An access review spec: resourceAttributes 1, nonResourceAttributes 2, user 3, groups 4, uid 6. */
function accessSpec(bytes: Uint8Array, withSubject: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const groups: string[] = [];
  for (const f of readFields(bytes)) {
    if (f.field === 1) out['resourceAttributes'] = resourceAttributes(f.bytes);
    else if (f.field === 2) out['nonResourceAttributes'] = nonResourceAttributes(f.bytes);
    else if (withSubject && f.field === 3) out['user'] = protoString(f);
    else if (withSubject && f.field === 4) groups.push(protoString(f));
    else if (withSubject && f.field === 6) out['uid'] = protoString(f);
  }
  if (groups.length > 0) out['groups'] = groups;
  return out;
}

/** SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview: metadata 1, spec 2. */
export function accessReviewFromProtobuf(body: Uint8Array, withSubject: boolean): Record<string, unknown> {
  const { apiVersion, kind, raw } = unwrapEnvelope(body);
  const out: Record<string, unknown> = { apiVersion, kind };
  for (const f of readFields(raw)) {
    if (f.field === 1) out['metadata'] = metaFromProto(f.bytes);
    else if (f.field === 2) out['spec'] = accessSpec(f.bytes, withSubject);
  }
  return out;
}

/** SelfSubjectRulesReview: metadata 1, spec 2 (namespace 1). */
export function rulesReviewFromProtobuf(body: Uint8Array): Record<string, unknown> {
  const { apiVersion, kind, raw } = unwrapEnvelope(body);
  const out: Record<string, unknown> = { apiVersion, kind };
  for (const f of readFields(raw)) {
    if (f.field === 1) out['metadata'] = metaFromProto(f.bytes);
    else if (f.field === 2) {
      const spec: Record<string, unknown> = {};
      set(spec, 'namespace', first(readFields(f.bytes), 1));
      out['spec'] = spec;
    }
  }
  return out;
}

/** SelfSubjectReview: metadata 1 (the status is the server's answer). */
export function selfSubjectReviewFromProtobuf(body: Uint8Array): Record<string, unknown> {
  const { apiVersion, kind, raw } = unwrapEnvelope(body);
  const out: Record<string, unknown> = { apiVersion, kind };
  for (const f of readFields(raw)) if (f.field === 1) out['metadata'] = metaFromProto(f.bytes);
  return out;
}
