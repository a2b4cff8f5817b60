/**
 * The watch fan-out with a mocked `@connections` API (aws-sdk-client-mock): stream records
 * in, ordered gap-free events out to the right subscribers; GoneException cleanup, partial
 * batch failures, large events, replays racing live delivery.
 */
import { GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, MESSAGE_PART_BYTES } from '../../../shared/watch/framing.js';
import { ALL, apigw, harness, NS } from './harness.js';

const names = (h: ReturnType<typeof harness>, id: string): string[] => h.events(id).map((e) => `${e.type} ${e.what}`);

describe('watch fanout', () => {
  describe('log records', () => {
    it('delivers ADDED, MODIFIED and DELETED to the subscribers of the namespace and of all namespaces only', async () => {
      // Prepare
      const h = harness();
      await h.watch('a1', `${NS('a')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      await h.watch('b1', `${NS('b')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      await h.watch('all', `${ALL}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      // Act
      await h.create('a', 'x');
      await h.create('b', 'y');
      await h.update('a', 'x', { app: 'other' });
      await h.remove('a', 'x');
      const failed = await h.fanout(h.logRecords());
      // Assess
      expect(failed).toEqual([]);
      expect(names(h, 'a1')).toEqual(['ADDED a/x@1', 'MODIFIED a/x@3', 'DELETED a/x@4']);
      expect(names(h, 'b1')).toEqual(['ADDED b/y@2']);
      expect(names(h, 'all')).toEqual(['ADDED a/x@1', 'ADDED b/y@2', 'MODIFIED a/x@3', 'DELETED a/x@4']);
    });

    it('delivers each event exactly once and in order when records arrive duplicated, reordered and in separate batches', async () => {
      // Prepare
      const h = harness();
      await h.watch('w', `${NS('a')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      for (const n of ['p', 'q', 'r']) await h.create('a', n);
      await h.update('a', 'p', { tier: 'x' });
      const [r1, r2, r3, r4] = h.logRecords(0, { bare: true });
      // Act
      for (const batch of [[r3!], [r1!, r1!], [r2!, r4!, r3!], [r4!]]) expect(await h.fanout(batch)).toEqual([]);
      // Assess
      expect(names(h, 'w')).toEqual(['ADDED a/p@1', 'ADDED a/q@2', 'ADDED a/r@3', 'MODIFIED a/p@4']);
    });

    it('turns selector transitions into ADDED and DELETED', async () => {
      // Prepare
      const h = harness();
      await h.create('a', 'x', { tier: 'web' });
      await h.watch('w', `${NS('a')}?labelSelector=tier%3Ddb&resourceVersion=1`);
      // Act
      await h.update('a', 'x', { tier: 'db' });
      await h.update('a', 'x', { tier: 'db', more: 'y' });
      await h.update('a', 'x', { tier: 'web' });
      await h.fanout(h.logRecords(1));
      // Assess
      expect(names(h, 'w')).toEqual(['ADDED a/x@2', 'MODIFIED a/x@3', 'DELETED a/x@4']);
    });

    it('serves the change a record carries without reading the log', async () => {
      // Prepare
      const h = harness();
      await h.watch('w', `${NS('a')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      await h.create('a', 'x');
      let reads = 0;
      const original = h.store.changesSince.bind(h.store);
      h.store.changesSince = async (after, limit) => {
        reads++;
        return original(after, limit);
      };
      // Act
      await h.fanout(h.logRecords());
      // Assess
      expect(names(h, 'w')).toEqual(['ADDED a/x@1']);
      expect(reads).toBe(0);
    });

    it('costs two writes per partition (lease, release) and none per subscriber once the subscribers have joined the group', async () => {
      // Prepare
      const h = harness();
      for (let i = 0; i < 20; i++) await h.watch(`c${i}`, `${NS('a')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      await h.create('a', 'first');
      await h.fanout(h.logRecords());
      const before = new Map(h.subs.calls);
      await h.create('a', 'second');
      // Act
      await h.fanout(h.logRecords(1));
      // Assess
      const delta = (m: string): number => (h.subs.calls.get(m) ?? 0) - (before.get(m) ?? 0);
      expect(delta('acquirePartition')).toBe(1); // the `*` partition has no subscribers: not even a lease
      expect(delta('releasePartition')).toBe(1);
      for (const m of ['joinGroup', 'setCursor', 'leaveGroup', 'progressPending']) expect(delta(m)).toBe(0);
      for (let i = 0; i < 20; i++) expect(names(h, `c${i}`)).toEqual(['ADDED a/first@1', 'ADDED a/second@2']);
    });
  });

  describe('GoneException', () => {
    it('removes exactly the gone connection and keeps serving the others', async () => {
      // Prepare
      const h = harness();
      await h.watch('stays', `${NS('a')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      await h.watch('goes', `${NS('a')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      await h.watch('other', `${NS('b')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      h.open.delete('goes');
      await h.create('a', 'x');
      // Act
      const failed = await h.fanout(h.logRecords());
      // Assess
      expect(failed).toEqual([]);
      expect(names(h, 'stays')).toEqual(['ADDED a/x@1']);
      expect(h.subs.all().map((s) => s.connectionId).sort()).toEqual(['other', 'stays']);
      expect(await h.subs.byConnection('goes')).toBeUndefined();
    });

    it('treats a 410 right after $connect as "not open yet" and retries within the grace period', async () => {
      // Prepare
      const h = harness({ tuning: { connectGraceMs: 2_000, sleep: async () => undefined } });
      await h.create('a', 'x');
      await h.connect('late', `${NS('a')}`);
      h.open.delete('late');
      let calls = 0;
      apigw.on(PostToConnectionCommand, { ConnectionId: 'late' }).callsFake(() => {
        if (++calls === 2) h.open.add('late');
        if (calls < 3) throw new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } });
        const list = h.messages.get('late') ?? [];
        list.push('{"type":"ADDED","object":{"metadata":{"namespace":"a","name":"x","resourceVersion":"1"}}}\n');
        h.messages.set('late', list);
        return {};
      });
      // Act
      const failed = await h.fanout([h.subscriptionRecord('late')]);
      // Assess
      expect(failed).toEqual([]);
      expect(names(h, 'late')).toEqual(['ADDED a/x@1']);
      expect(await h.subs.byConnection('late')).toBeDefined();
    });
  });

  describe('partial batch failure', () => {
    it('reports the failing record and, on retry, delivers it to the failed subscriber without repeating it to the others', async () => {
      // Prepare
      const h = harness();
      await h.watch('ok', `${NS('a')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      await h.watch('flaky', `${NS('a')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      await h.create('a', 'x');
      await h.fanout(h.logRecords());
      await h.create('a', 'y');
      await h.create('b', 'z');
      const records = h.logRecords(1);
      let fail = true;
      const deliver = apigw.commandCalls(PostToConnectionCommand).length;
      expect(deliver).toBeGreaterThan(0);
      apigw.on(PostToConnectionCommand, { ConnectionId: 'flaky' }).callsFake((input: { ConnectionId: string; Data: Uint8Array }) => {
        if (fail) throw Object.assign(new Error('Internal server error'), { name: 'InternalServerErrorException', $fault: 'server', $metadata: { httpStatusCode: 500 } });
        h.messages.get('flaky')!.push(Buffer.from(input.Data).toString());
        return {};
      });
      // Act
      const failed = await h.fanout(records);
      fail = false;
      const retried = await h.fanout(records.slice(records.findIndex((r) => r.dynamodb!.SequenceNumber === failed[0])));
      // Assess
      expect(failed).toEqual([records[0]!.dynamodb!.SequenceNumber]);
      expect(retried).toEqual([]);
      expect(names(h, 'ok')).toEqual(['ADDED a/x@1', 'ADDED a/y@2']);
      expect(names(h, 'flaky')).toEqual(['ADDED a/x@1', 'ADDED a/y@2']);
    });
  });

  describe('large events', () => {
    it('splits an event over 128 KB into text messages of at most 120 KB that reassemble into the line', async () => {
      // Prepare
      const h = harness();
      await h.watch('w', `${NS('a')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      const big = 'é'.repeat(100_000); // 200 KB of two-byte characters (annotations are limited to 256 KiB)
      const res = await h.call('POST', NS('a'), {
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStream',
        metadata: { name: 'big', annotations: { blob: big } },
        spec: {},
      });
      expect(res.status).toBe(201);
      // Act
      await h.fanout(h.logRecords());
      // Assess
      const msgs = h.messages.get('w')!;
      expect(msgs.length).toBe(2);
      for (const m of msgs) expect(Buffer.byteLength(m)).toBeLessThanOrEqual(MESSAGE_PART_BYTES);
      expect(msgs.slice(0, -1).every((m) => !m.endsWith('\n'))).toBe(true);
      expect(msgs[msgs.length - 1]!.endsWith('\n')).toBe(true);
      const [ev] = h.events('w');
      expect(ev!.type).toBe('ADDED');
      expect(ev!.object.metadata.annotations.blob).toBe(big);
      expect(MAX_MESSAGE_BYTES).toBe(131072);
    });

    it('closes the connection when a split event fails part-way instead of leaving half a line', async () => {
      // Prepare
      const h = harness();
      await h.watch('w', `${NS('a')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      await h.call('POST', NS('a'), { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'big', annotations: { blob: 'x'.repeat(200_000) } }, spec: {} });
      let n = 0;
      apigw.on(PostToConnectionCommand, { ConnectionId: 'w' }).callsFake(() => {
        if (++n === 2) throw Object.assign(new Error('boom'), { name: 'InternalServerErrorException', $fault: 'server', $metadata: { httpStatusCode: 500 } });
        return {};
      });
      // Act
      const failed = await h.fanout(h.logRecords());
      // Assess
      expect(failed).toEqual([]);
      expect(h.closed.has('w')).toBe(true);
      expect(await h.subs.byConnection('w')).toBeUndefined();
    });
  });

  describe('replay', () => {
    it('sends the current state, then the initial-events-end bookmark, then live events', async () => {
      // Prepare
      const h = harness();
      await h.create('a', 'x');
      await h.create('b', 'other');
      await h.create('a', 'y');
      // Act
      await h.watch('w', `${NS('a')}?sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
      await h.create('a', 'z');
      await h.fanout(h.logRecords(3));
      // Assess
      expect(names(h, 'w')).toEqual(['ADDED a/x@1', 'ADDED a/y@3', 'BOOKMARK 3 end', 'ADDED a/z@4']);
    });

    it('does not repeat a change the initial state already showed (committed between the list revision and its query)', async () => {
      // Prepare: the list reports an older revision than some of the objects it returns.
      const h = harness();
      for (const n of ['x', 'y', 'z']) await h.create('a', n);
      const list = h.store.list.bind(h.store);
      h.store.list = async (req) => ({ ...(await list(req)), resourceVersion: '1' });
      // The revision read before the list (the watch's snapshot) is as old, once.
      const current = h.store.currentResourceVersion.bind(h.store);
      let stale = true;
      h.store.currentResourceVersion = async () => (stale ? ((stale = false), '1') : current());
      // Act
      await h.watch('w', `${NS('a')}?sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
      await h.update('a', 'y', { v: '2' });
      await h.fanout(h.logRecords());
      // Assess
      expect(names(h, 'w')).toEqual(['ADDED a/x@1', 'ADDED a/y@2', 'ADDED a/z@3', 'BOOKMARK 1 end', 'MODIFIED a/y@4']);
    });

    it('replays everything after a resourceVersion, then goes live without a gap or a duplicate', async () => {
      // Prepare
      const h = harness();
      for (const n of ['p', 'q', 'r', 's']) await h.create('a', n);
      // Act
      await h.watch('w', `${NS('a')}?resourceVersion=2`);
      await h.create('a', 't');
      await h.fanout(h.logRecords()); // every record again: duplicates for the replayed part
      // Assess
      expect(names(h, 'w')).toEqual(['ADDED a/r@3', 'ADDED a/s@4', 'ADDED a/t@5']);
    });

    it('answers a resourceVersion older than the log with a 410 Expired ERROR and closes', async () => {
      // Prepare
      const h = harness({ retainEvents: 2 });
      for (const n of ['p', 'q', 'r', 's']) await h.create('a', n);
      // Act
      await h.watch('w', `${NS('a')}?resourceVersion=1`);
      // Assess
      const evs = h.events('w');
      expect(evs.map((e) => `${e.type} ${e.what}`)).toEqual(['ERROR 410 Expired']);
      expect(evs[0]!.object).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 1 (2)' });
      expect(h.closed.has('w')).toBe(true);
      expect(h.subs.all()).toEqual([]);
    });

    it('answers a resourceVersion from the future with a 504 ERROR after a short wait', async () => {
      // Prepare
      const h = harness({ tuning: { futureWaitMs: 50 } });
      await h.create('a', 'p');
      // Act
      await h.watch('w', `${NS('a')}?resourceVersion=9`);
      // Assess
      expect(h.events('w').map((e) => `${e.type} ${e.what}`)).toEqual(['ERROR 504 Timeout']);
    });

    it('gives every event exactly once and in order while replays race live records', async () => {
      // Prepare: slow posts so that replays and partition holders overlap.
      for (let round = 0; round < 10; round++) {
        const h = harness();
        apigw.on(PostToConnectionCommand).callsFake(async (input: { ConnectionId: string; Data: Uint8Array }) => {
          await new Promise((r) => setTimeout(r, Math.random() * 3));
          const list = h.messages.get(input.ConnectionId) ?? [];
          list.push(Buffer.from(input.Data).toString('utf8'));
          h.messages.set(input.ConnectionId, list);
          return {};
        });
        for (let i = 0; i < 5; i++) await h.create('a', `pre${i}`);
        const ids = ['w0', 'w1', 'w2', 'w3'];
        const paths = [`${NS('a')}?resourceVersion=2`, `${NS('a')}`, `${ALL}?resourceVersion=4`, `${NS('a')}?resourceVersion=5`];
        for (let i = 0; i < ids.length; i++) expect((await h.connect(ids[i]!, paths[i]!)).statusCode).toBe(200);
        // Act: replays, writes and their records all at once, records duplicated.
        const inflight: Promise<unknown>[] = [];
        const writes = (async () => {
          for (let i = 0; i < 10; i++) {
            await h.create('a', `live${i}`);
            const records = h.logRecords(Number(await h.store.currentResourceVersion()) - 1);
            inflight.push(h.fanout(records), h.fanout(records.reverse()));
          }
        })();
        const replays = ids.map((id) => h.fanout([h.subscriptionRecord(id)]));
        await Promise.all([writes, ...replays]);
        await Promise.all(inflight);
        await h.fanout(h.logRecords());
        // Assess
        const revs = (id: string): number[] => h.events(id).map((e) => Number(e.object.metadata.resourceVersion));
        const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
        expect(revs('w0')).toEqual(range(3, 15));
        // w1 started with the state: every object once (the list in name order), then the rest in order.
        expect(revs('w1').slice().sort((x, y) => x - y)).toEqual(range(1, 15));
        expect(revs('w2')).toEqual(range(5, 15));
        expect(revs('w3')).toEqual(range(6, 15));
      }
    });
  });
});
