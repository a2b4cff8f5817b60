/**
 * @module store
 * The storage port: the only way the registry reaches a database. Implementations:
 * `shared/storage/dynamo/dynamo-store.ts` (DynamoDB) and `shared/storage/memory-store.ts`.
 * Errors are storage-level codes; `interpret*Error` turns them into API Status errors.
 */
import type { KubeObject } from '../meta.js';
import type {
  StatusError} from '../status.js';
import {
  alreadyExists,
  conflict,
  notFound,
  OPTIMISTIC_LOCK_MESSAGE,
  requestEntityTooLarge,
  resourceExpired,
  badRequest,
  tooManyRequests,
  type GroupResource,
  serverTimeout,
} from '../status.js';
import type { ObjectKey } from './strategy.js';

export type StoreErrorCode =
  | 'KeyNotFound'
  | 'KeyExists'
  | 'ResourceVersionConflict'
  | 'TooLarge'
  | 'Throttled'
  | 'Contention'
  | 'InvalidContinue'
  | 'ExpiredContinue';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly key: ObjectKey | undefined;

  constructor(code: StoreErrorCode, message: string, key?: ObjectKey, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
    this.key = key;
  }
}

export interface ListRequest<T = KubeObject> {
  /** Namespace to list, or undefined for all namespaces. */
  readonly namespace?: string;
  /** Maximum items; undefined means all. */
  readonly limit?: number;
  /** Resume strictly after this key (from a continue token). */
  readonly startAfter?: ObjectKey;
  /** The list snapshot revision carried by a continue token; absent on a first page. */
  readonly resourceVersion?: string;
  /** Only objects it accepts are returned; `limit` counts accepted objects. */
  readonly predicate?: (obj: T) => boolean;
}

export interface ListPage<T> {
  readonly items: T[];
  /**
   * The list's resourceVersion: every change after it is visible to a watch from it. For a
   * namespace, the revision of its last change (so not necessarily the resource type's newest).
   */
  readonly resourceVersion: string;
  /** The last key returned when more items remain. */
  readonly lastKey?: ObjectKey;
}

export interface WriteOptions {
  /** Validate and compute, but persist nothing (dryRun=All). */
  readonly dryRun?: boolean;
}

export interface UpdateResult<T> {
  readonly object: T;
  /** False when the update changed nothing (no write, resourceVersion kept). */
  readonly changed: boolean;
}

/** May be called more than once (after a concurrent change); must have no side effects. */
export type TryUpdate<T> = (current: T) => T | Promise<T>;

/** Checks a delete against the current object; throw to refuse. Returning an object updates it instead (finalizers). */
export type DeleteCheck<T> = (current: T) => { action: 'delete' } | { action: 'update'; object: T };

export interface DeleteResult<T> {
  /** The object as deleted (or as updated when finalizers are pending). */
  readonly object: T;
  readonly deleted: boolean;
}

export interface Store<T extends KubeObject> {
  /** Stores a new object; sets `metadata.resourceVersion`. KeyExists if present. */
  create(key: ObjectKey, obj: T, opts?: WriteOptions): Promise<T>;
  /** Strongly consistent read. KeyNotFound if absent. */
  get(key: ObjectKey): Promise<T>;
  list(req: ListRequest<T>): Promise<ListPage<T>>;
  /** Read-modify-write with optimistic concurrency; retries `tryUpdate` on races. KeyNotFound if absent. */
  guaranteedUpdate(key: ObjectKey, tryUpdate: TryUpdate<T>, opts?: WriteOptions): Promise<UpdateResult<T>>;
  delete(key: ObjectKey, check: DeleteCheck<T>, opts?: WriteOptions): Promise<DeleteResult<T>>;
  /** The current resourceVersion of the whole resource type. */
  currentResourceVersion(): Promise<string>;
}

/** What a watch needs to know of an object's previous state for selector transitions. */
export interface PreviousState {
  readonly labels: Readonly<Record<string, string>>;
  readonly fields?: Readonly<Record<string, string>>;
}

/** One committed change, as recorded in the change log. */
export interface ChangeRecord<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The revision of the change (the object's resourceVersion; for DELETED, the deletion's). */
  readonly revision: number;
  readonly object: T;
  /** Present on MODIFIED: the state before the change. */
  readonly previous?: PreviousState;
}

export type ChangesSince<T> =
  | { readonly kind: 'changes'; readonly changes: ChangeRecord<T>[] }
  /** `after` is older than the retained history; `oldest` is the oldest revision still retained. */
  | { readonly kind: 'compacted'; readonly oldest: number };

/**
 * The exact, ordered history of committed changes (the event log), readable from any
 * revision still retained. Revisions are dense: a read returns a gap-free run.
 */
export interface ChangeLog<T> {
  /** Up to `limit` changes with revision > `after`, in revision order. */
  changesSince(after: number, limit: number): Promise<ChangesSince<T>>;
  /**
   * Where a watch of `namespace` (undefined: all namespaces) that has seen everything up to
   * `after` can continue: the current revision when nothing in the namespace changed after
   * `after`, else `after` itself. A namespace list's resourceVersion is the namespace's last
   * change, which may be older than the retained log or far behind the other namespaces; this
   * lets a watch from it start at the present instead of reading (or missing) the log since.
   */
  resumePoint(after: number, namespace: string | undefined): Promise<number>;
  /** Calls `listener` after this process commits a change (to wake pollers early). */
  onCommit(listener: () => void): () => void;
}

const toStatus = (gr: GroupResource, e: StoreError, name: string, operation: string): StatusError => {
  switch (e.code) {
    case 'KeyNotFound':
      return notFound(gr, name);
    case 'KeyExists':
      return alreadyExists(gr, name);
    case 'ResourceVersionConflict':
      return conflict(gr, name, OPTIMISTIC_LOCK_MESSAGE);
    case 'TooLarge':
      return requestEntityTooLarge(e.message);
    case 'Throttled':
      return tooManyRequests('storage is throttling requests, please retry', 1);
    case 'Contention':
      return serverTimeout(gr, operation, 1);
    case 'InvalidContinue':
      return badRequest(`invalid continue token: ${e.message}`);
    case 'ExpiredContinue':
      return resourceExpired(e.message);
  }
};

/** Maps a storage error to the Status a client sees; anything else is rethrown unchanged. */
export function interpretStoreError(gr: GroupResource, err: unknown, name: string, operation: string): unknown {
  if (err instanceof StoreError) return toStatus(gr, err, err.key?.name ?? name, operation);
  return err;
}
