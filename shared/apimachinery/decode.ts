/**
 * @module decode
 * Request body → typed object, as the apiserver's decoder does it: media type, JSON/YAML
 * syntax, group/version/kind, type checks, and field validation (unknown and duplicate
 * fields: dropped, warned about, or rejected). Unknown fields are never kept.
 */
import { parse as parseYaml } from 'yaml';
import { safeParse } from 'zod/mini';
import type * as core from 'zod/v4/core';
import { fastDecode } from './fast-decode.js';
import { findDuplicateKeys, mayHaveDuplicateKeys } from './json-body.js';
import { negotiateBodyFormat } from './negotiation.js';
import { groupVersionOf, type ResourceDefinition } from './resource.js';
import type { StatusError } from './status.js';
import { badRequest, requestEntityTooLarge } from './status.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/** Upstream's request body limit (3 MiB). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

export interface Decoded<T> {
  object: T;
  /** `unknown field "…"` / `duplicate field "…"` texts (empty unless fieldValidation=Warn). */
  warnings: string[];
}

type Path = readonly PropertyKey[];

const renderPath = (path: Path): string => {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out.length === 0 ? String(p) : `.${String(p)}`;
  }
  return out;
};

const jsonTypeOf = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
};

const GO_TYPES: Record<string, string> = {
  string: 'string',
  number: 'int64',
  int: 'int64',
  boolean: 'bool',
  array: 'array',
  object: 'struct',
  record: 'map[string]string',
};

function valueAt(root: unknown, path: Path): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}

function deleteAt(root: unknown, path: Path, key: string): void {
  const parent = valueAt(root, path);
  if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[key];
}

/** Removes `null` members (Go's decoder treats them as unset). */
export function stripNulls<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const v of value) stripNulls(v);
  } else if (value !== null && typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      if (rec[k] === null || rec[k] === undefined) delete rec[k];
      else stripNulls(rec[k]);
    }
  }
  return value;
}

function summarize(text: string): string {
  if (text.length === 0) return '<empty>';
  if (text.startsWith('{')) return text.length > 30 ? `${text.slice(0, 30)} ...` : text;
  const hex = Buffer.from(text.slice(0, 30)).toString('hex');
  return text.length > 30 ? `${hex} ...` : hex;
}

const TYPE_META_STRUCT =
  'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

export interface DecodeInput {
  readonly body: Buffer | undefined;
  readonly contentType: string | undefined;
  readonly fieldValidation: FieldValidation;
}

/**
 * Decodes a POST/PUT body into `def`'s kind using `schema` (a strict zod schema whose objects
 * reject unknown keys). Throws a 400/413/415 StatusError for anything that cannot be decoded.
 */
