/**
 * The Kubernetes WebSocket handshake rules (conventions §6.7): Origin, the bearer token
 * subprotocol, and the subprotocol echo.
 */
import { describe, expect, it } from 'vitest';
import { bearerProtocols, checkOrigin, negotiate, offeredProtocols } from '../../../shared/watch/handshake.js';

const statusOf = (fn: () => unknown): { code?: number; message?: string } => {
  try {
    fn();
  } catch (e) {
    return (e as { status: { code?: number; message?: string } }).status;
  }
  return {};
};

describe('handshake', () => {
  describe('checkOrigin', () => {
    it('accepts a parsable origin', () => {
      expect(() => checkOrigin('https://console.example.com')).not.toThrow();
    });

    it('refuses a missing, "null" or unparsable origin with 403', () => {
      expect(statusOf(() => checkOrigin(undefined))).toMatchObject({ code: 403, message: 'websocket: null origin' });
      expect(statusOf(() => checkOrigin('null')).code).toBe(403);
      expect(statusOf(() => checkOrigin('not a url')).code).toBe(403);
    });
  });

  describe('negotiate', () => {
    it('takes the token from the bearer subprotocol and echoes the other one', () => {
      // Prepare
      const offered = offeredProtocols([bearerProtocols('s3cr3t/+token').join(', ')]);
      // Act
      const hs = negotiate(offered);
      // Assess
      expect(hs).toEqual({ protocolToken: 's3cr3t/+token', protocol: 'base64.binary.k8s.io' });
    });

    it('requires another subprotocol next to the token one (401 missing additional subprotocol)', () => {
      expect(statusOf(() => negotiate(bearerProtocols('t').slice(0, 1)))).toMatchObject({ code: 401, message: 'missing additional subprotocol' });
    });

    it('refuses two tokens and a badly encoded token with 401', () => {
      const [p] = bearerProtocols('t');
      expect(statusOf(() => negotiate([p!, p!, 'x'])).code).toBe(401);
      expect(statusOf(() => negotiate(['base64url.bearer.authorization.k8s.io.a+b', 'x'])).code).toBe(401);
    });

    it('echoes nothing without subprotocols, the single one offered, and refuses two with 400', () => {
      expect(negotiate([])).toEqual({});
      expect(negotiate(['v4.channel.k8s.io'])).toEqual({ protocol: 'v4.channel.k8s.io' });
      expect(statusOf(() => negotiate(['a', 'b'])).code).toBe(400);
    });

    it('reads repeated and comma-separated protocol headers', () => {
      expect(offeredProtocols(['a, b', ' c '])).toEqual(['a', 'b', 'c']);
    });
  });
});
