/**
 * Worker thread of bench/watch-fanout.ts: a fleet of WebSocket watch subscribers on their own
 * event loop (and core), so the subscribers' TLS and JSON parsing do not share the stack's
 * CPU. Reports arrival times as epoch milliseconds (`performance.timeOrigin + now()`), which
 * the parent compares with its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openWatch, type WsWatch } from '../test/helpers/ws-watch.js';

export interface FleetOptions {
  readonly port: number;
  readonly token: string;
  readonly path: string;
  readonly count: number;
}

export type FleetRequest = { readonly cmd: 'expect'; readonly name: string } | { readonly cmd: 'close' };
export type FleetReply =
  | { readonly cmd: 'ready'; readonly ms: number }
  | { readonly cmd: 'arrived'; readonly name: string; readonly at: number[] }
  | { readonly cmd: 'error'; readonly message: string }
  | { readonly cmd: 'closed' };

const epoch = (): number => performance.timeOrigin + performance.now();
const toEpoch = (perfNow: number): number => performance.timeOrigin + perfNow;

async function run(opts: FleetOptions): Promise<void> {
  const port = parentPort!;
  const watchers: WsWatch[] = [];
  const t0 = epoch();
  for (let i = 0; i < opts.count; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, opts.count - i) }, async () => {
        const w = await openWatch(opts.port, opts.path, { token: opts.token });
        await w.until((evs) => evs.some((e) => e.type === 'BOOKMARK'), 120_000);
        return w;
      }),
    );
    watchers.push(...batch);
  }
  port.postMessage({ cmd: 'ready', ms: epoch() - t0 } satisfies FleetReply);
  port.on('message', (msg: FleetRequest) => {
    if (msg.cmd === 'close') {
      void Promise.all(watchers.map((w) => w.close())).then(() => port.postMessage({ cmd: 'closed' } satisfies FleetReply));
      return;
    }
    const arrived = (w: WsWatch): number | undefined => w.events.find((e) => e.type === 'ADDED' && e.object?.metadata?.name === msg.name)?.at;
    void Promise.all(watchers.map((w) => w.until(() => arrived(w) !== undefined, 60_000).then(() => toEpoch(arrived(w)!)))).then(
      (at) => port.postMessage({ cmd: 'arrived', name: msg.name, at } satisfies FleetReply),
      (e: unknown) => port.postMessage({ cmd: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FleetReply),
    );
  });
}

if (parentPort && workerData) {
  run(workerData as FleetOptions).catch((e: unknown) => parentPort!.postMessage({ cmd: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FleetReply));
}
