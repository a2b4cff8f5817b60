/**
 * @module managed-fields/field-set
 * Field paths and sets of field paths, as server-side apply tracks them
 * (structured-merge-diff `fieldpath`): path elements, their ordering, the `FieldsV1`
 * wire form of `metadata.managedFields[].fieldsV1`, and the human rendering used in
 * apply-conflict messages (`.spec.tags[name="latest"].from.name`).
 */
import { goQuote } from '../go-format.js';

/** One step of a field path. */
export type PathElement =
  /** A struct field or a map key: `f:<name>`, rendered `.name`. */
  | { readonly kind: 'field'; readonly name: string }
  /** An associative-list element selected by its key fields (sorted by name): `k:{…}`, rendered `[name="x"]`. */
  | { readonly kind: 'key'; readonly fields: readonly (readonly [string, unknown])[] }
  /** A set element selected by its value: `v:<json>`, rendered `[="x"]`. */
  | { readonly kind: 'value'; readonly value: unknown }
  /** A positional element (only read from FieldsV1, never produced here): `i:<n>`, rendered `[n]`. */
  | { readonly kind: 'index'; readonly index: number };

/** A path from the object root; the empty path (the whole object) is never tracked. */
export type FieldPath = readonly PathElement[];

/** Thrown when a FieldsV1 document or one of its keys cannot be parsed. */
export class FieldsV1Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldsV1Error';
  }
}

// ---------------------------------------------------------------------------------------------
// Path elements
// ---------------------------------------------------------------------------------------------

export const fieldElement = (name: string): PathElement => ({ kind: 'field', name });

/** A key element; the fields are sorted by name as upstream does. */
export function keyElement(fields: Readonly<Record<string, unknown>>): PathElement {
  const entries = Object.entries(fields).sort(([a], [b]) => compareStrings(a, b));
  return { kind: 'key', fields: entries };
}

export const valueElement = (value: unknown): PathElement => ({ kind: 'value', value });
export const indexElement = (index: number): PathElement => ({ kind: 'index', index });

/** A path made of field names only: `fieldPath('metadata', 'labels', 'app')`. */
export const fieldPath = (...names: string[]): FieldPath => names.map(fieldElement);

/** Go's byte-wise string ordering (UTF-8), which differs from UTF-16 code-unit order only beyond the BMP. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(i) ?? 0;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The rank of a JSON value's type in structured-merge-diff's total order of values. */
function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (isPlainObject(v)) return 4;
  return 5; // null (and anything else)
}

/** Total order of JSON values (numbers < strings < bools < lists < maps < null), as `value.Compare`. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a === false ? -1 : 1;
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
      return la.length - lb.length < 0 ? -1 : la.length > lb.length ? 1 : 0;
    }
    case 4: {
      const ea = Object.entries(a as Record<string, unknown>).sort(([x], [y]) => compareStrings(x, y));
      const eb = Object.entries(b as Record<string, unknown>).sort(([x], [y]) => compareStrings(x, y));
      for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
        const [ka, va] = ea[i] as [string, unknown];
        const [kb, vb] = eb[i] as [string, unknown];
        const c = compareStrings(ka, kb) || compareValues(va, vb);
        if (c !== 0) return c;
      }
      return ea.length < eb.length ? -1 : ea.length > eb.length ? 1 : 0;
    }
    default:
      return 0;
  }
}

const ELEMENT_RANK = { field: 0, key: 1, value: 2, index: 3 } as const;

/** Order of path elements: fields < keys < values < indices, then by content (as `PathElement.Compare`). */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return ELEMENT_RANK[a.kind] < ELEMENT_RANK[b.kind] ? -1 : 1;
  switch (a.kind) {
    case 'field':
      return compareStrings(a.name, (b as typeof a).name);
    case 'key': {
      const fb = (b as typeof a).fields;
      for (let i = 0; i < Math.min(a.fields.length, fb.length); i++) {
        const [na, va] = a.fields[i] as readonly [string, unknown];
        const [nb, vb] = fb[i] as readonly [string, unknown];
        const c = compareStrings(na, nb) || compareValues(va, vb);
        if (c !== 0) return c;
      }
      return a.fields.length < fb.length ? -1 : a.fields.length > fb.length ? 1 : 0;
    }
    case 'value':
      return compareValues(a.value, (b as typeof a).value);
    case 'index': {
      const ib = (b as typeof a).index;
      return a.index < ib ? -1 : a.index > ib ? 1 : 0;
    }
  }
}

