/**
 * The Store contract, run against every implementation (memory in unit tests, DynamoDB in
 * integration tests), after Kubernetes' `resttest` and Hono's shared router suite.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../shared/apimachinery/meta.js';
import { StoreError, type ChangeLog, type Store } from '../../shared/apimachinery/registry/store.js';

export interface ContractOptions {
  readonly newStore: () => Promise<Store<KubeObject> & ChangeLog<KubeObject>>;
}

const obj = (namespace: string, name: string, extra: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Thing',
  metadata: { name, namespace, uid: `uid-${name}`, annotations: { ...extra } },
});

const key = (namespace: string, name: string) => ({ namespace, name });
const rvOf = (o: KubeObject): number => Number(o.metadata.resourceVersion);

async function expectStoreError(p: Promise<unknown>, code: StoreError['code']): Promise<void> {
  await expect(p).rejects.toSatisfy((e: unknown) => e instanceof StoreError && e.code === code);
}

export function runStoreContract(name: string, opts: ContractOptions): void {
  describe(`Store contract: ${name}`, () => {
    describe('create', () => {
      it('stores the object and assigns a numeric resourceVersion', async () => {
        // Prepare
        const store = await opts.newStore();
        // Act
        const created = await store.create(key('a', 'x'), obj('a', 'x'));
        const read = await store.get(key('a', 'x'));
        // Assess
        expect(rvOf(created)).toBeGreaterThan(0);
        expect(read).toEqual(created);
      });

      it('fails with KeyExists when the name is taken', async () => {
        const store = await opts.newStore();
        await store.create(key('a', 'x'), obj('a', 'x'));
        await expectStoreError(store.create(key('a', 'x'), obj('a', 'x')), 'KeyExists');
      });

      it('persists nothing on dry run but still reports an existing name', async () => {
        const store = await opts.newStore();
        const dry = await store.create(key('a', 'dry'), obj('a', 'dry'), { dryRun: true });
        expect(dry.metadata.resourceVersion).toBeUndefined();
        await expectStoreError(store.get(key('a', 'dry')), 'KeyNotFound');
        await store.create(key('a', 'x'), obj('a', 'x'));
        await expectStoreError(store.create(key('a', 'x'), obj('a', 'x'), { dryRun: true }), 'KeyExists');
      });
    });

    describe('resourceVersion', () => {
      it('rises by exactly one per committed write across namespaces', async () => {
        const store = await opts.newStore();
        const before = Number(await store.currentResourceVersion());
        const a = await store.create(key('a', 'x'), obj('a', 'x'));
        const b = await store.create(key('b', 'y'), obj('b', 'y'));
        const c = await store.guaranteedUpdate(key('a', 'x'), (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { v: '2' } } }));
        const d = await store.delete(key('b', 'y'), () => ({ action: 'delete' }));
        expect([rvOf(a), rvOf(b), rvOf(c.object), rvOf(d.object)]).toEqual([before + 1, before + 2, before + 3, before + 4]);
        expect(Number(await store.currentResourceVersion())).toBe(before + 4);
      });
    });

    describe('get', () => {
      it('fails with KeyNotFound for a missing object', async () => {
        const store = await opts.newStore();
        await expectStoreError(store.get(key('a', 'missing')), 'KeyNotFound');
      });
    });

    describe('guaranteedUpdate', () => {
      it('writes a changed object with a higher resourceVersion', async () => {
        const store = await opts.newStore();
        const created = await store.create(key('a', 'x'), obj('a', 'x'));
        const out = await store.guaranteedUpdate(key('a', 'x'), (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { a: 'b' } } }));
        expect(out.changed).toBe(true);
        expect(rvOf(out.object)).toBeGreaterThan(rvOf(created));
        expect((await store.get(key('a', 'x'))).metadata.labels).toEqual({ a: 'b' });
      });

      it('skips a write that changes nothing and keeps the resourceVersion', async () => {
        const store = await opts.newStore();
        const created = await store.create(key('a', 'x'), obj('a', 'x'));
        const before = await store.currentResourceVersion();
        const out = await store.guaranteedUpdate(key('a', 'x'), (cur) => cur);
        expect(out.changed).toBe(false);
        expect(out.object.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
        expect(await store.currentResourceVersion()).toBe(before);
      });

      it('fails with KeyNotFound when the object is absent', async () => {
        const store = await opts.newStore();
        await expectStoreError(
          store.guaranteedUpdate(key('a', 'nope'), (cur) => cur),
          'KeyNotFound',
        );
      });

      it('propagates an error thrown by tryUpdate and writes nothing', async () => {
        const store = await opts.newStore();
        const created = await store.create(key('a', 'x'), obj('a', 'x'));
        await expect(
          store.guaranteedUpdate(key('a', 'x'), () => {
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
        expect((await store.get(key('a', 'x'))).metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      });

      it('persists nothing on dry run', async () => {
        const store = await opts.newStore();
        const created = await store.create(key('a', 'x'), obj('a', 'x'));
        const out = await store.guaranteedUpdate(key('a', 'x'), (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { d: 'r' } } }), {
          dryRun: true,
        });
        expect(out.object.metadata.labels).toEqual({ d: 'r' });
        expect(out.object.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
        expect(await store.get(key('a', 'x'))).toEqual(created);
      });

      it('loses no update when writers race (tryUpdate re-runs on the newer object)', async () => {
        const store = await opts.newStore();
        await store.create(key('a', 'counter'), obj('a', 'counter', { n: '0' }));
        const bump = (): Promise<unknown> =>
          store.guaranteedUpdate(key('a', 'counter'), (cur) => ({
            ...cur,
            metadata: { ...cur.metadata, annotations: { n: String(Number(cur.metadata.annotations?.['n']) + 1) } },
          }));
        await Promise.all(Array.from({ length: 12 }, bump));
        expect((await store.get(key('a', 'counter'))).metadata.annotations).toEqual({ n: '12' });
      });
    });

    describe('delete', () => {
      it('removes the object and returns its last state at the deletion revision', async () => {
        const store = await opts.newStore();
        const created = await store.create(key('a', 'x'), obj('a', 'x'));
        const out = await store.delete(key('a', 'x'), () => ({ action: 'delete' }));
        expect(out.deleted).toBe(true);
        expect(out.object.metadata.uid).toBe('uid-x');
        expect(rvOf(out.object)).toBeGreaterThan(rvOf(created));
        await expectStoreError(store.get(key('a', 'x')), 'KeyNotFound');
      });

      it('updates instead of deleting when the check asks for it (pending finalizers)', async () => {
        const store = await opts.newStore();
        await store.create(key('a', 'x'), obj('a', 'x'));
        const out = await store.delete(key('a', 'x'), (cur) => ({
          action: 'update',
          object: { ...cur, metadata: { ...cur.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } },
        }));
        expect(out.deleted).toBe(false);
        expect((await store.get(key('a', 'x'))).metadata.deletionTimestamp).toBe('2026-01-01T00:00:00Z');
      });

      it('keeps the object when the check throws, and on dry run', async () => {
        const store = await opts.newStore();
        await store.create(key('a', 'x'), obj('a', 'x'));
        await expect(
          store.delete(key('a', 'x'), () => {
            throw new Error('precondition');
          }),
        ).rejects.toThrow('precondition');
        const dry = await store.delete(key('a', 'x'), () => ({ action: 'delete' }), { dryRun: true });
        expect(dry.deleted).toBe(true);
        await expect(store.get(key('a', 'x'))).resolves.toBeDefined();
      });

      it('fails with KeyNotFound for a missing object', async () => {
        const store = await opts.newStore();
        await expectStoreError(store.delete(key('a', 'nope'), () => ({ action: 'delete' })), 'KeyNotFound');
      });
    });

    describe('list', () => {
      async function seeded(): Promise<Store<KubeObject> & ChangeLog<KubeObject>> {
        const store = await opts.newStore();
        for (const [ns, n] of [
          ['b', 'two'],
          ['a', 'one'],
          ['a-b', 'zed'],
          ['a', 'three'],
          ['b', 'four'],
        ] as const) {
          await store.create(key(ns, n), obj(ns, n));
        }
        return store;
      }
      const names = (items: KubeObject[]): string[] => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

      it('lists one namespace in name order, never a namespace sharing its prefix', async () => {
        const store = await seeded();
        const page = await store.list({ namespace: 'a' });
        expect(names(page.items)).toEqual(['a/one', 'a/three']);
        expect(page.lastKey).toBeUndefined();
      });

      it('lists all namespaces in key order', async () => {
        const store = await seeded();
        expect(names((await store.list({})).items)).toEqual(['a-b/zed', 'a/one', 'a/three', 'b/four', 'b/two']);
      });

      it('reports a list resourceVersion at least as new as every item', async () => {
        const store = await seeded();
        const page = await store.list({});
        for (const o of page.items) expect(Number(page.resourceVersion)).toBeGreaterThanOrEqual(rvOf(o));
      });

      it("reports a namespace's last change as its list resourceVersion, the newest for all namespaces", async () => {
        // Revisions: b/two 1, a/one 2, a-b/zed 3, a/three 4, b/four 5.
        const store = await seeded();
        expect((await store.list({ namespace: 'a' })).resourceVersion).toBe('4');
        expect((await store.list({ namespace: 'a-b' })).resourceVersion).toBe('3');
        expect((await store.list({ namespace: 'b', limit: 1 })).resourceVersion).toBe('5');
        expect((await store.list({})).resourceVersion).toBe('5');
        // Never written: the empty history, which every change is newer than.
        expect((await store.list({ namespace: 'c' })).resourceVersion).toBe('0');
        await store.delete(key('a', 'one'), () => ({ action: 'delete' }));
        expect((await store.list({ namespace: 'a' })).resourceVersion).toBe('6');
      });

      it('resumes a watch of a quiet namespace at the present, and of a changed one where it was', async () => {
        const store = await seeded();
        expect(await store.resumePoint(3, 'a-b')).toBe(5);
        expect(await store.resumePoint(0, 'c')).toBe(5);
        expect(await store.resumePoint(3, 'a')).toBe(3);
        expect(await store.resumePoint(3, undefined)).toBe(3);
        expect(await store.resumePoint(5, 'a')).toBe(5);
      });

      it('pages with limit and startAfter, returning lastKey only while more remain', async () => {
        const store = await seeded();
        const p1 = await store.list({ limit: 2 });
        expect(names(p1.items)).toEqual(['a-b/zed', 'a/one']);
        expect(p1.lastKey).toEqual({ namespace: 'a', name: 'one' });
        const p2 = await store.list({ limit: 2, startAfter: p1.lastKey!, resourceVersion: p1.resourceVersion });
        expect(names(p2.items)).toEqual(['a/three', 'b/four']);
        expect(p2.resourceVersion).toBe(p1.resourceVersion);
        const p3 = await store.list({ limit: 2, startAfter: p2.lastKey!, resourceVersion: p1.resourceVersion });
        expect(names(p3.items)).toEqual(['b/two']);
        expect(p3.lastKey).toBeUndefined();
      });

      it('applies the predicate before counting the limit', async () => {
        const store = await seeded();
        const page = await store.list({ limit: 1, predicate: (o) => o.metadata.name!.startsWith('t') });
        expect(names(page.items)).toEqual(['a/three']);
        const next = await store.list({ limit: 1, startAfter: page.lastKey!, predicate: (o) => o.metadata.name!.startsWith('t') });
        expect(names(next.items)).toEqual(['b/two']);
        expect(next.lastKey).toBeUndefined();
      });
    });
  });
}
