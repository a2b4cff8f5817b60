/**
 * DynamoStore against a mocked DynamoDB client: the shape of the conditional transaction and
 * the translation of DynamoDB failures into the storage vocabulary.
 */
import {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../shared/apimachinery/meta.js';
import { StoreError } from '../../../shared/apimachinery/registry/store.js';
import { DynamoStore } from '../../../shared/storage/dynamo/dynamo-store.js';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const newStore = (): DynamoStore<KubeObject> =>
  new DynamoStore<KubeObject>({ client, tableName: 't1', resource: 'things', eventRetentionSeconds: 60, now: () => 1_000_000 });
const obj: KubeObject = { metadata: { name: 'x', namespace: 'ns', uid: 'u' } };
const key = { namespace: 'ns', name: 'x' };

const cancelled = (codes: (string | { Code: string; Item?: Record<string, unknown> })[]): TransactionCanceledException =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((c) => (typeof c === 'string' ? { Code: c } : c)) as never,
  });

beforeEach(() => ddb.reset());

describe('dynamo-store', () => {
  describe('create', () => {
    it('advances the counter, puts the object only if absent and appends to the log, in one transaction', async () => {
      // Prepare
      ddb.on(GetItemCommand).resolves({ Item: { rev: { N: '7' } } });
      ddb.on(TransactWriteItemsCommand).resolves({});
      // Act
      const created = await newStore().create(key, obj);
      // Assess
      expect(created.metadata.resourceVersion).toBe('8');
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 1);
      const items = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
      expect(items[0]!.Update).toMatchObject({
        Key: { pk: { S: 'obj#things' }, sk: { S: '!rev' } },
        ConditionExpression: '#rev = :cur',
        ExpressionAttributeValues: { ':next': { N: '8' }, ':cur': { N: '7' } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      expect(items[1]!.Put).toMatchObject({
        Item: { pk: { S: 'obj#things' }, sk: { S: 'ns/x' }, rv: { N: '8' } },
        ConditionExpression: 'attribute_not_exists(#pk)',
      });
      expect(items[2]!.Put!.Item).toMatchObject({
        pk: { S: 'log#things' },
        sk: { S: '00000000000000000008' },
        t: { S: 'ADDED' },
        ttl: { N: String(1000 + 60) },
      });
      // The namespace's head moves to the write's revision (a list of the namespace reads it).
      expect(items[items.length - 1]!.Update).toMatchObject({
        Key: { pk: { S: 'obj#things' }, sk: { S: 'ns/' } },
        UpdateExpression: 'SET #rev = :rev',
        ExpressionAttributeValues: { ':rev': { N: '8' } },
      });
      expect(items[items.length - 1]!.Update!.ConditionExpression).toBeUndefined();
    });

    it('retries at the counter value returned with the failure when another writer won', async () => {
      ddb.on(GetItemCommand).resolves({ Item: { rev: { N: '1' } } });
      ddb
        .on(TransactWriteItemsCommand)
        .rejectsOnce(cancelled([{ Code: 'ConditionalCheckFailed', Item: { rev: { N: '5' } } }, 'None', 'None']))
        .resolves({});
      const created = await newStore().create(key, obj);
      expect(created.metadata.resourceVersion).toBe('6');
      expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 1);
    });

    it('reports KeyExists when the object condition fails', async () => {
      ddb.on(GetItemCommand).resolves({ Item: { rev: { N: '1' } } });
      ddb.on(TransactWriteItemsCommand).rejects(cancelled(['None', 'ConditionalCheckFailed', 'None']));
      await expect(newStore().create(key, obj)).rejects.toSatisfy((e: unknown) => e instanceof StoreError && e.code === 'KeyExists');
    });

    it('retries after a transaction conflict and re-reads the counter', async () => {
      ddb.on(GetItemCommand).resolvesOnce({ Item: { rev: { N: '1' } } }).resolves({ Item: { rev: { N: '3' } } });
      ddb.on(TransactWriteItemsCommand).rejectsOnce(cancelled(['TransactionConflict', 'None', 'None'])).resolves({});
      const created = await newStore().create(key, obj);
      expect(created.metadata.resourceVersion).toBe('4');
    });

    it('maps throttling to Throttled', async () => {
      ddb.on(GetItemCommand).rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));
      await expect(newStore().create(key, obj)).rejects.toSatisfy((e: unknown) => e instanceof StoreError && e.code === 'Throttled');
    });
  });

  describe('guaranteedUpdate', () => {
    const stored = {
      pk: { S: 'obj#things' },
      sk: { S: 'ns/x' },
      rv: { N: '4' },
      enc: { S: 'raw' },
      b: { B: Buffer.from(JSON.stringify(obj)) },
    };

    it('reads object and counter in one round trip and conditions the put on the read resourceVersion', async () => {
      ddb.on(BatchGetItemCommand).resolves({ Responses: { t1: [stored, { pk: { S: 'obj#things' }, sk: { S: '!rev' }, rev: { N: '9' } }] } });
      ddb.on(TransactWriteItemsCommand).resolves({});
      const out = await newStore().guaranteedUpdate(key, (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { a: 'b' } } }));
      expect(out.object.metadata.resourceVersion).toBe('10');
      expect(ddb).toHaveReceivedCommandTimes(BatchGetItemCommand, 1);
      expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 0);
      const items = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
      expect(items[1]!.Put).toMatchObject({ ConditionExpression: '#rv = :rv', ExpressionAttributeValues: { ':rv': { N: '4' } } });
      expect(items[2]!.Put!.Item).toMatchObject({ t: { S: 'MODIFIED' }, pl: { S: '{}' } });
    });

    it('runs tryUpdate again on the newer object when the object changed meanwhile', async () => {
      const newer = { ...stored, rv: { N: '5' }, b: { B: Buffer.from(JSON.stringify({ ...obj, metadata: { ...obj.metadata, labels: { seen: 'newer' } } })) } };
      ddb
        .on(BatchGetItemCommand)
        .resolvesOnce({ Responses: { t1: [stored, { pk: { S: 'obj#things' }, sk: { S: '!rev' }, rev: { N: '4' } }] } })
        .resolves({ Responses: { t1: [newer, { pk: { S: 'obj#things' }, sk: { S: '!rev' }, rev: { N: '5' } }] } });
      ddb.on(TransactWriteItemsCommand).rejectsOnce(cancelled(['None', 'ConditionalCheckFailed', 'None'])).resolves({});
      const seen: (string | undefined)[] = [];
      await newStore().guaranteedUpdate(key, (cur) => {
        seen.push(cur.metadata.labels?.['seen']);
        return { ...cur, metadata: { ...cur.metadata, annotations: { n: '1' } } };
      });
      expect(seen).toEqual([undefined, 'newer']);
    });

    it('writes nothing when tryUpdate returns the same object', async () => {
      ddb.on(BatchGetItemCommand).resolves({ Responses: { t1: [stored] } });
      const out = await newStore().guaranteedUpdate(key, (cur) => cur);
      expect(out).toMatchObject({ changed: false, object: { metadata: { resourceVersion: '4' } } });
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteItemsCommand, 0);
    });
  });
});
