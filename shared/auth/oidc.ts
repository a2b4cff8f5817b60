/**
 * @module oidc
 * OpenID Connect ID tokens as bearer tokens, as kube-apiserver's `--oidc-*` flags: the
 * token's signature is verified against the issuer's JWKS (jose `createRemoteJWKSet`, keys
 * cached and refreshed on an unknown `kid`), then issuer, audience, expiry (with a clock
 * skew) and the configured algorithms; the username and groups come from the configured
 * claims with their prefixes.
 *
 * Username prefix (Kubernetes' rule): unset → claims other than `email` are prefixed with
 * `<issuer>#`; `-` → no prefix; anything else is prepended. With the `email` claim,
 * `email_verified` must not be false. Tokens of another issuer are not ours (undefined, no
 * verification). No token or claim value is ever logged or put into an error.
 */
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { UserInfo } from '../apimachinery/user.js';
import type { OidcConfig } from '../config.js';
import { SYSTEM_AUTHENTICATED } from '../rbac/bootstrap-policy.js';

/** The `--oidc-*` settings of kube-apiserver, as read by `shared/config.ts`. */
export type OidcSettings = OidcConfig;

export interface VerifiedToken {
  readonly user: UserInfo;
  /** Expiry of the token (ms since the epoch). */
  readonly expiresAt: number;
}

export interface OidcOptions {
  /** Key source override (tests); default: the remote JWKS. */
  readonly keys?: JWTVerifyGetKey;
  readonly now?: () => number;
  /** Reports infrastructure failures (discovery, JWKS fetch); never token contents. */
  readonly onError?: (message: string) => void;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Whether a bearer token has the JWS compact shape (cheap pre-check before any decoding). */
export const looksLikeJwt = (token: string): boolean => token.length < 16384 && JWT_SHAPE.test(token);

/** Infrastructure failures (as opposed to a bad token), by jose's error codes. */
const INFRA_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

export class OidcAuthenticator {
  readonly #s: OidcSettings;
  readonly #now: () => number;
  readonly #onError: ((message: string) => void) | undefined;
  #keys: JWTVerifyGetKey | undefined;
  #discovery: Promise<JWTVerifyGetKey> | undefined;

  constructor(settings: OidcSettings, opts: OidcOptions = {}) {
    this.#s = settings;
    this.#now = opts.now ?? Date.now;
    this.#onError = opts.onError;
    this.#keys = opts.keys ?? (settings.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl)) : undefined);
  }

  get issuer(): string {
    return this.#s.issuerUrl;
  }

  /** The key resolver, discovering the JWKS URL from the issuer's metadata when not configured. */
  #keyResolver(): Promise<JWTVerifyGetKey> {
    if (this.#keys) return Promise.resolve(this.#keys);
    this.#discovery ??= (async () => {
      const url = `${this.#s.issuerUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`;
      const res = await fetch(url, { signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`OIDC discovery: ${url} answered ${res.status}`);
      const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (doc.issuer !== this.#s.issuerUrl) throw new Error(`OIDC discovery: issuer ${JSON.stringify(doc.issuer)} does not match the configured issuer`);
      if (typeof doc.jwks_uri !== 'string') throw new Error('OIDC discovery: no jwks_uri');
      this.#keys = createRemoteJWKSet(new URL(doc.jwks_uri));
      return this.#keys;
    })();
    this.#discovery.catch(() => {
      this.#discovery = undefined;
    });
    return this.#discovery;
  }

  /** The user of a valid ID token of this issuer; undefined for anything else. */
  async authenticate(token: string): Promise<VerifiedToken | undefined> {
    if (!looksLikeJwt(token)) return undefined;
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return undefined;
    }
    if (iss !== this.#s.issuerUrl) return undefined;
    let payload: JWTPayload;
    try {
      const keys = await this.#keyResolver();
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.#s.issuerUrl,
        audience: [...this.#s.audiences],
        algorithms: [...this.#s.algorithms],
        clockTolerance: this.#s.clockSkewSeconds,
        currentDate: new Date(this.#now()),
        requiredClaims: ['exp'],
      }));
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code !== 'string' || INFRA_CODES.has(code)) this.#onError?.(`OIDC verification unavailable: ${e instanceof Error ? `${e.name}: ${e.message}` : 'error'}`);
      return undefined;
    }
    const user = this.#userOf(payload);
    return user && payload.exp !== undefined ? { user, expiresAt: payload.exp * 1000 } : undefined;
  }

  #userOf(claims: JWTPayload): UserInfo | undefined {
    const s = this.#s;
    const username = claims[s.usernameClaim];
    if (typeof username !== 'string' || username === '') return undefined;
    if (s.usernameClaim === 'email' && claims['email_verified'] !== undefined && claims['email_verified'] !== true) return undefined;
    const prefix = s.usernamePrefix === undefined ? (s.usernameClaim === 'email' ? '' : `${s.issuerUrl}#`) : s.usernamePrefix === '-' ? '' : s.usernamePrefix;
    const groups: string[] = [];
    if (s.groupsClaim !== undefined) {
      const raw = claims[s.groupsClaim];
      const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : raw === undefined ? [] : undefined;
      if (list === undefined || list.some((g) => typeof g !== 'string')) return undefined;
      for (const g of list as string[]) groups.push(`${s.groupsPrefix ?? ''}${g}`);
    }
    return { name: `${prefix}${username}`, groups: [...groups, SYSTEM_AUTHENTICATED] };
  }
}
