/**
 * @module importer
 * The image importer in the local stack, as deployed: a stream poller on the main table with
 * the import trigger's filter invokes the trigger handler (the event source mapping), whose
 * jobs run on the in-process queue (AWS: SQS + the worker function), and a timer runs the
 * scheduled-import tick (AWS: an EventBridge schedule) over contiguous windows of
 * min(60 s, IMPORT_SCHEDULE_SECONDS). The handlers are the entry modules CDK bundles.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { ImporterRuntime } from '../../shared/importer/runtime.js';
import { IMPORT_STREAM_FILTER } from '../../shared/importer/trigger.js';
import { startStreamPoller, type FilterPattern, type StreamPoller } from './stream-poller.js';

export interface LocalImporterOptions {
  readonly root: string;
  readonly dynamo: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly tableName: string;
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

export interface LocalImporter {
  readonly runtime: ImporterRuntime;
  /** Runs the scheduled-import tick for the window ending at the latest period boundary (tests). */
  scheduleNow(): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startLocalImporter(opts: LocalImporterOptions): Promise<LocalImporter> {
  const entry = pathToFileURL(path.join(opts.root, 'functions/importer/runtime.ts')).href;
  const { runtime } = (await import(entry)) as { runtime: ImporterRuntime };
  const poller: StreamPoller = await startStreamPoller({
    dynamo: opts.dynamo,
    streams: opts.streams,
    tableName: opts.tableName,
    handler: (event) => runtime.trigger(event),
    filters: [IMPORT_STREAM_FILTER as unknown as FilterPattern],
    pollMs: opts.pollMs ?? 50,
    batchSize: 100,
    maxRetryAttempts: 3,
    maxRecordAgeSeconds: 600,
    bisectBatchOnFunctionError: true,
    startingPosition: 'LATEST',
    name: 'import-trigger',
    ...(opts.log ? { log: opts.log } : {}),
  });
  const seconds = Math.max(1, Math.min(60, Number(process.env['IMPORT_SCHEDULE_SECONDS'] ?? 900) || 900));
  const periodMs = seconds * 1000;
  let windowEnd = Math.floor(Date.now() / periodMs) * periodMs;
  let running: Promise<unknown> = Promise.resolve();
  const tick = (): Promise<unknown> =>
    (running = running
      .then(async () => {
        while (Math.floor(Date.now() / periodMs) * periodMs > windowEnd) {
          windowEnd += periodMs;
          await runtime.schedule({ now: windowEnd, periodSeconds: seconds });
        }
      })
      .catch((e: unknown) => opts.log?.(`scheduled import tick failed: ${e instanceof Error ? e.message : String(e)}`)));
  const timer = setInterval(() => void tick(), Math.min(periodMs, 10_000));
  timer.unref();
  return {
    runtime,
    scheduleNow: () => runtime.schedule({ periodSeconds: seconds }),
    async stop() {
      clearInterval(timer);
      await running;
      await poller.stop();
      await runtime.close();
    },
  };
}
