/**
 * @module equality
 * Semantic equality of JSON values (key order ignored), used to skip no-op writes.
 */

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let na = 0;
  for (const k in ra) {
    if (ra[k] === undefined) continue;
    na++;
    if (!deepEqual(ra[k], rb[k])) return false;
  }
  let nb = 0;
  for (const k in rb) if (rb[k] !== undefined) nb++;
  return na === nb;
}

/** Equality of two stored objects ignoring `metadata.resourceVersion`. */
export function sameObject(a: { metadata: object }, b: { metadata: object }): boolean {
  const ma = { ...a.metadata, resourceVersion: undefined };
  const mb = { ...b.metadata, resourceVersion: undefined };
  return deepEqual({ ...a, metadata: ma }, { ...b, metadata: mb });
}
