/**
 * The SubscriptionStore contract (the WebSocket watch's connections table), run against the
 * memory store (unit) and DynamoDB Local (integration): the conditional state changes the
 * delivery protocol relies on.
 */
import { describe, expect, it } from 'vitest';
import type { Subscription, SubscriptionStore } from '../../shared/watch/subscription.js';

export interface SubscriptionContractOptions {
  readonly newStore: () => Promise<SubscriptionStore>;
}

const R = 'things.example.com';
const sub = (connectionId: string, scope = 'a', extra: Partial<Subscription> = {}): Subscription => ({
  resource: R,
  scope,
  connectionId,
  ...(scope === '*' ? {} : { namespace: scope }),
  labelSelector: 'app=web',
  fieldSelector: '',
  allowBookmarks: true,
  initial: false,
  state: 'pending',
  cursor: 5,
  connectedAt: 1_000,
  expiresAt: 9_999,
  user: 'alice',
  ...extra,
});
const P = (scope: string) => ({ resource: R, scope });

export function runSubscriptionStoreContract(name: string, opts: SubscriptionContractOptions): void {
  describe(`SubscriptionStore contract: ${name}`, () => {
    describe('create, get, partition, remove', () => {
      it('stores a subscription in its partition and finds it by connection', async () => {
        // Prepare
        const store = await opts.newStore();
        const s = sub('c1', 'a', { sendInitialEvents: true, requestedResourceVersion: '5', deadline: 50_000 });
        // Act
        await store.create(s);
        await store.create(sub('c2', 'b'));
        await store.create(sub('c3', '*'));
        // Assess
        expect(await store.get(s)).toEqual(s);
        expect(await store.byConnection('c1')).toEqual(s);
        expect((await store.partition(P('a'))).map((x) => x.connectionId)).toEqual(['c1']);
        expect(await store.hasSubscribers(P('a'))).toBe(true);
        expect(await store.hasSubscribers(P('nobody'))).toBe(false);
        expect((await store.partition(P('*'))).map((x) => x.connectionId)).toEqual(['c3']);
        const shards = await Promise.all(Array.from({ length: store.connectionShards }, (_, i) => store.connections(i)));
        expect(shards.flat().map((c) => c.connectionId).sort()).toEqual(['c1', 'c2', 'c3']);
        expect(shards.flat().find((c) => c.connectionId === 'c3')).toEqual({ connectionId: 'c3', partition: P('*'), connectedAt: 1_000 });
      });

      it('removes exactly one connection, idempotently, with or without its key', async () => {
        const store = await opts.newStore();
        await store.create(sub('c1'));
        await store.create(sub('c2'));
        await store.remove('c1');
        await store.remove('c1');
        await store.remove('c2', sub('c2'));
        expect(await store.partition(P('a'))).toEqual([]);
        expect(await store.byConnection('c1')).toBeUndefined();
      });
    });

    describe('partition lease', () => {
      it('lets one holder in, registers demand with it, and releases only once the demand is served', async () => {
        // Prepare
        const store = await opts.newStore();
        // Act
        const first = await store.acquirePartition(P('a'), 'h1', { now: 100, leaseMs: 1000, target: 7, force: false });
        const second = await store.acquirePartition(P('a'), 'h2', { now: 200, leaseMs: 1000, target: 9, force: false });
        const demand = await store.demandPartition(P('a'), 9, 200);
        const early = await store.releasePartition(P('a'), 'h1', 7, false, 0);
        const done = await store.releasePartition(P('a'), 'h1', 9, false, 0);
        const free = await store.demandPartition(P('a'), 12, 300);
        const current = await store.acquirePartition(P('a'), 'h3', { now: 300, leaseMs: 1000, target: 9, force: false });
        const forced = await store.acquirePartition(P('a'), 'h3', { now: 300, leaseMs: 1000, target: 9, force: true });
        // Assess
        expect(first).toEqual({ kind: 'acquired', cursor: undefined, want: undefined, changes: 0 });
        expect(second).toEqual({ kind: 'busy' });
        expect(demand).toBe('registered');
        expect(early).toEqual({ kind: 'more', want: 9, changes: 0 });
        expect(done).toEqual({ kind: 'released' });
        expect(free).toBe('free');
        expect(current).toEqual({ kind: 'current' });
        expect(forced).toEqual({ kind: 'acquired', cursor: 9, want: undefined, changes: 0 });
      });

      it('lets a new holder in once a lease expires, and the old holder then loses its release', async () => {
        const store = await opts.newStore();
        await store.acquirePartition(P('a'), 'dead', { now: 100, leaseMs: 10, target: 3, force: false });
        const taken = await store.acquirePartition(P('a'), 'alive', { now: 200, leaseMs: 1000, target: 3, force: false });
        expect(taken.kind).toBe('acquired');
        expect(await store.releasePartition(P('a'), 'dead', 3, false, 0)).toEqual({ kind: 'lost' });
        expect(await store.releasePartition(P('a'), 'alive', 3, false, 0)).toEqual({ kind: 'released' });
      });

      it('reopens a current partition while stragglers remain, and frees the lease on abandon', async () => {
        const store = await opts.newStore();
        await store.acquirePartition(P('a'), 'h', { now: 1, leaseMs: 1000, target: 4, force: false });
        await store.releasePartition(P('a'), 'h', 4, true, 0);
        expect((await store.acquirePartition(P('a'), 'h2', { now: 2, leaseMs: 1000, target: 4, force: false })).kind).toBe('acquired');
        await store.abandonPartition(P('a'), 'h2');
        expect(await store.acquirePartition(P('a'), 'h3', { now: 3, leaseMs: 1000, target: 4, force: false })).toEqual({ kind: 'acquired', cursor: 4, want: undefined, changes: 0 });
      });

      it('makes a holder look again when the partition was touched during its round', async () => {
        const store = await opts.newStore();
        const acq = await store.acquirePartition(P('a'), 'h', { now: 1, leaseMs: 1000, target: 4, force: false });
        await store.touchPartition(P('a'), 2);
        const rel = await store.releasePartition(P('a'), 'h', 4, false, acq.kind === 'acquired' ? acq.changes : -1);
        expect(rel).toEqual({ kind: 'more', want: 4, changes: 1 });
        expect(await store.releasePartition(P('a'), 'h', 4, false, 1)).toEqual({ kind: 'released' });
        expect(await store.acquirePartition(P('a'), 'h2', { now: 3, leaseMs: 1000, target: 0, force: true })).toMatchObject({ changes: 1, cursor: 4 });
      });
    });

    describe('pending subscriptions', () => {
      it('is claimed by one replay, records progress, and goes live unless newer revisions were registered', async () => {
        // Prepare
        const store = await opts.newStore();
        const s = sub('c1');
        await store.create(s);
        // Act
        const claimed = await store.claimPending(s, 'r1', 100, 1000);
        const again = await store.claimPending(s, 'r2', 200, 1000);
        const progressed = await store.progressPending(s, 'r1', 8, 300, 1000);
        const demand = await store.demandPending(s, 11);
        const early = await store.releasePending(s, 'r1', 8);
        const late = await store.releasePending(s, 'r1', 11);
        const after = await store.demandPending(s, 12);
        // Assess
        expect(claimed).toMatchObject({ connectionId: 'c1', owner: 'r1', leaseUntil: 1100, cursor: 5 });
        expect(again).toBeUndefined();
        expect(progressed).toBe(true);
        expect(demand).toBe('registered');
        expect(early).toEqual({ kind: 'more', want: 11 });
        expect(late).toEqual({ kind: 'released' });
        expect(after).toBe('not-pending');
        const live = (await store.get(s))!;
        expect(live).toMatchObject({ state: 'live', cursor: 11 });
        expect(live).not.toHaveProperty('owner');
        expect(live).not.toHaveProperty('want');
        expect(await store.demandPending(sub('nobody'), 1)).toBe('gone');
      });

      it('joins the group directly when the group cursor is exactly the replay position and the partition is free', async () => {
        const store = await opts.newStore();
        const s1 = sub('c1');
        const s2 = sub('c2');
        await store.create(s1);
        await store.create(s2);
        await store.claimPending(s1, 'r1', 100, 1000);
        await store.claimPending(s2, 'r2', 100, 1000);
        expect(await store.joinFromPending(s1, 'r1', 6, 200)).toEqual({ kind: 'released' });
        expect(await store.joinFromPending(s2, 'r2', 7, 200)).toEqual({ kind: 'not-joined' });
        expect(await store.releasePending(s2, 'r2', 7)).toEqual({ kind: 'released' });
        expect((await store.get(s1))!.state).toBe('group');
        expect((await store.get(s2))!.state).toBe('live');
        expect(await store.acquirePartition(P('a'), 'h', { now: 300, leaseMs: 10, target: 0, force: true })).toMatchObject({ cursor: 6 });
      });

      it('does not join while the partition is held, and reports registered revisions', async () => {
        const store = await opts.newStore();
        const s = sub('c1');
        await store.create(s);
        await store.claimPending(s, 'r', 100, 1000);
        await store.acquirePartition(P('a'), 'h', { now: 100, leaseMs: 1000, target: 1, force: false });
        expect(await store.joinFromPending(s, 'r', 5, 200)).toEqual({ kind: 'not-joined' });
        await store.demandPending(s, 9);
        expect(await store.joinFromPending(s, 'r', 5, 200)).toEqual({ kind: 'more', want: 9 });
        expect(await store.joinFromPending(s, 'other', 9, 200)).toEqual({ kind: 'lost' });
      });

      it('gives a claim back', async () => {
        const store = await opts.newStore();
        const s = sub('c1');
        await store.create(s);
        await store.claimPending(s, 'r1', 100, 100_000);
        await store.unclaimPending(s, 'r1');
        expect(await store.claimPending(s, 'r2', 101, 1000)).toMatchObject({ owner: 'r2' });
      });
    });

    describe('live subscriptions', () => {
      it('joins the group from its cursor, leaves it at a cursor, and moves its cursor conditionally', async () => {
        const store = await opts.newStore();
        const s = sub('c1');
        await store.create(s);
        await store.claimPending(s, 'r', 1, 1000);
        await store.releasePending(s, 'r', 5);
        expect(await store.setCursor(s, 4, 6)).toBe(false);
        expect(await store.setCursor(s, 5, 6)).toBe(true);
        expect(await store.joinGroup(s, 5)).toBe(false);
        expect(await store.joinGroup(s, 6)).toBe(true);
        expect((await store.get(s))).toMatchObject({ state: 'group' });
        expect((await store.get(s))).not.toHaveProperty('cursor');
        expect(await store.leaveGroup(s, 8)).toBe(true);
        expect(await store.leaveGroup(s, 9)).toBe(false);
        expect((await store.get(s))).toMatchObject({ state: 'live', cursor: 8 });
      });
    });
  });
}
