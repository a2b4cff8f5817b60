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

  describe('lists', () => {
    /** A client that records the command of every call it sends. */
    function countingClient(): { client: DynamoDBClient; calls: string[] } {
      const c = localClient();
      const calls: string[] = [];
      c.middlewareStack.add(
        (next, context) => async (args) => {
          calls.push(String(context.commandName));
          return next(args);
        },
        { step: 'initialize' },
      );
      return { client: c, calls };
    }

    it('reads a page and its resourceVersion in one Query, for a namespace and for all', async () => {
      const writer = store('paged');
      for (let i = 0; i < 6; i++) await writer.create({ namespace: 'p', name: `s${i}` }, { metadata: { name: `s${i}`, namespace: 'p' } });
      await writer.create({ namespace: 'q', name: 'only' }, { metadata: { name: 'only', namespace: 'q' } });
      const { client: counted, calls } = countingClient();
      const reader = new DynamoStore<KubeObject>({ client: counted, tableName: table.name, resource: 'paged', eventRetentionSeconds: 600 });
      try {
        const first = await reader.list({ namespace: 'p', limit: 4 });
        expect(first.items.map((o) => o.metadata.name)).toEqual(['s0', 's1', 's2', 's3']);
        expect(first.resourceVersion).toBe('6');
        expect(first.lastKey).toEqual({ namespace: 'p', name: 's3' });
        expect(calls).toEqual(['QueryCommand']);
        const next = await reader.list({ namespace: 'p', limit: 4, startAfter: first.lastKey!, resourceVersion: first.resourceVersion });
        expect(next.items.map((o) => o.metadata.name)).toEqual(['s4', 's5']);
        expect(calls).toEqual(['QueryCommand', 'QueryCommand']);
        calls.length = 0;
        const all = await reader.list({});
        expect(all.resourceVersion).toBe('7');
        expect(all.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([...[0, 1, 2, 3, 4, 5].map((i) => `p/s${i}`), 'q/only']);
        expect((await reader.list({ namespace: 'never' })).resourceVersion).toBe('0');
        expect(calls).toEqual(['QueryCommand', 'QueryCommand']);
        // The bookkeeping items never show up as objects, whatever the page size.
        const pages: string[] = [];
        let page = await reader.list({ limit: 1 });
        pages.push(...page.items.map((o) => o.metadata.name!));
        while (page.lastKey) {
          page = await reader.list({ limit: 1, startAfter: page.lastKey, resourceVersion: page.resourceVersion });
          pages.push(...page.items.map((o) => o.metadata.name!));
        }
        expect(pages).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 'only']);
      } finally {
        counted.destroy();
      }
    });

    it("resumes a watch from a quiet namespace's list at the present, even once the log has expired", async () => {
      let now = 1_000_000_000;
      const s = new DynamoStore<KubeObject>({ client, tableName: table.name, resource: 'quiet', eventRetentionSeconds: 60, now: () => now });
      await s.create({ namespace: 'still', name: 'x' }, { metadata: { name: 'x', namespace: 'still' } });
      for (let i = 0; i < 3; i++) await s.create({ namespace: 'busy', name: `b${i}` }, { metadata: { name: `b${i}`, namespace: 'busy' } });
      now += 120_000; // every log entry is past its TTL
      const listed = await s.list({ namespace: 'still' });
      expect(listed.resourceVersion).toBe('1');
      expect((await s.changesSince(1, 10)).kind).toBe('compacted');
      const from = await s.resumePoint(Number(listed.resourceVersion), 'still');
      expect(from).toBe(4);
      expect(await s.changesSince(from, 10)).toEqual({ kind: 'changes', changes: [] });
      // A namespace that changed after the revision continues there (and gets 410 when expired).
      expect(await s.resumePoint(1, 'busy')).toBe(1);
    });
  });

  describe('list + watch under concurrent writers', () => {
    it("misses nothing: every list, brought forward by the log from its resourceVersion, ends at the final state", async () => {
      // Independent stores (as separate Lambdas) write to three namespaces while lists run.
      const writers = Array.from({ length: 3 }, () => store('churn'));
      const reader = store('churn');
      const namespaces = ['n0', 'n1', 'n2'];
      const snapshots: { namespace: string | undefined; rv: number; items: Map<string, string> }[] = [];
      const keyOf = (o: KubeObject): string => `${o.metadata.namespace}/${o.metadata.name}`;
      let writing = true;
      const listing = (async () => {
        for (let i = 0; writing && i < 200; i++) {
          const namespace = i % 4 === 3 ? undefined : namespaces[i % 3];
          const page = await reader.list(namespace === undefined ? {} : { namespace });
          snapshots.push({ namespace, rv: Number(page.resourceVersion), items: new Map(page.items.map((o) => [keyOf(o), o.metadata.resourceVersion ?? ''])) });
        }
      })();
      await Promise.all(
        writers.map(async (w, wi) => {
          for (let j = 0; j < 12; j++) {
            const namespace = namespaces[(wi + j) % 3]!;
            const name = `o${j % 4}`;
            const k = { namespace, name };
            try {
              await w.create(k, { metadata: { name, namespace, labels: { by: `w${wi}` } } });
            } catch {
              // Taken: change it, or delete it every third time.
              if (j % 3 === 0) await w.delete(k, () => ({ action: 'delete' })).catch(() => undefined);
              else await w.guaranteedUpdate(k, (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { by: `w${wi}`, j: String(j) } } })).catch(() => undefined);
            }
          }
        }),
      );
      writing = false;
      await listing;
      expect(snapshots.length).toBeGreaterThan(3);
      const final = new Map((await reader.list({})).items.map((o) => [keyOf(o), o.metadata.resourceVersion ?? '']));
      for (const snap of snapshots) {
        // What a watch from the list's resourceVersion delivers, applied to the list.
        const state = new Map(snap.items);
        let cursor = await reader.resumePoint(snap.rv, snap.namespace);
        for (;;) {
          const res = await reader.changesSince(cursor, 100);
          if (res.kind !== 'changes') throw new Error('log compacted');
          if (res.changes.length === 0) break;
          for (const c of res.changes) {
            cursor = c.revision;
            if (snap.namespace !== undefined && c.object.metadata.namespace !== snap.namespace) continue;
            if (c.type === 'DELETED') state.delete(keyOf(c.object));
            else state.set(keyOf(c.object), String(c.revision));
          }
        }
        const expected = new Map([...final].filter(([k]) => snap.namespace === undefined || k.startsWith(`${snap.namespace}/`)));
        expect(state).toEqual(expected);
      }
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
