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
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Code units order as code points, except where surrogates are involved (both ≥ U+D800):
    // there the code points decide, walked from the start.
    if (ca >= 0xd800 && cb >= 0xd800) return compareCodePoints(a, b);
    return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function compareCodePoints(a: string, b: string): number {
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

const HTML_CHARS = /[<>&\u2028\u2029]/;

export function goJsonString(s: string): string {
  const json = JSON.stringify(s);
  return HTML_CHARS.test(json) ? json.replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c] ?? c) : json;
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

/** The key of a key element with one field, `k:{"name":"latest"}` (= `serializePathElement(keyElement({[name]: value}))`). */
export function keyElementKey(name: string, value: unknown): string {
  let prefix = KEY_PREFIXES.get(name);
  if (prefix === undefined) {
    prefix = 'k:{' + goJsonString(name) + ':';
    KEY_PREFIXES.set(name, prefix);
  }
  return prefix + goJson(value) + '}';
}

/** `k:{"<name>":` by field name (the key fields of a schema's associative lists: a handful). */
const KEY_PREFIXES = new Map<string, string>();

/** The key of a value element, `v:"x"` (= `serializePathElement(valueElement(value))`). */
export const valueElementKey = (value: unknown): string => 'v:' + goJson(value);

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
 * Element keys, remembered on the element they belong to (a symbol-keyed property; cheaper
 * than a WeakMap at the rate sets are built; frozen ones are keyed every time): sets are
 * built from, compared with and walked along the same elements many times per write.
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

// ---------------------------------------------------------------------------------------------
// Sets
// ---------------------------------------------------------------------------------------------

/** One child of a trie node: its element, the element's key, and the subtree. */
export interface TrieChild {
  readonly key: string;
  readonly pe: PathElement;
  readonly node: FieldTrie;
}

/**
 * A node of a set's trie: whether the path ending here is a member, and the children by
 * element key. Nodes are immutable once their set is built and are shared between sets
 * (an operation copies only the nodes on the way to what it changes).
 */
export interface FieldTrie {
  readonly member: boolean;
  readonly children: ReadonlyMap<string, TrieChild>;
}

const NO_CHILDREN: ReadonlyMap<string, TrieChild> = new Map();

class Node implements FieldTrie {
  member: boolean;
  /** The children; `undefined` until read from `raw`. */
  kids: ReadonlyMap<string, TrieChild> | undefined;
  /** A canonical FieldsV1 document the children are read from on first use (parsed sets keep unvisited subtrees unread). */
  raw: Record<string, unknown> | undefined;
  /** The FieldsV1 form of the subtree (non-leaf nodes), once emitted or parsed in that exact form. */
  fieldsV1: Record<string, unknown> | undefined;
  /** Members in the subtree, once counted. */
  size: number | undefined;
  /** Whether `children` iterates in element order (no sort needed to emit). */
  sorted: boolean;

  constructor(member: boolean, children: ReadonlyMap<string, TrieChild> | undefined, sorted = false, raw?: Record<string, unknown>) {
    this.member = member;
    this.kids = children;
    this.raw = raw;
    this.fieldsV1 = raw;
    this.size = undefined;
    this.sorted = sorted || (children !== undefined && children.size <= 1);
  }

  get children(): ReadonlyMap<string, TrieChild> {
    return this.kids ?? this.#read();
  }

  /** The children of a canonical document (keys already validated by {@link isCanonicalDocument}). */
  #read(): ReadonlyMap<string, TrieChild> {
    const raw = this.raw as Record<string, unknown>;
    const kids = new Map<string, TrieChild>();
    for (const key in raw) {
      if (key === '.') continue;
      const child = raw[key] as Record<string, unknown>;
      const pe = key.charCodeAt(0) === 0x66 /* f */ ? fieldElement(key.slice(2)) : documentElement(key);
      if (pe.kind !== 'field' && Object.isExtensible(pe)) (pe as Keyed)[KEY] = key;
      kids.set(key, { key, pe, node: documentNode(child) });
    }
    this.kids = kids;
    this.raw = undefined;
    return kids;
  }
}

