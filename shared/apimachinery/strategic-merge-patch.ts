/**
 * @module strategic-merge-patch
 * Server-side strategic merge patch: JSON merge patch plus per-field list semantics from the
 * resource's FieldMeta (associative lists merge by key, primitive sets union) and the
 * directives kubectl sends: `$patch` (merge/replace/delete), `$setElementOrder/<list>`,
 * `$deleteFromPrimitiveList/<list>`, `$retainKeys`. Directives never reach the result.
 */
import { childMeta, SCALAR, type FieldMeta } from './field-meta.js';

export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchError';
  }
}

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

/** Removes directive keys from a value inserted as is. */
function strip(v: Json): Json {
  if (Array.isArray(v)) return v.filter((e) => !(isObj(e) && e['$patch'] === 'delete')).map(strip);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, val] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    if (val === null) continue;
    out[k] = strip(val);
  }
  return out;
}

const keyOf = (e: Json, key: string): string | undefined => {
  if (!isObj(e)) return undefined;
  const v = e[key];
  return v === undefined ? undefined : JSON.stringify(v);
};

function mergeAssocList(original: Json[], patch: Json[], key: string, items: FieldMeta): Json[] {
  const replace = patch.some((e) => isObj(e) && e['$patch'] === 'replace');
  if (replace) return patch.filter((e) => !(isObj(e) && e['$patch'] === 'replace')).map(strip);
  const out = [...original];
  for (const p of patch) {
    if (!isObj(p)) throw new PatchError(`merging an object in a list requires an object, got ${JSON.stringify(p)}`);
    const k = keyOf(p, key);
    if (k === undefined) throw new PatchError(`map: ${JSON.stringify(p)} does not contain declared merge key: ${key}`);
    const idx = out.findIndex((e) => keyOf(e, key) === k);
    if (p['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = mergeValue(out[idx], p, items);
    else out.push(strip(p));
  }
  return out;
}

function orderBy(list: Json[], order: Json[], key: string | undefined): Json[] {
  const idOf = (e: Json): string => (key === undefined ? JSON.stringify(e) : (keyOf(e, key) ?? ''));
  const rank = new Map(order.map((e, i) => [idOf(e), i]));
  return list
    .map((e, i) => ({ e, i, r: rank.get(idOf(e)) ?? Number.MAX_SAFE_INTEGER }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.e);
}

function mergeObject(original: Obj, patch: Obj, meta: FieldMeta): Json | undefined {
  const directive = patch['$patch'];
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return strip(patch);
  if (directive !== undefined && directive !== 'merge') throw new PatchError(`Unknown patch type: ${String(directive)}`);
  let out: Obj = { ...original };
  const retain = patch['$retainKeys'];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError('$retainKeys must be a list');
    const keep = new Set(retain.map(String));
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }
  for (const [k, pv] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith(SET_ORDER)) continue;
    if (k.startsWith(DELETE_FROM)) {
      const field = k.slice(DELETE_FROM.length);
      if (!Array.isArray(pv)) throw new PatchError(`${k} must be a list`);
      const cur = out[field];
      if (Array.isArray(cur)) {
        const remove = new Set(pv.map((v) => JSON.stringify(v)));
        out[field] = cur.filter((v) => !remove.has(JSON.stringify(v)));
      }
      continue;
    }
    if (pv === null) {
      delete out[k];
      continue;
    }
    const merged = mergeValue(out[k], pv, childMeta(meta, k));
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith(SET_ORDER)) continue;
    const field = k.slice(SET_ORDER.length);
    if (!Array.isArray(order)) throw new PatchError(`${k} must be a list`);
    const list = out[field];
    const fm = childMeta(meta, field);
    if (Array.isArray(list)) out[field] = orderBy(list, order, fm.kind === 'assoc-list' ? fm.key : undefined);
  }
  return out;
}

function mergeValue(original: Json, patch: Json, meta: FieldMeta): Json | undefined {
  if (isObj(patch)) {
    if (meta.kind === 'scalar' && !isObj(original)) return strip(patch);
    return mergeObject(isObj(original) ? original : {}, patch, meta);
  }
  if (Array.isArray(patch)) {
    const orig = Array.isArray(original) ? original : [];
    if (meta.kind === 'assoc-list') return mergeAssocList(orig, patch, meta.key, meta.items);
    if (meta.kind === 'set') {
      if (patch.some((e) => isObj(e) && e['$patch'] === 'replace')) {
        return patch.filter((e) => !(isObj(e) && e['$patch'] === 'replace'));
      }
      const seen = new Set(orig.map((v) => JSON.stringify(v)));
      return [...orig, ...patch.filter((v) => !seen.has(JSON.stringify(v)))];
    }
    return strip(patch);
  }
  return patch;
}

/** Applies a strategic merge patch to `original`; throws PatchError for malformed directives. */
export function strategicMergePatch(original: Json, patch: Json, meta: FieldMeta = SCALAR): Json {
  if (!isObj(patch)) throw new PatchError('strategic merge patch must be a JSON object');
  const merged = mergeObject(isObj(original) ? original : {}, patch, meta.kind === 'scalar' ? { kind: 'struct', fields: {} } : meta);
  return merged ?? {};
}