/** JSON as Go's encoder writes it: sorted object keys, `<`, `>`, `&`, U+2028/9 escaped. */
export function goJson(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map(goJson).join(',') + ']';
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort(compareStrings);
    return '{' + keys.map((k) => goJsonString(k) + ':' + goJson(value[k])).join(',') + '}';
  }
  if (typeof value === 'string') return goJsonString(value);
  if (value === undefined) return 'null';
  return JSON.stringify(value);
}

const HTML_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** The FieldsV1 key of a path element: `f:name`, `k:{"name":"latest"}`, `v:"x"`, `i:0`. */
export function serializePathElement(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return 'f:' + pe.name;
    case 'key':
      return 'k:{' + pe.fields.map(([n, v]) => goJsonString(n) + ':' + goJson(v)).join(',') + '}';
    case 'value':
      return 'v:' + goJson(pe.value);
    case 'index':
      return 'i:' + String(pe.index);
  }
}

function parseJsonStrict(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new FieldsV1Error(`parsing ${what}: ${(e as Error).message}`);
  }
}

/**
 * Parses a FieldsV1 key. Returns `undefined` for an unknown element type (upstream drops
 * those silently); throws {@link FieldsV1Error} for a malformed key.
 */
export function parsePathElement(s: string): PathElement | undefined {
  if (s.length < 2) throw new FieldsV1Error(`key must be 2 characters long: ${s}`);
  if (s[1] !== ':') throw new FieldsV1Error(`missing colon: ${s}`);
  const body = s.slice(2);
  switch (s[0]) {
    case 'f':
      return fieldElement(body);
    case 'v':
      return valueElement(parseJsonStrict(body, s));
    case 'k': {
      const parsed = parseJsonStrict(body, s);
      if (!isPlainObject(parsed)) throw new FieldsV1Error(`parsing ${s}: key element must be a JSON object`);
      return keyElement(parsed);
    }
    case 'i': {
      if (!/^[+-]?\d+$/.test(body)) throw new FieldsV1Error(`parsing ${s}: invalid index`);
      return indexElement(Number.parseInt(body, 10));
    }
    default:
      return undefined;
  }
}

/** Go `%v` of a float64 (`strconv` shortest `%g`): exponent form below 1e-4 and from 1e21. */
function goFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const [mantissa, exp] = n.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 21) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(n);
}

/** `value.ToString`: how a key or set value appears in a rendered path. */
function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[' + v.map(valueToString).join(',') + ']';
  if (isPlainObject(v)) {
    return Object.keys(v)
      .sort(compareStrings)
      .map((k) => `${k}=${valueToString(v[k])}`)
      .join('');
  }
  return String(v);
}

/** `.name`, `[name="latest"]`, `[="x"]`, `[0]`. */
export function pathElementString(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return '.' + pe.name;
    case 'key':
      return '[' + pe.fields.map(([n, v]) => `${n}=${valueToString(v)}`).join(',') + ']';
    case 'value':
      return `[=${valueToString(pe.value)}]`;
    case 'index':
      return `[${pe.index}]`;
  }
}

/** A path as conflict messages show it, e.g. `.spec.tags[name="latest"].from.name`. */
export const pathString = (path: FieldPath): string => path.map(pathElementString).join('');

/**
 * Upstream's iteration order of a set (pre-order walk of the trie, a node's members before
 * its children): at the first position where two paths differ, a path ending there comes
 * before one that continues; otherwise element order decides.
 */
export function compareFieldPaths(p: FieldPath, q: FieldPath): number {
  const n = Math.min(p.length, q.length);
  for (let i = 0; i < n; i++) {
    const a = p[i] as PathElement;
    const b = q[i] as PathElement;
    const c = comparePathElements(a, b);
    if (c === 0) continue;
    const pEnds = i === p.length - 1;
    const qEnds = i === q.length - 1;
    if (pEnds !== qEnds) return pEnds ? -1 : 1;
    return c;
  }
  return p.length < q.length ? -1 : p.length > q.length ? 1 : 0;
}

