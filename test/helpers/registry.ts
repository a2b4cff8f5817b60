/**
 * A real container registry for tests: Debian's `docker-registry` (CNCF distribution 2.8.2,
 * installed by scripts/ensure-system-packages.sh) on a free 127.0.0.1 port with its storage
 * in a temp directory — never the package's default configuration, which listens on :5000 on
 * every interface. Optionally TLS (a self-signed certificate for 127.0.0.1, whose PEM the
 * importer is told to trust) and htpasswd Basic auth (bcrypt via `htpasswd -B`).
 *
 * Images are pushed without Docker, over the registry's own HTTP API: a hand-built layer
 * (tar + gzip), an OCI or Docker config, the manifest, and manifest lists / OCI indexes.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import selfsigned from 'selfsigned';
import { freePort } from '../../infra/local/dynamodb-local.js';

export const MT = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface RegistryOptions {
  readonly tls?: boolean;
  readonly auth?: { readonly username: string; readonly password: string };
}

export interface PushedImage {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly architecture: string;
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`, as written in pull specs. */
  readonly host: string;
  readonly url: string;
  readonly tls: boolean;
  /** The registry's certificate (PEM) when TLS. */
  readonly certPem?: string;
  /** A file holding `certPem`. */
  readonly caFile?: string;
  pushImage(repo: string, tag: string, opts?: { arch?: string; text?: string; format?: 'oci' | 'docker' }): Promise<PushedImage>;
  pushList(repo: string, tag: string, children: readonly PushedImage[], format?: 'oci' | 'docker'): Promise<PushedImage>;
  /** Raw request with the registry's credentials (if any). */
  call(method: string, urlPath: string, body?: Buffer, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>;
  stop(): Promise<void>;
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A one-file POSIX tar (ustar), deterministic. */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (s: string, off: number, len: number) => header.write(s.slice(0, len), off, 'ascii');
  put(name, 0, 100);
  put('0000644\0', 100, 8);
  put('0000000\0', 108, 8);
  put('0000000\0', 116, 8);
  put(content.length.toString(8).padStart(11, '0') + '\0', 124, 12);
  put('13560232000\0', 136, 12);
  header.fill(' ', 148, 156);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of header) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

