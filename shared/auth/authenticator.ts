/**
 * @module authenticator
 * Bearer-token authentication: the union of static tokens (token file / inline, for service
 * accounts and the local stack) and OIDC ID tokens. Verified JWTs are cached by the SHA-256
 * of the token until they expire (bounded LRU), so a warm request costs a hash and a map
 * lookup. Tokens are never logged, and failures carry no detail (the client sees 401
 * `Unauthorized`).
 */
import { createHash } from 'node:crypto';
import type { UserInfo } from '../apimachinery/user.js';
import type { Config } from '../config.js';
import { looksLikeJwt, OidcAuthenticator, type VerifiedToken } from './oidc.js';
import { TokenFileAuthenticator } from './token-file.js';

export interface TokenAuthenticator {
  /** The user for a bearer token, or undefined when the token is not valid. */
  authenticate(token: string): UserInfo | undefined | Promise<UserInfo | undefined>;
}

export interface UnionAuthenticatorOptions {
  readonly static?: Pick<TokenFileAuthenticator, 'authenticate'>;
  readonly oidc?: Pick<OidcAuthenticator, 'authenticate'>;
  /** Most verified JWTs kept (default 10000). */
  readonly cacheSize?: number;
  readonly now?: () => number;
}

export class UnionAuthenticator implements TokenAuthenticator {
  readonly #static: Pick<TokenFileAuthenticator, 'authenticate'> | undefined;
  readonly #oidc: Pick<OidcAuthenticator, 'authenticate'> | undefined;
  readonly #cache = new Map<string, VerifiedToken>();
  readonly #cacheSize: number;
  readonly #now: () => number;

  constructor(opts: UnionAuthenticatorOptions) {
    this.#static = opts.static;
    this.#oidc = opts.oidc;
    this.#cacheSize = opts.cacheSize ?? 10_000;
    this.#now = opts.now ?? Date.now;
  }

  authenticate(token: string): UserInfo | undefined | Promise<UserInfo | undefined> {
    if (token === '') return undefined;
    if (this.#oidc && looksLikeJwt(token)) {
      const key = createHash('sha256').update(token).digest('base64');
      const hit = this.#cache.get(key);
      if (hit) {
        if (hit.expiresAt > this.#now()) return hit.user;
        this.#cache.delete(key);
      }
      return this.#verify(key, token);
    }
    return this.#static?.authenticate(token);
  }

  async #verify(key: string, token: string): Promise<UserInfo | undefined> {
    const verified = await this.#oidc?.authenticate(token);
    if (verified === undefined) return this.#static?.authenticate(token);
    if (this.#cache.size >= this.#cacheSize) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    this.#cache.set(key, verified);
    return verified.user;
  }
}

/** OIDC settings from the configuration, if an issuer is configured. */
export function oidcAuthenticator(config: Config, onError?: (message: string) => void): OidcAuthenticator | undefined {
  const o = config.oidc;
  return o ? new OidcAuthenticator(o, onError ? { onError } : {}) : undefined;
}

/** The default authenticator of a process: static tokens (STATIC_TOKENS, TOKENS_FILE) and OIDC. */
export function createAuthenticator(config: Config, onError?: (message: string) => void): UnionAuthenticator {
  const oidc = oidcAuthenticator(config, onError);
  return new UnionAuthenticator({
    static: new TokenFileAuthenticator({ ...(config.staticTokens ? { inline: config.staticTokens } : {}), ...(config.tokensFile ? { file: config.tokensFile } : {}) }),
    ...(oidc ? { oidc } : {}),
  });
}

/** The bearer token of a WebSocket subprotocol `base64url.bearer.authorization.k8s.io.<token>` (§6.7), if any. */
export function websocketProtocolToken(headers: Readonly<Record<string, string>>): string | undefined {
  if (!/\bwebsocket\b/i.test(headers['upgrade'] ?? '')) return undefined;
  const prefix = 'base64url.bearer.authorization.k8s.io.';
  const protocols = (headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const found = protocols.filter((p) => p.startsWith(prefix));
  if (found.length !== 1 || protocols.length < 2) return found.length === 0 ? undefined : '';
  const encoded = found[0]!.slice(prefix.length);
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) return '';
  return Buffer.from(encoded, 'base64url').toString('utf8');
}
