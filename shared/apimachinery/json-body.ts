/**
 * @module json-body
 * JSON request bodies: `JSON.parse` for the value plus a scanner that reports duplicate
 * object keys (which `JSON.parse` silently resolves, last one wins, like Go's decoder).
 * Paths are rendered as Kubernetes' strict decoder does: `metadata.name`, `spec.tags[0].name`.
 */

/**
 * How deeply a request body may nest objects and arrays. Go's decoder stops at 10,000 levels;
 * this server's recursive machinery (patches, field sets, validation) is not built for that
 * depth, and no API object comes near it, so bodies deeper than this are refused up front.
 */
export const MAX_BODY_NESTING = 1000;

/**
 * Whether JSON (or flow-style YAML) text nests `[`/`{` more than `limit` levels deep, outside
 * double-quoted strings. One pass over the bytes, stopping at the first level too deep.
 */
export function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

export interface ParsedJson {
  value: unknown;
  /** Paths of keys that appeared more than once in the same object. */
  duplicates: string[];
}

/** Index after the string whose opening quote is at `i` (found with indexOf; escaped quotes skipped). */
function stringEnd(text: string, i: number): number {
  let q = text.indexOf('"', i + 1);
  for (;;) {
    if (q < 0) return text.length;
    let b = q - 1;
    while (text.charCodeAt(b) === 0x5c /* \ */) b--;
    // An even number of backslashes before the quote: it ends the string.
    if ((q - 1 - b) % 2 === 0) return q + 1;
    q = text.indexOf('"', q + 1);
  }
}

/** The value of the string token `text[i, end)` (quotes included). */
function stringValue(text: string, i: number, end: number): string {
  const raw = text.slice(i + 1, end - 1);
  return raw.indexOf('\\') >= 0 ? (JSON.parse(`"${raw}"`) as string) : raw;
}

/**
 * Scans already-validated JSON text for duplicate keys. One frame per open object or array
 * (parallel arrays; each depth's key set is reused), strings skipped with indexOf and read
 * only when they are keys.
 */
export function findDuplicateKeys(text: string): string[] {
  const dups: string[] = [];
  /** Per depth: whether the container is an object, its keys so far, its current key, or its current index. */
  const isObject: boolean[] = [];
  // Keys of each open object: a reused list, and a set once the object has many keys.
  const keyLists: string[][] = [];
  const keySets: (Set<string> | undefined)[] = [];
  const currentKey: (string | undefined)[] = [];
  const index: number[] = [];
  let depth = 0;
  let expectKey = false;
  /** Whether the object at depth `d` already has `key` (and records it when not). */
  const seenKey = (d: number, key: string): boolean => {
    const set = keySets[d];
    if (set !== undefined) {
      if (set.has(key)) return true;
      set.add(key);
      return false;
    }
    const list = keyLists[d] as string[];
    for (let k = 0; k < list.length; k++) if (list[k] === key) return true;
    list.push(key);
    if (list.length >= 16) keySets[d] = new Set(list);
    return false;
  };
  const renderPath = (leaf: string): string => {
    let out = '';
    for (let d = 0; d < depth; d++) {
      if (isObject[d]) {
        const key = currentKey[d];
        if (key === undefined) continue;
        out += out.length === 0 ? key : `.${key}`;
      } else {
        out += `[${index[d]}]`;
      }
    }
    return out.length === 0 ? leaf : `${out}.${leaf}`;
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      if (expectKey && depth > 0 && isObject[depth - 1]) {
        const value = stringValue(text, i, end);
        if (seenKey(depth - 1, value)) {
          currentKey[depth - 1] = undefined;
          dups.push(renderPath(value));
        }
        currentKey[depth - 1] = value;
        expectKey = false;
      }
      i = end;
      continue;
    }
    switch (c) {
      case 0x7b /* { */: {
        isObject[depth] = true;
        const keys = keyLists[depth];
        if (keys === undefined) keyLists[depth] = [];
        else keys.length = 0;
        keySets[depth] = undefined;
        currentKey[depth] = undefined;
        depth++;
        expectKey = true;
        break;
      }
      case 0x5b /* [ */:
        isObject[depth] = false;
        index[depth] = 0;
        depth++;
        expectKey = false;
        break;
      case 0x7d /* } */:
      case 0x5d /* ] */:
        if (depth > 0) depth--;
        expectKey = false;
        break;
      case 0x2c /* , */:
        if (depth > 0) {
          if (isObject[depth - 1]) expectKey = true;
          else index[depth - 1] = (index[depth - 1] as number) + 1;
        }
        break;
      default:
    }
    i++;
  }
  return dups;
}

/** Keys in JSON text: the strings followed (after whitespace) by a colon. Strings are skipped with indexOf. */
function keysInText(text: string): number {
  let keys = 0;
  let i = text.indexOf('"');
  while (i >= 0) {
    const end = stringEnd(text, i);
    let j = end;
    let c = text.charCodeAt(j);
    while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = text.charCodeAt(++j);
    if (c === 0x3a /* : */) keys++;
    i = text.indexOf('"', end);
  }
  return keys;
}

/** Own keys of every object in a parsed JSON value. */
function keysInValue(value: unknown): number {
  // An explicit stack: a body may nest deeper than the call stack goes (Go accepts 10,000 levels).
  let keys = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    const rec = v as Record<string, unknown>;
    for (const k in rec) {
      keys++;
      stack.push(rec[k]);
    }
  }
  return keys;
}

/**
 * Whether JSON text whose `JSON.parse` result is `parsed` (not yet changed) can have
 * duplicate keys: only when the text holds more keys than the parsed objects do. A cheap
 * test before {@link findDuplicateKeys}.
 */
export function mayHaveDuplicateKeys(text: string, parsed: unknown): boolean {
  return (keysAtMost(text) ?? keysInText(text)) !== keysInValue(parsed);
}

/**
 * An upper bound of the keys in JSON text, found faster than {@link keysInText}: when no
 * quote is followed by whitespace and a colon, every key ends in an unescaped `":` (which
 * may also open a string that starts with a colon, hence "at most"). `undefined` otherwise.
 */
function keysAtMost(text: string): number | undefined {
  if (/"[ \t\n\r]+:/.test(text)) return undefined;
  let keys = 0;
  let i = text.indexOf('":');
  while (i >= 0) {
    let b = i - 1;
    while (text.charCodeAt(b) === 0x5c /* \ */) b--;
    if ((i - 1 - b) % 2 === 0) keys++;
    i = text.indexOf('":', i + 2);
  }
  return keys;
}

/**
 * Parses a JSON body. Throws `SyntaxError` for malformed JSON. Duplicate detection is skipped
 * when not needed (fieldValidation=Ignore) because it costs a second pass over the text.
 */
export function parseJson(text: string, detectDuplicates: boolean): ParsedJson {
  const value: unknown = JSON.parse(text);
  return { value, duplicates: detectDuplicates && text.length > 2 ? findDuplicateKeys(text) : [] };
}
