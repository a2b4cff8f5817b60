/**
 * 5. Write throughput: 16 clients (each its own HTTPS keep-alive agent) creating a 20-tag
 * stream and then updating it, in a loop, for a fixed time against the local stack. Baseline
 * in the same run: 16 concurrent plain PutItems of the same stored body against the same
 * DynamoDB Local. Then `measureRevisionCeiling` (bench/revision-ceiling.ts): the single
 * revision counter's ceiling with 16 writers in one process (group commit), 16 independent
 * writers, and one writer.
 */
import { measureRevisionCeiling, type CeilingResult } from '../revision-ceiling.js';
import { benchImageStream, benchUpdatedImageStream } from '../../shared/image/bench-fixtures.js';
import type { ImageStream } from '../../shared/image/types.js';
import { benchDynamoClient } from '../lib/dynamo-client.js';
import { collectionPath, httpsClient, objectPath } from '../lib/https-client.js';
import { encodeObject, RawStore } from '../lib/raw-dynamo.js';
import { emptySection, fmt, row, summarize, table } from '../lib/stats.js';
import type { BenchContext, SectionResult } from '../lib/types.js';

const CLIENTS = 16;

async function forDuration(ms: number, workers: number, op: (w: number, i: number) => Promise<void>): Promise<{ ops: number; seconds: number }> {
  const started = performance.now();
  const deadline = started + ms;
  let ops = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await op(w, i);
        ops++;
      }
    }),
  );
  return { ops, seconds: (performance.now() - started) / 1000 };
}

export async function run(ctx: BenchContext): Promise<SectionResult> {
  const out = emptySection('throughput', `5. Write throughput (${CLIENTS} concurrent clients)`, 'plain PutItem of the same body, same concurrency, same DynamoDB Local');
  // A DynamoDB Local and a stack of their own: DynamoDB Local slows down as it fills up, and
  // every figure of this section (API, raw, ceiling) should see the same, empty one.
  const ddb = await ctx.startDynamoDb('throughput');
  const stack = await ctx.startStack('throughput', { dynamodbEndpoint: ddb.endpoint });
  const seconds = ctx.n(10, 2);
  const ns = `tp-${Date.now().toString(36)}`;
  const clients = Array.from({ length: CLIENTS }, () => httpsClient(stack.port, stack.token));
  const dynamo = benchDynamoClient(ddb.endpoint, stack.tableName);
  const raw = new RawStore(dynamo, stack.tableName, 'rawput');
  try {
    // Warm the connections and the handlers.
    await Promise.all(clients.map((c, w) => c.json('POST', collectionPath(ns), benchImageStream(20, { namespace: ns, name: `warm-${w}` }))));
    const errors: string[] = [];
    const latencies: number[] = [];
    let creates = 0;
    let updates = 0;
    let sample: ImageStream | undefined;
    ctx.log(`  API creates+updates, ${CLIENTS} clients, ${seconds} s`);
    const pending = new Map<number, ImageStream>();
    const api = await forDuration(seconds * 1000, CLIENTS, async (w, i) => {
      const http = clients[w]!;
      const held = pending.get(w);
      const res = held
        ? await http.request('PUT', objectPath(ns, held.metadata.name ?? ''), JSON.stringify(benchUpdatedImageStream(held)))
        : await http.request('POST', collectionPath(ns), JSON.stringify(benchImageStream(20, { namespace: ns, name: `c-${w}-${i}` })));
      latencies.push(res.ms);
      if (res.status < 200 || res.status > 299) {
        errors.push(`${res.status} ${res.body.slice(0, 200)}`);
        pending.delete(w);
        return;
      }
      if (held) {
        updates++;
        pending.delete(w);
      } else {
        creates++;
        sample = JSON.parse(res.body) as ImageStream;
        pending.set(w, sample);
      }
    });
    if (!sample) throw new Error(`no write succeeded: ${errors[0] ?? ''}`);
    const body = encodeObject(sample);
    ctx.log(`  raw PutItem, ${CLIENTS} writers, ${seconds} s`);
    const rawRun = await forDuration(seconds * 1000, CLIENTS, (w, i) =>
      raw.put({ ...sample!, metadata: { ...sample!.metadata, namespace: `w${w}`, name: `p-${i}` } }, body),
    );
    const apiRate = api.ops / api.seconds;
    const rawRate = rawRun.ops / rawRun.seconds;
    out.rows.push(row(`API creates+updates/s`, apiRate, '/s', rawRate));
    out.rows.push(row('API write errors', errors.length, '', null, { on: 'value', max: 0 }));
    const lat = summarize(latencies);
    out.data['api'] = { ...api, creates, updates, errors: errors.slice(0, 20), latency: lat };
    out.data['raw'] = rawRun;
    out.notes.push(
      `${seconds} s each; API: ${creates} creates + ${updates} updates (20-tag stream, ${fmt(body.bytes.length / 1024)} KiB stored), ` +
        `request latency under load p50 ${fmt(lat.p50)} ms, p99 ${fmt(lat.p99)} ms${errors.length > 0 ? `; first error: ${errors[0]}` : ''}.`,
    );

    const ceilingSeconds = ctx.n(4, 1);
    const ceilings: CeilingResult[] = [];
    for (const [writers, mode] of [
      [CLIENTS, 'shared'],
      [CLIENTS, 'separate'],
      [1, 'separate'],
    ] as const) {
      ctx.log(`  revision ceiling: measureRevisionCeiling(${writers} writers, ${ceilingSeconds} s, ${mode})`);
      const c = await measureRevisionCeiling(ddb.endpoint, writers, ceilingSeconds, mode);
      ceilings.push(c);
      const what = writers === 1 ? '1 writer' : mode === 'shared' ? `${writers} writers in one process (group commit)` : `${writers} independent writers`;
      out.rows.push(row(`revision counter, ${what}: commits/s`, c.counterWritesPerSecond, '/s', c.rawPutsPerSecond));
    }
    out.data['ceiling'] = ceilings;
    out.tables.push(
      table(
        'Revision ceiling (bench/revision-ceiling.ts)',
        ['writers', 'mode', 'seconds', 'counter+log transactions/s', 'plain PutItem/s', 'ratio'],
        ceilings.map((c) => [String(c.writers), c.mode, String(c.seconds), fmt(c.counterWritesPerSecond), fmt(c.rawPutsPerSecond), fmt(c.ratio)]),
      ),
    );
    out.notes.push(
      'The API figure is one stack process: its store groups concurrent writes into one transaction (group commit). ' +
        'The ceiling rows run measureRevisionCeiling from bench/revision-ceiling.ts on a table of their own: writers sharing one store (one process) ' +
        'or each with its own store (separate Lambda instances) contending for the one counter item; each baseline is its own plain-PutItem phase.',
    );
  } finally {
    clients.forEach((c) => c.close());
    dynamo.destroy();
    await stack.stop();
    await ddb.stop();
  }
  return out;
}
