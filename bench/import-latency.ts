/**
 * Import latency on the local stack: the time from a spec write (POST of an ImageStream with a
 * DockerImage tag) to the imported status (the tag's event visible to a GET), through the
 * whole pipeline — DynamoDB Local's stream, the stream poller, the import trigger, the
 * in-process queue, the registry (Debian's docker-registry on 127.0.0.1 with TLS) and the
 * internal write. Prints p50/p90/max.
 *
 *   npx tsx bench/import-latency.ts [samples=30]
 */
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'ERROR';
const { loopbackOnly, startLocalStack } = await import('../infra/local/stack.js');
const { startRegistry } = await import('../test/helpers/registry.js');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const samples = Number(process.argv[2] ?? 30);

function call(port: number, token: string, method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        rejectUnauthorized: false,
        headers: { Authorization: `Bearer ${token}`, ...(data ? { 'Content-Type': 'application/json', 'Content-Length': String(data.length) } : {}) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString() || 'null') }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const registry = await startRegistry({ tls: true });
const dir = mkdtempSync(path.join(tmpdir(), 'is-bench-import-'));
const stack = await startLocalStack({
  root: ROOT,
  port: 0,
  tableName: 'bench-import',
  kubeconfigOut: path.join(dir, 'kubeconfig'),
  tokensFile: path.join(dir, 'tokens.csv'),
  stateDir: dir,
  env: { IMPORT_CA_FILE: registry.caFile!, ...loopbackOnly(), POWERTOOLS_LOG_LEVEL: 'ERROR' },
});
try {
  const pushed = await registry.pushImage('bench/app', 'v1');
  const base = '/apis/image.openshift.io/v1/namespaces/bench/imagestreams';
  const latencies: number[] = [];
  for (let i = -3; i < samples; i++) {
    const name = `s${i + 3}`;
    const started = performance.now();
    const created = await call(stack.port, stack.token, 'POST', base, {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name },
      spec: { tags: [{ name: 'v1', from: { kind: 'DockerImage', name: `${registry.host}/bench/app:v1` } }] },
    });
    if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.json)}`);
    for (;;) {
      const got = await call(stack.port, stack.token, 'GET', `${base}/${name}`);
      if (got.json?.status?.tags?.[0]?.items?.[0]?.image === pushed.digest) break;
      if (performance.now() - started > 30_000) throw new Error(`no import of ${name} within 30 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    if (i >= 0) latencies.push(performance.now() - started); // the first three warm up
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `import latency (spec write → imported status), ${latencies.length} samples: p50 ${pct(latencies, 50).toFixed(0)} ms, p90 ${pct(latencies, 90).toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms`,
  );
} finally {
  await stack.stop();
  await registry.stop();
}
