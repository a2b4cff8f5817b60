/**
 * `npm run bench`: the performance suite. Starts DynamoDB Local and (on first use) a local
 * stack in a child process — sections that need a clean one start their own DynamoDB Local
 * and stack through the context — runs each section under bench/sections/ in order, prints
 * one table (metric, value, same-run baseline, ratio, target, ok) and writes
 * bench/results/latest.json and bench/results/latest.md. See bench/README.md.
 *
 *   BENCH_QUICK=1    shrink every iteration count (smoke run, ~1–2 minutes)
 *   BENCH_ONLY=1,3   run only these sections (numbers or ids, e.g. `latency,cold-start`)
 *   BENCH_VERBOSE=1  show the stack processes' output
 *   BENCH_STACK_NODE_ARGS  extra node flags for the stack processes (space-separated), e.g.
 *                    `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the gateway and handlers
 *   BENCH_BUDGET_S   time budget of the run (default 540, quick 240): the last section's
 *                    external scripts get what is left and are skipped when it is spent
 *
 * No timing assertion anywhere: a missed target is reported, and the exit code is 0 unless a
 * section failed to run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackProcess } from './lib/stack-process.js';
import type { BenchContext, SectionResult, SectionRunner, StackOptions } from './lib/types.js';

// Set before the AWS SDK loads: everything that imports it is loaded dynamically below.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';

const { startDynamoDbLocal } = await import('../infra/local/dynamodb-local.js');
const { startStackProcess } = await import('./lib/stack-process.js');
const { printTable, writeResults } = await import('./lib/report.js');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.env['BENCH_QUICK'] === '1' || process.env['BENCH_QUICK'] === 'true';
const BUDGET_MS = Number(process.env['BENCH_BUDGET_S'] || (QUICK ? 240 : 540)) * 1000;
/**
 * The stream poll interval of the bench's stacks. Locally the watch pipeline's stream pollers
 * and fan-out run in the handlers' process (on AWS they are other functions): a poller that
 * finds the stream empty at start-up sleeps this long, so it stays out of the measured
 * process for the whole run (section 7 starts its watch stack with the default interval).
 */
const PARKED_POLL_MS = 30 * 60_000;

interface SectionSpec {
  readonly num: number;
  readonly id: string;
  readonly title: string;
  readonly load: () => Promise<{ run: SectionRunner }>;
}

const SECTIONS: readonly SectionSpec[] = [
  { num: 1, id: 'latency', title: '1. Handler overhead vs DynamoDB', load: () => import('./sections/latency.js') },
  { num: 2, id: 'round-trips', title: '2. DynamoDB round trips per operation', load: () => import('./sections/round-trips.js') },
  { num: 3, id: 'cpu', title: '3. CPU per request (storage mocked)', load: () => import('./sections/cpu.js') },
  { num: 4, id: 'cold-start', title: '4. Cold start: bundle size and module init', load: () => import('./sections/cold-start.js') },
  { num: 5, id: 'throughput', title: '5. Write throughput', load: () => import('./sections/throughput.js') },
  { num: 6, id: 'scale', title: '6. Scale: large lists and a 1.5 MiB stream', load: () => import('./sections/scale.js') },
  { num: 7, id: 'external', title: "7. Watch fan-out, import latency, auth cost (other engineers' scripts)", load: () => import('./sections/external.js') },
];

function selected(): readonly SectionSpec[] {
  const only = process.env['BENCH_ONLY'];
  if (!only) return SECTIONS;
  const wanted = new Set(only.split(',').map((s) => s.trim()));
  return SECTIONS.filter((s) => wanted.has(String(s.num)) || wanted.has(s.id));
}

const git = (...args: string[]): string => {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};