async function waitReady(url: string, ca: string | undefined, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const u = new URL('/v2/', url);
      const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { method: 'GET', timeout: 1000, ...(ca ? { ca } : {}) }, (res) => {
        res.resume();
        resolve(res.statusCode === 200 || res.statusCode === 401);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
    if (ok) return;
    if (exited) throw new Error(`docker-registry exited during startup: ${log()}`);
    if (Date.now() > deadline) throw new Error(`docker-registry did not start: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'is-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const tls = !!opts.tls;
  let certPem: string | undefined;
  let caFile: string | undefined;
  const lines = [
    'version: 0.1',
    'log: { level: error, accesslog: { disabled: true } }',
    'storage:',
    `  filesystem: { rootdirectory: ${path.join(dir, 'data')} }`,
    '  delete: { enabled: true }',
    '  cache: { blobdescriptor: inmemory }',
    'http:',
    `  addr: ${host}`,
    '  secret: test-only-secret',
    '  headers: { X-Content-Type-Options: [nosniff] }',
  ];
  if (tls) {
    // A distinct subject per registry: CAs in one bundle are looked up by subject.
    const pems = await selfsigned.generate([{ name: 'commonName', value: `imagestream test registry ${port}` }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
      ],
    });
    certPem = pems.cert;
    caFile = path.join(dir, 'cert.pem');
    writeFileSync(caFile, pems.cert);
    writeFileSync(path.join(dir, 'key.pem'), pems.private, { mode: 0o600 });
    lines.push(`  tls: { certificate: ${caFile}, key: ${path.join(dir, 'key.pem')} }`);
  }
  lines.push('health: { storagedriver: { enabled: false } }');
  if (opts.auth) {
    const htpasswd = execFileSync('htpasswd', ['-Bbn', opts.auth.username, opts.auth.password], { encoding: 'utf8' });
    writeFileSync(path.join(dir, 'htpasswd'), htpasswd);
    lines.push(`auth: { htpasswd: { realm: imagestream-registry, path: ${path.join(dir, 'htpasswd')} } }`);
  }
  writeFileSync(path.join(dir, 'registry.yml'), lines.join('\n') + '\n');
  const child = spawn('docker-registry', ['serve', path.join(dir, 'registry.yml')], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `${tls ? 'https' : 'http'}://${host}`;
  try {
    await waitReady(url, certPem, child, () => stderr);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const authHeader = opts.auth ? `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}` : undefined;

  const call: TestRegistry['call'] = (method, urlPath, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const u = new URL(urlPath, url);
      const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
        u,
        {
          method,
          headers: { ...(authHeader ? { Authorization: authHeader } : {}), ...(body ? { 'Content-Length': String(body.length) } : {}), ...headers },
          ...(certPem ? { ca: certPem } : {}),
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const pushBlob = async (repo: string, bytes: Buffer): Promise<string> => {
    const digest = sha(bytes);
    const start = await call('POST', `/v2/${repo}/blobs/uploads/`);
    if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status} ${start.body.toString()}`);
    const location = new URL(String(start.headers['location']), url);
    location.searchParams.set('digest', digest);
    const put = await call('PUT', location.pathname + location.search, bytes, { 'Content-Type': 'application/octet-stream' });
    if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status} ${put.body.toString()}`);
    return digest;
  };

  const pushManifest = async (repo: string, ref: string, bytes: Buffer, mediaType: string): Promise<string> => {
    const res = await call('PUT', `/v2/${repo}/manifests/${ref}`, bytes, { 'Content-Type': mediaType });
    if (res.status !== 201) throw new Error(`manifest push: HTTP ${res.status} ${res.body.toString()}`);
    return sha(bytes);
  };

  return {
    host,
    url,
    tls,
    ...(certPem ? { certPem } : {}),
    ...(caFile ? { caFile } : {}),
    call,
    async pushImage(repo, tag, o = {}) {
      const arch = o.arch ?? 'amd64';
      const oci = (o.format ?? 'oci') === 'oci';
      const tar = tarOf('hello.txt', Buffer.from(`${o.text ?? `${repo}:${tag}`} (${arch})\n`));
      const layer = gzipSync(tar, { level: 9 });
      // gzip headers carry no timestamp here (mtime 0 from zlib), so layers are reproducible.
      const config = Buffer.from(
        JSON.stringify({ architecture: arch, os: 'linux', config: { Cmd: ['/bin/cat', '/hello.txt'] }, rootfs: { type: 'layers', diff_ids: [sha(tar)] } }),
      );
      const layerDigest = await pushBlob(repo, layer);
      const configDigest = await pushBlob(repo, config);
      const mediaType = oci ? MT.ociManifest : MT.dockerManifest;
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType,
          config: { mediaType: oci ? MT.ociConfig : MT.dockerConfig, digest: configDigest, size: config.length },
          layers: [{ mediaType: oci ? MT.ociLayer : MT.dockerLayer, digest: layerDigest, size: layer.length }],
        }),
      );
      const digest = await pushManifest(repo, tag, manifest, mediaType);
      return { digest, mediaType, size: manifest.length, architecture: arch };
    },
    async pushList(repo, tag, children, format = 'oci') {
      const mediaType = format === 'oci' ? MT.ociIndex : MT.dockerList;
      const list = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType,
          manifests: children.map((c) => ({ mediaType: c.mediaType, digest: c.digest, size: c.size, platform: { architecture: c.architecture, os: 'linux' } })),
        }),
      );
      const digest = await pushManifest(repo, tag, list, mediaType);
      return { digest, mediaType, size: list.length, architecture: '' };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