/** The element of a (validated) key of a canonical document other than a field. */
function documentElement(key: string): PathElement {
  const simple = SIMPLE_KEY.exec(key);
  return simple !== null ? { kind: 'key', fields: [[simple[1] as string, simple[2] as string]] } : (parsePathElement(key) as PathElement);
}

/** The node of a canonical document's subtree, read lazily. */
const documentNode = (doc: Record<string, unknown>): Node =>
  isEmptyObject(doc) ? LEAF : new Node(Object.prototype.hasOwnProperty.call(doc, '.'), undefined, true, doc);

function isEmptyObject(o: Record<string, unknown>): boolean {
  for (const _ in o) return false;
  return true;
}

const ELEMENT_RANK_BY_PREFIX: Readonly<Record<string, number>> = { f: 0, k: 1, v: 2, i: 3 };

/**
 * Whether a FieldsV1 document is exactly what toFieldsV1 writes for its set: every key
 * parses and re-serializes to itself, siblings in strictly increasing element order,
 * `".": {}` only first and only on a node with children, leaves `{}`. Never throws
 * (anything else is left to the full parse, which reports errors).
 */
function isCanonicalDocument(obj: Record<string, unknown>): boolean {
  let rank = -1;
  let previousKey = '';
  // The previous key or value element: parsed, or (a one-field string key) its field name and value.
  let previous: PathElement | undefined;
  let previousName = '';
  let previousValue = '';
  let hasChildren = false;
  let member = false;
  for (const key in obj) {
    const child = obj[key];
    if (!isPlainObject(child)) return false;
    if (key === '.') {
      if (hasChildren || !isEmptyObject(child)) return false;
      member = true;
      continue;
    }
    if (key.length < 2 || key.charCodeAt(1) !== 0x3a /* : */) return false;
    const r = ELEMENT_RANK_BY_PREFIX[key[0] as string];
    if (r === undefined || r < rank) return false;
    const simple = r === 1 ? SIMPLE_KEY.exec(key) : null;
    if (r === 0) {
      // Same prefix: the keys order as the names do.
      if (rank === 0 && compareStrings(previousKey, key) >= 0) return false;
    } else if (simple !== null) {
      // Canonical as it stands (nothing to escape); ordered by field name, then value.
      const name = simple[1] as string;
      const value = simple[2] as string;
      if (r === rank) {
        const c =
          previous === undefined
            ? compareStrings(previousName, name) || compareStrings(previousValue, value)
            : comparePathElements(previous, { kind: 'key', fields: [[name, value]] });
        if (c >= 0) return false;
      }
      previous = undefined;
      previousName = name;
      previousValue = value;
    } else {
      let pe: PathElement | undefined;
      try {
        pe = parsePathElement(key);
      } catch {
        return false;
      }
      if (pe === undefined || serializePathElement(pe) !== key) return false;
      if (r === rank) {
        const before: PathElement = previous ?? { kind: 'key', fields: [[previousName, previousValue]] };
        if (comparePathElements(before, pe) >= 0) return false;
      }
      previous = pe;
    }
    rank = r;
    previousKey = key;
    hasChildren = true;
    if (!isEmptyObject(child) && !isCanonicalDocument(child)) return false;
  }
  return !(member && !hasChildren);
}

/**
 * A one-field key element with a string value, `k:{"name":"latest"}`, whose field name and
 * value need no escaping in Go's JSON (no quote, backslash, control character, `<`, `>`,
 * `&`, U+2028/9 or lone surrogate): such a key re-serializes to itself.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it excludes
const SIMPLE_KEY = /^k:\{"([^"\\<>&\u0000-\u001f\u2028\u2029\ud800-\udfff]*)":"([^"\\<>&\u0000-\u001f\u2028\u2029\ud800-\udfff]*)"\}$/;

/** The shared leaf (a member without children) and the empty root. */
const LEAF = new Node(true, NO_CHILDREN);
const EMPTY_ROOT = new Node(false, NO_CHILDREN);

