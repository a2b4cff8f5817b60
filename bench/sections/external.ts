/**
 * 7. Figures from the other engineers' scripts, each run against its own local stack:
 *  - bench/watch-fanout.ts (WebSocket watch): `measureWriteToEvent` and `measureFanout`,
 *    imported and called with a stack process of this run (its own DynamoDB Local and table,
 *    the default stream poll interval: the watch is measured end to end).
 *  - bench/import-latency.ts and bench/auth-cost.ts are top-level scripts (no exports): run
 *    as child processes (`node --import tsx bench/<script>.ts <count>`), their printed lines
 *    parsed into rows. When a script exports its measurement functions, import them as for
 *    watch-fanout (HOOK below).
 *  - Any other script listed in SCRIPTS whose last stdout line is JSON: its numeric leaves
 *    become rows (no baseline), its other lines notes.
 * Scripts are loaded by path at run time and each runs under a time limit, so a missing,
 * half-finished or stuck script costs its own rows only (reported as this section's error).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { emptySection, fmt, row, table } from '../lib/stats.js';
import type { BenchContext, Row, SectionResult } from '../lib/types.js';

/** What this section uses of bench/watch-fanout.ts (checked at run time: the script is in progress). */
interface Distribution {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
}
interface FanoutEvent {
  readonly allMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}
type WatchTarget = { port: number; token: string; tick?: () => Promise<unknown> };
interface WatchFanoutModule {
  measureWriteToEvent(stack: WatchTarget, opts: { writes?: number }): Promise<{ fromWrite: Distribution; fromAck: Distribution; write: Distribution }>;
  measureFanout(stack: WatchTarget, opts: { subscribers?: number; events?: number }): Promise<{ subscribers: number; subscribeMs: number; first: FanoutEvent; steady: FanoutEvent[] }>;
}

const isFn = (x: unknown): x is (...args: never[]) => unknown => typeof x === 'function';

/** A script's time limit: its nominal one, cut to what is left of the run's budget. */
function limit(ctx: BenchContext, nominalMs: number): number {
  return Math.min(nominalMs, ctx.remainingMs() - 10_000);
}

class BudgetSpent extends Error {}

function withTimeout<T>(what: string, ms: number, start: () => Promise<T>): Promise<T> {
  if (ms < 15_000) return Promise.reject(new BudgetSpent(`${what}: skipped, the run's time budget (BENCH_BUDGET_S) is spent`));
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    start().finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${(ms / 1000).toFixed(0)} s`)), ms);
    }),
  ]);
}

async function watchFanout(ctx: BenchContext, out: SectionResult, file: string): Promise<void> {
  const mod = (await import(pathToFileURL(file).href)) as Partial<WatchFanoutModule>;
  if (!isFn(mod.measureWriteToEvent) || !isFn(mod.measureFanout)) {
    throw new Error('bench/watch-fanout.ts no longer exports measureWriteToEvent/measureFanout: update bench/sections/external.ts');
  }
  // Its own DynamoDB Local (the stream pipeline slows down as DynamoDB Local fills up) and the
  // stack's default stream poll interval.
  const ddb = await ctx.startDynamoDb('watch');
  try {
    const stack = await ctx.startStack('watch', { streamPollMs: undefined, dynamodbEndpoint: ddb.endpoint });
    try {
      await measureWatch(ctx, out, mod as WatchFanoutModule, { port: stack.port, token: stack.token, tick: () => stack.tick() });
    } finally {
      await stack.stop();
    }
  } finally {
    await ddb.stop();
  }
}

async function measureWatch(ctx: BenchContext, out: SectionResult, mod: WatchFanoutModule, target: WatchTarget): Promise<void> {
  const writes = ctx.n(200, 20);
  ctx.log(`  watch write→event ×${writes}`);
  const latency = await withTimeout('watch write→event', limit(ctx, ctx.n(120_000, 60_000)), () => mod.measureWriteToEvent(target, { writes }));
  out.rows.push(row('watch: write→event p50', latency.fromWrite.p50, 'ms', latency.write.p50, { on: 'value', max: 100 }));
  out.rows.push(row('watch: write→event p99', latency.fromWrite.p99, 'ms', latency.write.p99, { on: 'value', max: 300 }));
  const subscribers = ctx.n(1000, 50);
  const events = ctx.n(5, 2);
  ctx.log(`  watch fan-out to ${subscribers} subscribers ×${events}`);
  const fan = await withTimeout('watch fan-out', limit(ctx, ctx.n(150_000, 60_000)), () => mod.measureFanout(target, { subscribers, events }));
  const steadyAll = fan.steady.map((e) => e.allMs).sort((a, b) => a - b);
  const medianAll = steadyAll[Math.floor((steadyAll.length - 1) / 2)] ?? Number.NaN;
  out.rows.push(row(`watch: one event to ${fan.subscribers} subscribers (all, median)`, medianAll, 'ms', latency.fromWrite.p50, { on: 'value', max: 1000 }));
  out.rows.push(row(`watch: first event to ${fan.subscribers} subscribers (all)`, fan.first.allMs, 'ms', latency.fromWrite.p50));
  out.tables.push(
    table(
      'Watch fan-out events (bench/watch-fanout.ts)',
      ['event', 'all ms', 'p50 ms', 'p99 ms'],
      [['first', fmt(fan.first.allMs), fmt(fan.first.p50Ms), fmt(fan.first.p99Ms)], ...fan.steady.map((e, i) => [`steady ${i + 1}`, fmt(e.allMs), fmt(e.p50Ms), fmt(e.p99Ms)])],
    ),
  );
  out.data['watch-fanout'] = { latency, fanout: fan };
  out.notes.push(
    `watch-fanout: ${latency.fromWrite.samples} sequential creates, baseline = the write's own latency; ` +
      `fan-out baseline = write→event p50 with one subscriber; subscribing ${fan.subscribers} took ${fmt(fan.subscribeMs)} ms.`,
  );
}

