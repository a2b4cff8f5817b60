/**
 * @module label-selector
 * Kubernetes label selectors: the full equality- and set-based grammar (`a=b`, `a==b`,
 * `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`), parsed once and matched
 * against an object's labels. Pure.
 */
import { isQualifiedName, isValidLabelValue } from './validation.js';

export type Operator = 'exists' | 'notexists' | 'eq' | 'neq' | 'in' | 'notin' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly op: Operator;
  readonly values: readonly string[];
}

export type LabelSelector = readonly Requirement[];

export class SelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorParseError';
  }
}

type Tok =
  | { t: 'id'; v: string }
  | { t: 'op'; v: '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '>' | '<' | 'in' | 'notin' }
  | { t: 'end' };

const SPECIAL = new Set(['=', '!', '(', ')', ',', '<', '>']);

function lex(input: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '=' && input[i + 1] === '=') {
      out.push({ t: 'op', v: '==' });
      i += 2;
    } else if (c === '!' && input[i + 1] === '=') {
      out.push({ t: 'op', v: '!=' });
      i += 2;
    } else if (SPECIAL.has(c)) {
      out.push({ t: 'op', v: c as '=' });
      i++;
    } else {
      let j = i;
      while (j < input.length && !SPECIAL.has(input[j]!) && !/\s/.test(input[j]!)) j++;
      const word = input.slice(i, j);
      if (word === 'in' || word === 'notin') out.push({ t: 'op', v: word });
      else out.push({ t: 'id', v: word });
      i = j;
    }
  }
  out.push({ t: 'end' });
  return out;
}

const show = (t: Tok): string => (t.t === 'end' ? 'EOS' : t.v);

function checkKey(key: string): void {
  const errs = isQualifiedName(key);
  if (errs.length > 0) throw new SelectorParseError(`unable to parse requirement: key: Invalid value: ${JSON.stringify(key)}: ${errs.join('; ')}`);
}

function checkValue(key: string, value: string, index: number): void {
  const errs = isValidLabelValue(value);
  if (errs.length > 0) {
    throw new SelectorParseError(
      `unable to parse requirement: values[${index}][${key}]: Invalid value: ${JSON.stringify(value)}: ${errs.join('; ')}`,
    );
  }
}

/** Parses a label selector string; an empty string selects everything. */
export function parseLabelSelector(input: string): LabelSelector {
  const toks = lex(input);
  let p = 0;
  const peek = (): Tok => toks[p]!;
  const next = (): Tok => toks[p++]!;
  const reqs: Requirement[] = [];
  if (peek().t === 'end') return reqs;
  for (;;) {
    let negate = false;
    if (peek().t === 'op' && (peek() as { v: string }).v === '!') {
      negate = true;
      next();
    }
    const keyTok = next();
    if (keyTok.t !== 'id') throw new SelectorParseError(`found '${show(keyTok)}', expected: identifier`);
    const key = keyTok.v;
    checkKey(key);
    const after = peek();
    if (after.t === 'end' || (after.t === 'op' && after.v === ',')) {
      reqs.push({ key, op: negate ? 'notexists' : 'exists', values: [] });
    } else {
      if (negate) throw new SelectorParseError(`found '${show(after)}', expected: ',' or 'end of string'`);
      const opTok = next();
      if (opTok.t !== 'op') {
        throw new SelectorParseError(`found '${show(opTok)}', expected: in, notin, =, ==, !=, gt, lt`);
      }
      switch (opTok.v) {
        case '=':
        case '==':
        case '!=': {
          const v = peek();
          let value = '';
          if (v.t === 'id') {
            value = v.v;
            next();
          } else if (!(v.t === 'end' || (v.t === 'op' && v.v === ','))) {
            throw new SelectorParseError(`found '${show(v)}', expected: identifier`);
          }
          checkValue(key, value, 0);
          reqs.push({ key, op: opTok.v === '!=' ? 'neq' : 'eq', values: [value] });
          break;
        }
        case '>':
        case '<': {
          const v = next();
          if (v.t !== 'id') throw new SelectorParseError(`found '${show(v)}', expected: identifier`);
          if (!/^-?\d+$/.test(v.v)) {
            throw new SelectorParseError(
              `unable to parse requirement: values[0]: Invalid value: ${JSON.stringify(v.v)}: for 'Gt', 'Lt' operators, the value must be an integer`,
            );
          }
          reqs.push({ key, op: opTok.v === '>' ? 'gt' : 'lt', values: [v.v] });
          break;
        }
        case 'in':
        case 'notin': {
          const open = next();
          if (!(open.t === 'op' && open.v === '(')) throw new SelectorParseError(`found '${show(open)}', expected: '('`);
          const values: string[] = [];
          for (;;) {
            const v = peek();
            if (v.t === 'id') {
              values.push(v.v);
              next();
            } else if (v.t === 'op' && (v.v === ',' || v.v === ')')) {
              values.push('');
            } else throw new SelectorParseError(`found '${show(v)}', expected: ',', ')' or identifier`);
            const sep = next();
            if (sep.t === 'op' && sep.v === ')') break;
            if (!(sep.t === 'op' && sep.v === ',')) throw new SelectorParseError(`found '${show(sep)}', expected: ',' or ')'`);
          }
          if (values.length === 1 && values[0] === '' && opTok.v === 'in') {
            // `in ()` is accepted upstream as the empty value.
          }
          values.forEach((v, i) => checkValue(key, v, i));
          reqs.push({ key, op: opTok.v, values: [...new Set(values)].sort() });
          break;
        }
        default:
          throw new SelectorParseError(`found '${show(opTok)}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    const sep = next();
    if (sep.t === 'end') break;
    if (!(sep.t === 'op' && sep.v === ',')) throw new SelectorParseError(`found '${show(sep)}', expected: ',' or 'end of string'`);
  }
  return reqs;
}

export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  for (const r of selector) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
      case 'eq':
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'neq':
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        if (r.op === 'gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}
