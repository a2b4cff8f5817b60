/**
 * The local event source mapping (infra/local/stream-poller.ts) against DynamoDB Local's
 * stream: Lambda-shaped batches, the ESM filter, ReportBatchItemFailures, bisect on error and
 * the on-failure destination.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { startStreamPoller, type FilterPattern, type StreamPoller } from '../../infra/local/stream-poller.js';
import { LOG_STREAM_FILTER } from '../../shared/storage/dynamo/stream-records.js';
import { freshTable, localClient } from '../helpers/dynamo.js';

const client = localClient();
const streams = new DynamoDBStreamsClient({ endpoint: inject('dynamodbEndpoint'), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const drops: (() => Promise<void>)[] = [];
let poller: StreamPoller | undefined;
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});
afterAll(async () => {
  await Promise.all(drops.map((d) => d()));
  client.destroy();
  streams.destroy();
});

const until = async (cond: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function setup(handler: (e: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>, extra: Partial<Parameters<typeof startStreamPoller>[0]> = {}, before: string[] = []) {
  const table = await freshTable(client, 'poll');
  drops.push(table.drop);
  const put = (pk: string, sk: string, extraAttrs: Record<string, unknown> = {}) =>
    client.send(new PutItemCommand({ TableName: table.name, Item: { pk: { S: pk }, sk: { S: sk }, ...extraAttrs } as never }));
  for (const sk of before) await put('log#t', sk);
  poller = await startStreamPoller({
    dynamo: client,
    streams,
    tableName: table.name,
    handler,
    filters: [LOG_STREAM_FILTER as unknown as FilterPattern],
    pollMs: 20,
    startingPosition: 'TRIM_HORIZON',
    ...extra,
  });
  return { table, put };
}

const sks = (records: readonly DynamoDBRecord[]): string[] => records.map((r) => r.dynamodb!.Keys!['sk']!.S!);

describe('stream-poller', () => {
  describe('startStreamPoller', () => {
    it('delivers the filtered INSERTs as DynamoDBStreamEvent batches shaped as Lambda delivers them', async () => {
      // Prepare
      const batches: DynamoDBStreamEvent[] = [];
      const { put } = await setup(async (e) => void batches.push(e));
      // Act
      await put('obj#things', 'a/x');
      await put('log#things', '001', { b: { B: Buffer.from('hello') }, rv: { N: '1' } });
      await until(() => batches.length > 0);
      // Assess
      const records = batches.flatMap((b) => b.Records);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        eventSourceARN: poller!.streamArn,
        dynamodb: {
          Keys: { pk: { S: 'log#things' }, sk: { S: '001' } },
          NewImage: { pk: { S: 'log#things' }, b: { B: Buffer.from('hello').toString('base64') }, rv: { N: '1' } },
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      });
      expect(typeof records[0]!.dynamodb!.SequenceNumber).toBe('string');
      expect(typeof records[0]!.dynamodb!.ApproximateCreationDateTime).toBe('number');
    });

    it('re-sends the batch from the lowest failed sequence number reported in batchItemFailures', async () => {
      // Prepare
      const seen: string[][] = [];
      // Act: three records already in the stream, so they come as one batch.
      await setup(
        async (e) => {
          seen.push(sks(e.Records));
          const second = e.Records[1];
          return { batchItemFailures: seen.length === 1 && second ? [{ itemIdentifier: second.dynamodb!.SequenceNumber! }] : [] };
        },
        { batchSize: 10 },
        ['1', '2', '3'],
      );
      await until(() => seen.length >= 2);
      await new Promise((r) => setTimeout(r, 200));
      // Assess
      expect(seen).toEqual([
        ['1', '2', '3'],
        ['2', '3'],
      ]);
    });

    it('bisects a failing batch and sends a poison record to the on-failure destination after the retries', async () => {
      // Prepare
      const ok: string[] = [];
      const failed: string[] = [];
      const { put } = await setup(
        async (e) => {
          if (sks(e.Records).includes('poison')) throw new Error('boom');
          ok.push(...sks(e.Records));
        },
        { batchSize: 10, maxRetryAttempts: 1, onFailure: (info) => failed.push(...sks(info.records)) },
      );
      // Act
      await put('log#t', 'a');
      await put('log#t', 'poison');
      await put('log#t', 'b');
      await until(() => failed.length > 0 && ok.includes('b'));
      // Assess
      expect(failed).toEqual(['poison']);
      expect(ok.filter((s) => s === 'a')).toHaveLength(1);
      expect(ok).toContain('b');
    });
  });
});
