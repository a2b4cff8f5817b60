/**
 * @module server-side-apply
 * Server-side apply (`application/apply-patch+yaml`) as apimachinery's field manager does it:
 * merge the applied configuration into the live object, remove what the manager applied
 * last time and no longer applies (unless someone else owns it), detect conflicts with
 * other managers (409 unless forced), and record the manager's `Apply` entry. Includes
 * kubectl's client-side → server-side apply upgrade rules (manager `kubectl` and the
 * `last-applied-configuration` annotation). Pure functions; storage and HTTP are the
 * caller's.
 */
import { parse as parseYaml } from 'yaml';
import type * as core from 'zod/v4/core';
import { deepEqual } from './equality.js';
import type { FieldMeta } from './field-meta.js';
import { goQuote } from './go-format.js';
import {
  recordUpdate,
  resetFieldSet,
  UNTRACKED_FIELDS,
  withoutManagedFields,
  type ResetFields,
} from './managed-fields.js';
import { goJson, pathString, type FieldPath, type FieldSet } from './managed-fields/field-set.js';
import {
  decodeManagedFieldsOrEmpty,
  encodeManagedFields,
  formatTime,
  managerIdentifier,
  type Managed,
  type ManagerIdentity,
} from './managed-fields/managers.js';
import {
  compareValues,
  ensureNamedFieldsAreMembers,
  fieldSetOf,
  isJsonObject,
  mergeValues,
  removeItems,
  structuralErrors,
  zeroObject,
  type JsonObject,
} from './managed-fields/typed.js';
import type { KubeObject, ManagedFieldsEntry } from './meta.js';
import { decodeValue, type FieldValidation } from './decode.js';
import { groupVersionOf, type ResourceDefinition } from './resource.js';
import { badRequest, StatusError, type StatusCause } from './status.js';
import { TOTAL_ANNOTATION_SIZE_LIMIT } from './validation.js';

/** kubectl's client-side apply annotation. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** The manager kubectl uses for `apply --server-side`; only it upgrades from client-side apply. */
export const KUBECTL_APPLY_MANAGER = 'kubectl';
/** The Update entry that takes over all existing fields when an object without entries is first applied. */
export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';

// ---------------------------------------------------------------------------------------------
// Validation of the applied configuration
// ---------------------------------------------------------------------------------------------

interface GroupVersion {
  readonly group: string;
  readonly version: string;
}

/** `schema.ParseGroupVersion`; `undefined` for more than one slash. */
function parseGroupVersion(apiVersion: string): GroupVersion | undefined {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group: parts[0] as string, version: parts[1] as string };
  return undefined;
}

/** `schema.GroupVersionKind.String()`: `image.openshift.io/v1, Kind=ImageStream`. */
function gvkString(apiVersion: string, kind: string): string {
  const gv = parseGroupVersion(apiVersion);
  if (gv === undefined) return '/, Kind=';
  return `${gv.group}/${gv.version}, Kind=${kind}`;
}

const stringField = (obj: JsonObject, key: string): string => {
  const v = obj[key];
  return typeof v === 'string' ? v : '';
};

/**
 * Checks an applied configuration before {@link applyPatch}, in upstream's order; each
 * failure is a 400 BadRequest:
 * 1. group/version/kind must be the endpoint's: `invalid object type: <group>/<version>, Kind=<kind>`
 *    (upstream's `versionCheckManager`; it runs first, so the older
 *    `Incorrect version specified in apply patch…` text is unreachable);
 * 2. `metadata.managedFields` must be absent or null: `metadata.managedFields must be nil`;
 * 3. with `meta`: associative lists/sets must be keyable and free of duplicates:
 *    `failed to create typed patch object (<ns>/<name>; <gvk>): .spec.tags: duplicate entries for key [name="a"]`
 *    (upstream answers 500 without reason; 400 as for the other typed-patch errors).
 */