/**
 * Set keys, remembered on the element or path they belong to (a symbol-keyed property;
 * cheaper than a WeakMap at the rate sets are built; frozen ones are keyed every time): sets are built from, compared with
 * and walked along the same elements and paths many times per write.
 */
const KEY = Symbol('fieldSetKey');
type Keyed = { [KEY]?: string };

/** {@link serializePathElement}, memoized per element object. */
export function elementKey(pe: PathElement): string {
  if (pe.kind === 'field') return 'f:' + pe.name;
  const keyed = pe as Keyed;
  if (keyed[KEY] !== undefined) return keyed[KEY];
  const key = serializePathElement(pe);
  if (Object.isExtensible(pe)) keyed[KEY] = key;
  return key;
}

/** A path's key in a set: its elements' keys, JSON-quoted and comma-joined. */
function pathKey(path: FieldPath): string {
  const keyed = path as Keyed;
  if (keyed[KEY] !== undefined) return keyed[KEY];
  const key = path.map((pe) => JSON.stringify(elementKey(pe))).join(',');
  if (Object.isExtensible(path)) keyed[KEY] = key;
  return key;
}

/** `[...path, pe]`, with its set key derived from `path`'s in O(1). */
export function extendPath(path: FieldPath, pe: PathElement): FieldPath {
  const step = JSON.stringify(elementKey(pe));
  const child: PathElement[] & Keyed = [...path, pe];
  child[KEY] = path.length === 0 ? step : pathKey(path) + ',' + step;
  return child;
}

// ---------------------------------------------------------------------------------------------
// Sets
// ---------------------------------------------------------------------------------------------

/** A trie node, used to walk a set alongside a value or to emit FieldsV1. */
export interface FieldTrie {
  member: boolean;
  readonly children: Map<string, { readonly pe: PathElement; readonly node: FieldTrie }>;
}

const newTrie = (): FieldTrie => ({ member: false, children: new Map() });

/**
 * An immutable set of field paths (`fieldpath.Set`). A path in the set means "this field
 * (or list/map element) is owned"; parents are not implied members.
 */
export class FieldSet {
  readonly #paths: ReadonlyMap<string, FieldPath>;
  #trie: FieldTrie | undefined;
  /** The FieldsV1 form, once computed or parsed (shared: callers must not change it). */
  #fieldsV1: Record<string, unknown> | undefined;

  private constructor(paths: ReadonlyMap<string, FieldPath>) {
    this.#paths = paths;
  }

  static readonly EMPTY = new FieldSet(new Map());

  /** A set of the given paths (empty paths are ignored, as upstream does). */
  static of(paths: Iterable<FieldPath>): FieldSet {
    const map = new Map<string, FieldPath>();
    for (const p of paths) if (p.length > 0) map.set(pathKey(p), p);
    return new FieldSet(map);
  }

  /**
   * Parses the FieldsV1 form (`{"f:metadata":{"f:labels":{"f:app":{}}}}`); `undefined`/`null`
   * is the empty set. Throws {@link FieldsV1Error} on malformed input.
   */
  static fromFieldsV1(fields: unknown): FieldSet {
    if (fields === undefined || fields === null) return FieldSet.EMPTY;
    if (!isPlainObject(fields)) throw new FieldsV1Error('fieldsV1 must be a JSON object');
    const out = new Map<string, FieldPath>();
    // Whether `fields` is exactly what toFieldsV1 would write for the set (documents this
    // server stored are): then it is remembered as the set's encoding.
    let canonical = true;
    const walk = (obj: Record<string, unknown>, prefix: FieldPath): boolean => {
      let isMember = false;
      let hasChildren = false;
      let previous: PathElement | undefined;
      for (const [key, child] of Object.entries(obj)) {
        if (key === '.') {
          if (hasChildren || !isPlainObject(child) || Object.keys(child).length > 0) canonical = false;
          isMember = true;
          continue;
        }
        const pe = parsePathElement(key);
        if (pe === undefined) {
          canonical = false;
          continue;
        }
        if (!isPlainObject(child)) throw new FieldsV1Error(`value of ${key} must be a JSON object`);
        if (elementKey(pe) !== key || (previous !== undefined && comparePathElements(previous, pe) >= 0)) canonical = false;
        previous = pe;
        const path = extendPath(prefix, pe);
        const childIsMember = walk(child, path);
        if (childIsMember) out.set(pathKey(path), path);
        hasChildren = true;
      }
      if (isMember && !hasChildren) canonical = false;
      return isMember || !hasChildren;
    };
    walk(fields, []);
    const set = new FieldSet(out);
    if (canonical) set.#fieldsV1 = fields;
    return set;
  }

