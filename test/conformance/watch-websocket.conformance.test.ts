/**
 * Watch over WebSocket, black box: a `ws` client against the local stack (the dev gateway's
 * HTTPS port, the DynamoDB Local stream poller, the fan-out and `@connections` emulation),
 * writes through the HTTP API.
 */
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerProtocols } from '../../shared/watch/handshake.js';
import { http, startStackForTest, type StackUnderTest } from '../helpers/local-stack.js';
import { HandshakeRefused, openWatch, type WatchEvent } from '../helpers/ws-watch.js';

let stack: StackUnderTest;

beforeAll(async () => {
  stack = await startStackForTest();
});
afterAll(async () => {
  await stack?.stop();
});

const NS = (ns: string): string => `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreams`;
const ALL = '/apis/image.openshift.io/v1/imagestreams';
/** "Start at most recent" without initial events: only what happens next. */
const LIVE = 'watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan';

const stream = (name: string, labels: Record<string, string> = {}, annotations?: Record<string, string>) => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name, labels, ...(annotations ? { annotations } : {}) },
  spec: { lookupPolicy: { local: false } },
});

async function create(ns: string, name: string, labels: Record<string, string> = {}): Promise<string> {
  const res = await http(stack, 'POST', NS(ns), { body: JSON.stringify(stream(name, labels)) });
  expect(res.status).toBe(201);
  return res.json.metadata.resourceVersion;
}

async function relabel(ns: string, name: string, labels: Record<string, string>): Promise<string> {
  const res = await http(stack, 'PATCH', `${NS(ns)}/${name}`, {
    body: JSON.stringify({ metadata: { labels } }),
    headers: { 'Content-Type': 'application/merge-patch+json' },
  });
  expect(res.status).toBe(200);
  return res.json.metadata.resourceVersion;
}

async function remove(ns: string, name: string): Promise<void> {
  expect((await http(stack, 'DELETE', `${NS(ns)}/${name}`)).status).toBe(200);
}

const summary = (evs: readonly WatchEvent[]): string[] =>
  evs.map((e) =>
    e.type === 'BOOKMARK'
      ? `BOOKMARK${e.object.metadata.annotations?.['k8s.io/initial-events-end'] ? ' end' : ''}`
      : e.type === 'ERROR'
        ? `ERROR ${e.object.code}`
        : `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}@${e.object.metadata.resourceVersion}`,
  );

/** A watch is subscribed once its replay has run: wait for its initial-events-end bookmark. */
async function subscribed(path: string, opts: Parameters<typeof openWatch>[2] = {}) {
  const sep = path.includes('?') ? '&' : '?';
  const w = await openWatch(stack.port, `${path}${sep}watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`, { token: stack.token, ...opts });
  await w.until((evs) => evs.some((e) => e.type === 'BOOKMARK'));
  return w;
}

