/**
 * @module managed-fields/typed
 * Walks JSON values along their {@link FieldMeta} the way structured-merge-diff's `typed`
 * package walks typed values: the field set of a value, the comparison of two values
 * (added / removed / modified paths), the merge of an applied configuration into a live
 * object, and the removal of owned items. Pure functions over plain JSON.
 */
import { deepEqual } from '../equality.js';
import { childMeta, SCALAR, type FieldMeta } from '../field-meta.js';
import {
  fieldElement,
  FieldSet,
  keyElement,
  pathElementString,
  elementKey,
  extendPath,
  trieChild,
  valueElement,
  type FieldPath,
  type FieldTrie,
  type PathElement,
} from './field-set.js';

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

type ListMeta = Extract<FieldMeta, { kind: 'set' } | { kind: 'assoc-list' }>;
const isMapLike = (m: FieldMeta): boolean => m.kind === 'struct' || m.kind === 'map';
const isMergedList = (m: FieldMeta): m is ListMeta => m.kind === 'set' || m.kind === 'assoc-list';
const itemMeta = (m: ListMeta): FieldMeta => (m.kind === 'assoc-list' ? m.items : SCALAR);

/** The meta of the element a path element selects under `meta`. */
export function elementMeta(meta: FieldMeta, pe: PathElement): FieldMeta {
  if (pe.kind === 'field') return childMeta(meta, pe.name);
  if (pe.kind === 'key' && meta.kind === 'assoc-list') return meta.items;
  return SCALAR;
}

/** Whether `field` is a declared field of a struct (`FindField`). */
const isNamedField = (meta: FieldMeta, field: string): boolean =>
  meta.kind === 'struct' && Object.prototype.hasOwnProperty.call(meta.fields, field);

/**
 * The path element of a list item (`listItemToPathElement`), or an error text for items
 * that cannot be keyed (null items, non-objects in an associative list, missing key).
 */
export function listItemElement(item: unknown, meta: ListMeta): PathElement | string {
  if (meta.kind === 'assoc-list') {
    if (item === null || item === undefined) return 'associative list with keys may not have a null element';
    if (!isJsonObject(item)) return 'associative list with keys may not have non-map elements';
    if (!Object.prototype.hasOwnProperty.call(item, meta.key) || item[meta.key] === undefined) {
      return `associative list with keys has an element that omits all key fields ["${meta.key}"] (and doesn't have default values for any key fields)`;
    }
    return keyElement({ [meta.key]: item[meta.key] });
  }
  if (isJsonObject(item)) return "associative list without keys has an element that's a map type";
  if (Array.isArray(item)) return 'not supported: associative list with lists as elements';
  if (item === null || item === undefined) return "associative list without keys has an element that's an explicit null";
  return valueElement(item);
}

const isEmptyContainer = (v: unknown): boolean =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isJsonObject(v) && Object.keys(v).length === 0);

/** How a value pair is walked: as a leaf, as a map/struct, or as a merged list. */
function shapeOf(meta: FieldMeta, ...values: unknown[]): 'leaf' | 'map' | 'list' {
  if (isMapLike(meta)) {
    return values.every((v) => v === undefined || v === null || isJsonObject(v)) ? 'map' : 'leaf';
  }
  if (isMergedList(meta)) {
    return values.every((v) => v === undefined || v === null || Array.isArray(v)) ? 'list' : 'leaf';
  }
  return 'leaf';
}

// ---------------------------------------------------------------------------------------------
// Field sets
// ---------------------------------------------------------------------------------------------

/**
 * The set of fields present in `value` (`TypedValue.ToFieldSet`): scalars, atomic lists and
 * empty/null objects are leaves; map keys (but not struct fields) and associative-list /
 * set elements are members themselves; struct nodes are only implied by their children.
 */
