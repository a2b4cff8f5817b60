/**
 * 6. Scale, on a stack process and a DynamoDB Local of its own (so the all-namespaces list
 * sees only what this section writes, its RSS is the handlers' alone, and the earlier
 * sections' data does not slow DynamoDB Local down):
 *  - paged lists (`limit=500`, following `continue`) of 1k and 10k stored 20-tag streams
 *    (with tag history, as stored streams carry), in one namespace and across 100
 *    namespaces: total time and the process's peak RSS. Baselines: the raw paged Query of
 *    the same items (time) and the process's RSS at rest before the list (memory).
 *    Streams are written straight into the table as the store writes object items
 *    (BatchWriteItem: object items and namespace heads; no log, which a list does not read), the lists go through the
 *    gateway.
 *  - a ~1.5 MiB stream (create body) round trip: create, get, update through the gateway,
 *    against the raw calls with the same stored body.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { storageKeyOf } from '../../shared/api/resource-module.js';
import { benchImageStream, benchStoredImageStream } from '../../shared/image/bench-fixtures.js';
import { imageStreamResource } from '../../shared/image/resource.js';
import type { ImageStream } from '../../shared/image/types.js';
import { ATTR, keys } from '../../shared/storage/dynamo/keys.js';
import { benchDynamoClient } from '../lib/dynamo-client.js';
import { collectionPath, httpsClient, IS_PATH, objectPath, type HttpsClient } from '../lib/https-client.js';
import { batchWrite, encodeObject, objectItem, RawStore } from '../lib/raw-dynamo.js';
import type { StackProcess } from '../lib/stack-process.js';
import { emptySection, fmt, median, MiB, row, table } from '../lib/stats.js';
import type { BenchContext, SectionResult } from '../lib/types.js';

/** The store's key of ImageStreams (`imagestreams.image.openshift.io`). */
const RESOURCE = storageKeyOf(imageStreamResource);
const NAMESPACES = 100;

/** `count` stored 20-tag streams named `s-<from..>` spread over `namespaces` (one: `single`), written as object items at rv 1. */
async function populate(client: DynamoDBClient, tableName: string, from: number, count: number, namespaces: string[]): Promise<void> {
  const template = benchStoredImageStream(20);
  const items = [];
  for (let i = from; i < from + count; i++) {
    const namespace = namespaces[i % namespaces.length]!;
    const obj: ImageStream = { ...template, metadata: { ...template.metadata, namespace, name: `s-${String(i).padStart(6, '0')}`, uid: randomUUID() } };
    items.push(objectItem(RESOURCE, obj, 1, encodeObject(obj)));
  }
  // Each namespace's head, as the store's writes leave it (a list reads its revision there).
  for (const namespace of namespaces) {
    const head = keys.namespaceHead(RESOURCE, namespace);
    items.push({ [ATTR.pk]: { S: head.pk }, [ATTR.sk]: { S: head.sk }, [ATTR.rev]: { N: '1' } });
  }
  await batchWrite(client, tableName, items, 16);
}

interface ListRun {
  readonly items: number;
  readonly pages: number;
  readonly ms: number;
  readonly bytes: number;
  readonly restRss: number;
  readonly peakRss: number;
  readonly rawMs: number;
}

