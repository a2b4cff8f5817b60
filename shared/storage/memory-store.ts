/**
 * @module memory-store
 * An in-memory Store with the same contract as the DynamoDB store (one revision counter per
 * resource type, no-op writes skipped, change log). Used by unit tests and the contract suite.
 */
import { sameObject } from '../apimachinery/equality.js';
import { withResourceVersion, type KubeObject } from '../apimachinery/meta.js';
import {
  StoreError,
  type ChangeLog,
  type ChangesSince,
  type PreviousState,
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

export interface ChangeEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly resourceVersion: string;
  readonly object: T;
  readonly previous?: PreviousState;
}

export interface MemoryStoreOptions {
  /** Keep only the newest N change events (to exercise compaction); default: all. */
  readonly retainEvents?: number;
}

const keyOf = (k: ObjectKey): string => `${k.namespace}/${k.name}`;
/** Stored objects are JSON; a JSON round trip copies them (and is faster than structuredClone). */
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export class MemoryStore<T extends KubeObject> implements Store<T>, ChangeLog<T> {
  readonly #objects = new Map<string, T>();
  #revision = 0;
  /** Each namespace's last revision (its lists' resourceVersion), as the DynamoDB store keeps. */
  readonly #heads = new Map<string, number>();
  readonly #retain: number;
  readonly #listeners = new Set<() => void>();
  /** Committed changes in revision order (the newest `retainEvents` of them). */
  readonly events: ChangeEvent<T>[] = [];

  constructor(opts: MemoryStoreOptions = {}) {
    this.#retain = opts.retainEvents ?? Number.POSITIVE_INFINITY;
  }

  #commit(type: ChangeEvent<T>['type'], key: ObjectKey, obj: T): T {
    this.#revision++;
    if (key.namespace !== '') this.#heads.set(key.namespace, this.#revision);
    const previous = this.#objects.get(keyOf(key));
    // The caller owns `obj`: it gets it back with its resourceVersion; the store keeps a
    // private copy, which its events share (both are only ever handed out as copies).
    const result = { ...obj, metadata: withResourceVersion(obj.metadata, String(this.#revision)) };
    const stored = clone(result);
    if (type === 'DELETED') this.#objects.delete(keyOf(key));
    else this.#objects.set(keyOf(key), stored);
    this.events.push({
      type,
      resourceVersion: String(this.#revision),
      object: stored,
      ...(type === 'MODIFIED' && previous ? { previous: { labels: { ...previous.metadata.labels } } } : {}),
    });
    while (this.events.length > this.#retain) this.events.shift();
    for (const l of this.#listeners) l();
    return result;
  }

  async changesSince(after: number, limit: number): Promise<ChangesSince<T>> {
    const first = this.events[0];
    if (first !== undefined && Number(first.resourceVersion) > after + 1) return { kind: 'compacted', oldest: Number(first.resourceVersion) };
    const changes = this.events
      .filter((e) => Number(e.resourceVersion) > after)
      .slice(0, limit)
      .map((e) => ({
        type: e.type,
        revision: Number(e.resourceVersion),
        object: clone(e.object),
        ...(e.previous ? { previous: e.previous } : {}),
      }));
    return { kind: 'changes', changes };
  }

  async resumePoint(after: number, namespace: string | undefined): Promise<number> {
    if (namespace === undefined || (this.#heads.get(namespace) ?? 0) > after) return after;
    return Math.max(after, this.#revision);
  }

  onCommit(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async create(key: ObjectKey, obj: T, opts: WriteOptions = {}): Promise<T> {
    if (this.#objects.has(keyOf(key))) throw new StoreError('KeyExists', 'exists', key);
    if (opts.dryRun) return clone(obj);
    return this.#commit('ADDED', key, obj);
  }

  async get(key: ObjectKey): Promise<T> {
    return clone(this.#current(key));
  }

  /** The stored object itself (never to be handed out or changed). */
  #current(key: ObjectKey): T {
    const obj = this.#objects.get(keyOf(key));
    if (!obj) throw new StoreError('KeyNotFound', 'not found', key);
    return obj;
  }

  async list(req: ListRequest<T>): Promise<ListPage<T>> {
    const prefix = req.namespace === undefined ? '' : `${req.namespace}/`;
    const after = req.startAfter ? keyOf(req.startAfter) : undefined;
    const keys = [...this.#objects.keys()].filter((k) => k.startsWith(prefix) && (after === undefined || k > after)).sort();
    const matching = keys.map((k) => this.#objects.get(k)!).filter((o) => req.predicate?.(o) ?? true);
    const take = req.limit === undefined ? matching : matching.slice(0, req.limit);
    const items = take.map((o) => clone(o));
    const last = items[items.length - 1];
    const more = req.limit !== undefined && matching.length > req.limit && last !== undefined;
    return {
      items,
      resourceVersion: req.resourceVersion ?? String(req.namespace === undefined ? this.#revision : (this.#heads.get(req.namespace) ?? 0)),
      ...(more ? { lastKey: { namespace: last.metadata.namespace ?? '', name: last.metadata.name ?? '' } } : {}),
    };
  }

  async guaranteedUpdate(key: ObjectKey, tryUpdate: TryUpdate<T>, opts: WriteOptions = {}): Promise<UpdateResult<T>> {
    for (let attempt = 0; attempt < 64; attempt++) {
      const current = this.#current(key);
      const next = await tryUpdate(clone(current));
      if (sameObject(next, current)) return { object: clone(current), changed: false };
      if (opts.dryRun) return { object: clone(next), changed: true };
      // Another writer committed while tryUpdate ran: run it again on the newer object.
      if (this.#objects.get(keyOf(key))?.metadata.resourceVersion !== current.metadata.resourceVersion) continue;
      return { object: this.#commit('MODIFIED', key, next), changed: true };
    }
    throw new StoreError('Contention', 'the object keeps changing', key);
  }

  async delete(key: ObjectKey, check: DeleteCheck<T>, opts: WriteOptions = {}): Promise<DeleteResult<T>> {
    const current = this.#current(key);
    const decision = check(clone(current));
    if (decision.action === 'update') {
      if (sameObject(decision.object, current)) return { object: clone(current), deleted: false };
      if (opts.dryRun) return { object: decision.object, deleted: false };
      return { object: this.#commit('MODIFIED', key, decision.object), deleted: false };
    }
    if (opts.dryRun) return { object: clone(current), deleted: true };
    return { object: this.#commit('DELETED', key, clone(current)), deleted: true };
  }

  async currentResourceVersion(): Promise<string> {
    return String(this.#revision);
  }
}