export function fieldSetOf(value: unknown, meta: FieldMeta): FieldSet {
  const out: FieldPath[] = [];
  const walk = (v: unknown, m: FieldMeta, path: FieldPath): void => {
    const shape = shapeOf(m, v);
    if (shape === 'leaf') {
      if (isMergedList(m) || isMapLike(m)) {
        // A value that does not fit its schema is kept as an opaque leaf.
        if (v !== undefined && v !== null) out.push(path);
      } else {
        out.push(path);
      }
      return;
    }
    if (shape === 'map') {
      if (!isJsonObject(v)) return;
      for (const [key, child] of Object.entries(v)) {
        if (child === undefined) continue;
        const childPath = extendPath(path, fieldElement(key));
        walk(child, childMeta(m, key), childPath);
        if (child === null || (isJsonObject(child) && Object.keys(child).length === 0) || !isNamedField(m, key)) {
          out.push(childPath);
        }
      }
      return;
    }
    if (!Array.isArray(v)) return;
    const lm = m as ListMeta;
    const seen = new Set<string>();
    const duplicated = new Set<string>();
    for (const item of v) {
      const pe = listItemElement(item, lm);
      if (typeof pe === 'string') continue;
      const k = elementKey(pe);
      if (seen.has(k)) {
        if (!duplicated.has(k)) {
          duplicated.add(k);
          out.push([...path, pe]);
        }
      } else seen.add(k);
    }
    for (const item of v) {
      const pe = listItemElement(item, lm);
      if (typeof pe === 'string' || duplicated.has(elementKey(pe))) continue;
      const itemPath = extendPath(path, pe);
      walk(item, itemMeta(lm), itemPath);
      out.push(itemPath);
    }
  };
  if (value !== undefined) walk(value, meta, []);
  return FieldSet.of(out);
}

/**
 * Adds the declared struct fields on the way to every path as members
 * (`EnsureNamedFieldsAreMembers`): `.spec.lookupPolicy.local` also yields `.spec` and
 * `.spec.lookupPolicy`, but `.metadata.labels.app` does not yield a member for a map key.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, meta: FieldMeta): FieldSet {
  const extra: FieldPath[] = [];
  for (const path of set.paths()) {
    let m = meta;
    for (let i = 0; i < path.length - 1; i++) {
      const pe = path[i] as PathElement;
      if (pe.kind === 'field' && isNamedField(m, pe.name)) extra.push(path.slice(0, i + 1));
      m = elementMeta(m, pe);
    }
  }
  return extra.length === 0 ? set : set.union(FieldSet.of(extra));
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

/** Paths that differ between two versions of an object (`typed.Comparison`). */
export interface Comparison {
  readonly added: FieldSet;
  readonly removed: FieldSet;
  readonly modified: FieldSet;
}

/**
 * Compares `lhs` (before) with `rhs` (after): leaves are added/removed/modified; a map,
 * struct, list or element that appears or disappears as a whole is itself added/removed
 * (that is where the `".": {}` markers of Update entries come from). `undefined` = absent.
 */
export function compareValues(lhs: unknown, rhs: unknown, meta: FieldMeta): Comparison {
  const added: FieldPath[] = [];
  const removed: FieldPath[] = [];
  const modified: FieldPath[] = [];

  const leaf = (l: unknown, r: unknown, path: FieldPath): void => {
    if (l === undefined) added.push(path);
    else if (r === undefined) removed.push(path);
    else if (!deepEqual(l, r)) modified.push(path);
  };

  const walk = (l: unknown, r: unknown, m: FieldMeta, path: FieldPath): void => {
    const shape = shapeOf(m, l, r);
    if (shape === 'leaf' || (isEmptyContainer(l) && isEmptyContainer(r))) {
      leaf(l, r, path);
      return;
    }
    if (shape === 'map') {
      const lo = isJsonObject(l) ? l : {};
      const ro = isJsonObject(r) ? r : {};
      const keys = new Set([...Object.keys(lo), ...Object.keys(ro)]);
      for (const key of keys) {
        const lv = lo[key];
        const rv = ro[key];
        if (lv === undefined && rv === undefined) continue;
        walk(lv, rv, childMeta(m, key), extendPath(path, fieldElement(key)));
      }
    } else {
      walkList(Array.isArray(l) ? l : [], Array.isArray(r) ? r : [], m as ListMeta, path);
    }
    if (l === undefined) added.push(path);
    else if (r === undefined) removed.push(path);
  };

  const index = (items: readonly unknown[], m: ListMeta): Map<string, { pe: PathElement; items: unknown[] }> => {
    const out = new Map<string, { pe: PathElement; items: unknown[] }>();
    for (const item of items) {
      const pe = listItemElement(item, m);
      if (typeof pe === 'string') continue;
      const k = elementKey(pe);
      const entry = out.get(k);
      if (entry) entry.items.push(item);
      else out.set(k, { pe, items: [item] });
    }
    return out;
  };

  const walkList = (l: readonly unknown[], r: readonly unknown[], m: ListMeta, path: FieldPath): void => {
    const li = index(l, m);
    const ri = index(r, m);
    const keys = new Set([...li.keys(), ...ri.keys()]);
    for (const k of keys) {
      const le = li.get(k);
      const re = ri.get(k);
      const pe = (le ?? re)?.pe as PathElement;
      const ll = le?.items ?? [];
      const rl = re?.items ?? [];
      const itemPath = extendPath(path, pe);
      if (ll.length <= 1 && rl.length <= 1) {
        walk(ll[0], rl[0], itemMeta(m), itemPath);
      } else if (ll.length >= 2 && rl.length >= 2) {
        if (!deepEqual(ll, rl)) modified.push(itemPath);
      } else if (ll.length >= 2) {
        if (rl.length === 1) walk(undefined, rl[0], itemMeta(m), itemPath);
        removed.push(itemPath);
      } else {
        if (ll.length === 1) walk(ll[0], undefined, itemMeta(m), itemPath);
        added.push(itemPath);
      }
    }
  };

  if (lhs !== undefined || rhs !== undefined) walk(lhs, rhs, meta, []);
  return { added: FieldSet.of(added), removed: FieldSet.of(removed), modified: FieldSet.of(modified) };
}