export function validateApplyConfiguration(
  config: unknown,
  expected: { readonly apiVersion: string; readonly kind: string },
  meta?: FieldMeta,
): asserts config is JsonObject {
  const obj: JsonObject = isJsonObject(config) ? config : {};
  const apiVersion = stringField(obj, 'apiVersion');
  const kind = stringField(obj, 'kind');
  const gv = parseGroupVersion(apiVersion);
  const want = parseGroupVersion(expected.apiVersion);
  if (
    !isJsonObject(config) ||
    gv === undefined ||
    want === undefined ||
    gv.group !== want.group ||
    gv.version !== want.version ||
    kind !== expected.kind
  ) {
    throw badRequest(`invalid object type: ${gv === undefined ? '/, Kind=' : gvkString(apiVersion, kind)}`);
  }
  const metadata = obj['metadata'];
  if (isJsonObject(metadata) && Array.isArray(metadata['managedFields'])) {
    throw badRequest('metadata.managedFields must be nil');
  }
  if (meta !== undefined) {
    const errs = structuralErrors(obj, meta);
    if (errs.length > 0) {
      const md = isJsonObject(metadata) ? metadata : {};
      const where = `${stringField(md, 'namespace')}/${stringField(md, 'name')}; ${gvkString(apiVersion, kind)}`;
      const detail = errs.length === 1 ? (errs[0] as string) : ['errors:', ...errs.map((e) => '  ' + e)].join('\n');
      throw badRequest(`failed to create typed patch object (${where}): ${detail}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Conflicts
// ---------------------------------------------------------------------------------------------

/** One field another manager owns and the apply would change. */
export interface ApplyConflict {
  readonly manager: ManagerIdentity;
  readonly path: FieldPath;
}

/** `printManager`: `"kubectl-label" using image.openshift.io/v1`, `"m" with subresource "status"`. */
export function describeManager(id: ManagerIdentity): string {
  let s = goQuote(id.manager);
  if (id.subresource) s += ` with subresource ${goQuote(id.subresource)}`;
  if (id.operation === 'Update') s += ` using ${id.apiVersion ?? ''}`;
  return s;
}

/** Conflicts grouped by manager, managers in identifier order, paths in set order. */
function groupConflicts(conflicts: readonly ApplyConflict[]): { manager: ManagerIdentity; paths: FieldPath[] }[] {
  const groups = new Map<string, { manager: ManagerIdentity; paths: FieldPath[] }>();
  for (const c of conflicts) {
    const id = managerIdentifier(c.manager);
    const g = groups.get(id) ?? { manager: c.manager, paths: [] };
    g.paths.push(c.path);
    groups.set(id, g);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/**
 * The 409 of an apply conflict (`NewConflictError`), e.g.
 * `Apply failed with 1 conflict: conflict with "kubectl-label" using image.openshift.io/v1: .metadata.labels.app`;
 * several: `Apply failed with 2 conflicts: conflicts with "a" using v1:\n- .x\n- .y` (one block per
 * manager). One `FieldManagerConflict` cause per field; no name/group/kind in details.
 */
export function applyConflictError(conflicts: readonly ApplyConflict[]): StatusError {
  const groups = groupConflicts(conflicts);
  const ordered = groups.flatMap((g) => g.paths.map((path) => ({ manager: g.manager, path })));
  let message: string;
  if (ordered.length === 1) {
    const only = ordered[0] as ApplyConflict;
    message = `Apply failed with 1 conflict: conflict with ${describeManager(only.manager)}: ${pathString(only.path)}`;
  } else {
    const lines = groups.flatMap((g) => [`conflicts with ${describeManager(g.manager)}:`, ...g.paths.map((p) => `- ${pathString(p)}`)]);
    message = `Apply failed with ${ordered.length} conflicts: ${lines.join('\n')}`;
  }
  const causes: StatusCause[] = ordered.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.manager)}`,
    field: pathString(c.path),
  }));
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'Conflict',
    details: { causes },
    code: 409,
  });
}

class ApplyConflicts extends Error {
  constructor(readonly conflicts: readonly ApplyConflict[]) {
    super('apply conflicts');
  }
}

// ---------------------------------------------------------------------------------------------
// Apply
// ---------------------------------------------------------------------------------------------

