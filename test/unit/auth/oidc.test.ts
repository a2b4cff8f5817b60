/**
 * OIDC ID tokens against a JWKS served on 127.0.0.1: signature, issuer, audience, expiry and
 * clock skew, algorithms, claim mapping (Kubernetes' prefix rules), discovery, and the
 * verified-token cache of the union authenticator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnionAuthenticator } from '../../../shared/auth/authenticator.js';
import { OidcAuthenticator, type OidcSettings } from '../../../shared/auth/oidc.js';
import { ConfigError, loadConfig } from '../../../shared/config.js';
import { foreignKey, startTestIssuer, type TestIssuer } from '../../helpers/oidc-issuer.js';

let iss: TestIssuer;
beforeAll(async () => {
  iss = await startTestIssuer();
});
afterAll(async () => {
  await iss?.close();
});

const settings = (extra: Partial<OidcSettings> = {}): OidcSettings => ({
  issuerUrl: iss.issuer,
  audiences: ['imagestream-api'],
  usernameClaim: 'sub',
  jwksUrl: iss.jwksUrl,
  clockSkewSeconds: 30,
  algorithms: ['RS256'],
  ...extra,
});

const now = (): number => Math.floor(Date.now() / 1000);

describe('oidc', () => {
  describe('OidcAuthenticator.authenticate', () => {
    it('accepts a valid token: username prefixed with the issuer (sub claim), groups mapped', async () => {
      // Prepare
      const oidc = new OidcAuthenticator(settings({ groupsClaim: 'groups', groupsPrefix: 'oidc:' }));
      const token = await iss.sign({ groups: ['devs', 'ops'] });
      // Act
      const out = await oidc.authenticate(token);
      // Assess
      expect(out?.user).toEqual({ name: `${iss.issuer}#alice`, groups: ['oidc:devs', 'oidc:ops', 'system:authenticated'] });
      expect(out?.expiresAt).toBeGreaterThan(Date.now());
    });

    it('applies the username prefix rules: email unprefixed, "-" none, explicit prefix', async () => {
      const email = await iss.sign({ email: 'alice@example.com', email_verified: true });
      expect((await new OidcAuthenticator(settings({ usernameClaim: 'email' })).authenticate(email))?.user.name).toBe('alice@example.com');
      expect((await new OidcAuthenticator(settings({ usernamePrefix: '-' })).authenticate(email))?.user.name).toBe('alice');
      expect((await new OidcAuthenticator(settings({ usernamePrefix: 'oidc:' })).authenticate(email))?.user.name).toBe('oidc:alice');
      const unverified = await iss.sign({ email: 'alice@example.com', email_verified: false });
      expect(await new OidcAuthenticator(settings({ usernameClaim: 'email' })).authenticate(unverified)).toBeUndefined();
    });

    it.each([
      ['expired', async () => iss.sign({ exp: now() - 600 })],
      ['not yet valid', async () => iss.sign({ nbf: now() + 600 })],
      ['for another audience', async () => iss.sign({ aud: 'someone-else' })],
      ['from another issuer', async () => iss.sign({ iss: 'https://evil.example.com' })],
      ['forged (signed by another key with the issuer’s kid)', async () => iss.sign({}, { key: await foreignKey() })],
      ['without exp', async () => iss.sign({ exp: undefined })],
      ['without the username claim', async () => iss.sign({ sub: undefined })],
    ])('rejects a token %s', async (_name, make) => {
      const oidc = new OidcAuthenticator(settings());
      expect(await oidc.authenticate(await make())).toBeUndefined();
    });

    it('rejects an unsigned (alg none) or tampered token and garbage', async () => {
      const oidc = new OidcAuthenticator(settings());
      const [h, p, s] = (await iss.sign()).split('.') as [string, string, string];
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
      const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'admin' })).toString('base64url');
      expect(await oidc.authenticate(none)).toBeUndefined();
      expect(await oidc.authenticate(`${h}.${elevated}.${s}`)).toBeUndefined();
      expect(await oidc.authenticate('not-a-jwt')).toBeUndefined();
    });

    it('tolerates the configured clock skew on expiry', async () => {
      const token = await iss.sign({ exp: now() - 10 });
      expect(await new OidcAuthenticator(settings({ clockSkewSeconds: 30 })).authenticate(token)).toBeDefined();
      expect(await new OidcAuthenticator(settings({ clockSkewSeconds: 0 })).authenticate(token)).toBeUndefined();
    });

    it('only accepts the configured algorithms', async () => {
      const token = await iss.sign();
      expect(await new OidcAuthenticator(settings({ algorithms: ['ES256'] })).authenticate(token)).toBeUndefined();
    });

    it('finds the JWKS through the issuer’s discovery document when no JWKS URL is set', async () => {
      const before = iss.requests.discovery;
      const { jwksUrl: _unset, ...rest } = settings();
      const oidc = new OidcAuthenticator(rest);
      expect((await oidc.authenticate(await iss.sign()))?.user.name).toBe(`${iss.issuer}#alice`);
      expect(iss.requests.discovery).toBe(before + 1);
    });
  });

  describe('UnionAuthenticator', () => {
    it('verifies a JWT once and serves it from the cache until it expires', async () => {
      // Prepare
      let verifications = 0;
      let clock = Date.now();
      const real = new OidcAuthenticator(settings({ clockSkewSeconds: 0 }), { now: () => clock });
      const union = new UnionAuthenticator({
        oidc: { authenticate: (t) => (verifications++, real.authenticate(t)) },
        now: () => clock,
      });
      const token = await iss.sign({ exp: now() + 60 });
      // Act
      const first = await union.authenticate(token);
      const second = await union.authenticate(token);
      clock += 120_000;
      const third = await union.authenticate(token);
      // Assess
      expect(first?.name).toBe(`${iss.issuer}#alice`);
      expect(second).toEqual(first);
      expect(third).toBeUndefined();
      expect(verifications).toBe(2);
    });

    it('falls back to static tokens and never caches failures', async () => {
      let verifications = 0;
      const union = new UnionAuthenticator({
        static: { authenticate: (t) => (t === 'a.b.c' ? { name: 'svc', groups: [] } : undefined) },
        oidc: { authenticate: async () => (verifications++, undefined) },
      });
      expect(await union.authenticate('a.b.c')).toEqual({ name: 'svc', groups: [] });
      expect(await union.authenticate('x.y.z')).toBeUndefined();
      expect(await union.authenticate('x.y.z')).toBeUndefined();
      expect(verifications).toBe(3);
    });
  });

  describe('loadConfig', () => {
    it('reads the --oidc-* settings', () => {
      const c = loadConfig({ OIDC_ISSUER_URL: 'https://idp.example.com', OIDC_CLIENT_ID: 'kube', OIDC_AUDIENCE: 'a,b', OIDC_GROUPS_CLAIM: 'groups', OIDC_USERNAME_PREFIX: '-' });
      expect(c.oidc).toEqual({
        issuerUrl: 'https://idp.example.com',
        audiences: ['kube', 'a', 'b'],
        usernameClaim: 'sub',
        usernamePrefix: '-',
        groupsClaim: 'groups',
        clockSkewSeconds: 30,
        algorithms: ['RS256'],
      });
      expect(loadConfig({}).oidc).toBeUndefined();
    });

    it('refuses a plain-http issuer off loopback and an issuer without audience', () => {
      expect(() => loadConfig({ OIDC_ISSUER_URL: 'http://idp.example.com', OIDC_CLIENT_ID: 'x' })).toThrow(ConfigError);
      expect(() => loadConfig({ OIDC_ISSUER_URL: 'https://idp.example.com' })).toThrow(/OIDC_CLIENT_ID/);
    });
  });
});
