/**
 * @module static-tokens
 * Bearer-token authentication from a Kubernetes static token file
 * (`token,user,uid,"group1,group2"` per line, as `kube-apiserver --token-auth-file`).
 * Tokens are compared in constant time and never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { UserInfo } from '../api/http.js';

export interface TokenEntry {
  readonly token: string;
  readonly user: UserInfo;
}

export class TokenFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenFileError';
  }
}

/** Splits one CSV line; double quotes group a field and `""` is a literal quote. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

export function parseTokenFile(text: string): TokenEntry[] {
  const entries: TokenEntry[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const [token = '', name = '', uid = '', groups = ''] = csvFields(line);
    if (token === '' || name === '') throw new TokenFileError(`token file line ${i + 1}: token and user are required`);
    entries.push({
      token,
      user: {
        name,
        ...(uid ? { uid } : {}),
        groups: [...groups.split(',').map((g) => g.trim()).filter((g) => g !== ''), 'system:authenticated'],
      },
    });
  });
  return entries;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export class StaticTokenAuthenticator {
  readonly #entries: readonly { digest: Buffer; user: UserInfo }[];

  constructor(entries: readonly TokenEntry[]) {
    this.#entries = entries.map((e) => ({ digest: digest(e.token), user: e.user }));
  }

  /** The user for a bearer token, or undefined when the token is unknown. */
  authenticate(token: string): UserInfo | undefined {
    const d = digest(token);
    let found: UserInfo | undefined;
    for (const e of this.#entries) if (timingSafeEqual(e.digest, d)) found = e.user;
    return found;
  }
}
