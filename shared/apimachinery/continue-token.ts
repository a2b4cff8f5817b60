/**
 * @module continue-token
 * Opaque, versioned list continuation tokens: unpadded base64url of
 * `{"v":"meta.k8s.io/v1","rv":<list revision>,"start":"<namespace>/<name>","t":<issued, epoch s>}`.
 * A token is bound to the namespace it was issued for; decoding rejects foreign or malformed
 * tokens, and a token older than the change-log window is expired (410), as the list
 * revision it carries can no longer be watched from.
 */
import type { ObjectKey } from './registry/strategy.js';
import { badRequest } from './status.js';

const VERSION = 'meta.k8s.io/v1';

export interface ContinuePosition {
  /** The revision of the list's first page. */
  readonly resourceVersion: string;
  /** Continue strictly after this key. */
  readonly startAfter: ObjectKey;
  /** When the first page was served (epoch seconds). */
  readonly issuedAt: number;
}

export function encodeContinue(resourceVersion: string, last: ObjectKey, issuedAt: number = Math.floor(Date.now() / 1000)): string {
  const json = JSON.stringify({ v: VERSION, rv: Number(resourceVersion), start: `${last.namespace}/${last.name}`, t: issuedAt });
  return Buffer.from(json, 'utf8').toString('base64url');
}

const invalid = (detail: string): Error => badRequest(`invalid continue token: continue key is not valid: ${detail}`);

/** Decodes a token; `namespace` is the list's scope (undefined for all namespaces). */
export function decodeContinue(token: string, namespace: string | undefined): ContinuePosition {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]*={0,2}$/.test(token)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('illegal base64 data or JSON');
  }
  if (parsed === null || typeof parsed !== 'object') throw invalid('not an object');
  const { v, rv, start, t } = parsed as Record<string, unknown>;
  if (v !== VERSION) throw invalid(`server does not recognize this encoded key version: ${JSON.stringify(v)}`);
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv < 0) throw invalid('invalid resource version');
  if (typeof start !== 'string' || !start.includes('/')) throw invalid('invalid start key');
  const slash = start.indexOf('/');
  const key = { namespace: start.slice(0, slash), name: start.slice(slash + 1) };
  if (key.name.length === 0 || key.name.includes('/')) throw invalid('invalid start key');
  if (namespace !== undefined && key.namespace !== namespace) throw invalid('the key does not belong to this namespace');
  if (t !== undefined && (typeof t !== 'number' || !Number.isSafeInteger(t))) throw invalid('invalid issue time');
  return { resourceVersion: String(rv), startAfter: key, issuedAt: typeof t === 'number' ? t : 0 };
}