const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`;
const log = (line: string): void => void process.stderr.write(`[bench ${elapsed()}] ${line}\n`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'imagestream-bench-'));
const stacks: StackProcess[] = [];
let ddb: Awaited<ReturnType<typeof startDynamoDbLocal>> | undefined;
const extraDynamo: Awaited<ReturnType<typeof startDynamoDbLocal>>[] = [];
let cleaning: Promise<void> | undefined;

const cleanup = (): Promise<void> =>
  (cleaning ??= (async () => {
    await Promise.allSettled(stacks.map((s) => s.stop()));
    await Promise.allSettled([ddb, ...extraDynamo].map((d) => d?.stop()));
    rmSync(tmp, { recursive: true, force: true });
  })());

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  const sections = selected();
  const loadAtStart = os.loadavg()[0] ?? 0;
  log(`${QUICK ? 'QUICK run' : 'full run'}: sections ${sections.map((s) => s.num).join(', ')}; load average ${loadAtStart.toFixed(2)}; scratch ${tmp}`);
  log('starting DynamoDB Local');
  ddb = await startDynamoDbLocal({ startupTimeoutMs: 120_000 });
  const endpoint = ddb.endpoint;
  log(`DynamoDB Local at ${endpoint}`);
  let stackCount = 0;
  const startStack = async (name: string, opts: StackOptions = {}): Promise<StackProcess> => {
    const t = performance.now();
    const tableName = `bench-${name}-${Date.now().toString(36)}`;
    const streamPollMs = 'streamPollMs' in opts ? opts.streamPollMs : PARKED_POLL_MS;
    const s = await startStackProcess({
      root: ROOT,
      dynamodbEndpoint: opts.dynamodbEndpoint ?? endpoint,
      tableName,
      stateDir: path.join(tmp, `stack-${++stackCount}`),
      ...(streamPollMs !== undefined ? { streamPollMs } : {}),
    });
    stacks.push(s);
    log(`stack ${name} (pid ${s.pid}, table ${tableName}) ready at ${s.url} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return s;
  };
  const startDynamoDb = async (name: string): Promise<{ endpoint: string; stop(): Promise<void> }> => {
    const t = performance.now();
    const d = await startDynamoDbLocal({ startupTimeoutMs: 120_000 });
    extraDynamo.push(d);
    log(`DynamoDB Local ${name} at ${d.endpoint} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return d;
  };
  let shared: Promise<StackProcess> | undefined;
  const results: SectionResult[] = [];
  const ctx: BenchContext = {
    root: ROOT,
    quick: QUICK,
    tmp,
    dynamodbEndpoint: endpoint,
    stack: () => (shared ??= startStack('main')),
    startStack,
    startDynamoDb,
    log,
    n: (full, quick) => (QUICK ? quick : full),
    remainingMs: () => BUDGET_MS - (performance.now() - started),
    results,
  };

  for (const spec of sections) {
    log(`section ${spec.title}`);
    const t = performance.now();
    let result: SectionResult;
    try {
      const mod = await spec.load();
      result = await mod.run(ctx);
    } catch (e) {
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      log(`section ${spec.num} failed: ${message}`);
      result = { id: spec.id, title: spec.title, baseline: '—', rows: [], notes: [], tables: [], data: {}, error: message };
    }
    result.seconds = (performance.now() - t) / 1000;
    log(`section ${spec.num} done in ${result.seconds.toFixed(0)} s`);
    results.push(result);
  }

  const meta = {
    timestamp: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    quick: QUICK,
    gitCommit: git('rev-parse', '--short', 'HEAD'),
    gitDirty: git('status', '--porcelain').length > 0,
    seconds: (performance.now() - started) / 1000,
    // Other work on the machine skews every figure: the 1-minute load average at start and end.
    loadAverage: [Number(loadAtStart.toFixed(2)), Number((os.loadavg()[0] ?? 0).toFixed(2))] as const,
  };
  process.stdout.write(`\n${printTable(results, meta)}\n`);
  const files = writeResults(path.join(ROOT, 'bench/results'), results, meta);
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), files.json)} and ${path.relative(process.cwd(), files.md)}\n`);
  return results.some((r) => r.error) ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
} finally {
  await cleanup();
}
process.exit(code);
