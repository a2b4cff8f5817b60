/**
 * @module fast-decode
 * A fast path for typed decoding of valid bodies: for the schema kinds request bodies use
 * (strict objects, records with string keys, arrays, strings, safe integers, booleans,
 * unknown, optional/nullable/nullish), a direct walk that builds exactly what
 * `safeParse(schema, raw)` followed by `stripNulls` builds — a fresh copy in schema key
 * order without `null` members, `unknown` values shared — or gives up (`undefined`) at the
 * first thing that is not plainly valid (unknown keys, wrong types, odd prototypes), leaving
 * the input untouched so the caller can run zod for its issues. Schemas with other kinds
 * never take the fast path.
 */
import type * as core from 'zod/v4/core';

/** A compiled schema node: `walk` returns the decoded value or {@link FAIL}. */
interface Fast {
  readonly walk: (v: unknown, unknowns: unknown[]) => unknown;
  /** `null` decodes to "unset" (the member is dropped). */
  readonly acceptsNull: boolean;
  /** `undefined` decodes to "unset" (a present member with an undefined value is dropped). */
  readonly acceptsUndefined: boolean;
  /** The member may be absent from an object. */
  readonly optional: boolean;
}

const FAIL: unique symbol = Symbol('fail');

const compiled = new WeakMap<object, Fast | null>();

const plainPrototype = (v: object): boolean => {
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
};

/** Removes `null` members in place (as decode's stripNulls; plain data, so `for…in` sees the own keys). */
function stripNullsInPlace(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) stripNullsInPlace(v);
  } else if (value !== null && typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    for (const k in rec) {
      const v = rec[k];
      if (v === null || v === undefined) delete rec[k];
      else if (typeof v === 'object') stripNullsInPlace(v);
    }
  }
}

type Def = { type: string; checks?: unknown[]; coerce?: boolean; format?: string } & Record<string, unknown>;

function compile(schema: core.$ZodType): Fast | null {
  const cached = compiled.get(schema);
  if (cached !== undefined) return cached;
  compiled.set(schema, null); // recursion guard (recursive schemas stay on zod)
  const fast = build(schema);
  compiled.set(schema, fast);
  return fast;
}