export interface ApplyPatchOptions<T extends KubeObject> {
  /** The stored object (with its managedFields), or `undefined` when the apply creates it. */
  readonly live: T | undefined;
  /** The parsed applied configuration (already checked by {@link validateApplyConfiguration}). */
  readonly config: JsonObject;
  /** The `fieldManager` query parameter (required for apply). */
  readonly manager: string;
  /** The `force` query parameter. */
  readonly force: boolean;
  /** The endpoint's group-version, e.g. `image.openshift.io/v1`. */
  readonly apiVersion: string;
  readonly subresource?: string;
  readonly now: Date;
  readonly meta: FieldMeta;
  /** Reset fields of the endpoint (main resource: `['status']`; `/status`: `['spec']`). */
  readonly ignore?: ResetFields;
}

export interface ApplyResult<T extends KubeObject> {
  /**
   * The object to store: the merge of live and configuration, pruned, with
   * `metadata.managedFields` set (absent when there are no entries). On a create it holds
   * only what the configuration holds (the caller fills uid, timestamps, defaults).
   */
  readonly object: T;
  readonly managedFields: ManagedFieldsEntry[];
  /** The apply creates the object (`live` was undefined): answer 201. */
  readonly created: boolean;
  /** The object (managedFields aside) differs from `live`. */
  readonly changed: boolean;
}

interface ApplyContext {
  readonly identity: ManagerIdentity;
  readonly apiVersion: string;
  readonly time: string;
  readonly meta: FieldMeta;
  readonly ignore: FieldSet;
}

/**
 * Removes what the applier applied last time (`lastSet`) and applies no more, unless some
 * manager still owns it (`Updater.prune`: remove, add back owned items, add back dangling
 * items). Identity fields are never removed.
 */
function prune(merged: JsonObject, managers: Managed, lastSet: FieldSet | undefined, meta: FieldMeta): JsonObject {
  if (lastSet === undefined || lastSet.isEmpty()) return merged;
  const ensure = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, meta);
  const setOf = (v: unknown): FieldSet => ensure(fieldSetOf(v, meta));
  const last = ensure(lastSet);
  const first = (removeItems(merged, last, meta) ?? {}) as JsonObject;

  let owned = UNTRACKED_FIELDS;
  for (const m of managers.values()) owned = owned.union(m.set);
  owned = ensure(owned);
  const mergedSet = setOf(merged);
  const ownedBack = (removeItems(merged, mergedSet.difference(setOf(first).union(owned)), meta) ?? {}) as JsonObject;
  return (removeItems(merged, mergedSet.difference(setOf(ownedBack)).intersection(last), meta) ?? {}) as JsonObject;
}

/** `Updater.Apply` + strip + time: merges, prunes, checks conflicts; throws {@link ApplyConflicts}. */
function structuredApply(
  managed: Managed,
  live: JsonObject | undefined,
  config: JsonObject,
  force: boolean,
  ctx: ApplyContext,
): { object: JsonObject; managed: Managed; changed: boolean } {
  const { meta, ignore } = ctx;
  const id = managerIdentifier(ctx.identity);
  const merged = (mergeValues(live ?? {}, config, meta) ?? {}) as JsonObject;
  const previous = managed.get(id);
  const managers: Managed = new Map(managed);
  managers.set(id, {
    identity: ctx.identity,
    set: fieldSetOf(config, meta).recursiveDifference(ignore),
    apiVersion: ctx.apiVersion,
    ...(previous?.time !== undefined ? { time: previous.time } : {}),
  });
  const pruned = prune(merged, managers, previous?.set, meta);

  const cmp = compareValues(live ?? zeroObject(meta), pruned, meta);
  const changedFields = cmp.modified.union(cmp.added).recursiveDifference(ignore);
  const removedFields = cmp.removed.recursiveDifference(ignore);
  const conflicts: ApplyConflict[] = [];
  for (const [mid, m] of managers) {
    if (mid === id) continue;
    for (const path of m.set.intersection(changedFields)) conflicts.push({ manager: m.identity, path });
  }
  if (!force && conflicts.length > 0) throw new ApplyConflicts(conflicts);

  const out: Managed = new Map();
  for (const [mid, m] of managers) {
    const set = mid === id ? m.set.difference(UNTRACKED_FIELDS) : m.set.difference(changedFields).difference(removedFields);
    if (!set.isEmpty()) out.set(mid, set === m.set ? m : { ...m, set });
  }
  const changed = live === undefined || !deepEqual(live, pruned);
  const own = out.get(id);
  if (changed && own !== undefined) out.set(id, { ...own, time: ctx.time });
  return { object: changed ? pruned : structuredClone(live), managed: out, changed };
}

