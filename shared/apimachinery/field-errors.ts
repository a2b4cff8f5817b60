/**
 * @module field-errors
 * Field paths and field errors with the exact rendering of Kubernetes' `field.Error`,
 * so that 422 causes read `<field>: <message>` exactly as kubectl expects.
 */
import { goQuote } from './go-format.js';

/** A field path such as `spec.tags[latest].from.name`. Immutable; each step returns a new path. */
export class FieldPath {
  readonly #parts: readonly string[];

  private constructor(parts: readonly string[]) {
    this.#parts = parts;
  }

  static root(name?: string): FieldPath {
    return new FieldPath(name === undefined ? [] : [name]);
  }

  child(name: string, ...more: string[]): FieldPath {
    const parts = [...this.#parts];
    for (const n of [name, ...more]) parts.push(parts.length === 0 ? n : `.${n}`);
    return new FieldPath(parts);
  }

  /** Map key step, rendered `[key]` without quotes (as upstream). */
  key(key: string): FieldPath {
    return new FieldPath([...this.#parts, `[${key}]`]);
  }

  index(i: number): FieldPath {
    return new FieldPath([...this.#parts, `[${i}]`]);
  }

  toString(): string {
    return this.#parts.join('');
  }
}

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound'
  | 'FieldValueTypeInvalid'
  | 'InternalError';

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueNotFound: 'Not found',
  FieldValueTypeInvalid: 'Invalid value',
  InternalError: 'Internal error',
};

/** Types whose message never shows the bad value. */
const VALUE_OMITTED: ReadonlySet<FieldErrorType> = new Set([
  'FieldValueRequired',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'InternalError',
]);

/** A value rendered verbatim (Go `%#v` output such as `0x0`), not quoted. */
export interface GoLiteral {
  readonly goLiteral: string;
}
export type BadValue = string | number | boolean | null | undefined | GoLiteral | readonly string[];
const OMIT = Symbol('omit');

export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly value: BadValue | typeof OMIT;
  readonly detail: string;
}

function renderValue(value: BadValue): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return '[]string{' + value.map(goQuote).join(', ') + '}';
  return (value as GoLiteral).goLiteral;
}

/** The message part of a field error ("error body"), e.g. `Invalid value: "x": must match ...`. */
export function errorBody(e: FieldError): string {
  let s = TYPE_TEXT[e.type];
  if (!VALUE_OMITTED.has(e.type) && e.value !== OMIT) s += `: ${renderValue(e.value)}`;
  if (e.detail.length > 0) s += `: ${e.detail}`;
  return s;
}

/** `<field>: <body>` as printed in aggregate messages. */
export function errorString(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

const make =
  (type: FieldErrorType) =>
  (path: FieldPath | string, value: BadValue, detail = ''): FieldError => ({
    type,
    field: String(path),
    value,
    detail,
  });

export const fieldErrors = {
  required: (path: FieldPath | string, detail = ''): FieldError => ({
    type: 'FieldValueRequired',
    field: String(path),
    value: OMIT,
    detail,
  }),
  invalid: make('FieldValueInvalid'),
  /** Invalid without the value in the message. */
  invalidNoValue: (path: FieldPath | string, detail: string): FieldError => ({
    type: 'FieldValueInvalid',
    field: String(path),
    value: OMIT,
    detail,
  }),
  notSupported: (path: FieldPath | string, value: BadValue, supported: readonly string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field: String(path),
    value,
    detail: supported.length > 0 ? 'supported values: ' + supported.map(goQuote).join(', ') : '',
  }),
  duplicate: make('FieldValueDuplicate'),
  forbidden: (path: FieldPath | string, detail: string): FieldError => ({
    type: 'FieldValueForbidden',
    field: String(path),
    value: OMIT,
    detail,
  }),
  tooLong: (path: FieldPath | string, maxLength: number): FieldError => ({
    type: 'FieldValueTooLong',
    field: String(path),
    value: OMIT,
    detail: `may not be more than ${maxLength} ${maxLength === 1 ? 'byte' : 'bytes'}`,
  }),
  tooMany: (path: FieldPath | string, actual: number, max: number): FieldError => ({
    type: 'FieldValueTooMany',
    field: String(path),
    value: actual,
    detail: `must have at most ${max} items`,
  }),
  notFound: make('FieldValueNotFound'),
  internal: (path: FieldPath | string, detail: string): FieldError => ({
    type: 'InternalError',
    field: String(path),
    value: OMIT,
    detail,
  }),
};

/** Aggregate rendering: one error prints alone, several as `[a, b]`; duplicates removed. */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errors) {
    const m = errorString(e);
    if (!seen.has(m)) {
      seen.add(m);
      msgs.push(m);
    }
  }
  if (msgs.length === 1) return msgs[0] ?? '';
  return `[${msgs.join(', ')}]`;
}