interface ChildOutput {
  readonly lines: string[];
}

/** Runs a bench script as a child process under a time limit. */
async function runChild(ctx: BenchContext, file: string, args: string[], nominalMs: number): Promise<ChildOutput> {
  const timeoutMs = limit(ctx, nominalMs);
  if (timeoutMs < 15_000) throw new BudgetSpent(`${path.basename(file)}: skipped, the run's time budget (BENCH_BUDGET_S) is spent`);
  ctx.log(`  running ${path.relative(ctx.root, file)} ${args.join(' ')} as a child process`);
  const { code, stdout, stderr, killed } = await new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: ctx.root,
      env: { ...process.env, BENCH_SUITE: '1', BENCH_QUICK: ctx.quick ? '1' : '', BENCH_DYNAMODB_ENDPOINT: ctx.dynamodbEndpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let so = '';
    let se = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (so += d.toString()));
    child.stderr.on('data', (d: Buffer) => (se = (se + d.toString()).slice(-4000)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, timeoutMs);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve({ code: c, stdout: so, stderr: se, killed: timedOut });
    });
  });
  if (killed) throw new Error(`${path.basename(file)} did not finish within ${(timeoutMs / 1000).toFixed(0)} s`);
  if (code !== 0) throw new Error(`${path.basename(file)} exited with ${code}: ${stderr.trim().split('\n').slice(-4).join(' | ')}`);
  return { lines: stdout.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '') };
}

/** Numeric leaves of a JSON value, as rows without a baseline (units guessed from the key). */
function flatten(prefix: string, v: unknown, rows: Row[]): void {
  if (typeof v === 'number') {
    const unit = /(ms|Ms|millis)$/.test(prefix) ? 'ms' : /(PerSecond|PerSec|Rate)$/.test(prefix) ? '/s' : '';
    rows.push(row(prefix, v, unit));
  } else if (v && typeof v === 'object' && rows.length < 40) {
    for (const [k, x] of Object.entries(v)) flatten(prefix ? `${prefix}.${k}` : k, x, rows);
  }
}

/** Section 1's API create p50 of this run, if it ran. */
function apiCreateP50(ctx: BenchContext): number | null {
  const r = ctx.results.find((s) => s.id === 'latency')?.rows.find((x) => x.metric === 'create p50');
  return r?.value ?? null;
}

/** bench/import-latency.ts prints `… N samples: p50 X ms, p90 Y ms, max Z ms`. */
async function importLatency(ctx: BenchContext, out: SectionResult, file: string): Promise<void> {
  const samples = ctx.n(30, 5);
  const { lines } = await runChild(ctx, file, [String(samples)], ctx.n(180_000, 90_000));
  const line = lines.find((l) => /p50 [\d.]+ ms/.test(l));
  const num = (label: string): number | null => {
    const m = new RegExp(`${label} ([\\d.]+) ms`).exec(line ?? '');
    return m ? Number(m[1]) : null;
  };
  if (!line) throw new Error(`import-latency: no "p50 … ms" line in its output: ${lines.slice(-3).join(' | ')}`);
  const base = apiCreateP50(ctx);
  out.rows.push(row('import: spec write → imported status p50', num('p50'), 'ms', base));
  out.rows.push(row('import: spec write → imported status p90', num('p90'), 'ms', base));
  out.rows.push(row('import: spec write → imported status max', num('max'), 'ms', base));
  out.data['import-latency'] = { lines };
  out.notes.push(
    `import-latency (its own stack and registry): ${line.trim()}. Baseline: ${base === null ? 'none (section 1 did not run)' : "section 1's API create p50 — the write alone"}.`,
  );
}

