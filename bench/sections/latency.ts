/**
 * 1. Handler overhead vs the database. Each operation on a realistic 20-tag stream through
 * the local HTTPS gateway (a keep-alive client, one request at a time), against the raw
 * DynamoDB calls that operation needs (RawStore: the same items, conditions and bodies),
 * on the same DynamoDB Local, alternating request by request so both see the same machine.
 */
import { benchImageStream, benchUpdatedImageStream } from '../../shared/image/bench-fixtures.js';
import type { ImageStream } from '../../shared/image/types.js';
import { benchDynamoClient } from '../lib/dynamo-client.js';
import { collectionPath, httpsClient, objectPath } from '../lib/https-client.js';
import { RawStore } from '../lib/raw-dynamo.js';
import { emptySection, fmt, fmtRatio, row, summarize, table } from '../lib/stats.js';
import type { BenchContext, SectionResult, Target } from '../lib/types.js';

const OPS = ['create', 'get', 'list', 'update', 'patch', 'delete'] as const;
type Op = (typeof OPS)[number];

const TARGETS: Record<Op, Target | undefined> = {
  create: { on: 'ratio', max: 2 },
  get: { on: 'ratio', max: 1.5 },
  list: undefined,
  update: { on: 'ratio', max: 2 },
  patch: { on: 'ratio', max: 2 },
  delete: { on: 'ratio', max: 2 },
};

export async function run(ctx: BenchContext): Promise<SectionResult> {
  const out = emptySection('latency', '1. Handler overhead vs DynamoDB (20-tag stream, concurrency 1)', 'raw SDK calls of the same operation, same DynamoDB Local');
  const stack = await ctx.stack();
  const http = httpsClient(stack.port, stack.token);
  const client = benchDynamoClient(ctx.dynamodbEndpoint, stack.tableName);
  const raw = new RawStore(client, stack.tableName, 'rawbench');
  const ns = `lat-${Date.now().toString(36)}`;
  const warm = ctx.n(30, 5);
  const n = ctx.n(300, 30);
  const total = warm + n;
  const api: Record<Op, number[]> = { create: [], get: [], list: [], update: [], patch: [], delete: [] };
  const base: Record<Op, number[]> = { create: [], get: [], list: [], update: [], patch: [], delete: [] };
  const objects: ImageStream[] = [];
  const name = (i: number): string => `s-${i}`;

  const timed = async (f: () => Promise<unknown>): Promise<number> => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  const measure = async (op: Op, i: number, apiCall: () => Promise<number>, rawCall: () => Promise<unknown>): Promise<void> => {
    const a = await apiCall();
    const r = await timed(rawCall);
    if (i >= warm) {
      api[op].push(a);
      base[op].push(r);
    }
  };

  try {
    ctx.log(`  create ×${total}`);
    for (let i = 0; i < total; i++) {
      await measure(
        'create',
        i,
        async () => {
          const res = await http.json<ImageStream>('POST', collectionPath(ns), benchImageStream(20, { namespace: ns, name: name(i) }));
          objects[i] = res.object;
          return res.ms;
        },
        () => raw.create(objects[i]!),
      );
    }
    ctx.log(`  get ×${total}`);
    for (let i = 0; i < total; i++) {
      await measure('get', i, async () => (await http.json('GET', objectPath(ns, name(i)))).ms, () => raw.get(ns, name(i)));
    }
    ctx.log(`  list (limit=100) ×${total}`);
    let listed = 0;
    for (let i = 0; i < total; i++) {
      await measure(
        'list',
        i,
        async () => {
          const res = await http.json<{ items: unknown[] }>('GET', `${collectionPath(ns)}?limit=100`);
          listed = res.object.items.length;
          return res.ms;
        },
        () => raw.list(ns, 100),
      );
    }
    ctx.log(`  update ×${total}`);
    for (let i = 0; i < total; i++) {
      await measure(
        'update',
        i,
        async () => {
          const res = await http.json<ImageStream>('PUT', objectPath(ns, name(i)), benchUpdatedImageStream(objects[i]!));
          objects[i] = res.object;
          return res.ms;
        },
        () => raw.update(objects[i]!),
      );
    }
    ctx.log(`  patch ×${total}`);
    for (let i = 0; i < total; i++) {
      await measure(
        'patch',
        i,
        async () => {
          const patch = { metadata: { labels: { patched: String(i) } } };
          const res = await http.json<ImageStream>('PATCH', objectPath(ns, name(i)), patch, 'application/merge-patch+json');
          objects[i] = res.object;
          return res.ms;
        },
        () => raw.update(objects[i]!),
      );
    }
    ctx.log(`  delete ×${total}`);
    for (let i = 0; i < total; i++) {
      await measure('delete', i, async () => (await http.json('DELETE', objectPath(ns, name(i)))).ms, () => raw.delete(ns, name(i)));
    }
    const bytes = Buffer.byteLength(JSON.stringify(objects[0] ?? {}));
    out.notes.push(
      `${n} measured operations per figure after ${warm} warm-up ones; API = HTTPS request → response end (client in the bench process, gateway + handlers in a child process); ` +
        `raw = the SDK calls alone (create: TransactWriteItems; get: GetItem; list: Query; update/patch/delete: BatchGetItem + TransactWriteItems). ` +
        `Stream: ${fmt(bytes / 1024)} KiB of JSON as served; the list page held ${listed} items.`,
    );
    const detail: string[][] = [];
    for (const op of OPS) {
      const a = summarize(api[op]);
      const r = summarize(base[op]);
      out.rows.push(row(`${op} p50`, a.p50, 'ms', r.p50, TARGETS[op]));
      out.rows.push(row(`${op} p99`, a.p99, 'ms', r.p99));
      detail.push([op, fmt(a.p50), fmt(a.p90), fmt(a.p99), fmt(r.p50), fmt(r.p90), fmt(r.p99), fmt(a.p50 - r.p50), fmtRatio(a.p50 / r.p50)]);
      out.data[op] = { api: a, raw: r };
    }
    out.tables.push(table('Latency (ms)', ['op', 'API p50', 'API p90', 'API p99', 'raw p50', 'raw p90', 'raw p99', 'API − raw p50', 'ratio p50'], detail));
  } finally {
    http.close();
    client.destroy();
  }
  return out;
}
