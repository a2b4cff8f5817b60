/**
 * @module managed-fields/managers
 * The `metadata.managedFields` entries as upstream's field manager holds them: one field
 * set per manager identifier (manager + operation + subresource, plus the apiVersion for
 * `Update`), decoded from and encoded to the wire entries (sorted as upstream sorts them).
 */
import type { ManagedFieldsEntry } from '../meta.js';
import { compareStrings, FieldSet, FieldsV1Error, goJsonString } from './field-set.js';

export type Operation = 'Apply' | 'Update';

/** What identifies a managedFields entry (`BuildManagerIdentifier`). */
export interface ManagerIdentity {
  readonly manager: string;
  readonly operation: Operation;
  /** Part of the identity of `Update` entries only. */
  readonly apiVersion?: string;
  readonly subresource?: string;
}

export interface ManagedSet {
  readonly identity: ManagerIdentity;
  readonly set: FieldSet;
  /** The apiVersion the set was recorded with (also the entry's `apiVersion`). */
  readonly apiVersion: string;
  /** RFC 3339 time; absent when the entry never changed the object (e.g. a no-op first apply). */
  readonly time?: string;
}

/** Managed fields keyed by manager identifier. Insertion order is irrelevant (entries are sorted on encode). */
export type Managed = Map<string, ManagedSet>;

/**
 * The identifier string of an entry: the JSON encoding of its identity fields in
 * `ManagedFieldsEntry` field order, empty fields omitted, e.g.
 * `{"manager":"kubectl-label","operation":"Update","apiVersion":"image.openshift.io/v1"}`.
 * Conflicts are grouped and sorted by it.
 */
export function managerIdentifier(id: ManagerIdentity): string {
  const parts: string[] = [];
  if (id.manager) parts.push(`"manager":${goJsonString(id.manager)}`);
  parts.push(`"operation":${goJsonString(id.operation)}`);
  if (id.operation === 'Update' && id.apiVersion) parts.push(`"apiVersion":${goJsonString(id.apiVersion)}`);
  if (id.subresource) parts.push(`"subresource":${goJsonString(id.subresource)}`);
  return '{' + parts.join(',') + '}';
}

export class ManagedFieldsDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManagedFieldsDecodeError';
  }
}

/**
 * Decodes wire entries (`DecodeManagedFields`). Like upstream, one bad entry (operation
 * other than Apply/Update, empty apiVersion, fieldsType other than `FieldsV1`, unparsable
 * fieldsV1) makes the whole list undecodable: throws {@link ManagedFieldsDecodeError}.
 * Entries with the same identifier collapse, the last one wins.
 */
export function decodeManagedFields(entries: readonly ManagedFieldsEntry[] | null | undefined): Managed {
  const managed: Managed = new Map();
  (entries ?? []).forEach((entry, i) => {
    if (entry === null || typeof entry !== 'object') throw new ManagedFieldsDecodeError(`managed fields entry ${i} is not an object`);
    const operation = entry.operation;
    if (operation !== 'Apply' && operation !== 'Update') {
      throw new ManagedFieldsDecodeError('operation must be `Apply` or `Update`');
    }
    if (typeof entry.apiVersion !== 'string' || entry.apiVersion.length < 1) {
      throw new ManagedFieldsDecodeError('apiVersion must not be empty');
    }
    if (entry.fieldsType === undefined || entry.fieldsType === null || entry.fieldsType === '') {
      throw new ManagedFieldsDecodeError(`missing fieldsType in managed fields entry ${i}`);
    }
    if (entry.fieldsType !== 'FieldsV1') {
      throw new ManagedFieldsDecodeError(`invalid fieldsType "${String(entry.fieldsType)}" in managed fields entry ${i}`);
    }
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(entry.fieldsV1);
    } catch (e) {
      if (e instanceof FieldsV1Error) throw new ManagedFieldsDecodeError(`error decoding set: ${e.message}`);
      throw e;
    }
    const identity: ManagerIdentity = {
      manager: typeof entry.manager === 'string' ? entry.manager : '',
      operation,
      ...(operation === 'Update' ? { apiVersion: entry.apiVersion } : {}),
      ...(typeof entry.subresource === 'string' && entry.subresource !== '' ? { subresource: entry.subresource } : {}),
    };
    const time = typeof entry.time === 'string' && entry.time !== '' ? normalizeTime(entry.time) : undefined;
    managed.set(managerIdentifier(identity), {
      identity,
      set,
      apiVersion: entry.apiVersion,
      ...(time !== undefined ? { time } : {}),
    });
  });
  return managed;
}

