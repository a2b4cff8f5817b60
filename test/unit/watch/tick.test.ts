/**
 * The periodic tick: watch timeouts, periodic bookmarks, idle cursors, stale pending
 * subscriptions and rows of connections older than API Gateway allows.
 */
import { describe, expect, it } from 'vitest';
import { harness, NS } from './harness.js';

const names = (h: ReturnType<typeof harness>, id: string): string[] => h.events(id).map((e) => `${e.type} ${e.what}`);

describe('watch tick', () => {
  describe('runTick', () => {
    it('ends a watch past its timeoutSeconds with a final bookmark and closes it', async () => {
      // Prepare
      const h = harness();
      await h.create('a', 'x');
      await h.watch('w', `${NS('a')}?resourceVersion=1&allowWatchBookmarks=true&timeoutSeconds=1`);
      const sub = (await h.subs.byConnection('w'))!;
      await h.subs.remove('w');
      await h.subs.create({ ...sub, deadline: Date.now() - 1 });
      // Act
      await h.runtime.tick();
      // Assess
      expect(names(h, 'w')).toEqual(['BOOKMARK 1']);
      expect(h.closed.has('w')).toBe(true);
      expect(h.subs.all()).toEqual([]);
    });

    it('sends a bookmark at the current revision to watches that allow them, and moves idle cursors forward', async () => {
      // Prepare
      const h = harness();
      await h.watch('quiet', `${NS('quiet')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
      await h.watch('plain', `${NS('quiet')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      for (const n of ['p', 'q', 'r']) await h.create('busy', n);
      // Act
      await h.runtime.tick();
      // Assess
      expect(names(h, 'quiet')).toEqual(['BOOKMARK 3']);
      expect(names(h, 'plain')).toEqual([]);
      expect(h.subs.partitionRow({ resource: 'imagestreams.image.openshift.io', scope: 'quiet' })?.cursor).toBe(3);
    });

    it('replays a pending subscription whose replay never ran', async () => {
      // Prepare
      const h = harness({ tuning: { stalePendingMs: 0 } });
      await h.create('a', 'x');
      await h.connect('lost', `${NS('a')}?resourceVersion=0&sendInitialEvents=false&resourceVersionMatch=NotOlderThan`);
      await h.create('a', 'y');
      // Act
      await h.runtime.tick();
      // Assess
      expect(names(h, 'lost')).toEqual(['ADDED a/y@2']);
      expect((await h.subs.byConnection('lost'))?.state).not.toBe('pending');
    });

    it('drops the rows of connections older than the 2-hour limit whose $disconnect was lost', async () => {
      const h = harness();
      await h.connect('old', `${NS('a')}?watch=true`, { connectedAt: Date.now() - 3 * 3600 * 1000 });
      await h.connect('new', `${NS('a')}?watch=true`);
      const res = await h.runtime.tick();
      expect(res.removed).toBe(1);
      expect(h.subs.all().map((s) => s.connectionId)).toEqual(['new']);
    });
  });
});
