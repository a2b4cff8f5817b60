/**
 * @module managed-fields
 * Field ownership (`metadata.managedFields`) for non-apply writes, as apimachinery's field
 * manager records it: every POST/PUT/non-apply PATCH gives the fields it changed to the
 * writer's `Update` entry and takes them away from every other entry. Pure functions; the
 * set algebra lives in `managed-fields/*`, server-side apply in `server-side-apply.ts`.
 *
 * Generic: the object's merge semantics come from a {@link FieldMeta} tree.
 */
import type { FieldMeta } from './field-meta.js';
import type { KubeObject, ManagedFieldsEntry } from './meta.js';
import { fieldPath, FieldSet } from './managed-fields/field-set.js';
import {
  capUpdateManagers,
  decodeManagedFields,
  decodeManagedFieldsOrEmpty,
  encodeManagedFields,
  formatTime,
  managerIdentifier,
  ManagedFieldsDecodeError,
  type Managed,
  type ManagerIdentity,
} from './managed-fields/managers.js';
import { compareValues, isJsonObject, zeroObject, type JsonObject } from './managed-fields/typed.js';

export {
  compareFieldPaths,
  compareStrings,
  fieldElement,
  fieldPath,
  FieldSet,
  FieldsV1Error,
  indexElement,
  keyElement,
  pathElementString,
  pathString,
  serializePathElement,
  parsePathElement,
  valueElement,
  type FieldPath,
  type PathElement,
} from './managed-fields/field-set.js';
export {
  compareValues,
  ensureNamedFieldsAreMembers,
  fieldSetOf,
  mergeValues,
  removeItems,
  structuralErrors,
  zeroObject,
  type Comparison,
} from './managed-fields/typed.js';
export {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  formatTime,
  managerIdentifier,
  ManagedFieldsDecodeError,
  MAX_UPDATE_MANAGERS,
  type Managed,
  type ManagedSet,
  type ManagerIdentity,
  type Operation,
} from './managed-fields/managers.js';

/**
 * Fields never recorded in an entry (upstream's strip set, plus the deletion fields only
 * the server sets): `apiVersion`, `kind`, the `metadata` node itself and its identity and
 * system fields.
 */
export const UNTRACKED_FIELDS: FieldSet = FieldSet.of([
  fieldPath('apiVersion'),
  fieldPath('kind'),
  fieldPath('metadata'),
  ...[
    'name',
    'namespace',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'selfLink',
    'clusterName',
    'managedFields',
  ].map((f) => fieldPath('metadata', f)),
]);

/**
 * Reset fields: the fields a write through one endpoint can never change and therefore
 * never owns (main resource: `status`; status subresource: `spec`, …). Either a set or
 * dotted paths of struct field names, e.g. `['status']` or `['spec', 'metadata.labels']`.
 */
export type ResetFields = FieldSet | readonly string[];

export function resetFieldSet(ignore: ResetFields | undefined): FieldSet {
  if (ignore === undefined) return FieldSet.EMPTY;
  if (ignore instanceof FieldSet) return ignore;
  return FieldSet.of(ignore.map((p) => fieldPath(...p.split('.'))));
}

/** The object without `metadata.managedFields` (never compared or merged). */
export function withoutManagedFields(obj: KubeObject | JsonObject): JsonObject {
  const o = obj as JsonObject;
  const meta = o['metadata'];
  if (!isJsonObject(meta) || !('managedFields' in meta)) return o;
  const { managedFields: _drop, ...rest } = meta;
  return { ...o, metadata: rest };
}

/** True for `[]` and `[{}]`: a client asking to clear managedFields (`isResetManagedFields`). */
export function isResetManagedFields(entries: readonly ManagedFieldsEntry[] | null | undefined): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  if (entries.length !== 1) return false;
  const only = entries[0] as unknown;
  if (!isJsonObject(only)) return false;
  return Object.values(only).every((v) => v === undefined || v === null || v === '');
}

/**
 * Which entries a non-apply write starts from (`decodeLiveOrNew`): writes through a
 * subresource always keep the stored ones; otherwise the request's entries win when they
 * decode and are non-empty (that is how clients such as kubectl's CSA→SSA migration rewrite
 * managedFields), `[]`/`[{}]` clears them, and anything else (absent, undecodable) falls
 * back to the stored entries (or none when those do not decode either).
 */
export function managedFieldsForWrite(
  live: readonly ManagedFieldsEntry[] | null | undefined,
  request: readonly ManagedFieldsEntry[] | null | undefined,
  subresource?: string,
): Managed {
  if (subresource) return decodeManagedFieldsOrEmpty(live);
  if (isResetManagedFields(request)) return new Map();
  try {
    const managed = decodeManagedFields(request);
    if (managed.size > 0) return managed;
  } catch (e) {
    if (!(e instanceof ManagedFieldsDecodeError)) throw e;
  }
  return decodeManagedFieldsOrEmpty(live);
}

const managedFieldsOf = (obj: KubeObject | JsonObject | undefined): ManagedFieldsEntry[] | undefined => {
  const meta = (obj as JsonObject | undefined)?.['metadata'];
  if (!isJsonObject(meta)) return undefined;
  const mf = meta['managedFields'];
  return Array.isArray(mf) ? (mf as ManagedFieldsEntry[]) : undefined;
};

