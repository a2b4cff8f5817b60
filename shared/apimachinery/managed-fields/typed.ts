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
  FieldSetBuilder,
  keyElement,
  keyElementKey,
  pathElementString,
  valueElementKey,
  elementKey,
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

/** `elementKey(listItemElement(item, meta))` without making the element; `undefined` for items that cannot be keyed. */
export function listItemKey(item: unknown, meta: ListMeta): string | undefined {
  if (meta.kind === 'assoc-list') {
    if (!isJsonObject(item) || !Object.prototype.hasOwnProperty.call(item, meta.key)) return undefined;
    const v = item[meta.key];
    return v === undefined ? undefined : keyElementKey(meta.key, v);
  }
  if (item === null || item === undefined || typeof item === 'object') return undefined;
  return valueElementKey(item);
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
  const b = new FieldSetBuilder();
  // `node` is the builder's node of the value's path (undefined: the root, never a member).
  const walk = (v: unknown, m: FieldMeta, node: FieldTrie | undefined): void => {
    const shape = shapeOf(m, v);
    if (shape === 'leaf') {
      if (isMergedList(m) || isMapLike(m)) {
        // A value that does not fit its schema is kept as an opaque leaf.
        if (v !== undefined && v !== null && node !== undefined) b.mark(node);
      } else if (node !== undefined) {
        b.mark(node);
      }
      return;
    }
    const parent = node ?? b.root;
    if (shape === 'map') {
      if (!isJsonObject(v)) return;
      for (const key of Object.keys(v)) {
        const child = v[key];
        if (child === undefined) continue;
        const childNode = b.child(parent, fieldElement(key));
        walk(child, childMeta(m, key), childNode);
        if (child === null || (isJsonObject(child) && Object.keys(child).length === 0) || !isNamedField(m, key)) {
          b.mark(childNode);
        }
      }
      return;
    }
    if (!Array.isArray(v)) return;
    const lm = m as ListMeta;
    const elements = v.map((item) => listItemElement(item, lm));
    const seen = new Set<string>();
    const duplicated = new Set<string>();
    for (const pe of elements) {
      if (typeof pe === 'string') continue;
      const k = elementKey(pe);
      if (seen.has(k)) {
        if (!duplicated.has(k)) {
          duplicated.add(k);
          b.mark(b.child(parent, pe, k));
        }
      } else seen.add(k);
    }
    elements.forEach((pe, i) => {
      if (typeof pe === 'string') return;
      const k = elementKey(pe);
      if (duplicated.has(k)) return;
      const itemNode = b.child(parent, pe, k);
      walk(v[i], itemMeta(lm), itemNode);
      b.mark(itemNode);
    });
  };
  if (value !== undefined) walk(value, meta, undefined);
  return b.build();
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
 * A path during a comparison, as a chain of steps up to the root (`undefined`): the result
 * sets' nodes for it are made only when a path at or under it is recorded (most of an
 * update compares equal and records nothing).
 */
class Step {
  /** The step's element, made on first use (from `name`, or from `item` of `list`). */
  pe: PathElement | undefined = undefined;
  /** The step's node in the added / removed / modified builders, once made. */
  added: FieldTrie | undefined = undefined;
  removed: FieldTrie | undefined = undefined;
  modified: FieldTrie | undefined = undefined;

  constructor(
    readonly parent: Step | undefined,
    /** The field name of a field step, or the element key of an item step. */
    readonly name: string,
    readonly item: unknown,
    readonly list: ListMeta | undefined,
  ) {}
}

type Which = 'added' | 'removed' | 'modified';

/** A list's items by element key (items that cannot be keyed left out), with how often each key occurs. */
type Indexed = { item: unknown; items: unknown[] | undefined };

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** The walk of {@link compareValues}. */
class Comparer {
  readonly added = new FieldSetBuilder();
  readonly removed = new FieldSetBuilder();
  readonly modified = new FieldSetBuilder();