async function listAll(http: HttpsClient, stack: StackProcess, raw: RawStore, ns: string | undefined, expected: number): Promise<ListRun> {
  const base = ns === undefined ? `${IS_PATH}/imagestreams` : collectionPath(ns);
  const rest = await stack.resetPeak();
  const t = performance.now();
  let token: string | undefined;
  let items = 0;
  let pages = 0;
  let bytes = 0;
  do {
    const res = await http.request('GET', `${base}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    if (res.status !== 200) throw new Error(`list ${base}: ${res.status} ${res.body.slice(0, 300)}`);
    bytes += Buffer.byteLength(res.body);
    const page = JSON.parse(res.body) as { items: unknown[]; metadata: { continue?: string } };
    items += page.items.length;
    pages++;
    token = page.metadata.continue || undefined;
  } while (token);
  const ms = performance.now() - t;
  const after = await stack.rss();
  if (items !== expected) throw new Error(`list ${base}: ${items} items, expected ${expected}`);
  const rt = performance.now();
  const scanned = await raw.scan(ns, 501);
  const rawMs = performance.now() - rt;
  if (scanned.items !== expected) throw new Error(`raw scan: ${scanned.items} items, expected ${expected}`);
  return { items, pages, ms, bytes, restRss: rest.rss, peakRss: Math.max(after.sampledPeak, after.hwm), rawMs };
}

export async function run(ctx: BenchContext): Promise<SectionResult> {
  const out = emptySection('scale', '6. Scale: paged lists of 1k/10k streams, a 1.5 MiB stream', 'lists: raw paged Query of the same items (time), RSS at rest before the list (memory); 1.5 MiB: raw SDK calls');
  // An empty DynamoDB Local of its own: what the earlier sections stored would slow this one down.
  const ddb = await ctx.startDynamoDb('scale');
  const stack = await ctx.startStack('scale', { dynamodbEndpoint: ddb.endpoint });
  const dynamo = benchDynamoClient(ddb.endpoint, stack.tableName);
  const http = httpsClient(stack.port, stack.token);
  const raw = new RawStore(dynamo, stack.tableName, RESOURCE);
  const small = ctx.n(1000, 100);
  const large = ctx.n(10_000, 1000);
  const label = (n: number): string => (n >= 1000 ? `${n / 1000}k` : String(n));
  try {
    // The list revision: a counter at 1, the revision every written object carries.
    await dynamo.send(
      new PutItemCommand({ TableName: stack.tableName, Item: { [ATTR.pk]: { S: keys.counter(RESOURCE).pk }, [ATTR.sk]: { S: keys.counter(RESOURCE).sk }, [ATTR.rev]: { N: '1' } } }),
    );
    const spread = Array.from({ length: NAMESPACES }, (_, i) => `ns-${String(i).padStart(3, '0')}`);
    const runs: [string, ListRun][] = [];
    const measure = async (what: string, ns: string | undefined, expected: number): Promise<void> => {
      ctx.log(`  list ${what}`);
      if (runs.length === 0) await listAll(http, stack, raw, ns, expected); // warm-up (first list only)
      // The small lists are cheap and noisy: the median of three (largest peak); the large ones once.
      const repeats: ListRun[] = [];
      for (let i = 0; i < (expected <= small ? 3 : 1); i++) repeats.push(await listAll(http, stack, raw, ns, expected));
      const byTime = [...repeats].sort((a, b) => a.ms - b.ms);
      const mid = byTime[Math.floor((byTime.length - 1) / 2)]!;
      const rawMid = [...repeats].sort((a, b) => a.rawMs - b.rawMs)[Math.floor((repeats.length - 1) / 2)]!;
      const peak = [...repeats].sort((a, b) => b.peakRss - a.peakRss)[0]!;
      runs.push([what, { ...mid, rawMs: rawMid.rawMs, peakRss: peak.peakRss, restRss: peak.restRss }]);
    };
    const t0 = performance.now();
    await populate(dynamo, stack.tableName, 0, small, spread);
    const populateSmallMs = performance.now() - t0;
    await measure(`${label(small)} across ${NAMESPACES} namespaces`, undefined, small);
    const t1 = performance.now();
    await populate(dynamo, stack.tableName, small, large - small, spread);
    ctx.log(`  populated ${label(large)} streams in ${((performance.now() - t1 + populateSmallMs) / 1000).toFixed(1)} s`);
    await measure(`${label(large)} across ${NAMESPACES} namespaces`, undefined, large);
    await populate(dynamo, stack.tableName, 0, small, ['single']);
    await measure(`${label(small)} in one namespace`, 'single', small);
    await populate(dynamo, stack.tableName, small, large - small, ['single']);
    await measure(`${label(large)} in one namespace`, 'single', large);

    const detail: string[][] = [];
    for (const [what, r] of runs) {
      out.rows.push(row(`list ${what}: time`, r.ms, 'ms', r.rawMs));
      out.rows.push(row(`list ${what}: peak RSS`, r.peakRss / MiB, 'MiB', r.restRss / MiB));
      detail.push([what, String(r.items), String(r.pages), fmt(r.ms), fmt(r.rawMs), fmt(r.ms / r.items), fmt(r.bytes / MiB), fmt(r.restRss / MiB), fmt(r.peakRss / MiB)]);
      out.data[what] = r;
    }
    for (const where of [`across ${NAMESPACES} namespaces`, 'in one namespace']) {
      const a = runs.find(([w]) => w === `${label(small)} ${where}`)?.[1];
      const b = runs.find(([w]) => w === `${label(large)} ${where}`)?.[1];
      if (a && b) out.rows.push(row(`list ${where}: ${label(large)} ÷ ${label(small)} time`, b.ms / a.ms, '×', large / small));
    }
    out.tables.push(table('Paged lists (limit=500)', ['list', 'items', 'pages', 'ms', 'raw Query ms', 'ms/item', 'MiB sent', 'rest RSS MiB', 'peak RSS MiB'], detail));
    out.notes.push(
      `Stored streams: benchStoredImageStream(20) (20 tags, 3 history entries each, ${fmt(Buffer.byteLength(JSON.stringify(benchStoredImageStream(20))) / 1024)} KiB JSON, ` +
        `${fmt(encodeObject(benchStoredImageStream(20)).bytes.length / 1024)} KiB gzip). The first list ran once more before, to warm up; the small lists are the median of three (highest peak RSS). ` +
        `Peak RSS = max(kernel VmHWM after a reset, RSS sampled every 5 ms) of the stack process (gateway + all handlers), GC'd before; rest = its RSS just before.`,
    );

    await bigStream(ctx, out, http, dynamo, stack.tableName);
  } finally {
    http.close();
    dynamo.destroy();
    await stack.stop();
    await ddb.stop();
  }
  return out;
}

