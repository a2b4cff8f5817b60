/**
 * Parent side of stack-host.ts: starts a local stack in a child process (tsx, `--expose-gc`)
 * and talks to it over IPC. The child's output is kept (last lines) for error messages and
 * shown live with BENCH_VERBOSE=1.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { HostMessage, HostOptions, HostRequest, RssInfo } from './stack-host.js';

export type { RssInfo } from './stack-host.js';

export interface StackProcess {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly pid: number;
  readonly tableName: string;
  rss(): Promise<RssInfo>;
  /** Collects garbage in the child and restarts its peak-RSS tracking from the current RSS. */
  resetPeak(): Promise<RssInfo>;
  /** Runs the watch tick in the child now (what the deployed schedule does once a minute). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartStackOptions {
  readonly root: string;
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  readonly stateDir: string;
  readonly streamPollMs?: number;
  readonly env?: Record<string, string>;
  readonly startupTimeoutMs?: number;
}

export async function startStackProcess(opts: StartStackOptions): Promise<StackProcess> {
  mkdirSync(opts.stateDir, { recursive: true });
  const hostOpts: HostOptions = {
    root: opts.root,
    dynamodbEndpoint: opts.dynamodbEndpoint,
    tableName: opts.tableName,
    stateDir: opts.stateDir,
    ...(opts.streamPollMs !== undefined ? { streamPollMs: opts.streamPollMs } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  };
  const child: ChildProcess = fork(path.join(opts.root, 'bench/lib/stack-host.ts'), [], {
    cwd: opts.root,
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env['BENCH_STACK_NODE_ARGS']?.split(' ').filter(Boolean) ?? [])],
    env: { ...process.env, BENCH_STACK_OPTS: JSON.stringify(hostOpts), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (d: Buffer): void => {
    output = (output + d.toString()).slice(-8000);
    if (process.env['BENCH_VERBOSE'] === '1') process.stderr.write(`[stack ${opts.tableName}] ${d.toString()}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const pending = new Map<number, (m: HostMessage & { type: 'reply' }) => void>();
  let nextId = 1;
  const ready = new Promise<HostMessage & { type: 'ready' }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stack process did not start in time:\n${output}`)), opts.startupTimeoutMs ?? 120_000);
    child.on('message', (raw) => {
      const m = raw as HostMessage;
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m);
      } else if (m.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`stack process failed to start: ${m.message}\n${output}`));
      } else if (m.type === 'reply') {
        pending.get(m.id)?.(m);
        pending.delete(m.id);
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`stack process exited during startup:\n${output}`));
    });
  });
  let info: HostMessage & { type: 'ready' };
  try {
    info = await ready;
  } catch (e) {
    if (!exited) child.kill('SIGKILL');
    throw e;
  }
  const ask = (type: HostRequest['type']): Promise<HostMessage & { type: 'reply' }> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error(`stack process has exited:\n${output}`));
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ id, type } satisfies HostRequest);
    });
  let stopping: Promise<void> | undefined;
  return {
    url: info.url,
    port: info.port,
    token: info.token,
    pid: child.pid ?? 0,
    tableName: opts.tableName,
    rss: async () => (await ask('rss')).rss!,
    resetPeak: async () => (await ask('reset-peak')).rss!,
    tick: async () => void (await ask('tick')),
    stop: () =>
      (stopping ??= (async () => {
        if (exited) return;
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        try {
          await Promise.race([ask('stop'), exit]);
        } catch {
          child.kill('SIGKILL');
        }
        await exit;
        clearTimeout(timer);
      })()),
  };
}