function build(schema: core.$ZodType): Fast | null {
  const def = schema._zod.def as unknown as Def;
  const leaf = (test: (v: unknown) => boolean): Fast => ({
    walk: (v) => (test(v) ? v : FAIL),
    acceptsNull: false,
    acceptsUndefined: false,
    optional: false,
  });
  const noChecks = (def.checks === undefined || def.checks.length === 0) && !def.coerce;
  switch (def.type) {
    case 'string':
      return noChecks && def.format === undefined ? leaf((v) => typeof v === 'string') : null;
    case 'boolean':
      return noChecks ? leaf((v) => typeof v === 'boolean') : null;
    case 'number':
      // z.int(): a safe integer (the format check is the schema itself).
      return noChecks && def.format === 'safeint' ? leaf((v) => typeof v === 'number' && Number.isSafeInteger(v)) : null;
    case 'unknown':
      return {
        walk: (v, unknowns) => {
          unknowns.push(v);
          return v;
        },
        acceptsNull: true,
        acceptsUndefined: true,
        optional: false,
      };
    case 'optional': {
      const inner = compile(def['innerType'] as core.$ZodType);
      if (inner === null || (def['innerType'] as core.$ZodType)._zod.optin === 'defaulted' || !noChecks) return null;
      return { ...inner, acceptsUndefined: true, optional: true };
    }
    case 'nullable': {
      const inner = compile(def['innerType'] as core.$ZodType);
      if (inner === null || !noChecks) return null;
      return { ...inner, acceptsNull: true };
    }
    case 'array': {
      const element = compile(def['element'] as core.$ZodType);
      if (element === null || !noChecks) return null;
      return {
        walk: (v, unknowns) => {
          if (!Array.isArray(v)) return FAIL;
          const out = new Array<unknown>(v.length);
          for (let i = 0; i < v.length; i++) {
            const item = v[i] as unknown;
            if (item === null || item === undefined) return FAIL;
            const r = element.walk(item, unknowns);
            if (r === FAIL) return FAIL;
            out[i] = r;
          }
          return out;
        },
        acceptsNull: false,
        acceptsUndefined: false,
        optional: false,
      };
    }
    case 'record': {
      const keyType = def['keyType'] as core.$ZodType;
      const keyDef = keyType._zod.def as unknown as Def;
      const value = compile(def['valueType'] as core.$ZodType);
      if (value === null || !noChecks || keyDef.type !== 'string' || keyDef.format !== undefined || keyDef.coerce) return null;
      if ((keyDef.checks ?? []).length > 0 || def['mode'] !== undefined) return null;
      return {
        walk: (v, unknowns) => {
          if (typeof v !== 'object' || v === null || Array.isArray(v) || !plainPrototype(v)) return FAIL;
          const rec = v as Record<string, unknown>;
          const out: Record<string, unknown> = {};
          for (const key of Object.keys(rec)) {
            if (key === '__proto__') return FAIL;
            const item = rec[key];
            if (item === null) {
              if (!value.acceptsNull) return FAIL;
              continue;
            }
            if (item === undefined) {
              if (!value.acceptsUndefined) return FAIL;
              continue;
            }
            const r = value.walk(item, unknowns);
            if (r === FAIL) return FAIL;
            out[key] = r;
          }
          return out;
        },
        acceptsNull: false,
        acceptsUndefined: false,
        optional: false,
      };
    }
    case 'object': {
      const catchall = def['catchall'] as core.$ZodType | undefined;
      if (catchall === undefined || (catchall._zod.def as unknown as Def).type !== 'never' || !noChecks) return null;
      const shape = def['shape'] as Record<string, core.$ZodType>;
      const keys = Object.keys(shape);
      if (Object.getOwnPropertySymbols(shape).length > 0) return null;
      const fields: Fast[] = [];
      for (const k of keys) {
        if (k in Object.prototype) return null;
        const f = compile(shape[k] as core.$ZodType);
        if (f === null) return null;
        fields.push(f);
      }
      return {
        walk: (v, unknowns) => {
          if (typeof v !== 'object' || v === null || Array.isArray(v) || !plainPrototype(v)) return FAIL;
          const rec = v as Record<string, unknown>;
          let members = 0;
          for (const _ in rec) members++;
          const out: Record<string, unknown> = {};
          // Every member must be a shape key: the shape keys found present must account for all of them.
          let present = 0;
          for (let i = 0; i < keys.length; i++) {
            const key = keys[i] as string;
            const f = fields[i] as Fast;
            const item = rec[key];
            if (item === undefined && !(key in rec)) {
              if (!f.optional) return FAIL;
              continue;
            }
            present++;
            if (item === null) {
              if (!f.acceptsNull) return FAIL;
              continue;
            }
            if (item === undefined) {
              if (!f.acceptsUndefined) return FAIL;
              continue;
            }
            const r = f.walk(item, unknowns);
            if (r === FAIL) return FAIL;
            out[key] = r;
          }
          return present === members ? out : FAIL;
        },
        acceptsNull: false,
        acceptsUndefined: false,
        optional: false,
      };
    }
    default:
      return null;
  }
}

/**
 * `stripNulls(safeParse(schema, raw).data)` for a valid `raw` (with the same in-place removal
 * of `null`s inside `unknown` values), or `undefined` when `raw` is not plainly valid or the
 * schema has kinds this path does not know; then nothing has been changed.
 */
export function fastDecode(schema: core.$ZodType, raw: unknown): { value: unknown } | undefined {
  const fast = compile(schema);
  if (fast === null || raw === null || raw === undefined) return undefined;
  const unknowns: unknown[] = [];
  const value = fast.walk(raw, unknowns);
  if (value === FAIL) return undefined;
  for (const u of unknowns) stripNullsInPlace(u);
  return { value };
}