/** `decodeManagedFields`, or the empty set of managers when the entries cannot be decoded. */
export function decodeManagedFieldsOrEmpty(entries: readonly ManagedFieldsEntry[] | null | undefined): Managed {
  try {
    return decodeManagedFields(entries);
  } catch (e) {
    if (e instanceof ManagedFieldsDecodeError) return new Map();
    throw e;
  }
}

/** Seconds since the epoch of an RFC 3339 time (0 when absent or unparsable), for ordering. */
export function timeSeconds(time: string | undefined): number {
  if (time === undefined) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** RFC 3339 with seconds precision in UTC, as `metav1.Time` serializes. */
export const formatTime = (now: Date): string => now.toISOString().replace(/\.\d+Z$/, 'Z');

/** A stored time re-encoded as `metav1.Time` would (UTC, whole seconds); unparsable text is kept. */
function normalizeTime(time: string): string {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : formatTime(new Date(ms));
}

/**
 * Encodes managers as wire entries (`encodeManagedFields`), sorted by operation
 * (Apply first), time (oldest first, absent = epoch), manager, apiVersion, subresource.
 * Keys appear in `ManagedFieldsEntry` order. No managers ⇒ empty array.
 */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] {
  const entries = [...managed.values()].map((m): ManagedFieldsEntry => {
    const e: ManagedFieldsEntry = {};
    if (m.identity.manager) e.manager = m.identity.manager;
    e.operation = m.identity.operation;
    e.apiVersion = m.apiVersion;
    if (m.time !== undefined) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.identity.subresource) e.subresource = m.identity.subresource;
    return e;
  });
  return entries.sort(
    (p, q) =>
      compareStrings(p.operation ?? '', q.operation ?? '') ||
      timeSeconds(p.time) - timeSeconds(q.time) ||
      compareStrings(p.manager ?? '', q.manager ?? '') ||
      compareStrings(p.apiVersion ?? '', q.apiVersion ?? '') ||
      compareStrings(p.subresource ?? '', q.subresource ?? ''),
  );
}

/** Upstream keeps at most this many `Update` entries; older ones merge into `ancient-changes`. */
export const MAX_UPDATE_MANAGERS = 10;
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';

/**
 * Caps the number of `Update` entries (`capManagersManager`): while there are more than
 * `max`, the oldest entries (by time, then identifier) after the first one of each
 * apiVersion are merged into an `ancient-changes` entry of that apiVersion, together with
 * that first one; the bucket takes the time of the last entry merged into it.
 */
export function capUpdateManagers(managed: Managed, max = MAX_UPDATE_MANAGERS): Managed {
  const updaters = [...managed.entries()].filter(([, m]) => m.identity.operation === 'Update').map(([id]) => id);
  if (updaters.length <= max) return managed;
  const out: Managed = new Map(managed);
  updaters.sort((a, b) => {
    const ta = timeSeconds(out.get(a)?.time);
    const tb = timeSeconds(out.get(b)?.time);
    return ta !== tb ? ta - tb : compareStrings(a, b);
  });
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i] as string;
    const vs = out.get(id);
    if (vs === undefined) continue;
    const version = vs.apiVersion;
    const bucketIdentity: ManagerIdentity = { manager: ANCIENT_CHANGES_MANAGER, operation: 'Update', apiVersion: version };
    const bucket = managerIdentifier(bucketIdentity);
    const first = firstOfVersion.get(version);
    if (first === undefined) {
      firstOfVersion.set(version, id);
      continue;
    }
    if (!out.has(bucket)) {
      const firstSet = out.get(first);
      out.delete(first);
      if (firstSet !== undefined) out.set(bucket, { ...firstSet, identity: bucketIdentity });
    }
    const current = out.get(bucket);
    out.set(bucket, {
      identity: bucketIdentity,
      set: vs.set.union(current?.set ?? FieldSet.EMPTY),
      apiVersion: vs.apiVersion,
      ...(vs.time !== undefined ? { time: vs.time } : {}),
    });
    if (id !== bucket) out.delete(id);
    length--;
  }
  return out;
}
