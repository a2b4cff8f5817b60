/**
 * @module stream-poller
 * The local stand-in for a Lambda event source mapping on a DynamoDB stream: reads DynamoDB
 * Local's stream with `@aws-sdk/client-dynamodb-streams` (DescribeTable → stream ARN →
 * DescribeStream → one iterator per shard, new shards picked up as they appear, a child
 * shard only after its parent is drained → GetRecords every `pollMs`), applies the same
 * filter criteria JSON the ESM is deployed with, and invokes the same handler with real
 * `DynamoDBStreamEvent` batches shaped as Lambda delivers them (AttributeValue JSON with
 * base64 binaries, epoch-second `ApproximateCreationDateTime`, `eventSourceARN`).
 *
 * The deployed ESM settings are mirrored: `ReportBatchItemFailures` (a response's
 * `batchItemFailures` re-sends the batch from the lowest failed sequence number), bisect on
 * a function error (a split does not use up the retry budget), bounded retries with
 * backoff, a maximum record age, and an on-failure destination (`onFailure`, a log line by
 * default) for what is given up on.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type DynamoDBStreamsClient,
  type _Record as StreamsRecord,
  type AttributeValue as SdkAttributeValue,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

/** An ESM filter pattern (the subset we deploy: exact values and `prefix` matchers, nested). */
export type FilterPattern = { readonly [key: string]: FilterPattern | readonly (string | { readonly prefix: string })[] };

export interface StreamPollerOptions {
  readonly dynamo: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly tableName: string;
  readonly handler: StreamHandler;
  /** ESM `FilterCriteria` patterns (ORed); a record matching none is dropped, as the ESM drops it. */
  readonly filters?: readonly FilterPattern[];
  readonly batchSize?: number;
  readonly pollMs?: number;
  /** Where to start on the shards that exist at start-up (later shards start at TRIM_HORIZON). */
  readonly startingPosition?: 'LATEST' | 'TRIM_HORIZON';
  readonly maxRetryAttempts?: number;
  readonly maxRecordAgeSeconds?: number;
  readonly bisectBatchOnFunctionError?: boolean;
  /** What the ESM would send to its on-failure destination. */
  readonly onFailure?: (info: { reason: string; records: DynamoDBRecord[]; error?: unknown }) => void;
  readonly log?: (line: string) => void;
  readonly name?: string;
}

export interface StreamPoller {
  readonly streamArn: string;
  /** Batches delivered to the handler (tests, metrics). */
  readonly invocations: number;
  stop(): Promise<void>;
}

/** Lambda's JSON form of an attribute value (binaries in base64). */
export function toLambdaAttribute(v: SdkAttributeValue): AttributeValue {
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
  if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (v.M !== undefined) return { M: toLambdaImage(v.M) };
  if (v.L !== undefined) return { L: v.L.map(toLambdaAttribute) };
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: v.N };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  if (v.NULL !== undefined) return { NULL: v.NULL };
  if (v.SS !== undefined) return { SS: v.SS };
  if (v.NS !== undefined) return { NS: v.NS };
  return { NULL: true };
}

function toLambdaImage(m: Record<string, SdkAttributeValue> | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(m ?? {})) out[k] = toLambdaAttribute(v);
  return out;
}

/** A stream record as Lambda puts it in a `DynamoDBStreamEvent`. */
export function toLambdaRecord(r: StreamsRecord, streamArn: string): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  return {
    eventID: r.eventID ?? randomUUID(),
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: r.awsRegion ?? 'local',
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created !== undefined ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      Keys: toLambdaImage(d.Keys),
      ...(d.NewImage ? { NewImage: toLambdaImage(d.NewImage) } : {}),
      ...(d.OldImage ? { OldImage: toLambdaImage(d.OldImage) } : {}),
      SequenceNumber: d.SequenceNumber ?? '',
      SizeBytes: d.SizeBytes ?? 0,
      StreamViewType: d.StreamViewType as NonNullable<DynamoDBRecord['dynamodb']>['StreamViewType'],
    },
  };
}

/** Whether a value matches a filter pattern (EventBridge-style, the subset ESM filters use here). */
export function matchesPattern(pattern: FilterPattern, value: unknown): boolean {
  for (const [key, want] of Object.entries(pattern)) {
    const got = (value as Record<string, unknown> | undefined)?.[key];
    if (Array.isArray(want)) {
      const ok = want.some((w: string | { prefix: string }) =>
        typeof w === 'string' ? got === w : typeof got === 'string' && got.startsWith(w.prefix),
      );
      if (!ok) return false;
    } else if (!matchesPattern(want as FilterPattern, got)) return false;
  }
  return true;
}