/** A create body of about 1.5 MiB: the bench fixture with as many tags as that takes. */
function bigBody(ns: string, name: string): ImageStream {
  const perTag = Buffer.byteLength(JSON.stringify(benchImageStream(1000))) / 1000;
  return benchImageStream(Math.round((1.5 * MiB) / perTag), { namespace: ns, name });
}

async function bigStream(ctx: BenchContext, out: SectionResult, http: HttpsClient, dynamo: DynamoDBClient, tableName: string): Promise<void> {
  const reps = ctx.n(5, 1);
  const ns = 'big';
  const raw = new RawStore(dynamo, tableName, 'rawbig');
  const api = { create: [] as number[], get: [] as number[], update: [] as number[] };
  const base = { create: [] as number[], get: [] as number[], update: [] as number[] };
  let sizes = '';
  ctx.log(`  1.5 MiB stream ×${reps}`);
  for (let i = 0; i <= reps; i++) {
    const body = JSON.stringify(bigBody(ns, `big-${i}`));
    const created = await http.request('POST', collectionPath(ns), body);
    if (created.status !== 201) throw new Error(`big create: ${created.status} ${created.body.slice(0, 300)}`);
    const obj = JSON.parse(created.body) as ImageStream;
    let t = performance.now();
    await raw.create(obj);
    const rawCreate = performance.now() - t;
    const got = await http.request('GET', objectPath(ns, `big-${i}`));
    if (got.status !== 200) throw new Error(`big get: ${got.status}`);
    t = performance.now();
    await raw.get(ns, `big-${i}`);
    const rawGet = performance.now() - t;
    // What a client sends back: its own 1.5 MiB manifest, at the current resourceVersion, one label changed.
    const manifest = bigBody(ns, `big-${i}`);
    const next = { ...manifest, metadata: { ...manifest.metadata, resourceVersion: obj.metadata.resourceVersion, labels: { ...manifest.metadata.labels, rev: String(i) } } };
    const updated = await http.request('PUT', objectPath(ns, `big-${i}`), JSON.stringify(next));
    if (updated.status !== 200) throw new Error(`big update: ${updated.status} ${updated.body.slice(0, 300)}`);
    t = performance.now();
    await raw.update(JSON.parse(updated.body) as ImageStream);
    const rawUpdate = performance.now() - t;
    if (i === 0) {
      const enc = encodeObject(obj);
      sizes =
        `request ${fmt(Buffer.byteLength(body) / MiB)} MiB (${obj.spec.tags?.length ?? 0} tags), response ${fmt(Buffer.byteLength(created.body) / MiB)} MiB, ` +
        `stored ${fmt(enc.bytes.length / 1024)} KiB gzip in ${enc.chunks.length === 0 ? 'one item' : `${enc.chunks.length} chunks`}`;
      continue; // warm-up
    }
    api.create.push(created.ms);
    api.get.push(got.ms);
    api.update.push(updated.ms);
    base.create.push(rawCreate);
    base.get.push(rawGet);
    base.update.push(rawUpdate);
  }
  for (const op of ['create', 'get', 'update'] as const) {
    out.rows.push(row(`1.5 MiB stream ${op} (median)`, median(api[op]), 'ms', median(base[op])));
  }
  out.rows.push(
    row(
      '1.5 MiB stream round trip (create+get+update)',
      median(api.create) + median(api.get) + median(api.update),
      'ms',
      median(base.create) + median(base.get) + median(base.update),
    ),
  );
  out.data['big'] = { api, raw: base, sizes };
  out.notes.push(`1.5 MiB stream: ${sizes}; median of ${reps} after one warm-up; update = PUT of the same manifest at the current resourceVersion with one label changed.`);
}
