/**
 * @module negotiation
 * `Accept` / `Content-Type` handling as the apiserver does it: clauses are tried in the
 * client's order (honouring `q`), parameters compared without regard to order.
 */
import { notAcceptable, unsupportedMediaType } from './status.js';

export interface MediaClause {
  readonly type: string;
  readonly subtype: string;
  readonly params: Readonly<Record<string, string>>;
  readonly q: number;
}

export function parseMediaType(value: string): MediaClause | undefined {
  const [full, ...paramParts] = value.split(';');
  const [type, subtype] = (full ?? '').trim().toLowerCase().split('/');
  if (!type || !subtype) return undefined;
  const params: Record<string, string> = {};
  let q = 1;
  for (const p of paramParts) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const k = p.slice(0, eq).trim().toLowerCase();
    const v = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (k === 'q') q = Number.isFinite(Number(v)) ? Number(v) : 1;
    else params[k] = v;
  }
  return { type, subtype, params, q };
}

/** Accept clauses sorted by `q` (stable, so equal weights keep the client's order). */
export function parseAccept(header: string | undefined): MediaClause[] {
  if (header === undefined || header.trim() === '') return [];
  const clauses = header
    .split(',')
    .map((c) => parseMediaType(c))
    .filter((c): c is MediaClause => c !== undefined && c.q > 0);
  return clauses.map((c, i) => ({ c, i })).sort((a, b) => b.c.q - a.c.q || a.i - b.i).map((x) => x.c);
}

const isJsonLike = (c: MediaClause): boolean =>
  (c.type === 'application' && (c.subtype === 'json' || c.subtype === '*')) || (c.type === '*' && c.subtype === '*');

export type DiscoveryFormat = 'v2' | 'v2beta1' | 'legacy';

/** Aggregated discovery is chosen only when a clause asks for it explicitly. */
export function negotiateDiscovery(accept: string | undefined): DiscoveryFormat {
  for (const c of parseAccept(accept)) {
    if (c.type === 'application' && c.subtype === 'json' && c.params['g'] === 'apidiscovery.k8s.io' && c.params['as'] === 'APIGroupDiscoveryList') {
      if (c.params['v'] === 'v2') return 'v2';
      if (c.params['v'] === 'v2beta1') return 'v2beta1';
      continue;
    }
    if (c.params['as'] === undefined && isJsonLike(c)) return 'legacy';
  }
  return 'legacy';
}

export type OutputFormat =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' };

const SERVED = ['application/json', 'application/yaml'];

/**
 * Picks the representation of an object or list response. `table` enables the
 * `as=Table` alternatives; anything unsupported is skipped; nothing acceptable is 406.
 */
export function negotiateOutput(accept: string | undefined, opts: { table: boolean }): OutputFormat {
  const clauses = parseAccept(accept);
  if (clauses.length === 0) return { kind: 'json' };
  for (const c of clauses) {
    const as = c.params['as'];
    if (as !== undefined) {
      if (
        opts.table &&
        as === 'Table' &&
        c.params['g'] === 'meta.k8s.io' &&
        (c.params['v'] === 'v1' || c.params['v'] === 'v1beta1') &&
        c.type === 'application' &&
        c.subtype === 'json'
      ) {
        return { kind: 'table', version: c.params['v'] };
      }
      continue;
    }
    if (isJsonLike(c)) return { kind: 'json' };
    if (c.type === 'application' && c.subtype === 'yaml') return { kind: 'yaml' };
  }
  throw notAcceptable(SERVED);
}

export type BodyFormat = 'json' | 'yaml';

/** Request body media types accepted for POST/PUT (a missing Content-Type means JSON). */
export function negotiateBodyFormat(contentType: string | undefined): BodyFormat {
  if (contentType === undefined || contentType.trim() === '') return 'json';
  const mt = parseMediaType(contentType);
  if (mt?.type === 'application' && mt.subtype === 'json') return 'json';
  if (mt?.type === 'application' && mt.subtype === 'yaml') return 'yaml';
  throw unsupportedMediaType(SERVED);
}