function lambdaContext(name: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startStreamPoller(opts: StreamPollerOptions): Promise<StreamPoller> {
  const name = opts.name ?? `local-stream-${opts.tableName}`;
  const batchSize = opts.batchSize ?? 100;
  const pollMs = opts.pollMs ?? 50;
  const maxRetries = opts.maxRetryAttempts ?? 3;
  const bisect = opts.bisectBatchOnFunctionError ?? true;
  const log = opts.log ?? (() => undefined);
  const onFailure =
    opts.onFailure ??
    ((info) => log(`[${name}] on-failure destination: ${info.reason}, ${info.records.length} record(s) from ${info.records[0]?.dynamodb?.SequenceNumber ?? '?'}`));

  const described = await opts.dynamo.send(new DescribeTableCommand({ TableName: opts.tableName }));
  const streamArn = described.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${opts.tableName} has no stream`);

  let stopped = false;
  let invocations = 0;
  const known = new Map<string, Shard>();
  const done = new Set<string>();
  const running = new Map<string, Promise<void>>();

  const matches = (r: DynamoDBRecord): boolean => !opts.filters || opts.filters.length === 0 || opts.filters.some((f) => matchesPattern(f, r));

  /** Delivers a batch the way the ESM does; resolves when it succeeded or was given up on. */
  async function deliver(batch: DynamoDBRecord[], attempt = 0): Promise<void> {
    let records = batch;
    let tries = attempt;
    while (records.length > 0 && !stopped) {
      if (opts.maxRecordAgeSeconds !== undefined) {
        const oldest = records[0]?.dynamodb?.ApproximateCreationDateTime;
        if (oldest !== undefined && Date.now() / 1000 - oldest > opts.maxRecordAgeSeconds) {
          onFailure({ reason: 'maximum record age exceeded', records });
          return;
        }
      }
      let failedAt: number;
      let error: unknown;
      try {
        invocations++;
        const res = await opts.handler({ Records: records }, lambdaContext(name));
        const ids = (res?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
        if (ids.length === 0) return;
        const idx = records.findIndex((r) => ids.includes(r.dynamodb?.SequenceNumber ?? ''));
        // An identifier that names no record makes the whole batch a failure.
        failedAt = idx < 0 ? 0 : idx;
      } catch (e) {
        error = e;
        if (bisect && records.length > 1) {
          const half = Math.ceil(records.length / 2);
          await deliver(records.slice(0, half), tries);
          await deliver(records.slice(half), tries);
          return;
        }
        failedAt = 0;
      }
      records = records.slice(failedAt);
      tries++;
      if (tries > maxRetries) {
        onFailure({ reason: `retry attempts exhausted (${maxRetries})`, records, error });
        return;
      }
      await sleep(Math.min(1000, 50 * 2 ** tries));
    }
  }

  async function consume(shard: Shard, type: 'LATEST' | 'TRIM_HORIZON'): Promise<void> {
    const id = shard.ShardId!;
    const fresh = async (): Promise<string | undefined> =>
      (await opts.streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: type }))).ShardIterator;
    let iterator = await fresh();
    let lastSeq: string | undefined;
    while (!stopped && iterator) {
      let out;
      try {
        out = await opts.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }));
      } catch (e) {
        if (e instanceof ExpiredIteratorException) {
          iterator = lastSeq
            ? (await opts.streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: lastSeq }))).ShardIterator
            : await fresh();
          continue;
        }
        if (e instanceof TrimmedDataAccessException) {
          log(`[${name}] shard ${id}: records trimmed, restarting at TRIM_HORIZON`);
          iterator = (await opts.streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
          continue;
        }
        if (stopped) return;
        log(`[${name}] GetRecords failed: ${e instanceof Error ? e.message : String(e)}`);
        await sleep(500);
        continue;
      }
      const records = (out.Records ?? []).map((r) => toLambdaRecord(r, streamArn!));
      if (records.length > 0) {
        lastSeq = records[records.length - 1]!.dynamodb?.SequenceNumber;
        const selected = records.filter(matches);
        if (selected.length > 0) await deliver(selected);
      }
      iterator = out.NextShardIterator;
      // Drain without waiting while there is a backlog; otherwise poll again shortly.
      if (records.length < batchSize && iterator) await sleep(pollMs);
    }
    done.add(id);
  }

  async function discover(initial: boolean): Promise<void> {
    let start: string | undefined;
    do {
      const out = await opts.streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      for (const s of out.StreamDescription?.Shards ?? []) if (s.ShardId && !known.has(s.ShardId)) known.set(s.ShardId, s);
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const [id, shard] of known) {
      if (running.has(id)) continue;
      const parent = shard.ParentShardId;
      // A child shard waits for its parent (when we know the parent) to be drained.
      if (parent && known.has(parent) && !done.has(parent)) continue;
      const type = initial ? (opts.startingPosition ?? 'LATEST') : 'TRIM_HORIZON';
      // A closed shard that existed at start-up and is read from LATEST has nothing for us.
      running.set(
        id,
        consume(shard, type).catch((e: unknown) => {
          if (!stopped) log(`[${name}] shard ${id} stopped: ${e instanceof Error ? e.message : String(e)}`);
        }),
      );
    }
  }

  await discover(true);
  const discovery = (async () => {
    while (!stopped) {
      await sleep(1000);
      if (stopped) break;
      try {
        await discover(false);
      } catch (e) {
        if (!stopped) log(`[${name}] DescribeStream failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  })();

  return {
    streamArn,
    get invocations() {
      return invocations;
    },
    stop: async () => {
      stopped = true;
      await discovery;
      await Promise.all(running.values());
    },
  };
}
