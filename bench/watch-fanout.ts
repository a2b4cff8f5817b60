/**
 * Watch over WebSocket on the local stack: write→event latency at a subscriber, and the
 * fan-out of one event to many subscribers. Both run against a real local stack (HTTPS
 * writes, DynamoDB Local stream → poller → fan-out handler → `@connections` → `ws`
 * clients), all in this process.
 *
 *   npx tsx bench/watch-fanout.ts [writes=200] [subscribers=1000] [events=5]
 *
 * Targets (local stack): write→event p50 ≤ 100 ms, p99 ≤ 300 ms; one event to 1,000
 * subscribers ≤ 1 s.
 */
import { request } from 'node:https';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { openWatch, type WsWatch } from '../test/helpers/ws-watch.js';
import type { FleetOptions, FleetReply, FleetRequest } from './watch-subscribers.js';

/** What the measurements need of a running local stack (`startWatchBenchStack`, or a stack in a child process). */
export interface WatchBenchStack {
  /** The HTTPS port (API and WebSocket watch). */
  readonly port: number;
  readonly token: string;
  /** Runs the watch tick now, when the stack is in this process. */
  readonly tick?: () => Promise<unknown>;
}

export interface Distribution {
  readonly samples: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface LatencyResult {
  /** From sending the write to the event at the subscriber. */
  readonly fromWrite: Distribution;
  /** From the write's response to the event (the pipeline after the commit). */
  readonly fromAck: Distribution;
  /** The writes themselves. */
  readonly write: Distribution;
}

export interface FanoutEvent {
  /** From sending the write to the last subscriber's event. */
  readonly allMs: number;
  /** Median subscriber. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface FanoutResult {
  readonly subscribers: number;
  /** Opening the connections and their replays. */
  readonly subscribeMs: number;
  /** The first event after subscribing. */
  readonly first: FanoutEvent;
  /** Events once the subscribers share the group cursor. */
  readonly steady: FanoutEvent[];
}

const round = (n: number): number => Math.round(n * 10) / 10;

export function distribution(values: readonly number[]): Distribution {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return {
    samples: s.length,
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(s[s.length - 1] ?? NaN),
    mean: round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)),
  };
}

function post(stack: WatchBenchStack, urlPath: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port: stack.port,
        method: 'POST',
        path: urlPath,
        rejectUnauthorized: false,
        headers: { Authorization: `Bearer ${stack.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const collection = (ns: string): string => `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreams`;
const stream = (name: string) => ({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name }, spec: {} });
const SUBSCRIBE = 'watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function subscribe(stack: WatchBenchStack, ns: string): Promise<WsWatch> {
  const w = await openWatch(stack.port, `${collection(ns)}?${SUBSCRIBE}`, { token: stack.token });
  await w.until((evs) => evs.some((e) => e.type === 'BOOKMARK'), 120_000);
  return w;
}

const arrivedFor = (w: WsWatch, name: string): number | undefined => w.events.find((e) => e.type === 'ADDED' && e.object?.metadata?.name === name)?.at;

/** Write→event latency at one subscriber: `writes` sequential creates, each awaited at the subscriber. */
export async function measureWriteToEvent(stack: WatchBenchStack, opts: { writes?: number; namespace?: string; gapMs?: number } = {}): Promise<LatencyResult> {
  const ns = opts.namespace ?? `lat-${Date.now().toString(36)}`;
  const w = await subscribe(stack, ns);
  const fromWrite: number[] = [];
  const fromAck: number[] = [];
  const writes: number[] = [];
  try {
    // Warm up the handlers (first invocations load modules and open connections).
    for (let i = 0; i < 5; i++) {
      await post(stack, collection(ns), stream(`warm-${i}`));
      await w.until(() => arrivedFor(w, `warm-${i}`) !== undefined);
    }
    for (let i = 0; i < (opts.writes ?? 200); i++) {
      const name = `s-${i}`;
      const t0 = performance.now();
      const status = await post(stack, collection(ns), stream(name));
      const acked = performance.now();
      if (status !== 201) throw new Error(`write failed: ${status}`);
      await w.until(() => arrivedFor(w, name) !== undefined, 10_000);
      const at = arrivedFor(w, name)!;
      fromWrite.push(at - t0);
      fromAck.push(Math.max(0, at - acked));
      writes.push(acked - t0);
      await sleep((opts.gapMs ?? 20) * Math.random());
    }
  } finally {
    await w.close();
  }
  return { fromWrite: distribution(fromWrite), fromAck: distribution(fromAck), write: distribution(writes) };
}

/** The subscriber fleet in a worker thread. */
class Fleet {
  readonly #worker: Worker;
  readonly #replies: FleetReply[] = [];
  readonly #waiters = new Set<() => void>();

  #exited = false;

  constructor(opts: FleetOptions) {
    // A worker does not inherit tsx's loader: register it first, then load the TypeScript entry.
    const entry = new URL('./watch-subscribers.ts', import.meta.url).href;
    const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(entry)});`;
    this.#worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: opts });
    this.#worker.on('exit', () => {
      this.#exited = true;
      this.#replies.push({ cmd: 'error', message: 'subscriber worker exited' });
      for (const w of this.#waiters) w();
    });
    this.#worker.on('message', (m: FleetReply) => {
      this.#replies.push(m);
      for (const w of this.#waiters) w();
    });
    this.#worker.on('error', (e) => {
      this.#replies.push({ cmd: 'error', message: e.message });
      for (const w of this.#waiters) w();
    });
  }

  next<K extends FleetReply['cmd']>(cmd: K): Promise<Extract<FleetReply, { cmd: K }>> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const i = this.#replies.findIndex((r) => r.cmd === cmd || r.cmd === 'error');
        if (i < 0) return;
        const [reply] = this.#replies.splice(i, 1);
        this.#waiters.delete(check);
        if (reply!.cmd === 'error') reject(new Error(reply!.message));
        else resolve(reply as Extract<FleetReply, { cmd: K }>);
      };
      this.#waiters.add(check);
      check();
    });
  }

  send(msg: FleetRequest): void {
    this.#worker.postMessage(msg);
  }

  async close(): Promise<void> {
    if (!this.#exited) {
      this.send({ cmd: 'close' });
      await this.next('closed').catch(() => undefined);
    }
    await this.#worker.terminate();
  }
}