describe('watch over WebSocket (local stack, black box)', () => {
  describe('handshake', () => {
    it('refuses a client without a token, or with an unknown one, with 401', async () => {
      await expect(openWatch(stack.port, `${NS('auth')}?watch=true`, { token: null })).rejects.toMatchObject({ status: 401 });
      const refused = await openWatch(stack.port, `${NS('auth')}?watch=true`, { token: 'wrong' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(HandshakeRefused);
      expect((refused as HandshakeRefused).status).toBe(401);
      expect(JSON.parse((refused as HandshakeRefused).body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    });

    it('refuses a handshake without Origin with 403, as the apiserver does', async () => {
      await expect(openWatch(stack.port, `${NS('auth')}?watch=true`, { token: stack.token, origin: null })).rejects.toMatchObject({ status: 403 });
    });

    it('accepts the token as the base64url bearer subprotocol and echoes the other subprotocol', async () => {
      // Prepare
      const w = await openWatch(stack.port, `${NS('proto')}?${LIVE}`, { token: null, protocols: bearerProtocols(stack.token) });
      // Act (no wait: the subscription's position was fixed when the handshake completed)
      const rv = await create('proto', 'x');
      // Assess
      expect(w.protocol).toBe('base64.binary.k8s.io');
      expect(summary(await w.next(1))).toEqual([`ADDED proto/x@${rv}`]);
      await w.close();
    });

    it('refuses the token subprotocol alone (missing additional subprotocol) and bad watch options', async () => {
      await expect(openWatch(stack.port, `${NS('proto')}?watch=true`, { token: null, protocols: bearerProtocols(stack.token).slice(0, 1) })).rejects.toMatchObject({ status: 401 });
      await expect(openWatch(stack.port, `${NS('proto')}?watch=true&labelSelector=a%3D%3D%3Db`, { token: stack.token })).rejects.toMatchObject({ status: 400 });
      await expect(openWatch(stack.port, `/apis/image.openshift.io/v1/namespaces/x/nothings?watch=true`, { token: stack.token })).rejects.toMatchObject({ status: 404 });
    });
  });

  describe('events', () => {
    it('delivers ADDED, MODIFIED and DELETED of its namespace only; an all-namespaces watch sees both', async () => {
      // Prepare
      const a = await subscribed(NS('team-a'));
      const b = await subscribed(NS('team-b'));
      const all = await subscribed(ALL);
      const startA = a.events.length;
      const startB = b.events.length;
      // Act
      const r1 = await create('team-a', 'web');
      const r2 = await create('team-b', 'db');
      const r3 = await relabel('team-a', 'web', { tier: 'front' });
      await remove('team-a', 'web');
      const del = Number(r3) + 1;
      // Assess
      await a.until((evs) => evs.length >= startA + 3);
      await all.until((evs) => evs.some((e) => e.type === 'DELETED'));
      await new Promise((r) => setTimeout(r, 300));
      expect(summary(a.events.slice(startA))).toEqual([`ADDED team-a/web@${r1}`, `MODIFIED team-a/web@${r3}`, `DELETED team-a/web@${del}`]);
      expect(summary(b.events.slice(startB))).toEqual([`ADDED team-b/db@${r2}`]);
      expect(summary(all.events).filter((s) => !s.startsWith('BOOKMARK') && /team-[ab]/.test(s))).toEqual([
        `ADDED team-a/web@${r1}`,
        `ADDED team-b/db@${r2}`,
        `MODIFIED team-a/web@${r3}`,
        `DELETED team-a/web@${del}`,
      ]);
      await Promise.all([a.close(), b.close(), all.close()]);
    });

    it('sends the current state, then the initial-events-end bookmark, then changes', async () => {
      // Prepare
      const r1 = await create('initial', 'one');
      const r2 = await create('initial', 'two');
      // Act
      const w = await subscribed(NS('initial'));
      const r3 = await create('initial', 'three');
      await w.next(4);
      // Assess
      expect(summary(w.events)).toEqual([`ADDED initial/one@${r1}`, `ADDED initial/two@${r2}`, 'BOOKMARK end', `ADDED initial/three@${r3}`]);
      await w.close();
    });

    it('resumes from a resourceVersion with no gap and no duplicate', async () => {
      // Prepare
      const w = await openWatch(stack.port, `${NS('resume')}?${LIVE}`, { token: stack.token });
      const r1 = await create('resume', 'a');
      const r2 = await create('resume', 'b');
      await w.next(2);
      await w.close();
      const r3 = await create('resume', 'c');
      const r4 = await relabel('resume', 'a', { v: '2' });
      // Act
      const again = await openWatch(stack.port, `${NS('resume')}?watch=true&resourceVersion=${r2}`, { token: stack.token });
      const r5 = await create('resume', 'd');
      await again.next(3);
      await new Promise((r) => setTimeout(r, 300));
      // Assess
      expect(summary(w.events)).toEqual([`ADDED resume/a@${r1}`, `ADDED resume/b@${r2}`]);
      expect(summary(again.events)).toEqual([`ADDED resume/c@${r3}`, `MODIFIED resume/a@${r4}`, `ADDED resume/d@${r5}`]);
      await again.close();
    });

    it('answers a resourceVersion older than the event log with a 410 Expired ERROR and closes', async () => {
      // Prepare: drop the oldest log entries, as the retention window would.
      const r1 = Number(await create('expired', 'a'));
      const r2 = Number(await create('expired', 'b'));
      await create('expired', 'c');
      const ddb = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      for (let rev = 1; rev <= r2; rev++) {
        await ddb.send(new DeleteItemCommand({ TableName: stack.tableName, Key: { pk: { S: 'log#imagestreams.image.openshift.io' }, sk: { S: String(rev).padStart(20, '0') } } }));
      }
      ddb.destroy();
      // Act
      const w = await openWatch(stack.port, `${NS('expired')}?watch=true&resourceVersion=${r1}`, { token: stack.token });
      const code = await w.closed;
      // Assess
      expect(summary(w.events)).toEqual(['ERROR 410']);
      expect(w.events[0]!.object).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/) });
      expect(code).toBe(1000);
    });

    it('filters by label selector with transitions and by name through the /watch/ path', async () => {
      // Prepare
      const byLabel = await subscribed(`${NS('select')}?labelSelector=tier%3Ddb`);
      const byName = await subscribed('/apis/image.openshift.io/v1/watch/namespaces/select/imagestreams/only');
      // Act
      const r1 = await create('select', 'only', { tier: 'web' });
      const r2 = await relabel('select', 'only', { tier: 'db' });
      const r3 = await relabel('select', 'only', { tier: 'web' });
      await create('select', 'other', { tier: 'web' });
      // Assess
      await byLabel.until((evs) => evs.some((e) => e.type === 'DELETED'));
      await byName.until((evs) => evs.filter((e) => e.type === 'MODIFIED').length === 2);
      await new Promise((r) => setTimeout(r, 300));
      expect(summary(byLabel.events)).toEqual(['BOOKMARK end', `ADDED select/only@${r2}`, `DELETED select/only@${r3}`]);
      expect(summary(byName.events)).toEqual(['BOOKMARK end', `ADDED select/only@${r1}`, `MODIFIED select/only@${r2}`, `MODIFIED select/only@${r3}`]);
      await Promise.all([byLabel.close(), byName.close()]);
    });

    it('serves the AWS form of the URL (the watch path in ?path=) with the same events', async () => {
      // Prepare
      const w = await openWatch(stack.port, `/local?path=${encodeURIComponent(NS('aws-form'))}&${LIVE}`, { token: stack.token });
      // Act
      const rv = await create('aws-form', 'x');
      // Assess
      expect(summary(await w.next(1))).toEqual([`ADDED aws-form/x@${rv}`]);
      await w.close();
    });

    it('delivers an event larger than the 128 KB message limit in parts that reassemble', async () => {
      // Prepare
      const w = await openWatch(stack.port, `${NS('large')}?${LIVE}`, { token: stack.token });
      const parts: number[] = [];
      w.ws.on('message', (m: Buffer) => parts.push(m.length));
      const blob = 'x'.repeat(200_000);
      // Act
      const res = await http(stack, 'POST', NS('large'), { body: JSON.stringify(stream('big', {}, { blob })) });
      expect(res.status).toBe(201);
      const [ev] = await w.next(1);
      // Assess
      expect(ev!.object.metadata.annotations.blob).toBe(blob);
      expect(parts.length).toBe(2);
      expect(Math.max(...parts)).toBeLessThanOrEqual(120 * 1024);
      await w.close();
    });

    it('ends a watch at its timeoutSeconds with a final bookmark', async () => {
      // Prepare
      const w = await subscribed(`${NS('timeout')}?timeoutSeconds=1`);
      await new Promise((r) => setTimeout(r, 1100));
      // Act
      await stack.tick();
      const code = await w.closed;
      // Assess
      // (a periodic tick may have sent a bookmark in between)
      expect(summary(w.events)[0]).toBe('BOOKMARK end');
      expect(summary(w.events).slice(1)).toEqual(expect.arrayContaining(['BOOKMARK']));
      expect(new Set(summary(w.events).slice(1))).toEqual(new Set(['BOOKMARK']));
      expect(code).toBe(1000);
    });
  });
});
