/**
 * 3. CPU per request with storage mocked: the App in process over a MemoryStore (stub
 * authenticator), `process.cpuUsage()` (user + system) over many requests after a warm-up,
 * divided by the count. Baseline: parsing the request body and serializing the response
 * object of the same requests with plain JSON — the floor of any JSON API. The strategy
 * alone (normalize → prepare → validate) of a 50-tag stream likewise.
 */
import { validateObjectMetaUpdate } from '../../shared/apimachinery/meta.js';
import { benchContext, benchImageStream, benchStoredImageStream, benchUpdatedImageStream } from '../../shared/image/bench-fixtures.js';
import { imageStreamStrategy } from '../../shared/image/strategy.js';
import type { ImageStream } from '../../shared/image/types.js';
import { MemoryStore } from '../../shared/storage/memory-store.js';
import { collectionPath, objectPath } from '../lib/https-client.js';
import { inProcessApp, type InProcessApp } from '../lib/in-process.js';
import { emptySection, fmt, row, table } from '../lib/stats.js';
import type { BenchContext, SectionResult } from '../lib/types.js';

/** CPU milliseconds per iteration of `f` (user + system). */
async function cpuPer(iterations: number, f: (i: number) => unknown): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await f(i);
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000 / iterations;
}

/** The JSON floor: parse what came in, serialize what went out. */
function jsonFloor(requests: readonly (string | undefined)[], responses: readonly string[]): () => Promise<number> {
  const objects = responses.map((r) => JSON.parse(r) as unknown);
  return () =>
    cpuPer(responses.length, (i) => {
      const req = requests[i];
      if (req !== undefined) JSON.parse(req);
      JSON.stringify(objects[i]);
    });
}

interface Measured {
  readonly op: string;
  readonly cpuMs: number;
  readonly floorMs: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
}

async function measureSize(ctx: BenchContext, tags: number, n: number, warm: number): Promise<Measured[]> {
  const api: InProcessApp = inProcessApp({ store: new MemoryStore<ImageStream>() });
  const ns = 'cpu';
  const results: Measured[] = [];
  // Warm-up on objects of their own (the same code paths, JIT-compiled before measuring).
  const warmObjects: ImageStream[] = [];
  for (let i = 0; i < warm; i++) warmObjects.push(await api.json('POST', collectionPath(ns), benchImageStream(tags, { namespace: ns, name: `w-${i}` })));
  for (let i = 0; i < warm; i++) await api.json('GET', objectPath(ns, `w-${i}`));
  for (let i = 0; i < warm; i++) warmObjects[i] = await api.json('PUT', objectPath(ns, `w-${i}`), benchUpdatedImageStream(warmObjects[i]!));
  for (let i = 0; i < warm; i++) await api.json('PATCH', objectPath(ns, `w-${i}`), { metadata: { labels: { p: String(i) } } }, 'application/merge-patch+json');

  const run = async (op: string, method: string, path: (i: number) => string, bodies: (string | undefined)[], contentType?: string): Promise<string[]> => {
    const texts: string[] = new Array<string>(n);
    let failed = '';
    const cpuMs = await cpuPer(n, async (i) => {
      const res = await api.call(method, path(i), bodies[i], contentType);
      if (res.status < 200 || res.status > 299) failed ||= `${op}: ${res.status} ${res.text.slice(0, 300)}`;
      texts[i] = res.text;
    });
    if (failed) throw new Error(failed);
    const floorMs = await jsonFloor(bodies, texts)();
    const avg = (xs: readonly (string | undefined)[]): number => xs.reduce((a, x) => a + (x === undefined ? 0 : Buffer.byteLength(x)), 0) / Math.max(1, xs.length);
    results.push({ op, cpuMs, floorMs, requestBytes: avg(bodies), responseBytes: avg(texts) });
    return texts;
  };
  const name = (i: number): string => `s-${i}`;
  ctx.log(`  ${tags} tags: create/get/update/patch ×${n}`);
  const createBodies = Array.from({ length: n }, (_, i) => JSON.stringify(benchImageStream(tags, { namespace: ns, name: name(i) })));
  const created = await run('create', 'POST', () => collectionPath(ns), createBodies);
  await run('get', 'GET', (i) => objectPath(ns, name(i)), new Array<string | undefined>(n).fill(undefined));
  const updateBodies = created.map((t) => JSON.stringify(benchUpdatedImageStream(JSON.parse(t) as ImageStream)));
  await run('update', 'PUT', (i) => objectPath(ns, name(i)), updateBodies);
  const patchBodies = Array.from({ length: n }, (_, i) => JSON.stringify({ metadata: { labels: { patched: String(i) } } }));
  await run('patch (merge)', 'PATCH', (i) => objectPath(ns, name(i)), patchBodies, 'application/merge-patch+json');
  // The same update again, on streams that now carry a tag history (3 events per tag, as
  // imported streams do): written through /status first, not measured.
  const history = benchStoredImageStream(tags, { namespace: ns }).status;
  const withHistory: string[] = [];
  for (let i = 0; i < n; i++) {
    const cur = await api.json<ImageStream>('GET', objectPath(ns, name(i)));
    const next = await api.json<ImageStream>('PUT', `${objectPath(ns, name(i))}/status`, { ...cur, status: history });
    withHistory.push(JSON.stringify(benchUpdatedImageStream(next)));
  }
  await run('update, 3-deep history', 'PUT', (i) => objectPath(ns, name(i)), withHistory);
  return results;
}

