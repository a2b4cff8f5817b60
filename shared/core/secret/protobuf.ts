/**
 * @module protobuf
 * A protobuf `v1.Secret` request body (what kubectl sends for `create secret`) as its JSON
 * form: metadata (1), data (2, map<string, bytes> → base64), type (3), stringData (4),
 * immutable (5).
 */
import { objectMetaFromProto, protoMapEntry, protoString, readFields, unwrapEnvelope } from '../../apimachinery/protobuf-decode.js';

export function secretFromProtobuf(body: Uint8Array): Record<string, unknown> {
  const { apiVersion, kind, raw } = unwrapEnvelope(body);
  const out: Record<string, unknown> = { apiVersion: apiVersion || 'v1', kind: kind || 'Secret' };
  const data: Record<string, string> = {};
  const stringData: Record<string, string> = {};
  for (const f of readFields(raw)) {
    if (f.field === 1) out['metadata'] = objectMetaFromProto(f.bytes);
    else if (f.field === 2) {
      const { key, value } = protoMapEntry(f);
      data[key] = Buffer.from(value?.bytes ?? new Uint8Array(0)).toString('base64');
    } else if (f.field === 3) out['type'] = protoString(f);
    else if (f.field === 4) {
      const { key, value } = protoMapEntry(f);
      stringData[key] = value ? protoString(value) : '';
    } else if (f.field === 5) out['immutable'] = f.varint !== 0n;
  }
  if (Object.keys(data).length > 0) out['data'] = data;
  if (Object.keys(stringData).length > 0) out['stringData'] = stringData;
  return out;
}
