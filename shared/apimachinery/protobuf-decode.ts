/**
 * @module protobuf-decode
 * Reading Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), which
 * kubectl sends for built-in core types (`kubectl create secret …`): the wire format, the
 * `k8s\0` + `runtime.Unknown` envelope, and the generated messages of meta/v1 (ObjectMeta and
 * its parts), decoded into the JSON form the wire schemas check. Resource messages build on
 * {@link ProtoReader} and {@link objectMetaFromProto}. Malformed input throws `ProtobufError`.
 */

export class ProtobufError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

export interface ProtoField {
  readonly field: number;
  readonly wire: number;
  readonly varint: bigint;
  readonly bytes: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** The fields of one message, in wire order. */
export function readFields(buf: Uint8Array): ProtoField[] {
  const out: ProtoField[] = [];
  let i = 0;
  const varint = (): bigint => {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw new ProtobufError('truncated varint');
      const b = buf[i++]!;
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value;
      shift += 7n;
      if (shift > 63n) throw new ProtobufError('varint too long');
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtobufError('field number 0');
    switch (wire) {
      case 0:
        out.push({ field, wire, varint: varint(), bytes: EMPTY });
        break;
      case 1:
      case 5: {
        const n = wire === 1 ? 8 : 4;
        if (i + n > buf.length) throw new ProtobufError('truncated fixed field');
        out.push({ field, wire, varint: 0n, bytes: buf.subarray(i, i + n) });
        i += n;
        break;
      }
      case 2: {
        const len = Number(varint());
        if (i + len > buf.length) throw new ProtobufError('truncated length-delimited field');
        out.push({ field, wire, varint: 0n, bytes: buf.subarray(i, i + len) });
        i += len;
        break;
      }
      default:
        throw new ProtobufError(`unsupported wire type ${wire}`);
    }
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
export const protoString = (f: ProtoField): string => utf8.decode(f.bytes);
export const protoInt = (f: ProtoField): number => Number(BigInt.asIntN(64, f.varint));

/** A `map<string, V>` field's entries (each an embedded message: 1 key, 2 value). */
export function protoMapEntry(f: ProtoField): { key: string; value: ProtoField | undefined } {
  let key = '';
  let value: ProtoField | undefined;
  for (const e of readFields(f.bytes)) {
    if (e.field === 1) key = protoString(e);
    else if (e.field === 2) value = e;
  }
  return { key, value };
}

function stringMap(fields: readonly ProtoField[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const { key, value } = protoMapEntry(f);
    out[key] = value ? protoString(value) : '';
  }
  return out;
}

/** `metav1.Time` (seconds, nanos) as RFC 3339 at second precision. */
function timeFromProto(bytes: Uint8Array): string {
  let seconds = 0;
  for (const f of readFields(bytes)) if (f.field === 1) seconds = protoInt(f);
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `metav1.ObjectMeta` (generated.proto field numbers) as its JSON form. */
export function objectMetaFromProto(bytes: Uint8Array): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = readFields(bytes);
  const labels = fields.filter((f) => f.field === 11);
  const annotations = fields.filter((f) => f.field === 12);
  const finalizers: string[] = [];
  const owners: Record<string, unknown>[] = [];
  for (const f of fields) {
    switch (f.field) {
      case 1:
        out['name'] = protoString(f);
        break;
      case 2:
        out['generateName'] = protoString(f);
        break;
      case 3:
        out['namespace'] = protoString(f);
        break;
      case 5:
        out['uid'] = protoString(f);
        break;
      case 6:
        out['resourceVersion'] = protoString(f);
        break;
      case 7:
        out['generation'] = protoInt(f);
        break;
      case 8:
        out['creationTimestamp'] = timeFromProto(f.bytes);
        break;
      case 14:
        finalizers.push(protoString(f));
        break;
      case 13: {
        const o: Record<string, unknown> = {};
        for (const g of readFields(f.bytes)) {
          if (g.field === 1) o['kind'] = protoString(g);
          else if (g.field === 3) o['name'] = protoString(g);
          else if (g.field === 4) o['uid'] = protoString(g);
          else if (g.field === 5) o['apiVersion'] = protoString(g);
          else if (g.field === 6) o['controller'] = g.varint !== 0n;
          else if (g.field === 7) o['blockOwnerDeletion'] = g.varint !== 0n;
        }
        owners.push(o);
        break;
      }
      default:
        break;
    }
  }
  if (labels.length > 0) out['labels'] = stringMap(labels);
  if (annotations.length > 0) out['annotations'] = stringMap(annotations);
  if (finalizers.length > 0) out['finalizers'] = finalizers;
  if (owners.length > 0) out['ownerReferences'] = owners;
  return out;
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** Unwraps the `k8s\0` + `runtime.Unknown` envelope: the type meta and the raw message. */
export function unwrapEnvelope(body: Uint8Array): { apiVersion: string; kind: string; raw: Uint8Array } {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw new ProtobufError('missing the k8s protobuf envelope');
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = EMPTY;
  for (const f of readFields(body.subarray(4))) {
    if (f.field === 1) {
      for (const t of readFields(f.bytes)) {
        if (t.field === 1) apiVersion = protoString(t);
        else if (t.field === 2) kind = protoString(t);
      }
    } else if (f.field === 2) raw = f.bytes;
  }
  return { apiVersion, kind, raw };
}

/** Whether a Content-Type names Kubernetes protobuf. */
export const isProtobufContentType = (contentType: string | undefined): boolean =>
  contentType !== undefined && /^\s*application\/vnd\.kubernetes\.protobuf\s*(;|$)/i.test(contentType);
