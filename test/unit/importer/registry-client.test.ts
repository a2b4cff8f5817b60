import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_ADDRESS_POLICY } from '../../../shared/importer/address-policy.js';
import { MANIFEST_ACCEPT } from '../../../shared/importer/manifests.js';
import { HttpRegistryClient, parseChallenge, parseRetryAfter, RegistryError, type RegistryClientOptions } from '../../../shared/importer/registry-client.js';
import { errors, json, sha, startFakeRegistry, type FakeRegistry } from './fake-registry.js';

const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('{}'), size: 2 },
  layers: [],
});
const OCI = 'application/vnd.oci.image.manifest.v1+json';

let reg: FakeRegistry;
let clients: HttpRegistryClient[];

function client(opts: Partial<RegistryClientOptions> = {}): HttpRegistryClient {
  const c = new HttpRegistryClient({
    addressPolicy: { ...DEFAULT_ADDRESS_POLICY, allowLoopback: true },
    connectTimeoutMs: 1000,
    readTimeoutMs: 1000,
    requestTimeoutMs: 5000,
    maxManifestBytes: 64 * 1024,
    maxRedirects: 3,
    perRegistryConcurrency: 4,
    retryBaseMs: 1,
    ...opts,
  });
  clients.push(c);
  return c;
}

const repo = () => ({ registry: reg.host, repository: 'demo/app' });
const ping = (r: FakeRegistry, headers: Record<string, string> = {}, status = 200) =>
  r.route('/v2/', (_req, res) => json(res, status, {}, { 'Docker-Distribution-Api-Version': 'registry/2.0', ...headers }));
const manifest = (r: FakeRegistry, body = MANIFEST, headers: Record<string, string> = {}) =>
  r.route(/^\/v2\/demo\/app\/manifests\//, (_req, res) => json(res, 200, body, { 'Content-Type': OCI, 'Docker-Content-Digest': sha(body), ...headers }));

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RegistryError);
  return e as RegistryError;
}

beforeEach(async () => {
  reg = await startFakeRegistry();
  clients = [];
});
afterEach(async () => {
  clients.forEach((c) => c.close());
  await reg.close();
});

