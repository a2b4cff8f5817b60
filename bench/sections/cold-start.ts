/**
 * 4. Cold start: every Lambda bundle built with esbuild exactly as the CDK app does
 * (infra/constructs/api-function.ts: ESM, minify, node22, mainFields module/main, the
 * createRequire banner, external source map, AWS SDK bundled), its size, and its module
 * initialization in fresh Node processes (`import()` timed inside the process, with
 * --enable-source-maps as the functions run). Entries: FAMILY_ENTRIES plus every module
 * under functions/ that exports `handler`. Baseline: a bundle holding only a DynamoDBClient
 * and one command, built and timed the same way — the floor of any function here.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { FAMILY_ENTRIES } from '../../shared/api/routes.js';
import { emptySection, fmt, median, min, row, table } from '../lib/stats.js';
import type { BenchContext, SectionResult } from '../lib/types.js';
import type { BuildOptions, Metafile } from 'esbuild';

const SDK_FLOOR_SOURCE = `
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = async (event) => client.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { pk: { S: String(event.pk) } } }));
`;

function walk(dir: string): string[] {
  let out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out = out.concat(walk(p));
    else if (/\.(ts|mts|js|mjs)$/.test(e.name) && !/\.(test|d)\.ts$/.test(e.name)) out.push(p);
  }
  return out;
}

/** FAMILY_ENTRIES plus any functions/** module exporting `handler` (watch, importer, … functions). */
export function lambdaEntries(root: string): string[] {
  const entries = new Set(Object.values(FAMILY_ENTRIES));
  const exportsHandler = /export\s+(const|let|var|async\s+function|function)\s+handler\b|export\s*\{[^}]*\bhandler\b[^}]*\}/;
  for (const file of walk(path.join(root, 'functions'))) {
    if (exportsHandler.test(readFileSync(file, 'utf8'))) entries.add(path.relative(root, file));
  }
  return [...entries].sort();
}

/** The CDK bundling options this section mirrors, as written in infra/constructs/api-function.ts. */
const CDK_OPTIONS = [
  'format: OutputFormat.ESM',
  "target: 'node22'",
  'minify: true',
  'sourceMap: true',
  'sourcesContent: false',
  "mainFields: ['module', 'main']",
  'banner: ESM_REQUIRE_BANNER',
  'externalModules: [...LAMBDA_UNUSED_MODULES]',
  'bundleAwsSDK: true',
];

/** The banner and the external modules (imported from the construct), and the options no longer found there. */
async function cdkBundling(root: string): Promise<{ banner: string; external: string[]; drift: string[] }> {
  const text = readFileSync(path.join(root, 'infra/constructs/api-function.ts'), 'utf8');
  const { ESM_REQUIRE_BANNER, LAMBDA_UNUSED_MODULES } = await import('../../infra/constructs/api-function.js');
  return { banner: ESM_REQUIRE_BANNER, external: [...LAMBDA_UNUSED_MODULES], drift: CDK_OPTIONS.filter((o) => !text.includes(o)) };
}

interface Built {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly buildMs: number;
  /** Output bytes by origin (npm package, or the repository's top folders). */
  readonly origins: [string, number][];
}

