/**
 * A test OIDC issuer on 127.0.0.1: an RSA signing key whose public half is served as a JWKS
 * (`/jwks`), the discovery document (`/.well-known/openid-configuration`), and a signer
 * (`jose` SignJWT) for valid, expired, wrong-audience and forged ID tokens.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface TestIssuer {
  /** `http://127.0.0.1:<port>` (the `iss` of its tokens). */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** JWKS and discovery requests served so far. */
  readonly requests: { jwks: number; discovery: number };
  /** Signs `claims` (defaults: iss, aud, sub, iat, exp = now + 1h) with the issuer's key. */
  sign(claims?: Record<string, unknown>, opts?: SignOptions): Promise<string>;
  close(): Promise<void>;
}

export interface SignOptions {
  /** Sign with this key instead (a forgery) — the header still names the issuer's kid. */
  readonly key?: CryptoKey;
  readonly kid?: string;
  readonly alg?: string;
}

export async function startTestIssuer(audience = 'imagestream-api'): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'test-key-1';
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const requests = { jwks: 0, discovery: 0 };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    if (req.url === '/jwks') {
      requests.jwks++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else if (req.url === '/.well-known/openid-configuration') {
      requests.discovery++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    requests,
    async sign(claims = {}, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      const body = { iss: issuer, aud: audience, sub: 'alice', iat: now, exp: now + 3600, ...claims };
      return new SignJWT(body).setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? kid, typ: 'JWT' }).sign(opts.key ?? privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A key pair unknown to the issuer (for forged tokens). */
export async function foreignKey(): Promise<CryptoKey> {
  return (await generateKeyPair('RS256')).privateKey;
}
