/**
 * @module fanout
 * The stream consumer: DynamoDB Streams batches in, watch events out to WebSocket
 * subscribers. Two event sources feed the same handler:
 *
 * - the main table's stream, filtered to event-log INSERTs: each record (revision r of
 *   namespace ns) advances the partitions `ns` and `*` to r — or to the highest revision of
 *   the batch, which is committed too since revisions are dense;
 * - the connections table's stream, filtered to subscription INSERTs: each record replays a
 *   new subscription (API Gateway refuses posts before `$connect` returns, so the replay is
 *   handed off to the stream instead of running inside `$connect`).
 *
 * Records are processed in order (Powertools `BatchProcessor`, `processInParallel: false`)
 * and a record whose delivery failed for some subscriber is reported in `batchItemFailures`
 * (the ESM retries from the lowest failed sequence number; subscribers already served are
 * skipped by their cursors).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { KubeObject } from '../apimachinery/meta.js';
import type { ChangeRecord } from '../apimachinery/registry/store.js';
import type { WatchDelivery, WatchLogger } from './delivery.js';
import { LogWindow } from './log-window.js';
import { partitionsFor } from './matching.js';
import type { SubscriptionKey, WatchedResource } from './subscription.js';

export interface LogRecordInfo {
  readonly resource: string;
  readonly revision: number;
  readonly namespace: string;
  readonly change?: ChangeRecord<KubeObject>;
}

export interface FanoutDeps {
  readonly delivery: WatchDelivery;
  readonly resource: (plural: string) => WatchedResource | undefined;
  /** A main-table record of a new log entry (undefined for anything else). */
  readonly decodeLogRecord: (record: DynamoDBRecord) => LogRecordInfo | undefined;
  /** A connections-table record of a new subscription (undefined for anything else). */
  readonly decodeSubscriptionRecord: (record: DynamoDBRecord) => SubscriptionKey | undefined;
  readonly logger?: WatchLogger;
}

export type FanoutHandler = (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse>;

/** Runs every promise; rethrows the first failure once all have settled. */
async function settleAll(promises: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export function createFanoutHandler(deps: FanoutDeps): FanoutHandler {
  return async (event, context) => {
    // One log window per resource for the whole batch: records seed it, subscribers share it.
    const windows = new Map<string, LogWindow>();
    const windowFor = (resource: string): LogWindow | undefined => {
      let w = windows.get(resource);
      if (!w) {
        const res = deps.resource(resource);
        if (!res) return undefined;
        windows.set(resource, (w = new LogWindow(res.log)));
      }
      return w;
    };
    const highest = new Map<string, number>();
    for (const record of event.Records ?? []) {
      let info: LogRecordInfo | undefined;
      try {
        info = deps.decodeLogRecord(record);
      } catch {
        info = undefined; // reported when the record itself is processed
      }
      if (!info) continue;
      highest.set(info.resource, Math.max(highest.get(info.resource) ?? 0, info.revision));
      if (info.change) windowFor(info.resource)?.seed(info.change);
    }

    const handleRecord = async (record: DynamoDBRecord): Promise<void> => {
      const log = deps.decodeLogRecord(record);
      if (log) {
        const window = windowFor(log.resource);
        if (!window) return;
        const target = Math.max(log.revision, highest.get(log.resource) ?? 0);
        await settleAll(partitionsFor(log.resource, log.namespace).map((p) => deps.delivery.advancePartition(p, target, window)));
        return;
      }
      const sub = deps.decodeSubscriptionRecord(record);
      if (sub) {
        const window = windowFor(sub.resource);
        if (window) await deps.delivery.replay(sub, window);
      }
    };

    // A processor per invocation: its state must not be shared by concurrent batches.
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    return processPartialResponse(event, handleRecord, processor, {
      ...(context ? { context } : {}),
      processInParallel: false,
    }) as Promise<DynamoDBBatchResponse>;
  };
}
