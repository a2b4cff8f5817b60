/**
 * DynamoDB-specific store behaviour against DynamoDB Local: big objects in chunks, the size
 * limit, the event log written in the same transaction, and dense revisions across several
 * independent writers (as several Lambda instances would be).
 */
import { randomBytes } from 'node:crypto';
import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/apimachinery/meta.js';
import { StoreError } from '../../shared/apimachinery/registry/store.js';
import { DynamoStore } from '../../shared/storage/dynamo/dynamo-store.js';
import { freshTable, localClient } from '../helpers/dynamo.js';

let client: DynamoDBClient;
let table: { name: string; drop: () => Promise<void> };

beforeAll(async () => {
  client = localClient();
  table = await freshTable(client, 'dyn');
});
afterAll(async () => {
  await table.drop();
  client.destroy();
});

const store = (resource = 'things'): DynamoStore<KubeObject> =>
  new DynamoStore<KubeObject>({ client, tableName: table.name, resource, eventRetentionSeconds: 600 });

/** An object whose JSON is about `bytes` long and does not compress. */
function bigObject(name: string, bytes: number): KubeObject {
  const annotations: Record<string, string> = {};
  const per = 60_000;
  for (let i = 0; i * per < bytes; i++) annotations[`example.com/blob-${i}`] = randomBytes(per * 0.75).toString('base64');
  return { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name, namespace: 'big', uid: 'u', annotations } };
}

async function partition(pk: string): Promise<Record<string, unknown>[]> {
  const out = await client.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk } },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as Record<string, unknown>[];
}

describe('DynamoStore', () => {
  describe('large objects', () => {
    it('round-trips a 1.5 MiB object through chunk items and cleans them up', async () => {
      // Prepare
      const s = store('big');
      const obj = bigObject('large', 1.5 * 1024 * 1024);
      // Act
      const created = await s.create({ namespace: 'big', name: 'large' }, obj);
      const read = await s.get({ namespace: 'big', name: 'large' });
      const listed = await s.list({ namespace: 'big' });
      // Assess
      expect(read).toEqual(created);
      expect(listed.items).toEqual([created]);
      expect((await partition('chunk#big#big/large')).length).toBeGreaterThan(1);

      const small = await s.guaranteedUpdate({ namespace: 'big', name: 'large' }, (cur) => ({
        ...cur,
        metadata: { ...cur.metadata, annotations: { small: 'yes' } },
      }));
      expect(small.object.metadata.annotations).toEqual({ small: 'yes' });
      expect(await partition('chunk#big#big/large')).toEqual([]);
      expect((await s.get({ namespace: 'big', name: 'large' })).metadata.annotations).toEqual({ small: 'yes' });
    });

    it('refuses an object that cannot be stored with TooLarge and writes nothing', async () => {
      const s = store('huge');
      const before = await s.currentResourceVersion();
      await expect(s.create({ namespace: 'big', name: 'huge' }, bigObject('huge', 2.2 * 1024 * 1024))).rejects.toSatisfy(
        (e: unknown) => e instanceof StoreError && e.code === 'TooLarge',
      );
      expect(await s.currentResourceVersion()).toBe(before);
      expect(await partition('obj#huge')).toEqual([]);
    });
  });

  describe('event log', () => {
    it('appends one entry per committed change at its revision, with a TTL', async () => {
      const s = store('logged');
      const k = { namespace: 'ns', name: 'x' };
      await s.create(k, { metadata: { name: 'x', namespace: 'ns', uid: 'u1', labels: { a: '1' } } });
      await s.guaranteedUpdate(k, (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { a: '2' } } }));
      await s.guaranteedUpdate(k, (cur) => cur); // no-op: no entry
      await s.delete(k, () => ({ action: 'delete' }));
      const log = await partition('log#logged');
      expect(log.map((i) => [(i['sk'] as { S: string }).S, (i['t'] as { S: string }).S])).toEqual([
        ['00000000000000000001', 'ADDED'],
        ['00000000000000000002', 'MODIFIED'],
        ['00000000000000000003', 'DELETED'],
      ]);
      expect((log[1]!['pl'] as { S: string }).S).toBe('{"a":"1"}');
      const ttl = Number((log[0]!['ttl'] as { N: string }).N);
      expect(ttl).toBeGreaterThan(Date.now() / 1000);
    });
  });

  describe('concurrent writers', () => {
    it('gives every write a distinct, dense revision in commit order', async () => {
      const writers = Array.from({ length: 4 }, () => store('race'));
      await Promise.all(
        writers.flatMap((w, i) =>
          Array.from({ length: 8 }, (_, j) => w.create({ namespace: `n${i}`, name: `o${j}` }, { metadata: { name: `o${j}`, namespace: `n${i}` } })),
        ),
      );
      const items = (await writers[0]!.list({})).items;
      const rvs = items.map((o) => Number(o.metadata.resourceVersion)).sort((a, b) => a - b);
      expect(rvs).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
      const log = await partition('log#race');
      expect(log.map((i) => Number((i['rv'] as { N: string }).N))).toEqual(rvs);
    });
  });
});