  get size(): number {
    return this.#paths.size;
  }

  isEmpty(): boolean {
    return this.#paths.size === 0;
  }

  has(path: FieldPath): boolean {
    return this.#paths.has(pathKey(path));
  }

  /** The paths in upstream iteration order. */
  paths(): FieldPath[] {
    return [...this.#paths.values()].sort(compareFieldPaths);
  }

  [Symbol.iterator](): Iterator<FieldPath> {
    return this.paths()[Symbol.iterator]();
  }

  /** Rendered paths in iteration order (handy in tests and messages). */
  toStrings(): string[] {
    return this.paths().map(pathString);
  }

  with(...paths: FieldPath[]): FieldSet {
    return this.union(FieldSet.of(paths));
  }

  /** `this ∪ other`; `this` itself when `other` adds nothing (so its encoding is reused). */
  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    let adds = false;
    for (const k of other.#paths.keys()) {
      if (!this.#paths.has(k)) {
        adds = true;
        break;
      }
    }
    return adds ? new FieldSet(new Map([...this.#paths, ...other.#paths])) : this;
  }

  /** `this ∖ other`; `this` itself when nothing is removed. */
  difference(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    const kept = [...this.#paths].filter(([k]) => !other.#paths.has(k));
    return kept.length === this.#paths.size ? this : new FieldSet(new Map(kept));
  }

  intersection(other: FieldSet): FieldSet {
    return new FieldSet(new Map([...this.#paths].filter(([k]) => other.#paths.has(k))));
  }

  /** Removes every path that is in `other` or lies under a path of `other`. */
  recursiveDifference(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    // Walk each path down `other`'s trie: linear in the path's depth, no prefix re-keying.
    const root = other.trie();
    const underOther = (p: FieldPath): boolean => {
      let node: FieldTrie | undefined = root;
      for (const pe of p) {
        node = node.children.get(elementKey(pe))?.node;
        if (node === undefined) return false;
        if (node.member) return true;
      }
      return false;
    };
    const kept = [...this.#paths].filter(([, p]) => !underOther(p));
    return kept.length === this.#paths.size ? this : new FieldSet(new Map(kept));
  }

  equals(other: FieldSet): boolean {
    if (this.size !== other.size) return false;
    for (const k of this.#paths.keys()) if (!other.#paths.has(k)) return false;
    return true;
  }

  /** The set as a trie (built once). */
  trie(): FieldTrie {
    if (this.#trie !== undefined) return this.#trie;
    const root = newTrie();
    for (const path of this.#paths.values()) {
      let node = root;
      for (const pe of path) {
        const k = elementKey(pe);
        let next = node.children.get(k);
        if (next === undefined) {
          next = { pe, node: newTrie() };
          node.children.set(k, next);
        }
        node = next.node;
      }
      node.member = true;
    }
    this.#trie = root;
    return root;
  }

  /** The FieldsV1 form: children in element order, `".": {}` first for a member that has children. */
  toFieldsV1(): Record<string, unknown> {
    if (this.#fieldsV1 !== undefined) return this.#fieldsV1;
    const emit = (node: FieldTrie, includeSelf: boolean): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      if (includeSelf && node.children.size > 0) out['.'] = {};
      const children = [...node.children.entries()].sort(([, a], [, b]) => comparePathElements(a.pe, b.pe));
      for (const [key, { node: child }] of children) {
        out[key] = child.children.size === 0 ? {} : emit(child, child.member);
      }
      return out;
    };
    this.#fieldsV1 = emit(this.trie(), false);
    return this.#fieldsV1;
  }
}

/** A trie node's child for a path element, if any. */
export function trieChild(node: FieldTrie | undefined, pe: PathElement): FieldTrie | undefined {
  return node?.children.get(elementKey(pe))?.node;
}