export async function run(ctx: BenchContext): Promise<SectionResult> {
  const out = emptySection('cpu', '3. CPU per request in the handler (MemoryStore, in process)', 'JSON.parse of the request body + JSON.stringify of the response object, same requests');
  const detail: string[][] = [];
  for (const [tags, n, warm, target] of [
    [20, ctx.n(400, 40), ctx.n(60, 10), 0.5],
    [500, ctx.n(40, 5), ctx.n(6, 2), 5],
  ] as const) {
    for (const m of await measureSize(ctx, tags, n, warm)) {
      out.rows.push(row(`${tags}-tag ${m.op}`, m.cpuMs, 'ms', m.floorMs, { on: 'value', max: target }));
      detail.push([`${tags}-tag ${m.op}`, String(n), fmt(m.cpuMs), fmt(m.floorMs), fmt(m.requestBytes / 1024), fmt(m.responseBytes / 1024)]);
      out.data[`${tags}-tag ${m.op}`] = m;
    }
  }

  // The strategy alone, 50 tags.
  const strategy = imageStreamStrategy({ defaultImportMode: 'Legacy', internalRegistryHostname: 'image-registry.openshift-image-registry.svc:5000' });
  const sctx = benchContext();
  const iterations = ctx.n(2000, 100);
  const createBody = JSON.stringify(benchImageStream(50));
  const stored = strategy.normalize(benchStoredImageStream(50));
  const updateBody = JSON.stringify(benchUpdatedImageStream(stored));
  const strategyCreate = (): ImageStream => {
    const obj = strategy.prepareForCreate(sctx, strategy.normalize(JSON.parse(createBody) as ImageStream));
    if (strategy.validate(sctx, obj).length > 0) throw new Error('strategy create: invalid');
    return obj;
  };
  const strategyUpdate = (): ImageStream => {
    const next = strategy.normalize(JSON.parse(updateBody) as ImageStream);
    const obj = strategy.prepareForUpdate(sctx, { ...next, metadata: { ...next.metadata, generation: stored.metadata.generation } }, stored);
    if ([...validateObjectMetaUpdate(obj.metadata, stored.metadata), ...strategy.validateUpdate(sctx, obj, stored)].length > 0) throw new Error('strategy update: invalid');
    return obj;
  };
  ctx.log(`  strategy alone, 50 tags ×${iterations}`);
  for (const [op, f, body] of [
    ['create', strategyCreate, createBody],
    ['update', strategyUpdate, updateBody],
  ] as const) {
    await cpuPer(Math.ceil(iterations / 5), f); // warm-up
    const cpuMs = await cpuPer(iterations, f);
    const floorMs = await cpuPer(iterations, () => JSON.stringify(JSON.parse(body)));
    out.rows.push(row(`strategy alone, 50-tag ${op}`, cpuMs, 'ms', floorMs));
    detail.push([`strategy alone, 50-tag ${op}`, String(iterations), fmt(cpuMs), fmt(floorMs), fmt(Buffer.byteLength(body) / 1024), '']);
  }
  out.tables.push(table('CPU per request', ['operation', 'requests', 'CPU ms', 'JSON floor ms', 'request KiB', 'response KiB'], detail));
  out.notes.push(
    'CPU = process.cpuUsage() user+system over the loop (GC included), divided by the count; the MemoryStore\'s structuredClone per read/write is included (storage mock cost). ' +
      'Update = the fixture update (every tenth tag re-pointed, one re-import, one new tag, a label); patch = a one-label JSON merge patch; ' +
      '"3-deep history" = the same update once the stream carries 3 tag events per tag (written through /status first, not measured). ' +
      'Strategy alone = JSON.parse + normalize + prepareFor{Create,Update} + validate; its baseline is JSON.parse + JSON.stringify of the body.',
  );
  return out;
}
