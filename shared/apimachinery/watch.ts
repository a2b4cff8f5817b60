/**
 * @module watch
 * Kubernetes watch semantics over the change log: where a watch starts (synthetic ADDED
 * events for the current state, or every change after a resourceVersion), selector
 * transitions (a change that makes an object match is ADDED, one that makes it stop
 * matching is DELETED), bookmarks, 410 when the history is gone, and the stream's end.
 * Pure of transport: yields events; the HTTP layer frames them.
 */
import type { FieldSelector } from './field-selector.js';
import { matchesFields } from './field-selector.js';
import { matchesLabels, type LabelSelector } from './label-selector.js';
import type { KubeObject } from './meta.js';
import type { ChangeLog, ChangeRecord, PreviousState } from './registry/store.js';
import { resourceExpired, timeout as timeoutError, type Status } from './status.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export type WatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string; readonly initialEventsEnd?: boolean }
  | { readonly type: 'ERROR'; readonly status: Status };

export interface WatchFilter<T> {
  /** Namespace scope; undefined watches all namespaces. */
  readonly namespace?: string;
  readonly labels: LabelSelector;
  readonly fields: FieldSelector;
  readonly selectableFields: (obj: T) => Record<string, string>;
}

export interface WatchSource<T extends KubeObject> {
  readonly log: ChangeLog<T>;
  /** The current revision of the resource type. */
  currentRevision(): Promise<number>;
  /** A consistent list of the objects in scope and its revision (for synthetic ADDED events). */
  list(namespace: string | undefined): Promise<{ items: T[]; revision: number }>;
}

export interface WatchOptions<T> {
  readonly filter: WatchFilter<T>;
  /** `resourceVersion` as sent: undefined, `"0"`, or a revision. */
  readonly resourceVersion?: string;
  readonly sendInitialEvents?: boolean;
  readonly allowBookmarks: boolean;
  /** The stream ends cleanly after this long. */
  readonly timeoutMs: number;
  /** How often the log is polled when nothing wakes the watcher earlier. */
  readonly pollMs: number;
  /** Interval between periodic bookmarks (when allowed). */
  readonly bookmarkEveryMs?: number;
  readonly signal?: AbortSignal;
  /** Waits before declaring a resourceVersion from the future an error. */
  readonly futureWaitMs?: number;
}

const LOG_PAGE = 500;

function matches<T extends KubeObject>(f: WatchFilter<T>, obj: T, labels: Readonly<Record<string, string>> | undefined, fields: Readonly<Record<string, string>>): boolean {
  if (f.namespace !== undefined && obj.metadata.namespace !== f.namespace) return false;
  return matchesLabels(f.labels, labels) && matchesFields(f.fields, fields);
}

/** The event a change produces for a filtered watcher, if any (§6.2 selector transitions). */
export function eventFor<T extends KubeObject>(f: WatchFilter<T>, change: ChangeRecord<T>): WatchEvent<T> | undefined {
  const fieldsNow = f.selectableFields(change.object);
  const now = matches(f, change.object, change.object.metadata.labels, fieldsNow);
  if (change.type !== 'MODIFIED') return now ? { type: change.type, object: change.object } : undefined;
  const prev: PreviousState = change.previous ?? { labels: change.object.metadata.labels ?? {} };
  const before = matches(f, change.object, prev.labels, { ...fieldsNow, ...prev.fields });
  if (now && before) return { type: 'MODIFIED', object: change.object };
  if (now) return { type: 'ADDED', object: change.object };
  if (before) return { type: 'DELETED', object: change.object };
  return undefined;
}

/** Resolves after `ms`, on a commit notification, or on abort — whichever comes first. */
function pause(log: ChangeLog<unknown>, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    const unsubscribe = log.onCommit(done);
    signal?.addEventListener('abort', done);
  });
}

const tooOld = (requested: number, oldest: number): Status =>
  resourceExpired(`too old resource version: ${requested} (${oldest - 1})`).status;

export async function* watchChanges<T extends KubeObject>(src: WatchSource<T>, opts: WatchOptions<T>): AsyncGenerator<WatchEvent<T>> {
  const deadline = Date.now() + opts.timeoutMs;
  const aborted = (): boolean => opts.signal?.aborted === true;
  const rv = opts.resourceVersion;
  const initial = opts.sendInitialEvents ?? (rv === undefined || rv === '0');
  let cursor: number;
  let requested: number | undefined;
  if (initial) {
    const state = await src.list(opts.filter.namespace);
    for (const obj of state.items) {
      if (matches(opts.filter, obj, obj.metadata.labels, opts.filter.selectableFields(obj))) yield { type: 'ADDED', object: obj };
    }
    cursor = state.revision;
    if (opts.sendInitialEvents === true && opts.allowBookmarks) {
      yield { type: 'BOOKMARK', resourceVersion: String(cursor), initialEventsEnd: true };
    }
  } else {
    requested = Number(rv);
    let current = await src.currentRevision();
    const waitUntil = Date.now() + (opts.futureWaitMs ?? 3000);
    while (requested > current && Date.now() < waitUntil && !aborted()) {
      await pause(src.log, 100, opts.signal);
      current = await src.currentRevision();
    }
    if (requested > current) {
      yield {
        type: 'ERROR',
        status: timeoutError(`Too large resource version: ${requested}, current: ${current}`, 1, [
          { reason: 'ResourceVersionTooLarge', message: 'Too large resource version' },
        ]).status,
      };
      return;
    }
    // A namespace's resourceVersion may predate the retained log: nothing to read when the
    // namespace has not changed since.
    cursor = await src.log.resumePoint(requested, opts.filter.namespace);
    // The first read after a given resourceVersion must continue exactly there.
    const first = await src.log.changesSince(cursor, LOG_PAGE);
    if (first.kind === 'compacted') {
      yield { type: 'ERROR', status: tooOld(requested, first.oldest) };
      return;
    }
    if (first.changes.length === 0 && current > cursor) {
      yield { type: 'ERROR', status: tooOld(requested, current + 1) };
      return;
    }
    for (const change of first.changes) {
      cursor = change.revision;
      const ev = eventFor(opts.filter, change);
      if (ev) yield ev;
    }
  }
  let lastBookmark = Date.now();
  while (!aborted() && Date.now() < deadline) {
    const res = await src.log.changesSince(cursor, LOG_PAGE);
    if (res.kind === 'compacted') {
      yield { type: 'ERROR', status: tooOld(requested ?? cursor, res.oldest) };
      return;
    }
    for (const change of res.changes) {
      cursor = change.revision;
      const ev = eventFor(opts.filter, change);
      if (ev) yield ev;
    }
    if (res.changes.length === LOG_PAGE) continue;
    if (opts.allowBookmarks && opts.bookmarkEveryMs !== undefined && Date.now() - lastBookmark >= opts.bookmarkEveryMs) {
      lastBookmark = Date.now();
      yield { type: 'BOOKMARK', resourceVersion: String(cursor) };
    }
    await pause(src.log, Math.min(opts.pollMs, deadline - Date.now()), opts.signal);
  }
  // A clean end: tell a client that asked for bookmarks where to resume.
  if (opts.allowBookmarks && !aborted()) yield { type: 'BOOKMARK', resourceVersion: String(cursor) };
}