export interface UpdateManagedFieldsOptions {
  /** The stored object; `undefined` for a create. */
  readonly old: KubeObject | undefined;
  /**
   * The object about to be stored, as the request made it (after decoding/patching, before
   * the strategy fills server-computed fields, which upstream does not attribute to anyone).
   * Its `metadata.managedFields` are the request's (see {@link managedFieldsForWrite}).
   */
  readonly next: KubeObject;
  /** The field manager (`fieldManager` or the User-Agent prefix); `""` becomes `unknown`. */
  readonly manager: string;
  /** The request's group-version, e.g. `image.openshift.io/v1`. */
  readonly apiVersion: string;
  readonly subresource?: string;
  readonly now: Date;
  readonly meta: FieldMeta;
  /** Reset fields of the endpoint (main resource: `['status']`; `/status`: `['spec']`). */
  readonly ignore?: ResetFields;
  /** Entries to start from instead of upstream's choice between `next`'s and `old`'s. */
  readonly managedFields?: readonly ManagedFieldsEntry[];
}

/** Core of a non-apply write on decoded managers (`managedFieldsUpdater` over `Updater.Update`). */
export function recordUpdate(
  managed: Managed,
  args: {
    readonly old: JsonObject;
    readonly next: JsonObject;
    readonly identity: ManagerIdentity;
    readonly apiVersion: string;
    readonly time: string;
    readonly meta: FieldMeta;
    readonly ignore: FieldSet;
  },
): Managed {
  // Reset fields are dropped from the result below, so they need not be compared.
  const cmp = compareValues(args.old, args.next, args.meta, args.ignore);
  const removed = cmp.removed.recursiveDifference(args.ignore);
  const changed = cmp.modified.union(cmp.added).recursiveDifference(args.ignore);
  const out: Managed = new Map();
  for (const [id, m] of managed) {
    const set = m.set.difference(changed).difference(removed);
    if (!set.isEmpty()) out.set(id, set === m.set ? m : { ...m, set });
  }
  const own = changed.difference(UNTRACKED_FIELDS);
  if (!own.isEmpty()) {
    const id = managerIdentifier(args.identity);
    const previous = out.get(id);
    out.set(id, {
      identity: args.identity,
      set: own.union(previous?.set ?? FieldSet.EMPTY),
      apiVersion: args.apiVersion,
      time: args.time,
    });
  }
  return capUpdateManagers(out);
}

/**
 * The `managedFields` after a non-apply write (POST, PUT, JSON/merge/strategic PATCH):
 *
 * - starts from {@link managedFieldsForWrite} (or `opts.managedFields`);
 * - an update of an object that has no entries records nothing (upstream only starts
 *   tracking at create or at the first apply);
 * - fields whose value was added or changed (compared along `meta`; a create compares
 *   against the zero object) go to the `(manager, Update, apiVersion, subresource)` entry
 *   and leave every other entry; removed fields leave every entry; emptied entries vanish;
 * - the writer's entry keeps its earlier fields and gets `time = now` only when the write
 *   gave it fields; reset fields and {@link UNTRACKED_FIELDS} are never recorded;
 * - at most {@link MAX_UPDATE_MANAGERS} Update entries (older ones merge into
 *   `ancient-changes`); the result is sorted as upstream (Apply first, then by time).
 *
 * Returns the new entries (empty array: no `managedFields`).
 */
export function updateManagedFields(opts: UpdateManagedFieldsOptions): ManagedFieldsEntry[] {
  const managed =
    opts.managedFields !== undefined
      ? decodeManagedFieldsOrEmpty(opts.managedFields)
      : managedFieldsForWrite(managedFieldsOf(opts.old), managedFieldsOf(opts.next), opts.subresource);
  if (managed.size === 0 && opts.old !== undefined) return [];
  const identity: ManagerIdentity = {
    manager: opts.manager === '' ? 'unknown' : opts.manager,
    operation: 'Update',
    apiVersion: opts.apiVersion,
    ...(opts.subresource ? { subresource: opts.subresource } : {}),
  };
  const result = recordUpdate(managed, {
    old: opts.old === undefined ? zeroObject(opts.meta) : withoutManagedFields(opts.old),
    next: withoutManagedFields(opts.next),
    identity,
    apiVersion: opts.apiVersion,
    time: formatTime(opts.now),
    meta: opts.meta,
    ignore: resetFieldSet(opts.ignore),
  });
  return encodeManagedFields(result);
}

/** The field set of one entry (`undefined` when there is no such entry). */
export function entryFieldSet(
  entries: readonly ManagedFieldsEntry[] | undefined,
  match: { manager: string; operation?: string; subresource?: string },
): FieldSet | undefined {
  const entry = (entries ?? []).find(
    (e) =>
      e.manager === match.manager &&
      (match.operation === undefined || e.operation === match.operation) &&
      (e.subresource ?? '') === (match.subresource ?? ''),
  );
  return entry === undefined ? undefined : FieldSet.fromFieldsV1(entry.fieldsV1);
}

