/**
 * Watch semantics over the change log (memory store): start points, selector transitions,
 * bookmarks, 410 on compacted history, future resourceVersions, clean end.
 */
import { describe, expect, it } from 'vitest';
import { parseFieldSelector } from '../../../shared/apimachinery/field-selector.js';
import { parseLabelSelector } from '../../../shared/apimachinery/label-selector.js';
import type { KubeObject } from '../../../shared/apimachinery/meta.js';
import { watchChanges, type WatchEvent, type WatchOptions } from '../../../shared/apimachinery/watch.js';
import { MemoryStore } from '../../../shared/storage/memory-store.js';

const obj = (ns: string, name: string, labels: Record<string, string> = {}): KubeObject => ({ metadata: { name, namespace: ns, labels } });

function source(store: MemoryStore<KubeObject>) {
  return {
    log: store,
    currentRevision: async () => Number(await store.currentResourceVersion()),
    list: async (ns: string | undefined) => {
      const page = await store.list(ns === undefined ? {} : { namespace: ns });
      return { items: page.items, revision: Number(page.resourceVersion) };
    },
  };
}

const base = (over: Partial<WatchOptions<KubeObject>> = {}): WatchOptions<KubeObject> => ({
  filter: { labels: [], fields: [], selectableFields: (o) => ({ 'metadata.name': o.metadata.name ?? '', 'metadata.namespace': o.metadata.namespace ?? '' }) },
  allowBookmarks: false,
  timeoutMs: 300,
  pollMs: 20,
  ...over,
});

async function collect(store: MemoryStore<KubeObject>, opts: WatchOptions<KubeObject>, during?: () => Promise<void>): Promise<string[]> {
  const out: string[] = [];
  const run = (async () => {
    for await (const ev of watchChanges(store as never, opts) as AsyncGenerator<WatchEvent<KubeObject>>) {
      if (ev.type === 'ERROR') out.push(`ERROR ${ev.status.code} ${ev.status.message}`);
      else if (ev.type === 'BOOKMARK') out.push(`BOOKMARK ${ev.resourceVersion}${ev.initialEventsEnd ? ' end' : ''}`);
      else out.push(`${ev.type} ${ev.object.metadata.namespace}/${ev.object.metadata.name} ${ev.object.metadata.resourceVersion}`);
    }
  })();
  await during?.();
  await run;
  return out;
}

const collectFrom = (store: MemoryStore<KubeObject>, opts: WatchOptions<KubeObject>, during?: () => Promise<void>): Promise<string[]> =>
  collect({ ...source(store), log: store } as never, opts, during);

