/**
 * @module item-codec
 * Object ↔ stored bytes. Bodies are JSON without `metadata.resourceVersion` (kept in its own
 * numeric attribute), gzip-compressed above 1 KiB, and split into chunk items when the
 * compressed form does not fit in one item (DynamoDB items are limited to 400 KB).
 */
import { gunzipSync, gzipSync, constants } from 'node:zlib';
import { withResourceVersion, type ObjectMeta } from '../../apimachinery/meta.js';

/** Bodies below this size are stored uncompressed (compression would not save a write unit). */
export const COMPRESS_THRESHOLD = 1024;
/** Largest body kept inside the object/log item; leaves room for keys and attributes. */
export const INLINE_LIMIT = 350 * 1024;
export const CHUNK_SIZE = 350 * 1024;
/**
 * Largest stored (compressed) body. A write stores it twice (object + event log) in one
 * transaction, which DynamoDB caps at 4 MB in total.
 */
export const MAX_STORED_BODY = 1536 * 1024;

export type BodyEncoding = 'raw' | 'gz';

export interface EncodedBody {
  readonly enc: BodyEncoding;
  /** The whole stored body. */
  readonly bytes: Buffer;
  /** Pieces when the body is too big to inline; empty when inline. */
  readonly chunks: Buffer[];
}

export class BodyTooLargeError extends Error {
  constructor(readonly size: number) {
    super(`the object is too large to store: ${size} bytes after compression, limit is ${MAX_STORED_BODY}`);
    this.name = 'BodyTooLargeError';
  }
}

export function serializeForStorage(obj: { metadata: object }): string {
  return JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } });
}

export function encodeBody(json: string): EncodedBody {
  const raw = Buffer.from(json, 'utf8');
  const enc: BodyEncoding = raw.length < COMPRESS_THRESHOLD ? 'raw' : 'gz';
  const bytes = enc === 'raw' ? raw : gzipSync(raw, { level: constants.Z_BEST_SPEED });
  if (bytes.length > MAX_STORED_BODY) throw new BodyTooLargeError(bytes.length);
  const chunks: Buffer[] = [];
  if (bytes.length > INLINE_LIMIT) {
    for (let off = 0; off < bytes.length; off += CHUNK_SIZE) chunks.push(bytes.subarray(off, off + CHUNK_SIZE));
  }
  return { enc, bytes, chunks };
}

export function decodeBody<T>(enc: string, bytes: Uint8Array, resourceVersion: number): T {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (enc === 'gz' ? gunzipSync(buf) : buf).toString('utf8');
  const obj = JSON.parse(text) as T & { metadata: ObjectMeta };
  obj.metadata = withResourceVersion(obj.metadata, String(resourceVersion));
  return obj;
}
