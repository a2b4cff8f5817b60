/**
 * @module delivery
 * Gap-free, ordered delivery of watch events to WebSocket subscribers, driven by the change
 * log (docs/design.md, "Watch over WebSocket"). Two operations, both idempotent, both safe
 * to run concurrently with themselves and each other, so duplicated, reordered or retried
 * stream records and the periodic tick can all call them:
 *
 * - `advancePartition(p, r)`: every subscriber of partition `p` receives every matching
 *   change up to revision `r`. One holder at a time per partition (a lease on the partition
 *   row); whoever finds it held registers `r` with the holder instead (`want`), and the
 *   holder only lets go once it has delivered up to every registered revision. Subscribers
 *   in the partition's group share its cursor, so delivering one change costs one post per
 *   subscriber and two writes per partition (acquire, release).
 * - `replay(s)`: a new subscription's start — the current state as ADDED events (plus the
 *   initial-events-end bookmark when asked), or the history after its resourceVersion (410
 *   when the log no longer has it) — then everything up to the end of the log, then it
 *   becomes `live` and the next partition holder takes it into the group.
 *
 * Posts happen before the cursor that covers them is written: a crash can repeat events
 * (at-least-once, recognisable by resourceVersion) but never skip one.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../apimachinery/meta.js';
import type { ChangeRecord } from '../apimachinery/registry/store.js';
import { resourceExpired, timeout as timeoutError, type Status } from '../apimachinery/status.js';
import { eventLine, messagesFor } from './framing.js';
import type { LogWindow } from './log-window.js';
import { eventForSubscription, matchesNow } from './matching.js';
import { forEachLimit } from './pool.js';
import {
  partitionId,
  partitionOf,
  type ConnectionPoster,
  type PartitionRef,
  type Subscription,
  type SubscriptionKey,
  type SubscriptionStore,
  type WatchedResource,
} from './subscription.js';

export interface WatchLogger {
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface DeliveryDeps {
  readonly store: SubscriptionStore;
  readonly poster: ConnectionPoster;
  readonly resource: (plural: string) => WatchedResource | undefined;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Posts in flight at once while fanning out. */
  readonly concurrency?: number;
  /** Lease duration; longer than the fan-out function's timeout, so an expired lease means a dead holder. */
  readonly leaseMs?: number;
  /** A 410 from a connection younger than this means "not open yet" (the `$connect` race), not "gone". */
  readonly connectGraceMs?: number;
  /** How long a replay waits for a resourceVersion from the future before answering 504. */
  readonly futureWaitMs?: number;
  /** A pending subscription older than this with nobody replaying it is replayed by the tick. */
  readonly stalePendingMs?: number;
  readonly logger?: WatchLogger;
}

export interface AdvanceOptions {
  /** Take the lease even when the group cursor is current (the tick: deadlines, bookmarks). */
  readonly force?: boolean;
  /** Send a BOOKMARK to every subscriber that allows them (the tick, about once a minute). */
  readonly bookmarks?: boolean;
  /** Replay pending subscriptions nobody is replaying (the tick). */
  readonly rescuePending?: boolean;
}

/** Some subscriber could not be served now; the caller fails its record so it is retried. */
export class RetryableDeliveryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RetryableDeliveryError';
  }
}

type Sent = 'ok' | 'gone' | 'closed';
type Delivered = { readonly kind: 'ok' } | { readonly kind: 'gone' } | { readonly kind: 'failed'; readonly at: number; readonly error: unknown };

export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/** Rounds one holder or replay runs before giving up (the caller retries); each round follows new writes. */
const MAX_ROUNDS = 100;

const tooOld = (requested: string | number, oldest: number): Status =>
  resourceExpired(`too old resource version: ${requested} (${oldest - 1})`).status;

export class WatchDelivery {
  readonly #store: SubscriptionStore;
  readonly #poster: ConnectionPoster;
  readonly #resource: (plural: string) => WatchedResource | undefined;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #graceMs: number;
  readonly #futureWaitMs: number;
  readonly #stalePendingMs: number;
  readonly #log: WatchLogger | undefined;