describe('watch', () => {
  describe('watchChanges', () => {
    it('sends synthetic ADDED events for the current state when no resourceVersion is given, then changes', async () => {
      const store = new MemoryStore<KubeObject>();
      await store.create({ namespace: 'a', name: 'x' }, obj('a', 'x'));
      const events = await collectFrom(store, base(), async () => {
        await new Promise((r) => setTimeout(r, 30));
        await store.create({ namespace: 'a', name: 'y' }, obj('a', 'y'));
      });
      expect(events).toEqual(['ADDED a/x 1', 'ADDED a/y 2']);
    });

    it('replays every change after a resourceVersion, in order, without synthetic events', async () => {
      const store = new MemoryStore<KubeObject>();
      await store.create({ namespace: 'a', name: 'x' }, obj('a', 'x'));
      await store.guaranteedUpdate({ namespace: 'a', name: 'x' }, (c) => ({ ...c, metadata: { ...c.metadata, labels: { v: '2' } } }));
      await store.delete({ namespace: 'a', name: 'x' }, () => ({ action: 'delete' }));
      expect(await collectFrom(store, base({ resourceVersion: '1' }))).toEqual(['MODIFIED a/x 2', 'DELETED a/x 3']);
    });

    it('keeps to its namespace', async () => {
      const store = new MemoryStore<KubeObject>();
      await store.create({ namespace: 'a', name: 'x' }, obj('a', 'x'));
      await store.create({ namespace: 'b', name: 'y' }, obj('b', 'y'));
      expect(await collectFrom(store, base({ resourceVersion: '0', filter: { ...base().filter, namespace: 'b' } }))).toEqual(['ADDED b/y 2']);
    });

    it('turns selector transitions into ADDED and DELETED', async () => {
      const store = new MemoryStore<KubeObject>();
      await store.create({ namespace: 'a', name: 'x' }, obj('a', 'x', { tier: 'db' }));
      const relabel = (tier: string) => store.guaranteedUpdate({ namespace: 'a', name: 'x' }, (c) => ({ ...c, metadata: { ...c.metadata, labels: { tier } } }));
      await relabel('web');
      await relabel('web2');
      await relabel('web');
      const events = await collectFrom(store, base({ resourceVersion: '1', filter: { ...base().filter, labels: parseLabelSelector('tier=web') } }));
      expect(events).toEqual(['ADDED a/x 2', 'DELETED a/x 3', 'ADDED a/x 4']);
    });

    it('watches one object through a metadata.name field selector', async () => {
      const store = new MemoryStore<KubeObject>();
      await store.create({ namespace: 'a', name: 'x' }, obj('a', 'x'));
      await store.create({ namespace: 'a', name: 'y' }, obj('a', 'y'));
      const events = await collectFrom(store, base({ resourceVersion: '0', filter: { ...base().filter, fields: parseFieldSelector('metadata.name=y') } }));
      expect(events).toEqual(['ADDED a/y 2']);
    });

    it('answers 410 Expired when the resourceVersion is older than the retained history', async () => {
      const store = new MemoryStore<KubeObject>({ retainEvents: 2 });
      for (const n of ['p', 'q', 'r', 's']) await store.create({ namespace: 'a', name: n }, obj('a', n));
      expect(await collectFrom(store, base({ resourceVersion: '1' }))).toEqual(['ERROR 410 too old resource version: 1 (2)']);
      expect(await collectFrom(store, base({ resourceVersion: '2' }))).toEqual(['ADDED a/r 3', 'ADDED a/s 4']);
    });

    it("continues from a quiet namespace's list resourceVersion even when the log has moved past it", async () => {
      const store = new MemoryStore<KubeObject>({ retainEvents: 2 });
      await store.create({ namespace: 'quiet', name: 'x' }, obj('quiet', 'x'));
      for (const n of ['p', 'q', 'r']) await store.create({ namespace: 'busy', name: n }, obj('busy', n));
      const listed = await store.list({ namespace: 'quiet' });
      expect(listed.resourceVersion).toBe('1');
      const scoped = (over: Partial<WatchOptions<KubeObject>>): WatchOptions<KubeObject> => ({ ...base(over), filter: { ...base().filter, namespace: 'quiet' } });
      const events = await collectFrom(store, scoped({ resourceVersion: listed.resourceVersion, timeoutMs: 200 }), async () => {
        await new Promise((r) => setTimeout(r, 30));
        await store.create({ namespace: 'quiet', name: 'y' }, obj('quiet', 'y'));
      });
      expect(events).toEqual(['ADDED quiet/y 5']);
      // The busy namespace changed after revision 1, and that history is gone: 410.
      const busy = { ...base({ resourceVersion: '1' }), filter: { ...base().filter, namespace: 'busy' } };
      expect(await collectFrom(store, busy)).toEqual(['ERROR 410 too old resource version: 1 (3)']);
    });

    it('answers a resourceVersion from the future with a 504 Timeout error after waiting briefly', async () => {
      const store = new MemoryStore<KubeObject>();
      expect(await collectFrom(store, base({ resourceVersion: '9', futureWaitMs: 50 }))).toEqual(['ERROR 504 Timeout: Too large resource version: 9, current: 0']);
    });

    it('marks the end of the initial events with a bookmark (sendInitialEvents) and ends with one', async () => {
      const store = new MemoryStore<KubeObject>();
      await store.create({ namespace: 'a', name: 'x' }, obj('a', 'x'));
      const events = await collectFrom(store, base({ sendInitialEvents: true, allowBookmarks: true, timeoutMs: 60 }));
      expect(events).toEqual(['ADDED a/x 1', 'BOOKMARK 1 end', 'BOOKMARK 1']);
    });

    it('stops at once when aborted', async () => {
      const store = new MemoryStore<KubeObject>();
      const abort = new AbortController();
      const started = Date.now();
      setTimeout(() => abort.abort(), 30);
      await collectFrom(store, base({ timeoutMs: 10_000, pollMs: 5_000, signal: abort.signal }));
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });
});
