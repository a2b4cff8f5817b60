/**
 * @module tick
 * The periodic sweep (an EventBridge schedule, once a minute; the local stack runs it on a
 * timer). Nothing else wakes a quiet partition, so the tick is what
 * - ends watches at their `timeoutSeconds` (with a final BOOKMARK when allowed),
 * - sends the periodic BOOKMARKs (about once a minute, like upstream), which also keep the
 *   connection from API Gateway's 10-minute idle timeout,
 * - moves the cursors of subscribers whose namespace is quiet while others are written, so
 *   they never fall out of the event log's retention window (a spurious 410),
 * - finishes work a crashed holder left behind (stragglers, stale pending replays),
 * - drops the rows of connections older than API Gateway's 2-hour limit whose `$disconnect`
 *   was lost (TTL would too, later).
 * It reads the connection index partitions (`conn#0..15`), never scans.
 */
import { MAX_CONNECTION_MS } from './connect.js';
import type { WatchDelivery, WatchLogger } from './delivery.js';
import { LogWindow } from './log-window.js';
import { forEachLimit } from './pool.js';
import { partitionId, type PartitionRef, type SubscriptionStore, type WatchedResource } from './subscription.js';

export interface TickDeps {
  readonly store: SubscriptionStore;
  readonly delivery: WatchDelivery;
  readonly resource: (plural: string) => WatchedResource | undefined;
  readonly now?: () => number;
  readonly logger?: WatchLogger;
}

export interface TickResult {
  readonly partitions: number;
  readonly removed: number;
  readonly failures: number;
}

const SLACK_MS = 60_000;

export async function runTick(deps: TickDeps): Promise<TickResult> {
  const now = (deps.now ?? Date.now)();
  const partitions = new Map<string, PartitionRef>();
  let removed = 0;
  for (let shard = 0; shard < deps.store.connectionShards; shard++) {
    for (const c of await deps.store.connections(shard)) {
      if (now - c.connectedAt > MAX_CONNECTION_MS + SLACK_MS) {
        await deps.store.remove(c.connectionId);
        removed++;
        continue;
      }
      partitions.set(partitionId(c.partition), c.partition);
    }
  }
  const windows = new Map<string, LogWindow>();
  const revisions = new Map<string, Promise<number>>();
  let failures = 0;
  await forEachLimit([...partitions.values()], 8, async (p) => {
    const res = deps.resource(p.resource);
    if (!res) return;
    let window = windows.get(p.resource);
    if (!window) windows.set(p.resource, (window = new LogWindow(res.log)));
    let current = revisions.get(p.resource);
    if (!current) revisions.set(p.resource, (current = res.currentRevision()));
    try {
      await deps.delivery.advancePartition(p, await current, window, { force: true, bookmarks: true, rescuePending: true });
    } catch (e) {
      failures++;
      deps.logger?.warn('watch tick: partition not fully served', { partition: partitionId(p), error: e instanceof Error ? e.message : String(e) });
    }
  });
  return { partitions: partitions.size, removed, failures };
}
