/**
 * A hostile registry, property-based: every answer the registry gives is drawn at random —
 * status codes, redirects (to itself, in loops, to nowhere), auth challenges (valid, junk,
 * pointing at blocked addresses), Retry-After values, content types and digests that lie,
 * truncated, oversized and garbage bodies, dropped connections and silence. Whatever it does,
 * a manifest or blob fetch ends with a result or a RegistryError (which the importer turns into
 * an ImportSuccess=False condition) — never another exception, and never a hang (the client's
 * own timeouts end silence; the test's timeout would catch one that does not).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ADDRESS_POLICY } from '../../../shared/importer/address-policy.js';
import { HttpRegistryClient, RegistryError } from '../../../shared/importer/registry-client.js';
import { fuzzParams } from '../../helpers/fuzz.js';
import { sha } from './fake-registry.js';

const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('{}'), size: 2 },
  layers: [],
});

/** What the registry does with one request. */
type Answer =
  | { kind: 'reply'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'redirect'; status: number; location: string }
  | { kind: 'challenge'; header: string }
  | { kind: 'destroy' }
  | { kind: 'silence' }
  | { kind: 'truncate'; status: number };

let server: Server;
let port = 0;
/** The answers of the current case, one per request in order (the last repeats). */
let script: Answer[] = [];
let served = 0;
const sockets = new Set<Socket>();

function answer(res: ServerResponse, a: Answer): void {
  switch (a.kind) {
    case 'reply':
      res.writeHead(a.status, a.headers);
      res.end(a.body);
      return;
    case 'redirect':
      res.writeHead(a.status, { Location: a.location.replace('SELF', `http://127.0.0.1:${port}`) });
      res.end();
      return;
    case 'challenge':
      res.writeHead(401, { 'WWW-Authenticate': a.header.replace('SELF', `http://127.0.0.1:${port}`), 'Docker-Distribution-Api-Version': 'registry/2.0' });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    case 'destroy':
      res.socket?.destroy();
      return;
    case 'silence':
      return; // the client's read timeout ends it
    case 'truncate':
      res.writeHead(a.status, { 'Content-Length': '1000', 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
      res.write(MANIFEST.slice(0, 20));
      res.socket?.destroy();
      return;
  }
}

beforeAll(async () => {
  server = createServer((_req, res) => {
    const a = script[Math.min(served, script.length - 1)]!;
    served++;
    answer(res, a);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

const headerValue = fc.oneof(fc.constantFrom('', '0', '1', '-1', 'junk', 'Wed, 21 Oct 2015 07:28:00 GMT', '99999999999999999999'), fc.string({ maxLength: 20 }));
const contentType = fc.constantFrom(
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/json',
  'text/html',
  '',
);
const body = fc.oneof(
  fc.constant(MANIFEST),
  fc.constant('{}'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
  fc.string({ maxLength: 200 }),
  fc.constant('x'.repeat(70 * 1024)), // over the manifest size limit
);
const reply: fc.Arbitrary<Answer> = fc.record({
  kind: fc.constant('reply' as const),
  status: fc.constantFrom(200, 200, 200, 201, 204, 304, 400, 401, 403, 404, 405, 429, 500, 502, 503, 999),
  headers: fc.record(
    {
      'Content-Type': contentType,
      'Docker-Content-Digest': fc.oneof(fc.constant(sha(MANIFEST)), fc.constant('sha256:nope'), headerValue),
      'Retry-After': headerValue,
      'Docker-Distribution-Api-Version': fc.constantFrom('registry/2.0', ''),
    },
    { requiredKeys: [] },
  ),
  body,
});
const answerArb: fc.Arbitrary<Answer> = fc.oneof(
  { weight: 6, arbitrary: reply },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('redirect' as const),
      status: fc.constantFrom(301, 302, 303, 307, 308),
      location: fc.constantFrom('SELF/v2/demo/app/manifests/v1', 'SELF/elsewhere', 'http://169.254.169.254/latest/meta-data/', 'ftp://x/y', '', '::::', 'http://127.0.0.1:1/'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('challenge' as const),
      header: fc.constantFrom(
        'Bearer realm="SELF/token",service="reg",scope="repository:demo/app:pull"',
        'Bearer realm="http://169.254.169.254/token"',
        'Bearer realm="SELF/token"',
        'Basic realm="reg"',
        'Bearer',
        'Bearer realm=',
        'Negotiate',
        '',
        'Bearer realm="SELF/token",error="insufficient_scope"',
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'destroy' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'silence' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), status: fc.constantFrom(200, 500) }) },
);

describe('registry client against a hostile registry (property-based)', () => {
  it('ends every fetch with a result or a RegistryError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(answerArb, { minLength: 1, maxLength: 6 }),
        fc.constantFrom('manifest', 'blob'),
        fc.option(fc.record({ username: fc.string({ maxLength: 5 }), password: fc.string({ maxLength: 5 }) }), { nil: undefined }),
        async (answers, what, credential) => {
          script = answers;
          served = 0;
          const client = new HttpRegistryClient({
            addressPolicy: { ...DEFAULT_ADDRESS_POLICY, allowLoopback: true },
            connectTimeoutMs: 300,
            readTimeoutMs: 150,
            requestTimeoutMs: 1500,
            maxManifestBytes: 64 * 1024,
            maxRedirects: 3,
            perRegistryConcurrency: 2,
            retryBaseMs: 1,
            maxInlineRetryAfterSeconds: 0,
            defaultRetryAfterSeconds: 1,
          });
          const repo = { registry: `127.0.0.1:${port}`, repository: 'demo/app' };
          const access = { insecure: true, ...(credential ? { credential } : {}) };
          try {
            if (what === 'manifest') await client.getManifest(repo, 'v1', access);
            else await client.getBlob(repo, sha('{}'), access, 1024);
          } catch (e) {
            expect(e, String(e)).toBeInstanceOf(RegistryError);
          } finally {
            client.close();
          }
        },
      ),
      fuzzParams(150),
    );
  }, 120_000);
});