async function oneEvent(stack: WatchBenchStack, ns: string, fleet: Fleet, name: string): Promise<FanoutEvent> {
  const arrived = fleet.next('arrived');
  fleet.send({ cmd: 'expect', name });
  const t0 = performance.timeOrigin + performance.now();
  const status = await post(stack, collection(ns), stream(name));
  if (status !== 201) throw new Error(`write failed: ${status}`);
  const { at } = await arrived;
  const d = distribution(at.map((t) => t - t0));
  return { allMs: d.max, p50Ms: d.p50, p99Ms: d.p99 };
}

/**
 * One event to `subscribers` WebSocket subscribers of one namespace (the subscribers run in
 * a worker thread; each first receives its initial-events-end bookmark, so it is subscribed).
 */
export async function measureFanout(stack: WatchBenchStack, opts: { subscribers?: number; events?: number; namespace?: string } = {}): Promise<FanoutResult> {
  const n = opts.subscribers ?? 1000;
  const ns = opts.namespace ?? `fan-${Date.now().toString(36)}`;
  const fleet = new Fleet({ port: stack.port, token: stack.token, path: `${collection(ns)}?${SUBSCRIBE}`, count: n });
  try {
    const { ms: subscribeMs } = await fleet.next('ready');
    const first = await oneEvent(stack, ns, fleet, 'first');
    // What the periodic tick does within a minute on AWS (catches up anyone not in the group).
    await stack.tick?.();
    const steady: FanoutEvent[] = [];
    for (let i = 0; i < (opts.events ?? 5); i++) {
      steady.push(await oneEvent(stack, ns, fleet, `e-${i}`));
      await sleep(100);
    }
    return { subscribers: n, subscribeMs: round(subscribeMs), first, steady };
  } finally {
    await fleet.close();
  }
}

async function main(): Promise<void> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const [writes = '200', subscribers = '1000', events = '5'] = process.argv.slice(2);
  const { startDynamoDbLocal } = await import('../infra/local/dynamodb-local.js');
  const { loopbackOnly, startLocalStack } = await import('../infra/local/stack.js');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dir = mkdtempSync(path.join(tmpdir(), 'watch-bench-'));
  const ddb = await startDynamoDbLocal();
  try {
    const stack = await startLocalStack({
      root,
      port: 0,
      dynamodbEndpoint: ddb.endpoint,
      tableName: `bench-${Date.now().toString(36)}`,
      kubeconfigOut: path.join(dir, 'kubeconfig'),
      tokensFile: path.join(dir, 'tokens.csv'),
      stateDir: dir,
      watchTickMs: 3_600_000,
      env: loopbackOnly(),
      // The watch figures measure the API's writes and the fan-out, not the importer's writes.
      importer: false,
    });
    try {
      const latency = await measureWriteToEvent(stack, { writes: Number(writes) });
      console.log(`write→event (${latency.fromWrite.samples} writes): p50 ${latency.fromWrite.p50} ms, p90 ${latency.fromWrite.p90} ms, p99 ${latency.fromWrite.p99} ms, max ${latency.fromWrite.max} ms`);
      console.log(`  after the write's response: p50 ${latency.fromAck.p50} ms, p99 ${latency.fromAck.p99} ms; the write itself: p50 ${latency.write.p50} ms`);
      const fan = await measureFanout(stack, { subscribers: Number(subscribers), events: Number(events) });
      console.log(`fan-out to ${fan.subscribers} subscribers (subscribing took ${fan.subscribeMs} ms):`);
      console.log(`  first event: all in ${fan.first.allMs} ms, p50 ${fan.first.p50Ms} ms`);
      for (const e of fan.steady) console.log(`  event: all ${fan.subscribers} in ${e.allMs} ms (p50 ${e.p50Ms} ms, p99 ${e.p99Ms} ms)`);
      console.log(JSON.stringify({ latency, fanout: fan }));
    } finally {
      await stack.stop();
    }
  } finally {
    await ddb.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
