/**
 * Black-box helpers: the local stack on a free port (against the integration run's DynamoDB
 * Local), kubectl with its own kubeconfig and discovery cache, and raw HTTPS requests.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { loopbackOnly, startLocalStack, type LocalStack } from '../../infra/local/stack.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackUnderTest extends LocalStack {
  readonly dir: string;
}

/**
 * A local stack of its own. The image importer runs only when asked for (`importer: true`):
 * suites that check the API server's contract (generations, resourceVersions, event sequences)
 * must not race a controller's status writes. When it runs it imports from loopback
 * registries only, so tests stay off the network.
 */
export async function startStackForTest(env: Record<string, string> = {}, opts: { importer?: boolean } = {}): Promise<StackUnderTest> {
  const dir = mkdtempSync(path.join(tmpdir(), 'is-stack-'));
  const stack = await startLocalStack({
    root: ROOT,
    port: 0,
    dynamodbEndpoint: inject('dynamodbEndpoint'),
    tableName: `conf-${randomBytes(4).toString('hex')}`,
    kubeconfigOut: path.join(dir, 'kubeconfig'),
    tokensFile: path.join(dir, 'tokens.csv'),
    stateDir: dir,
    env: { ...loopbackOnly(env), ...env },
    importer: opts.importer ?? false,
  });
  return { ...stack, dir };
}

/** A kubectl binary of the given minor version if installed beside the dispatcher, else `kubectl`. */
export function kubectlBinary(minor?: number): string {
  if (minor !== undefined) {
    for (const dir of [path.dirname(realpathSync('/usr/bin/kubectl')), '/usr/lib/google-cloud-sdk/bin']) {
      const candidate = path.join(dir, `kubectl.1.${minor}`);
      if (existsSync(candidate)) return candidate;
    }
  }
  return 'kubectl';
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function makeKubectl(stack: StackUnderTest, minor = 32): (args: string[], input?: string, env?: Record<string, string>) => Promise<RunResult> {
  const cache = mkdtempSync(path.join(stack.dir, 'cache-'));
  const bin = kubectlBinary(minor);
  return (args, input, env = {}) =>
    new Promise((resolve) => {
      const child = execFile(
        bin,
        ['--kubeconfig', stack.kubeconfig, '--cache-dir', cache, ...args],
        { timeout: 60_000, env: { ...process.env, KUBECONFIG: stack.kubeconfig, ...env } },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) child.stdin?.end(input);
    });
}

export function writeManifest(stack: StackUnderTest, name: string, text: string): string {
  const file = path.join(stack.dir, name);
  writeFileSync(file, text);
  return file;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
   
  readonly json: any;
}

/** A raw HTTPS request to the stack (self-signed certificate accepted). */
export function http(
  stack: StackUnderTest,
  method: string,
  urlPath: string,
  opts: { body?: string | Buffer; headers?: Record<string, string>; token?: string | null } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token !== null) headers['Authorization'] = `Bearer ${opts.token ?? stack.token}`;
    if (opts.body !== undefined) {
      headers['Content-Type'] ??= 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    }
    const req = request(
      { host: '127.0.0.1', port: stack.port, method, path: urlPath, headers, rejectUnauthorized: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => {
          const body = Buffer.concat(parts).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