const nodeOf = (member: boolean, children: ReadonlyMap<string, TrieChild>, sorted = false): Node =>
  children.size === 0 ? (member ? LEAF : EMPTY_ROOT) : new Node(member, children, sorted);

/** Whether a node holds no member at all (only the empty root and pruned nodes do). */
const isEmptyNode = (n: FieldTrie): boolean => !n.member && n.children.size === 0;

function countMembers(n: Node): number {
  if (n.size !== undefined) return n.size;
  let s = n.member ? 1 : 0;
  for (const c of n.children.values()) s += countMembers(c.node as Node);
  n.size = s;
  return s;
}

function unionNodes(a: Node, b: Node): Node {
  if (a === b) return a;
  if (b.children.size === 0 && (a.member || !b.member)) return a;
  if (a.children.size === 0 && (b.member || !a.member)) return b;
  const member = a.member || b.member;
  // The smaller node's children go into (a copy of) the larger's; `a` wins a tie.
  const [big, small] = a.children.size >= b.children.size ? [a, b] : [b, a];
  let children: Map<string, TrieChild> | undefined;
  let sorted = big.sorted;
  for (const [k, cs] of small.children) {
    const cb = big.children.get(k);
    let next: TrieChild;
    if (cb === undefined) {
      next = cs;
      sorted = false;
    } else {
      const u = unionNodes(cb.node as Node, cs.node as Node);
      if (u === cb.node) continue;
      next = { key: cb.key, pe: cb.pe, node: u };
    }
    children ??= new Map(big.children);
    children.set(k, next);
  }
  if (children === undefined && member === big.member) return big;
  return nodeOf(member, children ?? big.children, sorted);
}

/** `a ∖ b` (`recursive`: also everything under a member of `b`); `a` itself when nothing is removed. */
function differenceNodes(a: Node, b: Node, recursive: boolean): Node {
  if (a === b && !recursive) return EMPTY_ROOT;
  const member = a.member && !(b.member && !recursive);
  let children: Map<string, TrieChild> | undefined;
  const visit = (k: string, ca: TrieChild, cb: TrieChild): void => {
    let next: Node;
    if (recursive && cb.node.member) next = EMPTY_ROOT;
    else {
      if (cb.node.children.size === 0 && !cb.node.member) return;
      next = differenceNodes(ca.node as Node, cb.node as Node, recursive);
      if (next === ca.node) return;
    }
    children ??= new Map(a.children);
    if (isEmptyNode(next)) children.delete(k);
    else children.set(k, { key: ca.key, pe: ca.pe, node: next });
  };
  if (a.children.size <= b.children.size) {
    for (const [k, ca] of a.children) {
      const cb = b.children.get(k);
      if (cb !== undefined) visit(k, ca, cb);
    }
  } else {
    for (const [k, cb] of b.children) {
      const ca = a.children.get(k);
      if (ca !== undefined) visit(k, ca, cb);
    }
  }
  if (children === undefined && member === a.member) return a;
  return nodeOf(member, children ?? a.children, a.sorted);
}

function intersectNodes(a: Node, b: Node): Node {
  const member = a.member && b.member;
  const children = new Map<string, TrieChild>();
  for (const [k, ca] of a.children) {
    const cb = b.children.get(k);
    if (cb === undefined) continue;
    const i = intersectNodes(ca.node as Node, cb.node as Node);
    if (!isEmptyNode(i)) children.set(k, i === ca.node ? ca : { key: ca.key, pe: ca.pe, node: i });
  }
  return nodeOf(member, children, a.sorted);
}

function equalNodes(a: FieldTrie, b: FieldTrie): boolean {
  if (a === b) return true;
  if (a.member !== b.member || a.children.size !== b.children.size) return false;
  for (const [k, ca] of a.children) {
    const cb = b.children.get(k);
    if (cb === undefined || !equalNodes(ca.node, cb.node)) return false;
  }
  return true;
}

const byElement = (p: TrieChild, q: TrieChild): number => comparePathElements(p.pe, q.pe);