/** Groups a metafile's output bytes by npm package or repository folder. */
function originsOf(meta: Metafile): [string, number][] {
  const by = new Map<string, number>();
  for (const o of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(o.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = m ? m[1]! : input.split('/').slice(0, 2).join('/');
      by.set(key, (by.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...by].sort((a, b) => b[1] - a[1]);
}

/** The environment the deployed functions start with (values that matter only for their shape). */
const INIT_ENV: Record<string, string> = {
  TABLE_NAME: 'imagestreams',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_LAMBDA_FUNCTION_NAME: 'bench-cold-start',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  POWERTOOLS_SERVICE_NAME: 'imagestream-api',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  STATIC_TOKENS: 'token-bench,admin,admin,"system:masters"',
  CONNECTIONS_TABLE_NAME: 'imagestreams-connections',
  WS_CALLBACK_URL: 'https://example.execute-api.us-east-1.amazonaws.com/prod',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

interface InitRun {
  readonly initMs: number;
  readonly processMs: number;
  readonly rss: number;
}

function initOnce(file: string): InitRun {
  const script =
    `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); const initMs = performance.now() - t;` +
    `if (typeof m.handler !== 'function') throw new Error('no handler export');` +
    `process.stdout.write(JSON.stringify({ initMs, rss: process.memoryUsage().rss }));`;
  const t = performance.now();
  const res = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...INIT_ENV },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const processMs = performance.now() - t;
  if (res.status !== 0) throw new Error(`init of ${file} failed: ${res.stderr || res.error?.message || res.status}`);
  const parsed = JSON.parse(res.stdout) as { initMs: number; rss: number };
  return { initMs: parsed.initMs, rss: parsed.rss, processMs };
}

export async function run(ctx: BenchContext): Promise<SectionResult> {
  const out = emptySection('cold-start', '4. Cold start: Lambda bundle size and module initialization', 'an SDK-only bundle (DynamoDBClient + GetItem) built and timed the same way');
  const esbuild = await import('esbuild');
  const cdk = await cdkBundling(ctx.root);
  if (cdk.drift.length > 0) {
    out.notes.push(`infra/constructs/api-function.ts no longer contains ${cdk.drift.map((d) => `\`${d}\``).join(', ')}: these bundles may differ from the deployed ones — update bench/sections/cold-start.ts.`);
  }
  const outDir = path.join(ctx.tmp, 'bundles');
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: cdk.banner },
    external: cdk.external,
    logLevel: 'warning',
    absWorkingDir: ctx.root,
  };
  const build = async (name: string, input: { entry: string } | { source: string }): Promise<Built> => {
    const outfile = path.join(outDir, name.replace(/[^\w.-]+/g, '_'), 'index.mjs');
    const t = performance.now();
    const result = await esbuild.build({
      ...common,
      metafile: true,
      ...('entry' in input ? { entryPoints: [path.join(ctx.root, input.entry)] } : { stdin: { contents: input.source, resolveDir: ctx.root, sourcefile: 'sdk-floor.mjs', loader: 'js' } }),
      outfile,
    });
    const bytes = statSync(outfile).size;
    const origins = result.metafile ? originsOf(result.metafile) : [];
    return { name, file: outfile, bytes, gzipBytes: gzipSync(readFileSync(outfile)).length, buildMs: performance.now() - t, origins };
  };

  const entries = lambdaEntries(ctx.root);
  ctx.log(`  building ${entries.length} bundles + the SDK floor`);
  const floor = await build('sdk-floor', { source: SDK_FLOOR_SOURCE });
  const bundles: Built[] = [];
  for (const entry of entries) bundles.push(await build(entry, { entry }));

  const runs = ctx.n(9, 3);
  ctx.log(`  module init ×${runs} per bundle`);
  const inits = new Map<string, InitRun[]>();
  const all = [floor, ...bundles];
  initOnce(floor.file); // warm the file cache for everyone
  // Interleaved rounds: each bundle sees the same machine state over the run.
  for (let r = 0; r < runs; r++) {
    for (const b of all) {
      try {
        const list = inits.get(b.name) ?? [];
        list.push(initOnce(b.file));
        inits.set(b.name, list);
      } catch (e) {
        if (!out.notes.some((n) => n.startsWith(b.name))) out.notes.push(`${b.name}: ${e instanceof Error ? e.message.split('\n').slice(0, 3).join(' ') : String(e)}`);
      }
    }
  }
  const floorInit = inits.get(floor.name)?.map((x) => x.initMs) ?? [];
  const detail: string[][] = [];
  for (const b of all) {
    const list = inits.get(b.name) ?? [];
    const initMs = list.map((x) => x.initMs);
    detail.push([
      b.name,
      fmt(b.bytes / 1024),
      fmt(b.gzipBytes / 1024),
      fmt(min(initMs)),
      fmt(median(initMs)),
      fmt(median(list.map((x) => x.processMs))),
      fmt(median(list.map((x) => x.rss)) / 2 ** 20),
    ]);
    out.data[b.name] = { bytes: b.bytes, gzipBytes: b.gzipBytes, buildMs: b.buildMs, init: list, origins: b.origins.slice(0, 25) };
    if (b === floor) continue;
    out.rows.push(row(`${b.name} size`, b.bytes / 1024, 'KiB', floor.bytes / 1024, { on: 'value', max: 400 }));
    out.rows.push(row(`${b.name} init min`, min(initMs), 'ms', min(floorInit)));
    out.rows.push(row(`${b.name} init median`, median(initMs), 'ms', median(floorInit), { on: 'value', max: 150 }));
  }
  out.tables.push(table('Bundles', ['bundle', 'KiB', 'gzip KiB', 'init min ms', 'init median ms', 'process median ms', 'RSS MiB'], detail));
  const largest = [...bundles].sort((a, b) => b.bytes - a.bytes)[0];
  for (const b of [bundles.find((x) => x.name === FAMILY_ENTRIES.imagestreams), largest]) {
    if (!b || out.tables.some((t) => t.title.endsWith(b.name))) continue;
    out.tables.push(
      table(
        `What is in ${b.name}`,
        ['origin', 'KiB', 'share'],
        b.origins.slice(0, 12).map(([k, v]) => [k, fmt(v / 1024), `${((v / b.bytes) * 100).toFixed(0)} %`]),
      ),
    );
  }
  out.notes.push(
    `Init = time of \`await import(bundle)\` inside a fresh \`node --enable-source-maps\` (${runs} runs per bundle, interleaved); process = spawn to exit. ` +
      `Local Node is ${process.version}; Lambda runs Node 22 on ARM64, so absolute init times differ there. Sizes exclude the external .map file.`,
  );
  return out;
}
