/**
 * @module registry-client
 * The importer's port to container registries (OCI distribution / Docker Registry HTTP API
 * v2, semantics §7.4) and its implementation over `node:http`/`node:https`:
 *
 * - a ping of `/v2/` per registry picks the scheme (https; with `insecure`, https without
 *   certificate verification and then plain http; a registry that only speaks http without
 *   `insecure` is reported as such) and records the authentication challenge;
 * - authentication: anonymous, Basic, or the Bearer token flow of the challenge
 *   (`realm`, `service`, scope `repository:<name>:pull`), with the pull secret's credentials
 *   when one matches; tokens are cached per realm, service, scope and credentials;
 * - manifests are fetched with every supported `Accept` type and their digest is computed
 *   from the bytes and checked against the requested digest and `Docker-Content-Digest`;
 *   blobs are verified against their digest;
 * - safety: every connection goes through the SSRF guard (`address-policy.ts`) after DNS
 *   resolution and before connecting (IP literals too), connect/idle/overall timeouts,
 *   response size caps, at most `maxRedirects` redirects (credentials are never sent to
 *   another host; plain http only for insecure registries);
 * - rate limits: 429 and 503 honour `Retry-After`; a short wait is retried in place (with
 *   jitter), a longer one puts the registry on a cooldown during which every request to it
 *   fails fast with the same `RateLimited` error instead of hammering it; other 5xx and
 *   network errors are retried twice with jittered backoff; at most `perRegistryConcurrency`
 *   requests to one registry are in flight from this process.
 *
 * Credentials and tokens are never put in error messages or logs.
 */
import { createHash } from 'node:crypto';
import { lookup as dnsLookup } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import { checkAddress, type AddressPolicy } from './address-policy.js';
import type { RegistryCredential } from './credentials.js';
import { digestWithAlgorithmOf, isSupportedDigest, MANIFEST_ACCEPT, sha256Digest } from './manifests.js';

/** A repository on a registry: `registry` is `host[:port]` (Docker Hub as `registry-1.docker.io`). */
export interface RepositoryRef {
  readonly registry: string;
  /** `namespace/name` (Docker Hub official images as `library/<name>`). */
  readonly repository: string;
}

export interface RegistryAccess {
  readonly insecure: boolean;
  readonly credential?: RegistryCredential;
}

export interface FetchedManifest {
  readonly bytes: Buffer;
  /** The response's Content-Type (without parameters). */
  readonly mediaType: string;
  /** Computed from the bytes. */
  readonly digest: string;
}

/** The port the importer uses (a fake implements it in unit tests of the importer). */
export interface RegistryClient {
  getManifest(repo: RepositoryRef, reference: string, access: RegistryAccess): Promise<FetchedManifest>;
  getBlob(repo: RepositoryRef, digest: string, access: RegistryAccess, maxBytes: number): Promise<Buffer>;
}

export type RegistryErrorKind =
  | 'NotFound'
  | 'Unauthorized'
  | 'CredentialsRejected'
  | 'Forbidden'
  | 'HttpOnly'
  | 'Blocked'
  | 'RateLimited'
  | 'TooLarge'
  | 'Integrity'
  | 'NotV2'
  | 'Timeout'
  | 'Network'
  | 'Server'
  | 'Protocol';