/** bench/auth-cost.ts prints `<case>  X µs CPU  Y µs wall` per case. */
async function authCost(ctx: BenchContext, out: SectionResult, file: string): Promise<void> {
  const iterations = ctx.n(20_000, 2000);
  const { lines } = await runChild(ctx, file, [String(iterations)], ctx.n(120_000, 60_000));
  const cases: { name: string; cpu: number; wall: number | null }[] = [];
  for (const l of lines) {
    const m = /^(.+?)\s+([\d.]+) µs CPU(?:\s+([\d.]+) µs wall)?\s*$/.exec(l);
    if (m) cases.push({ name: m[1]!.trim(), cpu: Number(m[2]), wall: m[3] === undefined ? null : Number(m[3]) });
  }
  if (cases.length === 0) throw new Error(`auth-cost: no "… µs CPU" lines in its output: ${lines.slice(-3).join(' | ')}`);
  // Baselines: the system:masters request (authentication, no RBAC evaluation) for the warm
  // cases; the cached JWT for the first verification.
  const masters = cases.find((c) => /system:masters/.test(c.name))?.cpu ?? null;
  const cachedJwt = cases.find((c) => /JWT, cached/.test(c.name))?.cpu ?? null;
  for (const c of cases) {
    const first = /first verification/.test(c.name);
    const baseline = c === cases.find((x) => /system:masters/.test(x.name)) ? null : first ? cachedJwt : masters;
    out.rows.push(row(`auth: ${c.name}, CPU`, c.cpu, 'µs', baseline, first ? undefined : { on: 'value', max: 300 }));
  }
  out.tables.push(table('Auth cost per request (bench/auth-cost.ts)', ['case', 'CPU µs', 'wall µs'], cases.map((c) => [c.name, fmt(c.cpu), fmt(c.wall)])));
  out.data['auth-cost'] = { cases, lines };
  out.notes.push(
    `auth-cost (in process, ${iterations} requests per case): baseline = the system:masters request (authentication without RBAC evaluation); for the first JWT verification, the cached JWT.`,
  );
}

/** HOOK for any further script: rows from a JSON last line, notes from the others. */
async function genericScript(ctx: BenchContext, out: SectionResult, name: string, file: string): Promise<void> {
  const { lines } = await runChild(ctx, file, [], ctx.n(180_000, 90_000));
  let parsed: unknown;
  try {
    parsed = JSON.parse(lines[lines.length - 1] ?? '');
  } catch {
    parsed = undefined;
  }
  const rows: Row[] = [];
  if (parsed !== undefined) flatten(name, parsed, rows);
  out.rows.push(...rows);
  for (const l of parsed === undefined ? lines : lines.slice(0, -1)) out.notes.push(`${name}: ${l.trim()}`);
  out.data[name] = parsed ?? lines;
}

export async function run(ctx: BenchContext): Promise<SectionResult> {
  const out = emptySection('external', "7. Watch fan-out, import latency, auth cost (other engineers' scripts)", 'per figure, see the notes');
  const scripts: [string, (file: string) => Promise<void>][] = [
    ['watch-fanout', (file) => watchFanout(ctx, out, file)],
    // HOOK(import-latency): a top-level script today; import its functions once it exports them.
    ['import-latency', (file) => importLatency(ctx, out, file)],
    // HOOK(auth-cost): likewise.
    ['auth-cost', (file) => authCost(ctx, out, file)],
    // HOOK: further scripts go here, e.g. ['my-script', (file) => genericScript(ctx, out, 'my-script', file)].
  ];
  void genericScript;
  const failures: string[] = [];
  for (const [name, runScript] of scripts) {
    const file = path.join(ctx.root, 'bench', `${name}.ts`);
    if (!existsSync(file)) {
      out.notes.push(`bench/${name}.ts is not in the repository: no figures (HOOK in bench/sections/external.ts).`);
      continue;
    }
    try {
      await runScript(file);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof BudgetSpent) {
        out.notes.push(`bench/${name}.ts: ${message}`);
        continue;
      }
      failures.push(`${name}: ${message}`);
      out.notes.push(`bench/${name}.ts failed: ${message.split('\n')[0]}`);
    }
  }
  if (failures.length > 0) out.error = failures.join('\n');
  return out;
}
