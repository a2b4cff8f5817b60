/**
 * @module field-selector
 * Field selectors (`key=value`, `key==value`, `key!=value`, comma = AND, `\` escapes) and
 * matching against the fields a resource exposes for selection. Pure.
 */

export interface FieldRequirement {
  readonly key: string;
  readonly op: 'eq' | 'neq';
  readonly value: string;
}

export type FieldSelector = readonly FieldRequirement[];

export class FieldSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSelectorError';
  }
}

function splitTerms(input: string): string[] {
  const terms: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === '\\' && i + 1 < input.length) {
      cur += c + input[i + 1]!;
      i++;
    } else if (c === ',') {
      terms.push(cur);
      cur = '';
    } else cur += c;
  }
  terms.push(cur);
  return terms;
}

function unescape(s: string, whole: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      const n = s[i + 1];
      if (n === ',' || n === '=' || n === '\\') {
        out += n;
        i++;
      } else throw new FieldSelectorError(`invalid field selector: '${whole}': invalid escape sequence`);
    } else out += c;
  }
  return out;
}

/** Finds the first unescaped occurrence of `op` in `term`. */
function indexOfOp(term: string, op: string): number {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++;
      continue;
    }
    if (term.startsWith(op, i)) return i;
  }
  return -1;
}

export function parseFieldSelector(input: string): FieldSelector {
  if (input.trim() === '') return [];
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(input)) {
    if (term === '') continue;
    let matched = false;
    for (const [op, kind] of [
      ['!=', 'neq'],
      ['==', 'eq'],
      ['=', 'eq'],
    ] as const) {
      const i = indexOfOp(term, op);
      if (i >= 0) {
        reqs.push({ key: term.slice(0, i).trim(), op: kind, value: unescape(term.slice(i + op.length), input) });
        matched = true;
        break;
      }
    }
    if (!matched) throw new FieldSelectorError(`invalid selector: '${input}'; can't understand '${term}'`);
  }
  return reqs;
}

export function matchesFields(selector: FieldSelector, fields: Readonly<Record<string, string>>): boolean {
  for (const r of selector) {
    const v = fields[r.key] ?? '';
    if (r.op === 'eq' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
