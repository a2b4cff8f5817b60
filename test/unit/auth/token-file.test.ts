/**
 * Static tokens from a Kubernetes token file, re-read when the file changes.
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenFileAuthenticator } from '../../../shared/auth/token-file.js';

const tempFile = (text: string): string => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tokens-')), 'tokens.csv');
  writeFileSync(file, text);
  return file;
};

describe('token-file', () => {
  describe('TokenFileAuthenticator.authenticate', () => {
    it('maps a token to its user, uid and groups (plus system:authenticated)', () => {
      const auth = new TokenFileAuthenticator({ inline: 'tok1,alice,uid-1,"devs,ops"\n# comment\ntok2,bob' });
      expect(auth.authenticate('tok1')).toEqual({ name: 'alice', uid: 'uid-1', groups: ['devs', 'ops', 'system:authenticated'] });
      expect(auth.authenticate('tok2')).toEqual({ name: 'bob', groups: ['system:authenticated'] });
      expect(auth.authenticate('tok3')).toBeUndefined();
    });

    it('picks up a line added to the file on the next request (no restart)', () => {
      // Prepare
      const file = tempFile('t-admin,admin,,"system:masters"\n');
      const auth = new TokenFileAuthenticator({ file });
      expect(auth.authenticate('t-alice')).toBeUndefined();
      // Act
      appendFileSync(file, 't-alice,alice,alice-uid\n');
      // Assess
      expect(auth.authenticate('t-alice')?.name).toBe('alice');
      expect(auth.authenticate('t-admin')?.groups).toContain('system:masters');
    });

    it('stops accepting a removed line once the recheck interval has passed', () => {
      let now = 0;
      const file = tempFile('t-a,a\nt-b,b\n');
      const auth = new TokenFileAuthenticator({ file, recheckMs: 1000, now: () => now });
      expect(auth.authenticate('t-b')?.name).toBe('b');
      writeFileSync(file, 't-a,a\n# b removed, size changes\n');
      now = 500;
      expect(auth.authenticate('t-b')?.name).toBe('b');
      now = 1600;
      expect(auth.authenticate('t-b')).toBeUndefined();
      expect(auth.authenticate('t-a')?.name).toBe('a');
    });

    it('keeps the last good content when the file becomes unreadable or invalid', () => {
      const file = tempFile('t-a,a\n');
      const auth = new TokenFileAuthenticator({ file, recheckMs: 0 });
      writeFileSync(file, 'only-a-token\n');
      expect(auth.authenticate('t-a')?.name).toBe('a');
    });

    it('fails at startup when the file is missing or invalid', () => {
      expect(() => new TokenFileAuthenticator({ file: '/nonexistent/tokens.csv' })).toThrow();
      expect(() => new TokenFileAuthenticator({ file: tempFile('token-without-user\n') })).toThrow(/token and user are required/);
    });
  });
});