  constructor(deps: DeliveryDeps) {
    this.#store = deps.store;
    this.#poster = deps.poster;
    this.#resource = deps.resource;
    this.#now = deps.now ?? Date.now;
    this.#sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#concurrency = deps.concurrency ?? 64;
    this.#leaseMs = deps.leaseMs ?? 60_000;
    this.#graceMs = deps.connectGraceMs ?? 5_000;
    this.#futureWaitMs = deps.futureWaitMs ?? 3_000;
    this.#stalePendingMs = deps.stalePendingMs ?? 30_000;
    this.#log = deps.logger;
  }

  // ---- posting --------------------------------------------------------------------------

  /** Posts one event line (split when over the message limit). */
  async #send(sub: Subscription, line: string | { readonly line: string; readonly parts: readonly Buffer[] }): Promise<Sent> {
    const parts = typeof line === 'string' ? messagesFor(line) : line.parts;
    for (let i = 0; i < parts.length; i++) {
      let result: 'ok' | 'gone';
      try {
        result = await this.#postWithGrace(sub, parts[i]!);
      } catch (e) {
        if (i === 0) throw e;
        // Half an event is out: the stream cannot be repaired, so end it; the client
        // reconnects from the last resourceVersion it received in full.
        this.#log?.warn('watch: a split event failed part-way; closing the connection', { connectionId: sub.connectionId, error: String(e) });
        await this.#close(sub);
        return 'closed';
      }
      if (result === 'gone') {
        await this.#store.remove(sub.connectionId, sub);
        return 'gone';
      }
    }
    return 'ok';
  }

  /** A 410 on a connection that just connected is API Gateway still finishing the handshake. */
  async #postWithGrace(sub: Subscription, data: Uint8Array): Promise<'ok' | 'gone'> {
    let wait = 50;
    for (;;) {
      const result = await this.#poster.post(sub.connectionId, data);
      if (result === 'ok' || this.#now() - sub.connectedAt >= this.#graceMs) return result;
      await this.#sleep(wait);
      wait = Math.min(wait * 2, 1000);
    }
  }

  async #close(sub: Subscription): Promise<void> {
    await this.#poster.close(sub.connectionId);
    await this.#store.remove(sub.connectionId, sub);
  }

  /** Ends a watch: an ERROR event, or a final BOOKMARK when allowed, then the socket closes. */
  async #end(sub: Subscription, res: WatchedResource, cursor: number | undefined, status?: Status): Promise<void> {
    try {
      if (status) await this.#send(sub, eventLine('ERROR', status));
      else if (sub.allowBookmarks && cursor !== undefined) await this.#send(sub, eventLine('BOOKMARK', res.bookmark(String(cursor))));
    } catch (e) {
      this.#log?.warn('watch: could not send the last event before closing', { connectionId: sub.connectionId, error: String(e) });
    }
    await this.#close(sub);
  }

  /** Posts the events `changes` produce for `sub`, in order; stops at the first failure. */
  async #deliver(
    sub: Subscription,
    res: WatchedResource,
    changes: readonly ChangeRecord<KubeObject>[],
    window: LogWindow,
    skip?: (change: ChangeRecord<KubeObject>) => boolean,
  ): Promise<Delivered> {
    for (const change of changes) {
      if (skip?.(change)) continue;
      const ev = eventForSubscription(sub, change, res.selectableFields);
      if (!ev || ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
      const line = window.memo(`${sub.resource}:${change.revision}:${ev.type}`, () => {
        const text = eventLine(ev.type, res.toWire(ev.object));
        return { line: text, parts: messagesFor(text) };
      });
      let sent: Sent;
      try {
        sent = await this.#send(sub, line);
      } catch (error) {
        return { kind: 'failed', at: change.revision, error };
      }
      if (sent !== 'ok') return { kind: 'gone' };
    }
    return { kind: 'ok' };
  }

  // ---- the partition holder -------------------------------------------------------------

  /** Delivers every change up to `target` to the live subscribers of a partition. */
  async advancePartition(ref: PartitionRef, target: number, window: LogWindow, opts: AdvanceOptions = {}): Promise<void> {
    const res = this.#resource(ref.resource);
    if (!res) return;
    // Nobody subscribed: nothing to do. A subscription created after this read replays from
    // a log read that starts later, so it cannot miss `target`.
    if (!(await this.#store.hasSubscribers(ref))) return;
    const owner = randomUUID();
    let acquired: { cursor: number | undefined; want: number | undefined; changes: number } | undefined;
    for (let attempt = 0; attempt < 20 && !acquired; attempt++) {
      const acq = await this.#store.acquirePartition(ref, owner, { now: this.#now(), leaseMs: this.#leaseMs, target, force: opts.force ?? false });
      if (acq.kind === 'current') return;
      if (acq.kind === 'acquired') acquired = acq;
      else if ((await this.#store.demandPartition(ref, target, this.#now())) === 'registered') return;
    }
    if (!acquired) throw new RetryableDeliveryError(`watch partition ${partitionId(ref)} is contended`);

    const failures: unknown[] = [];
    try {
      let cursor = acquired.cursor;
      let goal = Math.max(target, acquired.want ?? 0, acquired.cursor ?? 0);
      let changes = acquired.changes;
      for (let round = 0; ; round++) {
        if (round === MAX_ROUNDS) throw new RetryableDeliveryError(`watch partition ${partitionId(ref)} keeps changing`);
        const done = await this.#round(ref, res, window, cursor, goal, opts, failures, round === 0);
        const rel = await this.#store.releasePartition(ref, owner, done.goal, done.stragglers, changes);
        if (rel.kind !== 'more') break;
        cursor = done.goal;
        goal = Math.max(rel.want, done.goal);
        changes = rel.changes ?? changes;
      }
    } catch (e) {
      await this.#store.abandonPartition(ref, owner).catch(() => undefined);
      throw e;
    }
    if (failures.length > 0) {
      throw new RetryableDeliveryError(`watch: ${failures.length} subscriber(s) of ${partitionId(ref)} could not be served`, { cause: failures[0] });
    }
  }

  /** One pass over the partition while holding its lease. */
  async #round(
    ref: PartitionRef,
    res: WatchedResource,
    window: LogWindow,
    groupCursor: number | undefined,
    target: number,
    opts: AdvanceOptions,
    failures: unknown[],
    first: boolean,
  ): Promise<{ goal: number; stragglers: boolean }> {
    const now = this.#now();
    const all = await this.#store.partition(ref);
    const ending = all.filter((s) => s.state !== 'pending' && s.deadline !== undefined && s.deadline <= now);
    await forEachLimit(ending, this.#concurrency, (s) => this.#end(s, res, s.state === 'group' ? groupCursor : s.cursor));
    const subs = all.filter((s) => !ending.includes(s));

    let goal = target;
    // Pending subscriptions belong to their replay; tell it how far it must go. One that went
    // live meanwhile is caught up here like any other.
    const turnedLive: Subscription[] = [];
    await forEachLimit(
      subs.filter((s) => s.state === 'pending'),
      this.#concurrency,
      async (s) => {
        if (opts.rescuePending && now - s.connectedAt >= this.#stalePendingMs && (s.leaseUntil ?? 0) < now) {
          await this.replay(s, window).catch((e: unknown) => failures.push(e));
        }
        const r = await this.#store.demandPending(s, goal);
        if (r !== 'not-pending') return;
        const fresh = await this.#store.get(s);
        if (fresh && fresh.state !== 'pending') turnedLive.push(fresh);
      },
    );
    const group = subs.filter((s) => s.state === 'group');
    const single = [...subs.filter((s) => s.state === 'live'), ...turnedLive.filter((s) => s.state === 'live')];
    for (const s of single) goal = Math.max(goal, s.cursor ?? 0);
    let stragglers = false;
    /** Subscriptions not at `goal` after this round (no bookmark for them). */
    const behind = new Set<string>();

    // The group: one range, one post per member per matching change, no writes.
    if (group.length > 0 && groupCursor === undefined) {
      // Cannot happen (members join when the group cursor is written); never guess a position.
      await forEachLimit(group, this.#concurrency, (s) => this.#end(s, res, undefined, resourceExpired('the watch position was lost; list and watch again').status));
      group.forEach((s) => behind.add(s.connectionId));
    } else if (group.length > 0 && groupCursor !== undefined && groupCursor < goal) {
      const range = await window.range(groupCursor, goal);
      if (range.kind === 'compacted') {
        await forEachLimit(group, this.#concurrency, (s) => this.#end(s, res, undefined, tooOld(groupCursor, range.oldest)));
        group.forEach((s) => behind.add(s.connectionId));
      } else {
        await forEachLimit(group, this.#concurrency, async (s) => {
          const out = await this.#deliver(s, res, range.changes, window);
          if (out.kind === 'ok') return;
          behind.add(s.connectionId);
          if (out.kind === 'gone') return;
          failures.push(out.error);
          // It falls behind the group and is caught up on its own next time.
          if (await this.#store.leaveGroup(s, out.at - 1)) stragglers = true;
        });
      }
    }

    // Subscriptions with their own cursor: catch up, then join the group at `goal`.
    await forEachLimit(single, this.#concurrency, async (s) => {
      const from = s.cursor ?? goal;
      if (from < goal) {
        const range = await window.range(from, goal);
        if (range.kind === 'compacted') {
          behind.add(s.connectionId);
          return this.#end(s, res, undefined, tooOld(from, range.oldest));
        }
        const out = await this.#deliver(s, res, range.changes, window);
        if (out.kind === 'gone') {
          behind.add(s.connectionId);
          return;
        }
        if (out.kind === 'failed') {
          behind.add(s.connectionId);
          failures.push(out.error);
          stragglers = true;
          if (out.at - 1 > from) await this.#store.setCursor(s, from, out.at - 1);
          return;
        }
      }
      if (!(await this.#store.joinGroup(s, from))) {
        behind.add(s.connectionId);
        this.#log?.warn('watch: subscription changed while joining its group', { connectionId: s.connectionId });
      }
    });

    if (opts.bookmarks && first) {
      const members = [...group, ...single].filter((s) => !behind.has(s.connectionId));
      const bookmark = eventLine('BOOKMARK', res.bookmark(String(goal)));
      await forEachLimit(
        members.filter((s) => s.allowBookmarks),
        this.#concurrency,
        async (s) => {
          try {
            await this.#send(s, bookmark);
          } catch (e) {
            this.#log?.warn('watch: bookmark not delivered', { connectionId: s.connectionId, error: String(e) });
          }
        },
      );
    }
    return { goal, stragglers };
  }

  // ---- the replay of a new subscription -------------------------------------------------

  /** Starts a pending subscription (no-op when it is not pending or someone else is on it). */
  async replay(key: SubscriptionKey, window: LogWindow): Promise<void> {
    const owner = randomUUID();
    const sub = await this.#store.claimPending(key, owner, this.#now(), this.#leaseMs);
    if (!sub) return;
    const res = this.#resource(sub.resource);
    try {
      if (!res) {
        await this.#close(sub);
        return;
      }
      if (sub.deadline !== undefined && sub.deadline <= this.#now()) return await this.#end(sub, res, sub.cursor);
      const requested = sub.requestedResourceVersion;
      let cursor: number;
      /** Changes the initial state already shows (committed between the list's revision and its query). */
      let shown: ((change: ChangeRecord<KubeObject>) => boolean) | undefined;
      if (sub.cursor === undefined) {
        // The current state (§6.3 "start at most recent", §6.5 sendInitialEvents).
        if (requested !== undefined && requested !== '0') {
          const current = await this.#waitFor(res, Number(requested));
          if (Number(requested) > current) return await this.#end(sub, res, undefined, tooLarge(requested, current));
        }
        const state = await res.list(sub.namespace);
        const listed = new Map<string, number>();
        const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
        for (const obj of state.items) listed.set(keyOf(obj), Number(obj.metadata.resourceVersion ?? 0));
        shown = (change) => (listed.get(keyOf(change.object)) ?? 0) >= change.revision;
        for (const obj of state.items) {
          if (!matchesNow(sub, obj, res.selectableFields)) continue;
          if ((await this.#send(sub, eventLine('ADDED', res.toWire(obj)))) !== 'ok') return;
        }
        if (sub.sendInitialEvents === true && sub.allowBookmarks) {
          const end = eventLine('BOOKMARK', res.bookmark(String(state.revision), { [INITIAL_EVENTS_END]: 'true' }));
          if ((await this.#send(sub, end)) !== 'ok') return;
        }
        cursor = state.revision;
        if (!(await this.#store.progressPending(sub, owner, cursor, this.#now(), this.#leaseMs))) return;
      } else {
        // Every change after the requested resourceVersion (§6.3 "start at exact").
        cursor = sub.cursor;
        const current = await this.#waitFor(res, cursor);
        if (cursor > current) return await this.#end(sub, res, undefined, tooLarge(requested ?? String(cursor), current));
        // A namespace list's resourceVersion may predate the retained log (see ChangeLog.resumePoint).
        cursor = await res.log.resumePoint(cursor, sub.namespace);
      }
      for (let round = 0; ; round++) {
        if (round === MAX_ROUNDS) throw new RetryableDeliveryError(`watch: replay of ${sub.connectionId} keeps being overtaken`);
        const upTo = await res.currentRevision();
        if (upTo > cursor) {
          const range = await window.range(cursor, upTo);
          if (range.kind === 'compacted') return await this.#end(sub, res, undefined, tooOld(requested ?? cursor, range.oldest));
          const out = await this.#deliver(sub, res, range.changes, window, shown);
          if (out.kind === 'gone') return;
          if (out.kind === 'failed') {
            if (out.at - 1 > cursor) await this.#store.progressPending(sub, owner, out.at - 1, this.#now(), this.#leaseMs);
            throw new RetryableDeliveryError(`watch: replay to ${sub.connectionId} failed`, { cause: out.error });
          }
          cursor = upTo;
        }
        // Straight into the group when it is exactly here (the common case in a quiet
        // partition); otherwise `live`, and the next partition holder catches it up.
        const joined = await this.#store.joinFromPending(sub, owner, cursor, this.#now());
        if (joined.kind !== 'not-joined') {
          if (joined.kind === 'more') continue;
          return;
        }
        const rel = await this.#store.releasePending(sub, owner, cursor);
        if (rel.kind === 'more') continue;
        if (rel.kind === 'released') {
          // Live on its own cursor: have it caught up and grouped now rather than at the next
          // change. A holder mid-round sees the touch when it tries to let go, and looks again.
          await this.#store.touchPartition(sub, this.#now());
          await this.advancePartition(partitionOf(sub), cursor, window, { force: true });
        }
        return;
      }
    } catch (e) {
      await this.#store.unclaimPending(sub, owner).catch(() => undefined);
      throw e;
    }
  }

  /** The current revision, waiting briefly while `rv` is ahead of it. */
  async #waitFor(res: WatchedResource, rv: number): Promise<number> {
    let current = await res.currentRevision();
    const until = this.#now() + this.#futureWaitMs;
    while (rv > current && this.#now() < until) {
      await this.#sleep(100);
      current = await res.currentRevision();
    }
    return current;
  }

  /** Partitions of the subscriptions a connection index names (the tick). */
  static partitionsOf(subs: readonly Pick<Subscription, 'resource' | 'scope'>[]): PartitionRef[] {
    const seen = new Map<string, PartitionRef>();
    for (const s of subs) seen.set(partitionId(s), partitionOf(s));
    return [...seen.values()];
  }
}

const tooLarge = (requested: string, current: number): Status =>
  timeoutError(`Too large resource version: ${requested}, current: ${current}`, 1, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]).status;