describe('registry-client', () => {
  describe('parseChallenge', () => {
    it('reads Bearer and Basic challenges with quoted and bare parameters', () => {
      expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"')).toEqual({
        scheme: 'bearer',
        params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' },
      });
      expect(parseChallenge('Basic realm=imagestream-registry')).toEqual({ scheme: 'basic', params: { realm: 'imagestream-registry' } });
      expect(parseChallenge('Negotiate abc')).toBeUndefined();
      expect(parseChallenge(undefined)).toBeUndefined();
    });
  });

  describe('parseRetryAfter', () => {
    it('takes delta-seconds and HTTP dates', () => {
      expect(parseRetryAfter('30', 0)).toBe(30);
      expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10);
      expect(parseRetryAfter('soon', 0)).toBeUndefined();
      expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    });
  });

  describe('HttpRegistryClient.getManifest', () => {
    it('asks for every manifest type and computes the digest from the bytes', async () => {
      ping(reg);
      manifest(reg);
      const m = await client().getManifest(repo(), 'v1', { insecure: true });
      expect(m).toMatchObject({ mediaType: OCI, digest: sha(MANIFEST) });
      expect(m.bytes.toString()).toBe(MANIFEST);
      const get = reg.requests.find((r) => r.url === '/v2/demo/app/manifests/v1')!;
      expect(get.headers['accept']).toBe(MANIFEST_ACCEPT);
      expect(get.headers['authorization']).toBeUndefined();
    });

    it('answers a Basic challenge with the credentials', async () => {
      const basic = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
      reg.route('/v2/', (req, res) =>
        req.headers['authorization'] === basic ? json(res, 200, {}) : errors(res, 401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': 'Basic realm="r"' }),
      );
      reg.route(/^\/v2\/demo\/app\/manifests\//, (req, res) =>
        req.headers['authorization'] === basic
          ? json(res, 200, MANIFEST, { 'Content-Type': OCI })
          : errors(res, 401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': 'Basic realm="r"' }),
      );
      const c = client();
      const m = await c.getManifest(repo(), 'v1', { insecure: true, credential: { username: 'alice', password: 's3cret' } });
      expect(m.digest).toBe(sha(MANIFEST));
      expect((await failure(c.getManifest(repo(), 'v1', { insecure: true }))).kind).toBe('Unauthorized');
      const wrong = await failure(c.getManifest(repo(), 'v1', { insecure: true, credential: { username: 'alice', password: 'nope' } }));
      expect(wrong.kind).toBe('CredentialsRejected');
      expect(wrong.message).not.toContain('nope');
    });

    it('treats a token response that is JSON but not an object as carrying no token (a Protocol error)', async () => {
      const challenge = `Bearer realm="http://${reg.host}/token",service="fake-registry"`;
      for (const body of ['null', '"tok"', '[1]']) {
        reg.route('/token', (_req, res) => json(res, 200, body));
        ping(reg, { 'WWW-Authenticate': challenge }, 401);
        const e = await failure(client().getManifest(repo(), 'v1', { insecure: true }));
        expect(e.kind).toBe('Protocol');
        expect(e.message).toContain('sent no token');
      }
    });

    it('follows a Bearer challenge: a token for the repository pull scope, credentials only to the token service', async () => {
      const token = await startFakeRegistry();
      try {
        const challenge = `Bearer realm="http://${token.host}/token",service="fake-registry"`;
        token.route('/token', (req, res, url) => {
          if (req.headers['authorization'] !== `Basic ${Buffer.from('bob:pw').toString('base64')}`) return json(res, 401, { details: 'bad' });
          json(res, 200, { token: `tok-${url.searchParams.get('scope')}`, expires_in: 300 });
        });
        ping(reg, { 'WWW-Authenticate': challenge }, 401);
        reg.route(/^\/v2\/demo\/app\/manifests\//, (req, res) =>
          req.headers['authorization'] === 'Bearer tok-repository:demo/app:pull'
            ? json(res, 200, MANIFEST, { 'Content-Type': OCI })
            : errors(res, 401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': challenge }),
        );
        const c = client();
        const access = { insecure: true, credential: { username: 'bob', password: 'pw' } };
        await c.getManifest(repo(), 'v1', access);
        await c.getManifest(repo(), 'v2', access);
        expect(token.requests).toHaveLength(1);
        expect(token.requests[0]!.url).toBe('/token?service=fake-registry&scope=repository%3Ademo%2Fapp%3Apull');
        expect(reg.requests.every((r) => !String(r.headers['authorization'] ?? '').startsWith('Basic'))).toBe(true);
        const bad = await failure(c.getManifest(repo(), 'v1', { insecure: true, credential: { username: 'bob', password: 'x' } }));
        expect(bad.kind).toBe('CredentialsRejected');
      } finally {
        await token.close();
      }
    });

    it('checks the digest: a by-digest fetch must match, and so must Docker-Content-Digest', async () => {
      ping(reg);
      manifest(reg, MANIFEST, { 'Docker-Content-Digest': sha('other') });
      const c = client();
      const byTag = await failure(c.getManifest(repo(), 'v1', { insecure: true }));
      expect(byTag.kind).toBe('Integrity');
      expect(byTag.message).toMatch(/^content integrity error/);
      const wanted = sha('something else');
      const byDigest = await failure(c.getManifest(repo(), wanted, { insecure: true }));
      expect(byDigest.message).toContain(`the manifest retrieved with digest ${wanted} does not match the digest calculated from the content ${sha(MANIFEST)}`);
    });

    it('maps 404 to NotFound and 403 to Forbidden', async () => {
      ping(reg);
      reg.route('/v2/demo/app/manifests/missing', (_q, res) => errors(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown'));
      reg.route('/v2/demo/app/manifests/denied', (_q, res) => errors(res, 403, 'DENIED', 'requested access to the resource is denied'));
      const c = client();
      expect((await failure(c.getManifest(repo(), 'missing', { insecure: true }))).kind).toBe('NotFound');
      expect((await failure(c.getManifest(repo(), 'denied', { insecure: true }))).kind).toBe('Forbidden');
    });

    it('caps the manifest size (declared and streamed)', async () => {
      ping(reg);
      const big = JSON.stringify({ schemaVersion: 2, pad: 'x'.repeat(70 * 1024) });
      manifest(reg, big);
      reg.route('/v2/demo/app/manifests/chunked', (_q, res) => {
        res.writeHead(200, { 'Content-Type': OCI });
        res.end(big);
      });
      const c = client();
      expect((await failure(c.getManifest(repo(), 'v1', { insecure: true }))).kind).toBe('TooLarge');
      expect((await failure(c.getManifest(repo(), 'chunked', { insecure: true }))).kind).toBe('TooLarge');
    });

    it('honours Retry-After: a short wait is retried, a long one starts a cooldown that fails fast', async () => {
      ping(reg);
      let calls = 0;
      reg.route('/v2/demo/app/manifests/flaky', (_q, res) => (++calls === 1 ? errors(res, 429, 'TOOMANYREQUESTS', 'slow down', { 'Retry-After': '0' }) : json(res, 200, MANIFEST, { 'Content-Type': OCI })));
      reg.route('/v2/demo/app/manifests/limited', (_q, res) => errors(res, 429, 'TOOMANYREQUESTS', 'You have reached your pull rate limit', { 'Retry-After': '120' }));
      const c = client();
      expect((await c.getManifest(repo(), 'flaky', { insecure: true })).digest).toBe(sha(MANIFEST));
      const limited = await failure(c.getManifest(repo(), 'limited', { insecure: true }));
      expect(limited).toMatchObject({ kind: 'RateLimited', retryAfterSeconds: 120 });
      expect(limited.message).toBe(`toomanyrequests: You have reached your pull rate limit (registry ${reg.host} is rate limiting); the registry asked to retry after 120s`);
      const before = reg.requests.length;
      const fast = await failure(c.getManifest(repo(), 'flaky', { insecure: true }));
      expect(fast.kind).toBe('RateLimited');
      expect(reg.requests.length).toBe(before);
    });

    it('retries 5xx answers twice, then reports them', async () => {
      ping(reg);
      let calls = 0;
      reg.route('/v2/demo/app/manifests/v1', (_q, res) => (++calls < 3 ? errors(res, 502, 'UNKNOWN', 'bad gateway') : json(res, 200, MANIFEST, { 'Content-Type': OCI })));
      reg.route('/v2/demo/app/manifests/down', (_q, res) => errors(res, 500, 'UNKNOWN', 'boom'));
      const c = client();
      expect((await c.getManifest(repo(), 'v1', { insecure: true })).digest).toBe(sha(MANIFEST));
      expect(calls).toBe(3);
      const down = await failure(c.getManifest(repo(), 'down', { insecure: true }));
      expect(down).toMatchObject({ kind: 'Server', httpStatus: 500 });
    });

    it('tells an http-only registry apart when insecure is not set', async () => {
      ping(reg);
      manifest(reg);
      const e = await failure(client().getManifest(repo(), 'v1', { insecure: false }));
      expect(e.kind).toBe('HttpOnly');
    });

    it('times out a registry that accepts but never answers', async () => {
      const silent = createServer(() => undefined);
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
      try {
        const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
        const e = await failure(client({ readTimeoutMs: 100, retries: 0 }).getManifest({ registry: host, repository: 'a/b' }, 'v1', { insecure: true }));
        expect(e.kind).toBe('Timeout');
      } finally {
        silent.closeAllConnections();
        silent.close();
      }
    });
  });

  describe('HttpRegistryClient SSRF guard', () => {
    it('refuses loopback unless allowed', async () => {
      ping(reg);
      manifest(reg);
      const e = await failure(client({ addressPolicy: DEFAULT_ADDRESS_POLICY }).getManifest(repo(), 'v1', { insecure: true }));
      expect(e.kind).toBe('Blocked');
      expect(e.message).toContain('loopback');
      expect(reg.requests).toHaveLength(0);
    });

    it('refuses the metadata address and names that resolve to link-local, before connecting', async () => {
      const c = client({ resolve: async () => [{ address: '169.254.169.254', family: 4 }] });
      const literal = await failure(c.getManifest({ registry: '169.254.169.254', repository: 'a/b' }, 'v1', { insecure: true }));
      expect(literal.kind).toBe('Blocked');
      const named = await failure(c.getManifest({ registry: 'metadata.example:80', repository: 'a/b' }, 'v1', { insecure: true }));
      expect(named.kind).toBe('Blocked');
      expect(named.message).toContain('169.254.169.254');
    });

    it('refuses a redirect to a blocked address and drops credentials on other hosts', async () => {
      const blob = Buffer.from('{"architecture":"amd64"}');
      const storage = await startFakeRegistry();
      try {
        storage.route(/^\/blobs\//, (_q, res) => json(res, 200, blob.toString()));
        ping(reg, { 'WWW-Authenticate': 'Basic realm="r"' }, 401);
        reg.route(/\/blobs\/sha256:/, (_q, res) => {
          res.writeHead(307, { Location: `http://${storage.host}/blobs/x` });
          res.end();
        });
        reg.route('/v2/demo/app/manifests/evil', (_q, res) => {
          res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/' });
          res.end();
        });
        const c = client();
        const access = { insecure: true, credential: { username: 'a', password: 'b' } };
        expect((await c.getBlob(repo(), sha(blob), access, 1024)).toString()).toBe(blob.toString());
        expect(storage.requests[0]!.headers['authorization']).toBeUndefined();
        const wrong = await failure(c.getBlob(repo(), sha('different'), access, 1024));
        expect(wrong.kind).toBe('Integrity');
        const evil = await failure(c.getManifest(repo(), 'evil', access));
        expect(evil.kind).toBe('Blocked');
        expect(evil.message).toContain('169.254.169.254');
      } finally {
        await storage.close();
      }
    });

    it('bounds redirects', async () => {
      ping(reg);
      reg.route(/\/loop/, (_q, res) => {
        res.writeHead(302, { Location: `/v2/demo/app/manifests/loop` });
        res.end();
      });
      const e = await failure(client().getManifest(repo(), 'loop', { insecure: true }));
      expect(e.message).toContain('too many redirects');
    });
  });
});