export function decodeBody<S extends core.$ZodType>(def: ResourceDefinition, schema: S, input: DecodeInput): Decoded<core.output<S>> {
  const format = negotiateBodyFormat(input.contentType);
  const body = input.body ?? Buffer.alloc(0);
  if (body.length > MAX_REQUEST_BODY_BYTES) throw requestEntityTooLarge(`limit is ${MAX_REQUEST_BODY_BYTES}`);
  const text = body.toString('utf8');
  const unrecognized = (detail: string): StatusError =>
    badRequest(`the object provided is unrecognized (must be of type ${def.kind}): ${detail} (${summarize(text)})`);

  let raw: unknown;
  try {
    raw = format === 'json' ? JSON.parse(text) : parseYaml(text, { uniqueKeys: false, logLevel: 'error' });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw unrecognized(`couldn't get version/kind; ${format} parse error: ${msg}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw unrecognized(`couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonTypeOf(raw)} into Go value of type ${TYPE_META_STRUCT}`);
  }
  const rec = raw as Record<string, unknown>;
  const expectedGv = groupVersionOf(def);
  const apiVersion = typeof rec['apiVersion'] === 'string' ? rec['apiVersion'] : '';
  const kind = typeof rec['kind'] === 'string' ? rec['kind'] : '';
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  if (kind !== '' && kind !== def.kind) {
    throw badRequest(
      `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${def.kind}: no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)} in scheme "k8s.io/apimachinery/pkg/runtime/scheme.go:100"`,
    );
  }
  if (apiVersion !== '' && apiVersion !== expectedGv) {
    throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${expectedGv})`);
  }
  // Counted against the parsed value before decoding changes it: text without more keys than
  // the value holds has no duplicates and is not scanned for them.
  const maybeDuplicates = input.fieldValidation !== 'Ignore' && format === 'json' && mayHaveDuplicateKeys(text, raw);
  const { object, unknown } = decodeValue(def, schema, raw);
  const problems: string[] = [];
  if (input.fieldValidation !== 'Ignore') {
    for (const u of unknown) problems.push(`unknown field ${JSON.stringify(u)}`);
    if (maybeDuplicates) for (const d of findDuplicateKeys(text)) problems.push(`duplicate field ${JSON.stringify(d)}`);
  }
  if (input.fieldValidation === 'Strict' && problems.length > 0) {
    throw badRequest(`${cannotHandle(def)}: strict decoding error: ${problems.join(', ')}`);
  }
  return { object, warnings: input.fieldValidation === 'Warn' ? problems : [] };
}

const cannotHandle = (def: ResourceDefinition): string => `${def.kind} in version ${JSON.stringify(def.version)} cannot be handled as a ${def.kind}`;

/**
 * Typed decoding of an already-parsed value (a body, or a patched object): type checks (400),
 * unknown fields dropped and reported by path, `null`s removed. Does not look at kind/apiVersion.
 * Takes ownership of `raw` (unknown keys are deleted from it in place).
 */
export function decodeValue<S extends core.$ZodType>(def: ResourceDefinition, schema: S, raw: unknown): { object: core.output<S>; unknown: string[] } {
  const fast = fastDecode(schema, raw);
  if (fast !== undefined) return { object: withMetadata(fast.value) as core.output<S>, unknown: [] };
  const unknown: string[] = [];
  let result = safeParse(schema, raw);
  if (!result.success) {
    let onlyUnknown = true;
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          unknown.push(renderPath([...issue.path, key]));
          deleteAt(raw, issue.path, key);
        }
      } else onlyUnknown = false;
    }
    if (!onlyUnknown || unknown.length === 0) throw typeError(cannotHandle(def), def.kind, raw, result.error.issues);
    result = safeParse(schema, raw);
    if (!result.success) throw typeError(cannotHandle(def), def.kind, raw, result.error.issues);
  }
  return { object: withMetadata(stripNulls(result.data)), unknown };
}

/** ObjectMeta is a struct, not a pointer: an object sent without metadata has empty metadata. */
function withMetadata<T>(object: T): T {
  if (object !== null && typeof object === 'object' && !Array.isArray(object)) {
    const rec = object as Record<string, unknown>;
    if (rec['metadata'] === undefined) rec['metadata'] = {};
  }
  return object;
}

function typeError(asKind: string, kind: string, raw: unknown, issues: readonly core.$ZodIssue[]): StatusError {
  const issue = issues.find((i) => i.code !== 'unrecognized_keys') ?? issues[0];
  if (issue === undefined) return badRequest(`${asKind}: invalid object`);
  const value = valueAt(raw, issue.path);
  const expected = issue.code === 'invalid_type' ? String(issue.expected) : 'value';
  const jsonType = jsonTypeOf(value);
  const shown = jsonType === 'number' && !Number.isInteger(value) ? `number ${String(value)}` : jsonType;
  const path = renderPath(issue.path);
  return badRequest(
    `${asKind}: json: cannot unmarshal ${shown} into Go struct field ${kind}.${path} of type ${GO_TYPES[expected] ?? expected}`,
  );
}
