/**
 * @module token-file
 * Static bearer tokens (Kubernetes `--token-auth-file` format, `token,user,uid,"g1,g2"`)
 * from inline text (`STATIC_TOKENS`) and/or a file (`TOKENS_FILE`). The file is re-read when
 * its modification time or size changes: at once when an unknown token is presented (so a
 * line added by a tester works on the next request) and at most once a second otherwise (so
 * a removed line stops working within a second). A file that fails to parse keeps the last
 * good content. Tokens are kept only as SHA-256 digests and never logged.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { UserInfo } from '../apimachinery/user.js';
import { parseTokenFile } from './static-tokens.js';

const digest = (token: string): string => createHash('sha256').update(token).digest('base64');

function index(text: string): Map<string, UserInfo> {
  const out = new Map<string, UserInfo>();
  for (const e of parseTokenFile(text)) out.set(digest(e.token), e.user);
  return out;
}

export interface TokenFileOptions {
  /** Inline token-file content. */
  readonly inline?: string;
  readonly file?: string;
  /** Minimum interval between modification checks for known tokens (default 1000 ms). */
  readonly recheckMs?: number;
  readonly now?: () => number;
}

export class TokenFileAuthenticator {
  readonly #inline: Map<string, UserInfo>;
  readonly #file: string | undefined;
  readonly #recheckMs: number;
  readonly #now: () => number;
  #fromFile = new Map<string, UserInfo>();
  #stamp = '';
  #checked = 0;

  /** Throws when the inline text or the file (which must exist) does not parse. */
  constructor(opts: TokenFileOptions) {
    this.#inline = index(opts.inline ?? '');
    this.#file = opts.file;
    this.#recheckMs = opts.recheckMs ?? 1000;
    this.#now = opts.now ?? Date.now;
    if (this.#file !== undefined) this.#reload(true);
  }

  /** Re-reads the file if it changed; `strict` (startup) rethrows problems. */
  #reload(strict = false): void {
    if (this.#file === undefined) return;
    this.#checked = this.#now();
    try {
      const st = statSync(this.#file);
      const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
      if (stamp === this.#stamp) return;
      this.#fromFile = index(readFileSync(this.#file, 'utf8'));
      this.#stamp = stamp;
    } catch (e) {
      if (strict) throw e;
      // Keep the last good content (the file may be in the middle of being rewritten).
    }
  }

  #lookup(d: string): UserInfo | undefined {
    return this.#inline.get(d) ?? this.#fromFile.get(d);
  }

  /** The user of a known token, or undefined. */
  authenticate(token: string): UserInfo | undefined {
    const d = digest(token);
    const found = this.#lookup(d);
    if (this.#file === undefined) return found;
    if (found !== undefined) {
      if (this.#now() - this.#checked < this.#recheckMs) return found;
      this.#reload();
      return this.#lookup(d);
    }
    this.#reload();
    return this.#lookup(d);
  }

  /** How many tokens are known. */
  get entries(): number {
    return this.#inline.size + this.#fromFile.size;
  }
}
