/**
 * @module protobuf
 * Protobuf request bodies of the RBAC kinds (kubectl's typed clients send
 * `application/vnd.kubernetes.protobuf` for `create role|clusterrole|rolebinding|clusterrolebinding`),
 * decoded into their JSON form (`k8s.io/api/rbac/v1/generated.proto` field numbers).
 */
import { objectMetaFromProto, protoMapEntry, protoString, readFields, unwrapEnvelope, type ProtoField } from '../apimachinery/protobuf-decode.js';

/** ObjectMeta; the zero `creationTimestamp` every Go client encodes means unset (as metav1.Time decodes it). */
function metaFromProto(bytes: Uint8Array): Record<string, unknown> {
  const meta = objectMetaFromProto(bytes);
  if (meta['creationTimestamp'] === '1970-01-01T00:00:00Z') delete meta['creationTimestamp'];
  return meta;
}

const strings = (fields: readonly ProtoField[], n: number): string[] => fields.filter((f) => f.field === n).map(protoString);

/** PolicyRule: verbs 1, apiGroups 2, resources 3, resourceNames 4, nonResourceURLs 5. */
function ruleFromProto(bytes: Uint8Array): Record<string, unknown> {
  const f = readFields(bytes);
  const out: Record<string, unknown> = { verbs: strings(f, 1) };
  const optional = [
    ['apiGroups', 2],
    ['resources', 3],
    ['resourceNames', 4],
    ['nonResourceURLs', 5],
  ] as const;
  for (const [name, n] of optional) {
    const v = strings(f, n);
    if (v.length > 0) out[name] = v;
  }
  return out;
}

/** meta/v1 LabelSelector: matchLabels 1 (map), matchExpressions 2 (key 1, operator 2, values 3). */
function labelSelectorFromProto(bytes: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const labels: Record<string, string> = {};
  const expressions: Record<string, unknown>[] = [];
  for (const f of readFields(bytes)) {
    if (f.field === 1) {
      const { key, value } = protoMapEntry(f);
      labels[key] = value ? protoString(value) : '';
    } else if (f.field === 2) {
      const e = readFields(f.bytes);
      const values = strings(e, 3);
      expressions.push({ key: strings(e, 1)[0] ?? '', operator: strings(e, 2)[0] ?? '', ...(values.length > 0 ? { values } : {}) });
    }
  }
  if (Object.keys(labels).length > 0) out['matchLabels'] = labels;
  if (expressions.length > 0) out['matchExpressions'] = expressions;
  return out;
}

/** Role and ClusterRole: metadata 1, rules 2, aggregationRule 3 (clusterRoleSelectors 1). */
export function roleFromProtobuf(body: Uint8Array): Record<string, unknown> {
  const { apiVersion, kind, raw } = unwrapEnvelope(body);
  const out: Record<string, unknown> = { apiVersion, kind };
  const rules: Record<string, unknown>[] = [];
  for (const f of readFields(raw)) {
    if (f.field === 1) out['metadata'] = metaFromProto(f.bytes);
    else if (f.field === 2) rules.push(ruleFromProto(f.bytes));
    else if (f.field === 3) {
      out['aggregationRule'] = { clusterRoleSelectors: readFields(f.bytes).filter((s) => s.field === 1).map((s) => labelSelectorFromProto(s.bytes)) };
    }
  }
  if (rules.length > 0) out['rules'] = rules;
  return out;
}

/** RoleBinding and ClusterRoleBinding: metadata 1, subjects 2 (kind 1, apiGroup 2, name 3, namespace 4), roleRef 3 (apiGroup 1, kind 2, name 3). */
export function roleBindingFromProtobuf(body: Uint8Array): Record<string, unknown> {
  const { apiVersion, kind, raw } = unwrapEnvelope(body);
  const out: Record<string, unknown> = { apiVersion, kind };
  const subjects: Record<string, unknown>[] = [];
  for (const f of readFields(raw)) {
    if (f.field === 1) out['metadata'] = metaFromProto(f.bytes);
    else if (f.field === 2) {
      const s = readFields(f.bytes);
      const [kindOf, group, name, namespace] = [1, 2, 3, 4].map((n) => strings(s, n)[0]);
      subjects.push({ kind: kindOf ?? '', ...(group ? { apiGroup: group } : {}), name: name ?? '', ...(namespace ? { namespace } : {}) });
    } else if (f.field === 3) {
      const r = readFields(f.bytes);
      out['roleRef'] = { apiGroup: strings(r, 1)[0] ?? '', kind: strings(r, 2)[0] ?? '', name: strings(r, 3)[0] ?? '' };
    }
  }
  if (subjects.length > 0) out['subjects'] = subjects;
  return out;
}
