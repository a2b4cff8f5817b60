/**
 * Child-process entry: runs one local stack (`startLocalStack`) so that the handlers live in
 * a process of their own — the benchmark client does not share their event loop, and their
 * memory can be measured. Options come in BENCH_STACK_OPTS (JSON); the parent talks over
 * IPC (see stack-process.ts): `rss` (current, sampled peak, kernel VmHWM), `reset-peak`
 * (GC, then restart both peaks from the current RSS), `stop`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const { loopbackOnly, startLocalStack } = await import('../../infra/local/stack.js');

export interface HostOptions {
  readonly root: string;
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  readonly stateDir: string;
  readonly streamPollMs?: number;
  readonly env?: Record<string, string>;
  /**
   * Run the image importer (default false): the sections measure the API, and the importer's
   * scheduled re-imports of the fixtures' tags would write behind their backs. Import latency
   * is measured by bench/import-latency.ts with a stack of its own.
   */
  readonly importer?: boolean;
}

export type HostRequest = { id: number; type: 'rss' | 'reset-peak' | 'tick' | 'stop' };
export interface RssInfo {
  readonly rss: number;
  /** Highest RSS sampled every 5 ms since the last reset (0 before the first). */
  readonly sampledPeak: number;
  /** The kernel's peak RSS since the last reset (VmHWM; reset through clear_refs), or 0. */
  readonly hwm: number;
  readonly heapUsed: number;
}
export type HostMessage =
  | { type: 'ready'; url: string; port: number; token: string }
  | { type: 'failed'; message: string }
  | { type: 'reply'; id: number; rss?: RssInfo };

const send = (m: HostMessage): void => {
  process.send?.(m);
};

function vmHwm(): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function resetHwm(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux, or not allowed: the sampled peak remains.
  }
}

const opts = JSON.parse(process.env['BENCH_STACK_OPTS'] ?? '{}') as HostOptions;
let peak = 0;
/** Sampling starts with the first `reset-peak` (it would only add noise to latency runs). */
let sampler: NodeJS.Timeout | undefined;
const startSampling = (): void => {
  sampler ??= setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  }, 5);
  sampler.unref();
};

try {
  const stack = await startLocalStack({
    root: opts.root,
    port: 0,
    dynamodbEndpoint: opts.dynamodbEndpoint,
    tableName: opts.tableName,
    kubeconfigOut: `${opts.stateDir}/kubeconfig`,
    tokensFile: `${opts.stateDir}/tokens.csv`,
    stateDir: opts.stateDir,
    watchTickMs: 3_600_000,
    ...(opts.streamPollMs !== undefined ? { streamPollMs: opts.streamPollMs } : {}),
    env: { ...loopbackOnly(opts.env), ...opts.env },
    importer: opts.importer ?? false,
  });
  let stopping: Promise<void> | undefined;
  // A parked stream poller (long poll interval) only notices the stop after its sleep: give the
  // stack a few seconds, then leave anyway (this process exits right after).
  const stop = (): Promise<void> =>
    (stopping ??= Promise.race([stack.stop().catch(() => undefined), new Promise<void>((r) => setTimeout(r, 3000).unref())]).finally(() => clearInterval(sampler)));
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
  process.on('message', (raw) => {
    const m = raw as HostRequest;
    const info = (): RssInfo => {
      const mem = process.memoryUsage();
      if (mem.rss > peak) peak = mem.rss;
      return { rss: mem.rss, sampledPeak: peak, hwm: vmHwm(), heapUsed: mem.heapUsed };
    };
    if (m.type === 'rss') send({ type: 'reply', id: m.id, rss: info() });
    else if (m.type === 'reset-peak') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      resetHwm();
      peak = process.memoryUsage.rss();
      startSampling();
      send({ type: 'reply', id: m.id, rss: info() });
    } else if (m.type === 'tick') {
      // The watch's periodic tick (the EventBridge schedule), when the stack has one.
      const tick = (stack as { tick?: () => Promise<unknown> }).tick;
      void Promise.resolve(tick?.call(stack)).finally(() => send({ type: 'reply', id: m.id }));
    } else if (m.type === 'stop') {
      void stop().then(() => {
        send({ type: 'reply', id: m.id });
        process.disconnect();
        setTimeout(() => process.exit(0), 100).unref();
      });
    }
  });
  send({ type: 'ready', url: stack.url, port: stack.port, token: stack.token });
} catch (e) {
  send({ type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(1);
}