/** The fields of the last-applied annotation whose values equal the live ones (`allowedConflictsFromLastApplied`). */
function fieldsMatchingLastApplied(live: JsonObject, apiVersion: string, meta: FieldMeta): FieldSet | undefined {
  const annotations = annotationsOf(live);
  const raw = annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof raw !== 'string' || raw === '') return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isJsonObject(lastApplied) || typeof lastApplied['kind'] !== 'string' || lastApplied['kind'] === '') return undefined;
  if (lastApplied['apiVersion'] !== apiVersion) return undefined;
  const cmp = compareValues(lastApplied, live, meta);
  return fieldSetOf(lastApplied, meta).difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
}

function annotationsOf(obj: JsonObject): JsonObject | undefined {
  const md = obj['metadata'];
  if (!isJsonObject(md)) return undefined;
  const a = md['annotations'];
  return isJsonObject(a) ? a : undefined;
}

/** The annotation value kubectl's server-side apply keeps up to date: the configuration without the annotation, as Go encodes it. */
export function lastAppliedValue(config: JsonObject): string {
  const copy = structuredClone(config);
  const md = copy['metadata'];
  if (isJsonObject(md) && md['annotations'] !== undefined) {
    const a = md['annotations'];
    if (isJsonObject(a) && Object.values(a).every((v) => typeof v === 'string')) delete a[LAST_APPLIED_ANNOTATION];
    else if (a !== null) delete md['annotations'];
  }
  return goJson(copy) + '\n';
}

/** Sets the annotation unless that makes annotations exceed the total size limit (then removes it), as `SetLastApplied`. */
function setLastApplied(obj: JsonObject, value: string): JsonObject {
  const md = isJsonObject(obj['metadata']) ? obj['metadata'] : {};
  const annotations: Record<string, unknown> = { ...(annotationsOf(obj) ?? {}), [LAST_APPLIED_ANNOTATION]: value };
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) total += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) delete annotations[LAST_APPLIED_ANNOTATION];
  return { ...obj, metadata: { ...md, annotations } };
}

/**
 * Server-side apply of `config` by `manager` (`FieldManager.Apply` with upstream's default
 * wrappers):
 *
 * - `live` undefined: the object is built from the configuration (`created: true`);
 * - otherwise the configuration is merged into `live` (struct fields and map keys per key,
 *   associative lists per key, sets per value, atomic lists and scalars replaced), and every
 *   field this manager applied last time (its previous `Apply` entry) but not now, and that
 *   no manager owns any more, is removed — whole list elements and map keys included;
 * - a field another entry (Apply or Update) owns and the result would change is a conflict:
 *   409 ({@link applyConflictError}) unless `force`, which takes the fields away from the
 *   other entries; same values are co-owned;
 * - the manager's `Apply` entry becomes exactly the configuration's field set (minus reset
 *   and untracked fields; dropped when empty) with `time = now` when the object changed;
 *   removed fields leave every entry;
 * - an existing object without entries first gets a `before-first-apply` Update entry owning
 *   its current fields;
 * - manager `kubectl`: conflicts on fields whose live value still equals the
 *   `last-applied-configuration` annotation are forced (client-side → server-side apply
 *   upgrade), and an existing annotation is rewritten to the applied configuration.
 *
 * Undecodable stored entries are treated as none (upstream fails with a 500).
 */
