/**
 * @module log-window
 * A read-through cache over the change log for one fan-out invocation. Subscribers of a
 * namespace usually share a cursor, so a thousand of them catching up over the same range
 * cost one log query, not a thousand; concurrent reads of the same range are coalesced.
 * Stream records seed it with the changes they carry, so the common case (deliver the
 * change that just arrived) reads nothing. Log entries are immutable, so a cached entry is
 * never stale.
 */
import type { KubeObject } from '../apimachinery/meta.js';
import type { ChangeLog, ChangeRecord } from '../apimachinery/registry/store.js';

export type LogRange =
  | { readonly kind: 'changes'; readonly changes: readonly ChangeRecord<KubeObject>[] }
  /** The history after the requested revision is gone; `oldest` is the oldest revision still retained. */
  | { readonly kind: 'compacted'; readonly oldest: number };

const PAGE = 500;

export class LogWindow {
  readonly #log: ChangeLog<KubeObject>;
  readonly #cache = new Map<number, ChangeRecord<KubeObject>>();
  readonly #inflight = new Map<number, Promise<{ kind: 'compacted'; oldest: number } | undefined>>();
  /** Memoized per-change values (serialized event lines), dropped with the window. */
  readonly #memo = new Map<string, unknown>();
  /** Log queries issued (tests and metrics). */
  reads = 0;

  constructor(log: ChangeLog<KubeObject>) {
    this.#log = log;
  }

  /** Adds a change known from elsewhere (a stream record's image of its log entry). */
  seed(change: ChangeRecord<KubeObject>): void {
    this.#cache.set(change.revision, change);
  }

  /**
   * The changes with `after` < revision ≤ `upTo`, in order. `upTo` must be a committed
   * revision: revisions are dense, so every one of them exists unless the log has expired it,
   * and a missing one means the history is compacted.
   */
  async range(after: number, upTo: number): Promise<LogRange> {
    const out: ChangeRecord<KubeObject>[] = [];
    let cursor = after;
    while (cursor < upTo) {
      const hit = this.#cache.get(cursor + 1);
      if (hit) {
        out.push(hit);
        cursor++;
        continue;
      }
      const failed = await this.#fill(cursor, upTo);
      if (failed) return failed;
      if (!this.#cache.has(cursor + 1)) return { kind: 'compacted', oldest: upTo + 1 };
    }
    return { kind: 'changes', changes: out };
  }

  /** Reads the log after `from` into the cache (one query, shared by concurrent callers). */
  #fill(from: number, upTo: number): Promise<{ kind: 'compacted'; oldest: number } | undefined> {
    const running = this.#inflight.get(from);
    if (running) return running;
    const p = (async () => {
      this.reads++;
      const res = await this.#log.changesSince(from, Math.min(PAGE, Math.max(1, upTo - from)));
      if (res.kind === 'compacted') return { kind: 'compacted' as const, oldest: res.oldest };
      for (const c of res.changes) this.#cache.set(c.revision, c);
      return undefined;
    })();
    this.#inflight.set(from, p);
    void p.finally(() => this.#inflight.delete(from)).catch(() => undefined);
    return p;
  }

  /** A value computed once per key for the life of the window (e.g. an event's JSON line). */
  memo<V>(key: string, compute: () => V): V {
    if (this.#memo.has(key)) return this.#memo.get(key) as V;
    const v = compute();
    this.#memo.set(key, v);
    return v;
  }
}
