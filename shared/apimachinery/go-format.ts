/**
 * @module go-format
 * Renders values the way Go's fmt verbs do in Kubernetes messages (`%q`, `%v`), so
 * error texts match what clients of a real API server see.
 */

const SIMPLE_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** Go `%q` / strconv.Quote for a string: double quotes, backslash escapes, printable runes kept. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || cp === 0x7f) {
      out += '\\x' + cp.toString(16).padStart(2, '0');
    } else if (cp >= 0x80 && cp < 0xa0) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else {
      out += ch;
    }
  }
  return out + '"';
}

/** Go `%v` for the simple JSON-like values used in messages. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return '[' + v.map(goValue).join(' ') + ']';
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return 'map[' + entries.map(([k, val]) => `${k}:${goValue(val)}`).join(' ') + ']';
  }
  return String(v);
}

/** Go `%#v` of a []string, as used in finalizer messages: `[]string{"a", "b"}`. */
export function goStringSlice(values: readonly string[]): string {
  return '[]string{' + values.map(goQuote).join(', ') + '}';
}