/** A node's FieldsV1 form: children in element order, `".": {}` first for a member that has children. */
function emitNode(n: Node): Record<string, unknown> {
  if (n.fieldsV1 !== undefined) return n.fieldsV1;
  const out: Record<string, unknown> = {};
  if (n.member && n.children.size > 0) out['.'] = {};
  const children = n.sorted ? n.children.values() : [...n.children.values()].sort(byElement);
  for (const c of children) out[c.key] = c.node.children.size === 0 ? {} : emitNode(c.node as Node);
  n.fieldsV1 = out;
  return out;
}

/**
 * Builds a set path by path; the nodes are the new set's (nothing is shared until `build`).
 * `child` gives the node under a parent for an element, creating it on first use.
 */
export class FieldSetBuilder {
  readonly #root = new Node(false, NO_CHILDREN);

  get root(): FieldTrie {
    return this.#root;
  }

  /** The node for `pe` under `parent` (a node of this builder), created when missing. */
  child(parent: FieldTrie, pe: PathElement, key: string = elementKey(pe)): FieldTrie {
    const p = parent as Node;
    let c = p.children.get(key);
    if (c === undefined) {
      if (p.kids === NO_CHILDREN) p.kids = new Map();
      c = { key, pe, node: new Node(false, NO_CHILDREN) };
      (p.kids as Map<string, TrieChild>).set(key, c);
    }
    return c.node;
  }

  /** Marks the path ending at `node` (a node of this builder other than the root) as a member. */
  mark(node: FieldTrie): void {
    (node as Node).member = true;
  }

  add(path: FieldPath): void {
    if (path.length === 0) return;
    let node: FieldTrie = this.#root;
    for (const pe of path) node = this.child(node, pe);
    this.mark(node);
  }

  build(): FieldSet {
    return FieldSet.fromTrie(this.#root);
  }
}

/**
 * An immutable set of field paths (`fieldpath.Set`). A path in the set means "this field
 * (or list/map element) is owned"; parents are not implied members. Held as a trie whose
 * nodes are shared between sets; an operation that changes nothing returns its operand.
 */
export class FieldSet {
  readonly #root: Node;

  private constructor(root: Node) {
    this.#root = root;
  }

  static readonly EMPTY = new FieldSet(EMPTY_ROOT);

  /** The set of a finished builder trie (leaf nodes become the shared leaf; nothing empty is kept). */
  static fromTrie(root: FieldTrie): FieldSet {
    const freeze = (n: Node): Node => {
      if (n.children.size === 0) return n.member ? LEAF : EMPTY_ROOT;
      for (const [k, c] of n.children as Map<string, TrieChild>) {
        const f = freeze(c.node as Node);
        if (isEmptyNode(f)) (n.children as Map<string, TrieChild>).delete(k);
        // The builder's child entries are its own until built: updated in place.
        else if (f !== c.node) (c as { node: FieldTrie }).node = f;
      }
      if (n.children.size === 0) return n.member ? LEAF : EMPTY_ROOT;
      n.sorted = n.children.size <= 1;
      return n;
    };
    const r = freeze(root as Node);
    return r === EMPTY_ROOT || r.children.size === 0 ? FieldSet.EMPTY : new FieldSet(r);
  }

  /** A set of the given paths (empty paths are ignored, as upstream does). */
  static of(paths: Iterable<FieldPath>): FieldSet {
    const b = new FieldSetBuilder();
    for (const p of paths) b.add(p);
    return b.build();
  }

  /**
   * Parses the FieldsV1 form (`{"f:metadata":{"f:labels":{"f:app":{}}}}`); `undefined`/`null`
   * is the empty set. Throws {@link FieldsV1Error} on malformed input.
   */
  static fromFieldsV1(fields: unknown): FieldSet {
    if (fields === undefined || fields === null) return FieldSet.EMPTY;
    if (!isPlainObject(fields)) throw new FieldsV1Error('fieldsV1 must be a JSON object');
    // A document exactly as toFieldsV1 writes it (as this server stores them) is the set's
    // encoding, and its subtrees are read only when an operation visits them.
    // The root is never a member (the empty path is not tracked), so a document that marks it
    // (`"."` at the top) is not what toFieldsV1 writes and is never kept as the encoding.
    const marksRoot = Object.prototype.hasOwnProperty.call(fields, '.');
    if (!marksRoot && isCanonicalDocument(fields)) return new FieldSet(new Node(false, undefined, true, fields));
    const root = parseNode(fields);
    const node = root.node.member || root.node === EMPTY_ROOT ? new Node(false, root.node.children, root.node.sorted) : root.node;
    // A document exactly as toFieldsV1 writes it (as this server stores them) is kept as the encoding.
    if (root.canonical && !marksRoot) node.fieldsV1 = fields;
    return new FieldSet(node);
  }