// ---------------------------------------------------------------------------------------------
// Merge
// ---------------------------------------------------------------------------------------------

/**
 * Merges an applied configuration (`rhs`) into a live object (`lhs`) (`TypedValue.Merge`):
 * leaves and atomic lists take the configuration's value, maps and structs merge per key,
 * associative lists and sets merge per element (live order kept, new elements interleaved
 * after the shared element that precedes them in the configuration). Returns `undefined`
 * when both sides are absent.
 */
export function mergeValues(lhs: unknown, rhs: unknown, meta: FieldMeta): unknown {
  if (lhs === undefined && rhs === undefined) return undefined;
  const shape = shapeOf(meta, lhs, rhs);
  if (shape === 'leaf' || (isEmptyContainer(lhs) && isEmptyContainer(rhs))) {
    return structuredClone(rhs !== undefined ? rhs : lhs);
  }
  if (shape === 'map') {
    const lo = isJsonObject(lhs) ? lhs : {};
    const ro = isJsonObject(rhs) ? rhs : {};
    const out: JsonObject = {};
    for (const key of new Set([...Object.keys(lo), ...Object.keys(ro)])) {
      const merged = mergeValues(lo[key], ro[key], childMeta(meta, key));
      if (merged !== undefined) out[key] = merged;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  const out = mergeLists(Array.isArray(lhs) ? lhs : [], Array.isArray(rhs) ? rhs : [], meta as ListMeta);
  return out.length > 0 ? out : undefined;
}

function mergeLists(lhs: readonly unknown[], rhs: readonly unknown[], meta: ListMeta): unknown[] {
  const im = itemMeta(meta);
  // Elements that cannot be keyed are kept in place from the live side and dropped from the
  // configuration (which validateApplyConfiguration rejects beforehand).
  type Entry = { key: string | undefined; item: unknown };
  const entries = (items: readonly unknown[]): Entry[] =>
    items.map((item) => {
      const pe = listItemElement(item, meta);
      return { key: typeof pe === 'string' ? undefined : elementKey(pe), item };
    });
  const l = entries(lhs);
  const r = entries(rhs).filter((e, i, all) => e.key !== undefined && all.findIndex((x) => x.key === e.key) === i);

  const observedL = new Map<string, unknown>();
  for (const e of l) {
    if (e.key === undefined) continue;
    // Duplicated live elements are not merged with the configuration (upstream sets them to null).
    observedL.set(e.key, observedL.has(e.key) ? null : e.item);
  }
  const observedR = new Map<string, unknown>(r.map((e) => [e.key as string, e.item]));
  const shared = r.filter((e) => observedL.has(e.key as string)).map((e) => e.key as string);
  let sharedIdx = 0;
  let nextShared: string | undefined = shared[sharedIdx++];
  const advanceShared = (): void => {
    nextShared = shared[sharedIdx++];
  };

  const out: unknown[] = [];
  const mergedR = new Set<string>();
  const push = (v: unknown): void => {
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < l.length || ri < r.length) {
    if (li < l.length && ri < r.length) {
      const le = l[li] as Entry;
      const re = r[ri] as Entry;
      if (le.key !== undefined && le.key === re.key) {
        mergedR.add(le.key);
        push(mergeValues(observedL.get(le.key), observedR.get(le.key), im));
        li++;
        ri++;
        advanceShared();
        continue;
      }
      if (le.key !== undefined && observedR.has(le.key) && nextShared !== undefined && nextShared !== le.key) {
        li++;
        continue;
      }
    }
    if (li < l.length) {
      const le = l[li] as Entry;
      if (le.key === undefined || !observedR.has(le.key)) {
        push(le.key === undefined ? structuredClone(le.item) : mergeValues(le.item, undefined, im));
        li++;
        continue;
      } else if (mergedR.has(le.key)) {
        li++;
      }
    }
    if (ri < r.length) {
      const re = r[ri] as Entry;
      const key = re.key as string;
      mergedR.add(key);
      push(mergeValues(observedL.get(key), re.item, im));
      ri++;
      if (nextShared === key) advanceShared();
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Removal
// ---------------------------------------------------------------------------------------------

/**
 * Removes from `value` every map key, struct field and list element whose path is in `set`
 * (`TypedValue.RemoveItems`), with its whole subtree. A container emptied by the removal
 * disappears (upstream turns it into null, which the typed object drops). Returns
 * `undefined` when nothing is left.
 */
export function removeItems(value: unknown, set: FieldSet, meta: FieldMeta): unknown {
  if (set.isEmpty()) return value;
  return removeUnder(value, set.trie(), meta);
}

function removeUnder(value: unknown, node: FieldTrie, meta: FieldMeta): unknown {
  if (isMapLike(meta) && isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      const pe = fieldElement(key);
      const sub = trieChild(node, pe);
      if (sub?.member) continue;
      if (sub !== undefined && sub.children.size > 0) {
        const kept = removeUnder(child, sub, childMeta(meta, key));
        if (kept !== undefined) out[key] = kept;
      } else {
        out[key] = child;
      }
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  if (isMergedList(meta) && Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const pe = listItemElement(item, meta);
      if (typeof pe === 'string') {
        out.push(item);
        continue;
      }
      const sub = trieChild(node, pe);
      if (sub?.member) continue;
      if (sub !== undefined && sub.children.size > 0) {
        const kept = removeUnder(item, sub, itemMeta(meta));
        if (kept !== undefined) out.push(kept);
      } else {
        out.push(item);
      }
    }
    return out.length > 0 ? out : undefined;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Validation and zero values
// ---------------------------------------------------------------------------------------------

/**
 * Structural errors of an applied configuration that the typed conversion rejects:
 * unkeyable or duplicated elements of associative lists and sets. Messages as upstream:
 * `.spec.tags: duplicate entries for key [name="latest"]`.
 */
export function structuralErrors(value: unknown, meta: FieldMeta): string[] {
  const errs: string[] = [];
  const walk = (v: unknown, m: FieldMeta, path: string): void => {
    const shape = shapeOf(m, v);
    if (shape === 'map' && isJsonObject(v)) {
      for (const [key, child] of Object.entries(v)) walk(child, childMeta(m, key), `${path}.${key}`);
    } else if (shape === 'list' && Array.isArray(v)) {
      const lm = m as ListMeta;
      const seen = new Set<string>();
      v.forEach((item, i) => {
        const pe = listItemElement(item, lm);
        if (typeof pe === 'string') {
          errs.push(`${path}: element ${i}: ${pe}`);
          return;
        }
        const k = elementKey(pe);
        if (seen.has(k)) errs.push(`${path}: duplicate entries for key ${pathElementString(pe)}`);
        seen.add(k);
        walk(item, itemMeta(lm), path + pathElementString(pe));
      });
    }
  };
  walk(value, meta, '');
  return errs;
}

/**
 * The object a create is compared against: every struct reachable through structs exists
 * (as Go value structs do in a zero object), so a create does not mark `.spec` itself as
 * added the way an absent map or list is.
 */
export function zeroObject(meta: FieldMeta): JsonObject {
  const out: JsonObject = {};
  if (meta.kind === 'struct') {
    for (const [name, m] of Object.entries(meta.fields)) if (m.kind === 'struct') out[name] = zeroObject(m);
  }
  return out;
}
