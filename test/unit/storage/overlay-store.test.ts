/**
 * Read-only built-in objects served alongside a store's own objects.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../shared/apimachinery/meta.js';
import { ReadOnlyOverlayStore } from '../../../shared/storage/overlay-store.js';
import { MemoryStore } from '../../../shared/storage/memory-store.js';

const obj = (name: string): KubeObject => ({ metadata: { name, resourceVersion: '1' } });
const key = (name: string) => ({ namespace: '', name });

async function setup() {
  const inner = new MemoryStore<KubeObject>();
  for (const n of ['b', 'd', 'f']) await inner.create(key(n), { metadata: { name: n } });
  const store = new ReadOnlyOverlayStore(inner, [obj('a'), obj('c'), obj('e')], (k) => new Error(`read-only ${k.name}`));
  return { inner, store };
}

describe('overlay-store', () => {
  describe('ReadOnlyOverlayStore.list', () => {
    it('merges built-ins into key order', async () => {
      const { store } = await setup();
      expect((await store.list({})).items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    });

    it('paginates across both sources without gaps or duplicates', async () => {
      // Prepare
      const { store } = await setup();
      const seen: string[] = [];
      let startAfter: { namespace: string; name: string } | undefined;
      // Act
      for (let i = 0; i < 10; i++) {
        const page = await store.list({ limit: 2, ...(startAfter ? { startAfter } : {}) });
        seen.push(...page.items.map((o) => o.metadata.name ?? ''));
        if (!page.lastKey) break;
        startAfter = page.lastKey;
      }
      // Assess
      expect(seen).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    });

    it('applies predicates to built-ins too', async () => {
      const { store } = await setup();
      expect((await store.list({ predicate: (o) => o.metadata.name !== 'c' })).items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'd', 'e', 'f']);
    });
  });

  describe('ReadOnlyOverlayStore writes', () => {
    it('serves built-ins by key, refuses to change them and reports their names as taken', async () => {
      const { store } = await setup();
      expect((await store.get(key('a'))).metadata.resourceVersion).toBe('1');
      await expect(store.create(key('a'), obj('a'))).rejects.toMatchObject({ code: 'KeyExists' });
      await expect(store.guaranteedUpdate(key('a'), (o) => o)).rejects.toThrow('read-only a');
      await expect(store.delete(key('c'), () => ({ action: 'delete' }))).rejects.toThrow('read-only c');
      await expect(store.delete(key('b'), () => ({ action: 'delete' }))).resolves.toMatchObject({ deleted: true });
    });
  });
});