  get size(): number {
    return countMembers(this.#root);
  }

  isEmpty(): boolean {
    return this.#root.children.size === 0;
  }

  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    let node: FieldTrie | undefined = this.#root;
    for (const pe of path) {
      node = node.children.get(elementKey(pe))?.node;
      if (node === undefined) return false;
    }
    return node.member;
  }

  /** The paths in upstream iteration order. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (n: FieldTrie, prefix: PathElement[]): void => {
      for (const c of n.children.values()) {
        const path = [...prefix, c.pe];
        if (c.node.member) out.push(path);
        walk(c.node, path);
      }
    };
    walk(this.#root, []);
    return out.sort(compareFieldPaths);
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

  #wrap(root: Node, ...candidates: FieldSet[]): FieldSet {
    for (const c of candidates) if (c.#root === root) return c;
    return isEmptyNode(root) ? FieldSet.EMPTY : new FieldSet(root);
  }

  /** `this ∪ other`; `this` itself when `other` adds nothing (so its encoding is reused). */
  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    return this.#wrap(unionNodes(this.#root, other.#root), this, other);
  }

  /** `this ∖ other`; `this` itself when nothing is removed. */
  difference(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    return this.#wrap(differenceNodes(this.#root, other.#root, false), this);
  }

  intersection(other: FieldSet): FieldSet {
    return this.#wrap(intersectNodes(this.#root, other.#root));
  }

  /** Removes every path that is in `other` or lies under a path of `other`. */
  recursiveDifference(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    return this.#wrap(differenceNodes(this.#root, other.#root, true), this);
  }

  equals(other: FieldSet): boolean {
    return equalNodes(this.#root, other.#root);
  }

  /** The set as a trie (shared: never to be changed). */
  trie(): FieldTrie {
    return this.#root;
  }

  /** The FieldsV1 form: children in element order, `".": {}` first for a member that has children. */
  toFieldsV1(): Record<string, unknown> {
    return emitNode(this.#root);
  }
}

/**
 * Parses one FieldsV1 node. `canonical`: the node is exactly what toFieldsV1 writes for its
 * set (then it is remembered as the node's encoding).
 */
function parseNode(obj: Record<string, unknown>): { node: Node; canonical: boolean } {
  let isMember = false;
  let hasChildren = false;
  let canonical = true;
  let ordered = true;
  let previous: PathElement | undefined;
  let children: Map<string, TrieChild> | undefined;
  for (const key of Object.keys(obj)) {
    const child = obj[key];
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
    const k = elementKey(pe);
    if (previous !== undefined && comparePathElements(previous, pe) >= 0) ordered = canonical = false;
    if (k !== key) canonical = false;
    previous = pe;
    const sub = parseNode(child);
    if (!sub.canonical) canonical = false;
    children ??= new Map();
    const existing = children.get(k);
    children.set(k, { key: k, pe, node: existing === undefined ? sub.node : unionNodes(existing.node as Node, sub.node) });
    hasChildren = true;
  }
  if (isMember && !hasChildren) canonical = false;
  const member = isMember || !hasChildren;
  const node = nodeOf(member, children ?? NO_CHILDREN, ordered);
  if (canonical && node.children.size > 0) node.fieldsV1 = obj;
  return { node, canonical };
}

/** A trie node's child for a path element, if any. */
export function trieChild(node: FieldTrie | undefined, pe: PathElement): FieldTrie | undefined {
  return node?.children.get(elementKey(pe))?.node;
}