export class RegistryError extends Error {
  readonly kind: RegistryErrorKind;
  readonly httpStatus: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: RegistryErrorKind, message: string, opts: { httpStatus?: number; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'RegistryError';
    this.kind = kind;
    this.httpStatus = opts.httpStatus;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

export interface RegistryClientOptions {
  readonly addressPolicy: AddressPolicy;
  /** TCP connect timeout. */
  readonly connectTimeoutMs: number;
  /** Socket idle timeout (no bytes for this long). */
  readonly readTimeoutMs: number;
  /** Whole exchange (all redirects of one request). */
  readonly requestTimeoutMs: number;
  readonly maxManifestBytes: number;
  readonly maxRedirects: number;
  readonly perRegistryConcurrency: number;
  /** Extra trusted CA certificates (PEM), on top of Node's bundled roots. */
  readonly caCertificates?: readonly string[];
  /** Retries of 5xx/network errors and of short rate-limit waits. */
  readonly retries?: number;
  readonly retryBaseMs?: number;
  /** A `Retry-After` up to this long is waited for in place; longer ones start a cooldown. */
  readonly maxInlineRetryAfterSeconds?: number;
  /** Used when a 429/503 carries no `Retry-After`. */
  readonly defaultRetryAfterSeconds?: number;
  /** Injected DNS resolution (tests); default `dns.lookup` with `all: true`. */
  readonly resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly url: URL;
}

interface Challenge {
  readonly scheme: 'basic' | 'bearer';
  readonly params: Readonly<Record<string, string>>;
}

interface Session {
  readonly base: URL;
  challenge: Challenge | undefined;
  readonly expires: number;
}

const MAX_SMALL_BODY = 64 * 1024;
const SESSION_TTL_MS = 5 * 60_000;

const header = (h: IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (the first Basic/Bearer challenge). */
export function parseChallenge(value: string | undefined): Challenge | undefined {
  if (!value) return undefined;
  const m = /^\s*(basic|bearer)\b\s*(.*)$/i.exec(value);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([a-zA-Z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (const p of m[2]!.matchAll(re)) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  return { scheme: m[1]!.toLowerCase() as 'basic' | 'bearer', params };
}

/** `Retry-After` in seconds (delta-seconds or an HTTP date), if present and sane. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const t = value.trim();
  if (/^\d+$/.test(t)) return Math.min(Number(t), 24 * 3600);
  const at = Date.parse(t);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.min(Math.ceil((at - now) / 1000), 24 * 3600));
}

/** The first error of a registry error body (`{"errors":[{"code","message"}]}`). */
function registryErrorOf(body: Buffer): { code: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(body.subarray(0, MAX_SMALL_BODY).toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
    const e = parsed.errors?.[0];
    if (!e) return undefined;
    return { code: typeof e.code === 'string' ? e.code : '', message: typeof e.message === 'string' ? e.message : '' };
  } catch {
    return undefined;
  }
}

const describe = (e: { code: string; message: string } | undefined, status: number): string =>
  e ? `${e.code.toLowerCase() || `http ${status}`}: ${e.message}` : `unexpected HTTP status ${status}`;

/** A counting semaphore. */
class Semaphore {
  #free: number;
  readonly #waiters: (() => void)[] = [];
  constructor(size: number) {
    this.#free = Math.max(1, size);
  }
  async run<R>(fn: () => Promise<R>): Promise<R> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiters.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.#waiters.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

const TLS_PLAINTEXT_ERRORS = /wrong version number|packet length too long|unknown protocol|http request|ssl3_get_record|record layer failure/i;

/** The fetch-free HTTP implementation of the port. */
export class HttpRegistryClient implements RegistryClient {
  readonly #o: Required<Omit<RegistryClientOptions, 'caCertificates' | 'resolve'>> & Pick<RegistryClientOptions, 'caCertificates'>;
  readonly #resolve: (host: string) => Promise<{ address: string; family: number }[]>;
  readonly #ca: string[] | undefined;
  readonly #httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
  readonly #httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16 });
  readonly #sessions = new Map<string, Session>();
  readonly #tokens = new Map<string, { token: string; expires: number }>();
  readonly #cooldowns = new Map<string, { until: number; message: string }>();
  readonly #limits = new Map<string, Semaphore>();

  constructor(opts: RegistryClientOptions) {
    this.#o = {
      retries: 2,
      retryBaseMs: 1000,
      maxInlineRetryAfterSeconds: 5,
      defaultRetryAfterSeconds: 30,
      now: () => Date.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      random: Math.random,
      ...opts,
    };
    this.#resolve =
      opts.resolve ??
      ((host) =>
        new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addrs) => (err ? reject(err) : resolve(addrs)))));
    this.#ca = opts.caCertificates && opts.caCertificates.length > 0 ? [...rootCertificates, ...opts.caCertificates] : undefined;
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  // -------------------------------------------------------------------------------------------
  // One HTTP exchange, guarded.

  #guardedLookup(): LookupFunction {
    return (hostname, options, callback) => {
      this.#resolve(hostname).then(
        (addrs) => {
          if (addrs.length === 0) return callback(Object.assign(new Error(`no addresses for ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
          for (const a of addrs) {
            const verdict = checkAddress(a.address, this.#o.addressPolicy);
            if (!verdict.allowed) {
              return callback(Object.assign(new Error(verdict.reason), { code: 'EBLOCKEDADDRESS' }), '', 4);
            }
          }
          const wanted = options.family === 4 || options.family === 6 ? addrs.filter((a) => a.family === options.family) : addrs;
          const list = wanted.length > 0 ? wanted : addrs;
          if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, list);
          else callback(null, list[0]!.address, list[0]!.family);
        },
        (err: unknown) => callback(err as NodeJS.ErrnoException, '', 4),
      );
    };
  }

  #send(url: URL, headers: Record<string, string>, insecureTls: boolean, maxBytes: number, deadline: number): Promise<Reply> {
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(hostname)) {
      const verdict = checkAddress(hostname, this.#o.addressPolicy);
      if (!verdict.allowed) return Promise.reject(new RegistryError('Blocked', verdict.reason));
    }
    const https = url.protocol === 'https:';
    if (!https && url.protocol !== 'http:') return Promise.reject(new RegistryError('Protocol', `unsupported URL scheme ${url.protocol}`));
    const remaining = deadline - this.#o.now();
    if (remaining <= 0) return Promise.reject(new RegistryError('Timeout', `request to ${url.host} timed out`));
    return new Promise<Reply>((resolve, reject) => {
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        fn();
      };
      const options = {
        method: 'GET',
        headers: { 'User-Agent': 'imagestream-importer/1.0', ...headers },
        agent: https ? this.#httpsAgent : this.#httpAgent,
        lookup: this.#guardedLookup(),
        timeout: this.#o.readTimeoutMs,
        ...(https ? { rejectUnauthorized: !insecureTls, ...(this.#ca && !insecureTls ? { ca: this.#ca } : {}) } : {}),
      };
      const req = (https ? httpsRequest : httpRequest)(url, options, (res) => {
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (Number.isFinite(declared) && declared > maxBytes) {
          res.destroy();
          req.destroy();
          return finish(() => reject(new RegistryError('TooLarge', `response from ${url.host} is ${declared} bytes, more than the limit of ${maxBytes}`)));
        }
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            res.destroy();
            req.destroy();
            finish(() => reject(new RegistryError('TooLarge', `response from ${url.host} is more than the limit of ${maxBytes} bytes`)));
            return;
          }
          parts.push(chunk);
        });
        res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), url })));
        res.on('error', (e) => finish(() => reject(this.#networkError(url, e))));
      });
      timers.push(
        setTimeout(() => {
          req.destroy();
          finish(() => reject(new RegistryError('Timeout', `request to ${url.host} timed out`)));
        }, remaining),
      );
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        const t = setTimeout(() => {
          req.destroy();
          finish(() => reject(new RegistryError('Timeout', `connecting to ${url.host} timed out`)));
        }, this.#o.connectTimeoutMs);
        timers.push(t);
        socket.once('connect', () => clearTimeout(t));
      });
      req.on('timeout', () => {
        req.destroy();
        finish(() => reject(new RegistryError('Timeout', `reading from ${url.host} timed out`)));
      });
      req.on('error', (e) => finish(() => reject(this.#networkError(url, e))));
      req.end();
    });
  }

  #networkError(url: URL, e: unknown): RegistryError {
    if (e instanceof RegistryError) return e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EBLOCKEDADDRESS') return new RegistryError('Blocked', err.message);
    const detail = err.code ? `${err.code}${err.message && !err.message.includes(err.code) ? ` ${err.message}` : ''}` : String(err.message ?? err);
    return new RegistryError('Network', `${url.protocol === 'https:' ? 'https' : 'http'} request to ${url.host} failed: ${detail}`, { cause: e });
  }

  /** Follows redirects: credentials only to the registry host, plain http only when insecure. */
  async #fetch(url: URL, headers: Record<string, string>, registryHost: string, insecure: boolean, maxBytes: number): Promise<Reply> {
    const deadline = this.#o.now() + this.#o.requestTimeoutMs;
    let current = url;
    let hdrs = headers;
    for (let hop = 0; ; hop++) {
      const sameHost = current.host === registryHost;
      const reply = await this.#send(current, hdrs, insecure && sameHost, maxBytes, deadline);
      const location = header(reply.headers, 'location');
      if (![301, 302, 303, 307, 308].includes(reply.status) || !location) return reply;
      if (hop >= this.#o.maxRedirects) throw new RegistryError('Protocol', `too many redirects (more than ${this.#o.maxRedirects}) from ${url.host}`);
      const next = new URL(location, current);
      if (next.protocol === 'http:' && !insecure) {
        throw new RegistryError('Protocol', `refusing a redirect from ${current.host} to plain http (${next.host}) for a secure registry`);
      }
      if (next.host !== registryHost) {
        const { Authorization: _a, ...rest } = hdrs;
        hdrs = rest;
      }
      current = next;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Retries, rate limits, concurrency.

  #limit(registry: string): Semaphore {
    let s = this.#limits.get(registry);
    if (!s) this.#limits.set(registry, (s = new Semaphore(this.#o.perRegistryConcurrency)));
    return s;
  }

  #checkCooldown(registry: string): void {
    const c = this.#cooldowns.get(registry);
    if (!c) return;
    const left = Math.ceil((c.until - this.#o.now()) / 1000);
    if (left <= 0) {
      this.#cooldowns.delete(registry);
      return;
    }
    throw new RegistryError('RateLimited', `${c.message}; the registry asked to retry after ${left}s`, { retryAfterSeconds: left, httpStatus: 429 });
  }

  /** Jittered wait: `ms` scaled by a random factor in [0.5, 1.5). */
  #jitter(ms: number): number {
    return Math.round(ms * (0.5 + this.#o.random()));
  }

  async #exchange(registry: string, url: URL, headers: Record<string, string>, insecure: boolean, maxBytes: number): Promise<Reply> {
    return this.#limit(registry).run(async () => {
      for (let attempt = 0; ; attempt++) {
        this.#checkCooldown(registry);
        let reply: Reply;
        try {
          reply = await this.#fetch(url, headers, registry, insecure, maxBytes);
        } catch (e) {
          // A TLS handshake with a plain-text server is not transient: no retry.
          const plaintext = e instanceof RegistryError && TLS_PLAINTEXT_ERRORS.test(`${e.message} ${(e.cause as Error | undefined)?.message ?? ''}`);
          const retryable = e instanceof RegistryError && (e.kind === 'Network' || e.kind === 'Timeout') && !plaintext;
          if (retryable && attempt < this.#o.retries) {
            await this.#o.sleep(this.#jitter(this.#o.retryBaseMs));
            continue;
          }
          throw e;
        }
        if (reply.status === 429 || reply.status === 503) {
          const after = parseRetryAfter(header(reply.headers, 'retry-after'), this.#o.now()) ?? this.#o.defaultRetryAfterSeconds;
          if (attempt < this.#o.retries && after <= this.#o.maxInlineRetryAfterSeconds) {
            await this.#o.sleep(after * 1000 + this.#jitter(this.#o.retryBaseMs / 2));
            continue;
          }
          const err = registryErrorOf(reply.body);
          const what = reply.status === 429 ? `toomanyrequests: ${err?.message || 'too many requests'}` : `service unavailable: ${err?.message || `${registry} answered 503`}`;
          const message = `${what} (registry ${registry} is rate limiting)`;
          this.#cooldowns.set(registry, { until: this.#o.now() + after * 1000, message });
          throw new RegistryError('RateLimited', `${message}; the registry asked to retry after ${after}s`, { retryAfterSeconds: after, httpStatus: reply.status });
        }
        if ((reply.status === 500 || reply.status === 502 || reply.status === 504) && attempt < this.#o.retries) {
          await this.#o.sleep(this.#jitter(this.#o.retryBaseMs * 2 ** attempt));
          continue;
        }
        return reply;
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  // Sessions (scheme and challenge) and authentication.

  async #ping(registry: string, scheme: 'https' | 'http', insecure: boolean): Promise<Session> {
    const base = new URL(`${scheme}://${registry}/`);
    const reply = await this.#exchange(registry, new URL('/v2/', base), {}, insecure, MAX_SMALL_BODY);
    const ok = (reply.status >= 200 && reply.status < 300) || reply.status === 401 || reply.status === 403;
    if (!ok && header(reply.headers, 'docker-distribution-api-version') === undefined) {
      throw new RegistryError('NotV2', `${registry} does not support v2 API`, { httpStatus: reply.status });
    }
    const challenge = reply.status === 401 ? parseChallenge(header(reply.headers, 'www-authenticate')) : undefined;
    return { base, challenge, expires: this.#o.now() + SESSION_TTL_MS };
  }

  async #session(registry: string, insecure: boolean): Promise<Session> {
    const key = `${registry}|${insecure}`;
    const cached = this.#sessions.get(key);
    if (cached && cached.expires > this.#o.now()) return cached;
    let session: Session;
    try {
      session = await this.#ping(registry, 'https', insecure);
    } catch (e) {
      if (!(e instanceof RegistryError) || (e.kind !== 'Network' && e.kind !== 'Timeout')) throw e;
      if (insecure) {
        session = await this.#ping(registry, 'http', true);
      } else {
        // Only worth telling apart when the TLS handshake met a plain-text server.
        const cause = (e.cause as Error | undefined)?.message ?? e.message;
        if (TLS_PLAINTEXT_ERRORS.test(cause) || /EPROTO|ECONNRESET/.test(e.message)) {
          const plain = await this.#ping(registry, 'http', false).catch(() => undefined);
          if (plain) throw new RegistryError('HttpOnly', `${registry} is HTTP only`);
        }
        throw e;
      }
    }
    this.#sessions.set(key, session);
    return session;
  }

  #credentialKey(c: RegistryCredential | undefined): string {
    return c ? createHash('sha256').update(`${c.username}\u0000${c.password}`).digest('hex') : 'anonymous';
  }

  async #token(session: Session, challenge: Challenge, repo: RepositoryRef, access: RegistryAccess, fresh: boolean): Promise<string> {
    const realm = challenge.params['realm'];
    if (!realm) throw new RegistryError('Protocol', `${repo.registry} sent a Bearer challenge without a realm`);
    const scope = `repository:${repo.repository}:pull`;
    const service = challenge.params['service'] ?? '';
    const key = [realm, service, scope, this.#credentialKey(access.credential)].join('|');
    const cached = this.#tokens.get(key);
    if (!fresh && cached && cached.expires > this.#o.now()) return cached.token;
    let url: URL;
    try {
      url = new URL(realm, session.base);
    } catch {
      throw new RegistryError('Protocol', `${repo.registry} sent an invalid token realm`);
    }
    if (url.protocol === 'http:' && !access.insecure) {
      throw new RegistryError('Protocol', `${repo.registry} sent a plain-http token realm (${url.host}); refusing to send credentials without TLS`);
    }
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (access.credential) headers['Authorization'] = basic(access.credential);
    const realmHost = url.host;
    const reply = await this.#exchange(repo.registry, url, headers, access.insecure, MAX_SMALL_BODY).catch((e: unknown) => {
      throw e instanceof RegistryError && e.kind === 'Protocol' && realmHost !== repo.registry ? new RegistryError('Protocol', `token service ${realmHost}: ${e.message}`) : e;
    });
    if (reply.status === 401 || reply.status === 403) {
      throw access.credential
        ? new RegistryError('CredentialsRejected', `the token service of ${repo.registry} rejected the credentials`, { httpStatus: reply.status })
        : new RegistryError('Unauthorized', `the token service of ${repo.registry} refused anonymous access`, { httpStatus: reply.status });
    }
    if (reply.status !== 200) throw new RegistryError('Server', `token service of ${repo.registry} answered HTTP ${reply.status}`, { httpStatus: reply.status });
    let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(reply.body.toString('utf8')) as typeof parsed;
    } catch {
      throw new RegistryError('Protocol', `token service of ${repo.registry} sent an invalid response`);
    }
    // Valid JSON that is not an object (`null`, a string, a list) carries no token either.
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) parsed = {};
    const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : typeof parsed.access_token === 'string' ? parsed.access_token : '';
    if (!token) throw new RegistryError('Protocol', `token service of ${repo.registry} sent no token`);
    const ttl = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 60;
    this.#tokens.set(key, { token, expires: this.#o.now() + Math.max(ttl - 10, 5) * 1000 });
    return token;
  }

  async #authorization(session: Session, repo: RepositoryRef, access: RegistryAccess, fresh: boolean): Promise<string | undefined> {
    const c = session.challenge;
    if (!c) return undefined;
    if (c.scheme === 'basic') return access.credential ? basic(access.credential) : undefined;
    return `Bearer ${await this.#token(session, c, repo, access, fresh)}`;
  }

  /** GET `path` of the repository with authentication; one re-authentication on a 401. */
  async #get(repo: RepositoryRef, path: string, accept: string, access: RegistryAccess, maxBytes: number): Promise<Reply> {
    const session = await this.#session(repo.registry, access.insecure);
    const url = new URL(path, session.base);
    for (let attempt = 0; ; attempt++) {
      const auth = await this.#authorization(session, repo, access, attempt > 0);
      const headers: Record<string, string> = { Accept: accept, ...(auth ? { Authorization: auth } : {}) };
      const reply = await this.#exchange(repo.registry, url, headers, access.insecure, maxBytes);
      if (reply.status !== 401) return reply;
      const challenge = parseChallenge(header(reply.headers, 'www-authenticate'));
      const changed = challenge !== undefined && (session.challenge === undefined || challenge.scheme !== session.challenge.scheme || challenge.params['realm'] !== session.challenge.params['realm']);
      if (challenge) session.challenge = challenge;
      // Retry once when there is something new to try: a (new) challenge, or a fresh token.
      const canRetry = attempt === 0 && challenge !== undefined && (changed || challenge.scheme === 'bearer');
      if (canRetry) continue;
      const sent = auth !== undefined && access.credential !== undefined;
      const err = registryErrorOf(reply.body);
      throw sent
        ? new RegistryError('CredentialsRejected', `${repo.registry} rejected the credentials (${describe(err, 401)})`, { httpStatus: 401 })
        : new RegistryError('Unauthorized', `${repo.registry} requires authentication (${describe(err, 401)})`, { httpStatus: 401 });
    }
  }

  #failure(repo: RepositoryRef, what: string, reply: Reply): RegistryError {
    const err = registryErrorOf(reply.body);
    if (reply.status === 404) return new RegistryError('NotFound', `${what} not found (${describe(err, 404)})`, { httpStatus: 404 });
    if (reply.status === 403) return new RegistryError('Forbidden', `${repo.registry} denied access (${describe(err, 403)})`, { httpStatus: 403 });
    return new RegistryError('Server', `${repo.registry} answered ${describe(err, reply.status)}`, { httpStatus: reply.status });
  }

  // -------------------------------------------------------------------------------------------
  // The port.

  async getManifest(repo: RepositoryRef, reference: string, access: RegistryAccess): Promise<FetchedManifest> {
    const byDigest = reference.includes(':');
    if (byDigest && !isSupportedDigest(reference)) throw new RegistryError('Protocol', `unsupported digest ${reference}`);
    const reply = await this.#get(repo, `/v2/${repo.repository}/manifests/${reference}`, MANIFEST_ACCEPT, access, this.#o.maxManifestBytes);
    if (reply.status !== 200) throw this.#failure(repo, `manifest ${repo.repository}:${reference}`, reply);
    const mediaType = (header(reply.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    let digest: string;
    if (byDigest) {
      digest = digestWithAlgorithmOf(reference, reply.body);
      if (digest !== reference) {
        throw new RegistryError('Integrity', `content integrity error: the manifest retrieved with digest ${reference} does not match the digest calculated from the content ${digest}`);
      }
    } else {
      digest = sha256Digest(reply.body);
      const claimed = header(reply.headers, 'docker-content-digest');
      if (claimed && claimed.startsWith('sha256:') && claimed !== digest) {
        throw new RegistryError('Integrity', `content integrity error: the registry reported digest ${claimed} for ${repo.repository}:${reference} but the content has digest ${digest}`);
      }
    }
    return { bytes: reply.body, mediaType, digest };
  }

  async getBlob(repo: RepositoryRef, digest: string, access: RegistryAccess, maxBytes: number): Promise<Buffer> {
    if (!isSupportedDigest(digest)) throw new RegistryError('Protocol', `unsupported digest ${digest}`);
    const reply = await this.#get(repo, `/v2/${repo.repository}/blobs/${digest}`, '*/*', access, maxBytes);
    if (reply.status !== 200) throw this.#failure(repo, `blob ${digest}`, reply);
    const actual = digestWithAlgorithmOf(digest, reply.body);
    if (actual !== digest) throw new RegistryError('Integrity', `content integrity error: blob ${digest} has digest ${actual}`);
    return reply.body;
  }
}

const basic = (c: RegistryCredential): string => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