  #node(which: Which, step: Step): FieldTrie {
    const made = step[which];
    if (made !== undefined) return made;
    const b = this[which];
    const parent = step.parent === undefined ? b.root : this.#node(which, step.parent);
    if (step.pe === undefined) {
      step.pe = step.list === undefined ? fieldElement(step.name) : (listItemElement(step.item, step.list) as PathElement);
    }
    const node = b.child(parent, step.pe, step.list === undefined ? undefined : step.name);
    step[which] = node;
    return node;
  }

  /** Records the path of `step` (the root, `undefined`, is never recorded). */
  #record(which: Which, step: Step | undefined): void {
    if (step !== undefined) this[which].mark(this.#node(which, step));
  }

  walk(l: unknown, r: unknown, m: FieldMeta, step: Step | undefined, sk: FieldTrie | undefined): void {
    if (l === r) return;
    const shape = shapeOf(m, l, r);
    if (shape === 'leaf' || (isEmptyContainer(l) && isEmptyContainer(r))) {
      if (l === undefined) this.#record('added', step);
      else if (r === undefined) this.#record('removed', step);
      else if (!deepEqual(l, r)) this.#record('modified', step);
      return;
    }
    if (shape === 'map') {
      const lo = isJsonObject(l) ? l : {};
      const ro = isJsonObject(r) ? r : {};
      for (const key in lo) if (hasOwn(lo, key)) this.#field(lo[key], ro[key], m, key, step, sk);
      for (const key in ro) if (hasOwn(ro, key) && !hasOwn(lo, key)) this.#field(lo[key], ro[key], m, key, step, sk);
    } else {
      this.#list(Array.isArray(l) ? l : [], Array.isArray(r) ? r : [], m as ListMeta, step, sk);
    }
    if (l === undefined) this.#record('added', step);
    else if (r === undefined) this.#record('removed', step);
  }

  #field(lv: unknown, rv: unknown, m: FieldMeta, key: string, step: Step | undefined, sk: FieldTrie | undefined): void {
    if (lv === undefined && rv === undefined) return;
    const childSkip = skipChild(sk, 'f:' + key);
    if (childSkip === null) return;
    this.walk(lv, rv, childMeta(m, key), new Step(step, key, undefined, undefined), childSkip);
  }

  #list(l: readonly unknown[], r: readonly unknown[], m: ListMeta, step: Step | undefined, sk: FieldTrie | undefined): void {
    // Common case: both lists hold the same distinct keys in the same order (items compare pairwise).
    if (l.length === r.length) {
      const keys: string[] = [];
      let pairwise = true;
      for (let i = 0; i < l.length && pairwise; i++) {
        const kl = listItemKey(l[i], m);
        if (kl === undefined || kl !== listItemKey(r[i], m) || (i > 0 && !((keys[i - 1] as string) < kl))) pairwise = false;
        else keys.push(kl);
      }
      if (pairwise) {
        for (let i = 0; i < l.length; i++) this.#item(keys[i] as string, l[i], r[i], l[i], m, step, sk);
        return;
      }
    }
    const li = indexList(l, m);
    const ri = indexList(r, m);
    for (const [k, le] of li) this.#entry(k, le, ri.get(k), m, step, sk);
    for (const [k, re] of ri) if (!li.has(k)) this.#entry(k, undefined, re, m, step, sk);
  }

  /** One key of a list whose items are not pairwise (`items` set when the key occurs more than once). */
  #entry(k: string, le: Indexed | undefined, re: Indexed | undefined, m: ListMeta, step: Step | undefined, sk: FieldTrie | undefined): void {
    const first = (le ?? re)?.item;
    const ln = le === undefined ? 0 : le.items === undefined ? 1 : le.items.length;
    const rn = re === undefined ? 0 : re.items === undefined ? 1 : re.items.length;
    if (ln <= 1 && rn <= 1) {
      this.#item(k, le?.item, re?.item, first, m, step, sk);
      return;
    }
    const childSkip = skipChild(sk, k);
    if (childSkip === null) return;
    const s = new Step(step, k, first, m);
    if (ln >= 2 && rn >= 2) {
      if (!deepEqual(le?.items, re?.items)) this.#record('modified', s);
    } else if (ln >= 2) {
      if (rn === 1) this.walk(undefined, re?.item, itemMeta(m), s, childSkip);
      this.#record('removed', s);
    } else {
      if (ln === 1) this.walk(le?.item, undefined, itemMeta(m), s, childSkip);
      this.#record('added', s);
    }
  }

  /** One element present at most once on each side. */
  #item(k: string, lv: unknown, rv: unknown, first: unknown, m: ListMeta, step: Step | undefined, sk: FieldTrie | undefined): void {
    const childSkip = skipChild(sk, k);
    if (childSkip === null) return;
    this.walk(lv, rv, itemMeta(m), new Step(step, k, first, m), childSkip);
  }
}

function indexList(items: readonly unknown[], m: ListMeta): Map<string, Indexed> {
  const out = new Map<string, Indexed>();
  for (const item of items) {
    const k = listItemKey(item, m);
    if (k === undefined) continue;
    const entry = out.get(k);
    if (entry === undefined) out.set(k, { item, items: undefined });
    else (entry.items ??= [entry.item]).push(item);
  }
  return out;
}

/** The skip trie's node under `node` for an element key; `null` when the child is skipped as a whole. */
function skipChild(node: FieldTrie | undefined, key: string): FieldTrie | undefined | null {
  if (node === undefined) return undefined;
  const c = node.children.get(key)?.node;
  return c?.member ? null : c;
}

/**
 * Compares `lhs` (before) with `rhs` (after): leaves are added/removed/modified; a map,
 * struct, list or element that appears or disappears as a whole is itself added/removed
 * (that is where the `".": {}` markers of Update entries come from). `undefined` = absent.
 * Paths in or under `skip` are not compared (a caller that removes them from the result
 * anyway, e.g. reset fields, saves the walk).
 */
export function compareValues(lhs: unknown, rhs: unknown, meta: FieldMeta, skip?: FieldSet): Comparison {
  const c = new Comparer();
  if (lhs !== undefined || rhs !== undefined) c.walk(lhs, rhs, meta, undefined, skip?.trie());
  return { added: c.added.build(), removed: c.removed.build(), modified: c.modified.build() };
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