export function applyPatch<T extends KubeObject>(opts: ApplyPatchOptions<T>): ApplyResult<T> {
  const ctx: ApplyContext = {
    identity: {
      manager: opts.manager === '' ? 'unknown' : opts.manager,
      operation: 'Apply',
      ...(opts.subresource ? { subresource: opts.subresource } : {}),
    },
    apiVersion: opts.apiVersion,
    time: formatTime(opts.now),
    meta: opts.meta,
    ignore: resetFieldSet(opts.ignore),
  };
  const live = opts.live === undefined ? undefined : withoutManagedFields(opts.live);
  const config = withoutManagedFields(opts.config);
  let managed = decodeManagedFieldsOrEmpty(opts.live?.metadata.managedFields);

  if (managed.size === 0 && live !== undefined) {
    managed = recordUpdate(managed, {
      old: zeroObject(opts.meta),
      next: live,
      identity: {
        manager: BEFORE_FIRST_APPLY_MANAGER,
        operation: 'Update',
        apiVersion: opts.apiVersion,
        ...(opts.subresource ? { subresource: opts.subresource } : {}),
      },
      apiVersion: opts.apiVersion,
      time: ctx.time,
      meta: opts.meta,
      ignore: ctx.ignore,
    });
  }

  let result: { object: JsonObject; managed: Managed; changed: boolean };
  try {
    result = structuredApply(managed, live, config, opts.force, ctx);
  } catch (e) {
    if (!(e instanceof ApplyConflicts)) throw e;
    if (opts.manager !== KUBECTL_APPLY_MANAGER || live === undefined) throw applyConflictError(e.conflicts);
    const allowed = fieldsMatchingLastApplied(live, opts.apiVersion, opts.meta);
    if (allowed === undefined) throw applyConflictError(e.conflicts);
    const remaining = e.conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length > 0) throw applyConflictError(remaining);
    result = structuredApply(managed, live, config, true, ctx);
  }

  let object = result.object;
  if (opts.manager === KUBECTL_APPLY_MANAGER) {
    const current = annotationsOf(object)?.[LAST_APPLIED_ANNOTATION];
    if (typeof current === 'string' && current !== '') object = setLastApplied(object, lastAppliedValue(opts.config));
  }

  const managedFields = encodeManagedFields(result.managed);
  const md = isJsonObject(object['metadata']) ? { ...object['metadata'] } : {};
  if (managedFields.length > 0) md['managedFields'] = managedFields;
  else delete md['managedFields'];
  object = { ...object, metadata: md };
  return {
    object: object as unknown as T,
    managedFields,
    created: opts.live === undefined,
    changed: result.changed || (live !== undefined && !deepEqual(live, withoutManagedFields(object))),
  };
}

/** The field set an applied configuration claims (what its `Apply` entry will hold), for tests and diagnostics. */
export function appliedFieldSet(config: JsonObject, meta: FieldMeta, ignore?: ResetFields): FieldSet {
  return fieldSetOf(config, meta).recursiveDifference(resetFieldSet(ignore)).difference(UNTRACKED_FIELDS);
}

/**
 * An `application/apply-patch+yaml` body as the applier sees it: YAML (or JSON) parsed —
 * duplicate keys are an error under `Strict` — the configuration checked
 * ({@link validateApplyConfiguration}), and unknown fields dropped: refused under `Strict`,
 * reported as warnings under `Warn`, silent under `Ignore`.
 */
export function decodeApplyConfiguration<S extends core.$ZodType>(
  def: ResourceDefinition,
  schema: S,
  meta: FieldMeta,
  text: string,
  fieldValidation: FieldValidation,
): { config: Record<string, unknown>; warnings: string[] } {
  const strict = fieldValidation === 'Strict';
  let config: unknown;
  try {
    config = parseYaml(text, { uniqueKeys: strict, logLevel: 'error' });
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw badRequest(strict ? `error strict decoding YAML: ${msg}` : `error decoding YAML: ${msg}`);
  }
  const apiVersion = groupVersionOf(def);
  validateApplyConfiguration(config, { apiVersion, kind: def.kind }, meta);
  // Unknown fields are never applied: drop them (reporting them per fieldValidation).
  const { unknown } = decodeValue(def, schema, config);
  const rec = config as Record<string, unknown>;
  if (unknown.length > 0 && strict) {
    const md = (rec['metadata'] ?? {}) as { name?: string; namespace?: string };
    const where = `${md.namespace ?? ''}/${md.name ?? ''}; ${apiVersion}, Kind=${def.kind}`;
    throw badRequest(`failed to create typed patch object (${where}): ${unknown.map((u) => `.${u}: field not declared in schema`).join(', ')}`);
  }
  return { config: rec, warnings: fieldValidation === 'Warn' ? unknown.map((u) => `unknown field ${JSON.stringify(u)}`) : [] };
}
