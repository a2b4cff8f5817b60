/**
 * @module overlay-store
 * A Store that serves a fixed set of read-only objects (built-in policy) alongside the
 * objects of an underlying store: they are returned by get and merged into lists in key
 * order (pagination and predicates included), a create with one of their names is a
 * KeyExists, and updates or deletes of them are refused with the caller's error. Stored
 * objects with a built-in's key are hidden. The change log is the underlying store's: the
 * built-ins never change, so they produce no events.
 */
import type { KubeObject } from '../apimachinery/meta.js';
import {
  StoreError,
  type ChangeLog,
  type ChangesSince,
  type DeleteCheck,
  type DeleteResult,
  type ListPage,
  type ListRequest,
  type Store,
  type TryUpdate,
  type UpdateResult,
  type WriteOptions,
} from '../apimachinery/registry/store.js';
import type { ObjectKey } from '../apimachinery/registry/strategy.js';

const keyString = (k: ObjectKey): string => `${k.namespace}/${k.name}`;
const keyOf = (o: KubeObject): ObjectKey => ({ namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' });
const byKey = (a: KubeObject, b: KubeObject): number => {
  const x = keyString(keyOf(a));
  const y = keyString(keyOf(b));
  return x < y ? -1 : x > y ? 1 : 0;
};

export class ReadOnlyOverlayStore<T extends KubeObject> implements Store<T>, ChangeLog<T> {
  readonly #inner: Store<T> & ChangeLog<T>;
  readonly #fixed: ReadonlyMap<string, T>;
  readonly #sorted: readonly T[];
  readonly #refuse: (key: ObjectKey) => Error;

  /** `objects` must carry their full metadata (resourceVersion included). */
  constructor(inner: Store<T> & ChangeLog<T>, objects: readonly T[], refuse: (key: ObjectKey) => Error) {
    this.#inner = inner;
    this.#sorted = [...objects].sort(byKey);
    this.#fixed = new Map(this.#sorted.map((o) => [keyString(keyOf(o)), o]));
    this.#refuse = refuse;
  }

  /** Whether the key names a read-only object. */
  isFixed(key: ObjectKey): boolean {
    return this.#fixed.has(keyString(key));
  }

  async create(key: ObjectKey, obj: T, opts?: WriteOptions): Promise<T> {
    if (this.isFixed(key)) throw new StoreError('KeyExists', 'exists', key);
    return this.#inner.create(key, obj, opts);
  }

  async get(key: ObjectKey): Promise<T> {
    const fixed = this.#fixed.get(keyString(key));
    return fixed ? structuredClone(fixed) : this.#inner.get(key);
  }

  async list(req: ListRequest<T>): Promise<ListPage<T>> {
    const page = await this.#inner.list(req);
    const after = req.startAfter ? keyString(req.startAfter) : undefined;
    const upTo = page.lastKey ? keyString(page.lastKey) : undefined;
    const extra = this.#sorted.filter((o) => {
      const k = keyString(keyOf(o));
      return (
        (req.namespace === undefined || keyOf(o).namespace === req.namespace) &&
        (after === undefined || k > after) &&
        (upTo === undefined || k <= upTo) &&
        (req.predicate?.(o) ?? true)
      );
    });
    let items = [...page.items.filter((o) => !this.#fixed.has(keyString(keyOf(o)))), ...extra.map((o) => structuredClone(o))].sort(byKey);
    let lastKey = page.lastKey;
    if (req.limit !== undefined && items.length > req.limit) {
      items = items.slice(0, req.limit);
      const last = items[items.length - 1];
      if (last) lastKey = keyOf(last);
    }
    return { items, resourceVersion: page.resourceVersion, ...(lastKey ? { lastKey } : {}) };
  }

  async guaranteedUpdate(key: ObjectKey, tryUpdate: TryUpdate<T>, opts?: WriteOptions): Promise<UpdateResult<T>> {
    if (this.isFixed(key)) throw this.#refuse(key);
    return this.#inner.guaranteedUpdate(key, tryUpdate, opts);
  }

  async delete(key: ObjectKey, check: DeleteCheck<T>, opts?: WriteOptions): Promise<DeleteResult<T>> {
    if (this.isFixed(key)) throw this.#refuse(key);
    return this.#inner.delete(key, check, opts);
  }

  currentResourceVersion(): Promise<string> {
    return this.#inner.currentResourceVersion();
  }

  changesSince(after: number, limit: number): Promise<ChangesSince<T>> {
    return this.#inner.changesSince(after, limit);
  }

  resumePoint(after: number, namespace: string | undefined): Promise<number> {
    return this.#inner.resumePoint(after, namespace);
  }

  onCommit(listener: () => void): () => void {
    return this.#inner.onCommit(listener);
  }
}
