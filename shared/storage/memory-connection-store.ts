/**
 * @module memory-connection-store
 * The subscription store in memory, with the same conditional semantics as the DynamoDB one
 * (shared/storage/dynamo/connections/store.ts). For unit tests.
 */
import {
  partitionId,
  shardOf,
  type AcquireResult,
  type ConnectionRef,
  type PartitionRef,
  type ReleaseResult,
  type Subscription,
  type SubscriptionKey,
  type SubscriptionStore,
} from '../watch/subscription.js';

interface PartitionRow {
  cursor?: number;
  changes?: number;
  owner?: string;
  leaseUntil?: number;
  want?: number;
  stragglers?: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class MemoryConnectionStore implements SubscriptionStore {
  readonly connectionShards = 4;
  readonly #subs = new Map<string, Map<string, Subscription>>();
  readonly #conns = new Map<string, ConnectionRef>();
  readonly #partitions = new Map<string, PartitionRow>();
  /** Calls made, by method (tests count writes). */
  readonly calls = new Map<string, number>();

  #count(name: string): void {
    this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
  }

  #sub(key: SubscriptionKey): Subscription | undefined {
    return this.#subs.get(partitionId(key))?.get(key.connectionId);
  }

  #set(sub: Subscription): void {
    let p = this.#subs.get(partitionId(sub));
    if (!p) this.#subs.set(partitionId(sub), (p = new Map()));
    p.set(sub.connectionId, sub);
  }

  #update(key: SubscriptionKey, fn: (s: Mutable<Subscription>) => void): void {
    const cur = this.#sub(key);
    if (!cur) return;
    const next: Mutable<Subscription> = { ...cur };
    fn(next);
    for (const k of Object.keys(next) as (keyof Subscription)[]) if (next[k] === undefined) delete next[k];
    this.#set(next);
  }

  async create(sub: Subscription): Promise<void> {
    this.#count('create');
    this.#set(structuredClone(sub));
    this.#conns.set(sub.connectionId, { connectionId: sub.connectionId, partition: { resource: sub.resource, scope: sub.scope }, connectedAt: sub.connectedAt });
  }

  async get(key: SubscriptionKey): Promise<Subscription | undefined> {
    const s = this.#sub(key);
    return s ? structuredClone(s) : undefined;
  }

  async byConnection(connectionId: string): Promise<Subscription | undefined> {
    const c = this.#conns.get(connectionId);
    return c ? this.get({ ...c.partition, connectionId }) : undefined;
  }

  async remove(connectionId: string, key?: SubscriptionKey): Promise<void> {
    this.#count('remove');
    const c = this.#conns.get(connectionId);
    const k = key ?? (c ? { ...c.partition, connectionId } : undefined);
    if (k) this.#subs.get(partitionId(k))?.delete(connectionId);
    this.#conns.delete(connectionId);
  }

  async partition(ref: PartitionRef): Promise<Subscription[]> {
    this.#count('partition');
    return [...(this.#subs.get(partitionId(ref))?.values() ?? [])].map((s) => structuredClone(s));
  }

  async hasSubscribers(ref: PartitionRef): Promise<boolean> {
    this.#count('hasSubscribers');
    return (this.#subs.get(partitionId(ref))?.size ?? 0) > 0;
  }

  async connections(shard: number): Promise<ConnectionRef[]> {
    return [...this.#conns.values()].filter((c) => shardOf(c.connectionId, this.connectionShards) === shard);
  }

  /** All subscriptions (tests). */
  all(): Subscription[] {
    return [...this.#subs.values()].flatMap((m) => [...m.values()]);
  }

  partitionRow(ref: PartitionRef): PartitionRow | undefined {
    return this.#partitions.get(partitionId(ref));
  }

  async acquirePartition(ref: PartitionRef, owner: string, opts: { now: number; leaseMs: number; target: number; force: boolean }): Promise<AcquireResult> {
    this.#count('acquirePartition');
    const row = this.#partitions.get(partitionId(ref)) ?? {};
    if (row.leaseUntil !== undefined && row.leaseUntil >= opts.now) return { kind: 'busy' };
    if (!opts.force && row.cursor !== undefined && row.cursor >= opts.target && row.stragglers !== true) return { kind: 'current' };
    const next = { ...row, owner, leaseUntil: opts.now + opts.leaseMs };
    this.#partitions.set(partitionId(ref), next);
    return { kind: 'acquired', cursor: next.cursor, want: next.want, changes: next.changes ?? 0 };
  }

  async demandPartition(ref: PartitionRef, target: number, now: number): Promise<'registered' | 'free'> {
    this.#count('demandPartition');
    const row = this.#partitions.get(partitionId(ref));
    if (!row || row.leaseUntil === undefined || row.leaseUntil < now) return 'free';
    if (row.want === undefined || row.want < target) row.want = target;
    return 'registered';
  }

  async releasePartition(ref: PartitionRef, owner: string, cursor: number, stragglers: boolean, changes: number): Promise<ReleaseResult> {
    this.#count('releasePartition');
    const row = this.#partitions.get(partitionId(ref));
    if (!row || row.owner !== owner) return { kind: 'lost' };
    if ((row.want !== undefined && row.want > cursor) || (row.changes ?? 0) !== changes) {
      return { kind: 'more', want: Math.max(row.want ?? cursor, cursor), changes: row.changes ?? 0 };
    }
    this.#partitions.set(partitionId(ref), { cursor, ...(row.changes !== undefined ? { changes: row.changes } : {}), ...(stragglers ? { stragglers } : {}) });
    return { kind: 'released' };
  }

  async touchPartition(ref: PartitionRef): Promise<void> {
    this.#count('touchPartition');
    const row = this.#partitions.get(partitionId(ref)) ?? {};
    this.#partitions.set(partitionId(ref), { ...row, changes: (row.changes ?? 0) + 1 });
  }

  async abandonPartition(ref: PartitionRef, owner: string): Promise<void> {
    const row = this.#partitions.get(partitionId(ref));
    if (row?.owner !== owner) return;
    delete row.owner;
    delete row.leaseUntil;
  }

  async claimPending(key: SubscriptionKey, owner: string, now: number, leaseMs: number): Promise<Subscription | undefined> {
    this.#count('claimPending');
    const s = this.#sub(key);
    if (!s || s.state !== 'pending' || (s.leaseUntil !== undefined && s.leaseUntil >= now)) return undefined;
    this.#update(key, (m) => {
      m.owner = owner;
      m.leaseUntil = now + leaseMs;
    });
    return this.get(key);
  }

  async progressPending(key: SubscriptionKey, owner: string, cursor: number, now: number, leaseMs: number): Promise<boolean> {
    this.#count('progressPending');
    const s = this.#sub(key);
    if (!s || s.owner !== owner) return false;
    this.#update(key, (m) => {
      m.cursor = cursor;
      m.leaseUntil = now + leaseMs;
    });
    return true;
  }

  async releasePending(key: SubscriptionKey, owner: string, cursor: number): Promise<ReleaseResult> {
    this.#count('releasePending');
    const s = this.#sub(key);
    if (!s || s.owner !== owner) return { kind: 'lost' };
    if (s.want !== undefined && s.want > cursor) return { kind: 'more', want: s.want };
    this.#update(key, (m) => {
      m.state = 'live';
      m.cursor = cursor;
      m.owner = undefined;
      m.leaseUntil = undefined;
      m.want = undefined;
    });
    return { kind: 'released' };
  }

  async joinFromPending(key: SubscriptionKey, owner: string, cursor: number, now: number): Promise<ReleaseResult | { readonly kind: 'not-joined' }> {
    this.#count('joinFromPending');
    const s = this.#sub(key);
    if (!s || s.owner !== owner) return { kind: 'lost' };
    if (s.want !== undefined && s.want > cursor) return { kind: 'more', want: s.want };
    const row = this.#partitions.get(partitionId(key)) ?? {};
    if ((row.cursor !== undefined && row.cursor !== cursor) || (row.leaseUntil !== undefined && row.leaseUntil >= now)) return { kind: 'not-joined' };
    this.#partitions.set(partitionId(key), { ...row, cursor });
    this.#update(key, (m) => {
      m.state = 'group';
      m.cursor = undefined;
      m.owner = undefined;
      m.leaseUntil = undefined;
      m.want = undefined;
    });
    return { kind: 'released' };
  }

  async demandPending(key: SubscriptionKey, target: number): Promise<'registered' | 'not-pending' | 'gone'> {
    this.#count('demandPending');
    const s = this.#sub(key);
    if (!s) return 'gone';
    if (s.state !== 'pending') return 'not-pending';
    if (s.want === undefined || s.want < target) this.#update(key, (m) => (m.want = target));
    return 'registered';
  }

  async unclaimPending(key: SubscriptionKey, owner: string): Promise<void> {
    const s = this.#sub(key);
    if (s?.owner !== owner) return;
    this.#update(key, (m) => {
      m.owner = undefined;
      m.leaseUntil = undefined;
    });
  }

  async joinGroup(key: SubscriptionKey, from: number): Promise<boolean> {
    this.#count('joinGroup');
    const s = this.#sub(key);
    if (!s || s.state !== 'live' || s.cursor !== from) return false;
    this.#update(key, (m) => {
      m.state = 'group';
      m.cursor = undefined;
    });
    return true;
  }

  async leaveGroup(key: SubscriptionKey, cursor: number): Promise<boolean> {
    this.#count('leaveGroup');
    const s = this.#sub(key);
    if (!s || s.state !== 'group') return false;
    this.#update(key, (m) => {
      m.state = 'live';
      m.cursor = cursor;
    });
    return true;
  }

  async setCursor(key: SubscriptionKey, from: number, to: number): Promise<boolean> {
    this.#count('setCursor');
    const s = this.#sub(key);
    if (!s || s.state !== 'live' || s.cursor !== from) return false;
    this.#update(key, (m) => (m.cursor = to));
    return true;
  }
}
