/**
 * The `imagestreams.internal` operations end to end in process: the history prune (dry run,
 * confirmed, concurrent writers, bad specs) and the lookupPolicy.local resolution.
 */
import { describe, expect, it } from 'vitest';
import type { ObjectKey } from '../../../shared/apimachinery/registry/strategy.js';
import type { TryUpdate, WriteOptions } from '../../../shared/apimachinery/registry/store.js';
import type { ImageStream } from '../../../shared/image/types.js';
import { imageStream, NS_URL, testApp, type TestApp } from '../../helpers/app.js';

const PRUNE = '/apis/imagestreams.internal/v1/imagestreamprunes';
const LOOKUP = '/apis/imagestreams.internal/v1/namespaces/demo/imagestreamlookups';
/** The test app's clock. */
const NOW = Date.parse('2026-11-26T21:08:37Z');
const D = (n: number): string => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
const hoursAgo = (h: number): string => new Date(NOW - h * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const item = (n: number, hours: number) => ({ created: hoursAgo(hours), dockerImageReference: `quay.io/example/app@${D(n)}`, image: D(n), generation: 1 });
/** `count` revisions of images base…, newest 2 h old, one hour apart. */
const revisions = (base: number, count: number) => Array.from({ length: count }, (_, i) => item(base + i, 2 + i));

/** A stream created long ago (the memory store keeps what the test writes into it). */
async function seed(t: TestApp, name: string, tags: { tag: string; items?: unknown[]; conditions?: unknown[] }[], spec?: Record<string, unknown>): Promise<any> {
  const body = imageStream(name);
  if (spec) body['spec'] = spec;
  const created = (await t.call('POST', NS_URL, { body })).json;
  const res = await t.call('PUT', `${NS_URL}/${name}/status`, { body: { ...created, status: { dockerImageRepository: '', tags } } });
  if (res.status !== 200) throw new Error(`seed: ${res.text}`);
  // Age the stream: streams younger than keep-younger-than are never pruned.
  const key = { namespace: 'demo', name };
  await t.store.guaranteedUpdate(key, (cur) => ({ ...cur, metadata: { ...cur.metadata, creationTimestamp: '2026-01-01T00:00:00Z' } }));
  return (await t.call('GET', `${NS_URL}/${name}`)).json;
}

const prune = (t: TestApp, spec: Record<string, unknown>, query = '') =>
  t.call('POST', `${PRUNE}${query}`, { body: { apiVersion: 'imagestreams.internal/v1', kind: 'ImageStreamPrune', metadata: {}, spec } });

const imagesOf = async (t: TestApp, name: string): Promise<Record<string, string[]>> => {
  const s = (await t.call('GET', `${NS_URL}/${name}`)).json;
  return Object.fromEntries((s.status.tags ?? []).map((x: any) => [x.tag, (x.items ?? []).map((e: any) => e.image)]));
};

describe('imagestreamprunes endpoint', () => {
  it('is a dry run by default: reports what would go and changes nothing', async () => {
    const t = testApp();
    const before = await seed(t, 'app', [{ tag: 'v1', items: revisions(100, 6) }]);
    const res = await prune(t, {});
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      kind: 'ImageStreamPrune',
      apiVersion: 'imagestreams.internal/v1',
      spec: { keepTagRevisions: 3, keepYoungerThan: '60m', confirm: false },
      status: { dryRun: true, startTime: '2026-11-26T21:08:37Z', deletedItemCount: 3, updatedStreamCount: 1, failures: [] },
    });
    expect(res.json.status.streams).toEqual([
      {
        namespace: 'demo',
        name: 'app',
        deletedItems: [3, 4, 5].map((rev) => ({ tag: 'v1', revision: rev, image: D(100 + rev), dockerImageReference: `quay.io/example/app@${D(100 + rev)}`, created: hoursAgo(2 + rev) })),
        deletedTags: [],
      },
    ]);
    const after = (await t.call('GET', `${NS_URL}/app`)).json;
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(after.status).toEqual(before.status);
  });

  it('with confirm removes exactly the items the rules do not keep, through /status', async () => {
    const t = testApp();
    await seed(t, 'app', [{ tag: 'v1', items: revisions(100, 8) }, { tag: 'old', items: [item(200, 30)] }], {
      tags: [
        { name: 'v1', from: { kind: 'DockerImage', name: 'quay.io/example/app:v1' } },
        { name: 'old', from: { kind: 'DockerImage', name: 'quay.io/example/app:old' } },
      ],
    });
    // Another stream pins image 106 of app by digest, and follows app:old.
    await seed(t, 'other', [], {
      tags: [
        { name: 'pin', from: { kind: 'ImageStreamImage', name: `app@${D(106)}` } },
        { name: 'follow', from: { kind: 'ImageStreamTag', name: 'app:old' } },
      ],
    });
    const before = (await t.call('GET', `${NS_URL}/app`)).json;
    const res = await prune(t, { keepTagRevisions: 2, keepYoungerThan: '4h30m', confirm: true });
    expect(res.json.status).toMatchObject({ dryRun: false, deletedItemCount: 4, updatedStreamCount: 1 });
    expect(res.json.status.streams[0].deletedItems.map((i: any) => `${i.tag}#${i.revision}`)).toEqual(['v1#3', 'v1#4', 'v1#5', 'v1#7']);
    expect(await imagesOf(t, 'app')).toEqual({ old: [D(200)], v1: [D(100), D(101), D(102), D(106)] });
    const after = (await t.call('GET', `${NS_URL}/app`)).json;
    expect(res.json.status.streams[0].resourceVersion).toBe(after.metadata.resourceVersion);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.managedFields.some((f: any) => f.manager === 'imagestream-prune' && f.subresource === 'status')).toBe(true);
  });

  it('removes tags left without history, conditions and all', async () => {
    const t = testApp();
    await seed(t, 'app', [{ tag: 'v1', items: revisions(100, 5) }, { tag: 'gone', items: [item(300, 40)] }, { tag: 'failed', conditions: [{ type: 'ImportSuccess', status: 'False', generation: 1 }] }]);
    const res = await prune(t, { keepTagRevisions: 0, confirm: true });
    expect(res.json.status.streams[0].deletedTags).toEqual(['failed', 'gone', 'v1']);
    expect(await imagesOf(t, 'app')).toEqual({});
  });

  it('limits a run to one namespace', async () => {
    const t = testApp();
    await seed(t, 'app', [{ tag: 'v1', items: revisions(100, 5) }]);
    const res = await prune(t, { namespace: 'other', confirm: true });
    expect(res.json.status).toMatchObject({ deletedItemCount: 0, streams: [] });
    expect(res.json.spec.namespace).toBe('other');
  });

  it('honours dryRun=All even with confirm', async () => {
    const t = testApp();
    const before = await seed(t, 'app', [{ tag: 'v1', items: revisions(100, 5) }]);
    const res = await prune(t, { confirm: true }, '?dryRun=All');
    expect(res.json.status).toMatchObject({ dryRun: true, deletedItemCount: 2 });
    expect((await t.call('GET', `${NS_URL}/app`)).json.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('loses no concurrent write: the prune is computed again on the newer stream', async () => {
    const t = testApp();
    await seed(t, 'app', [{ tag: 'v1', items: revisions(100, 5) }]);
    // Between the prune's read and its commit, another writer pushes a new image to v1.
    const store = t.store;
    const original = store.guaranteedUpdate.bind(store);
    let raced = false;
    store.guaranteedUpdate = (key: ObjectKey, tryUpdate: TryUpdate<ImageStream>, opts?: WriteOptions) =>
      original(
        key,
        async (current) => {
          const next = await tryUpdate(current);
          if (!raced) {
            raced = true;
            await original(key, (cur) => {
              const tags = cur.status!.tags!.map((x) => (x.tag === 'v1' ? { ...x, items: [item(999, 0), ...x.items!] } : x));
              return { ...cur, status: { ...cur.status, tags } };
            });
          }
          return next;
        },
        opts,
      );
    const res = await prune(t, { confirm: true });
    expect(raced).toBe(true);
    expect(await imagesOf(t, 'app')).toEqual({ v1: [D(999), D(100), D(101)] });
    // The report is the prune that was written: revisions counted on the newer history.
    expect(res.json.status.streams[0].deletedItems.map((i: any) => [i.revision, i.image])).toEqual([
      [3, D(102)],
      [4, D(103)],
      [5, D(104)],
    ]);
  });

  it.each([
    { spec: { keepTagRevisions: -1 }, message: 'ImageStreamPrune.imagestreams.internal "" is invalid: spec.keepTagRevisions: Invalid value: -1: must be greater than or equal to 0' },
    { spec: { keepYoungerThan: '1d' }, message: 'ImageStreamPrune.imagestreams.internal "" is invalid: spec.keepYoungerThan: Invalid value: "1d": time: invalid duration "1d"' },
    { spec: { keepYoungerThan: '-5m' }, message: 'ImageStreamPrune.imagestreams.internal "" is invalid: spec.keepYoungerThan: Invalid value: "-5m": must be greater than or equal to 0' },
  ])('answers 422 for $spec', async ({ spec, message }) => {
    const t = testApp();
    expect((await prune(t, spec)).json).toMatchObject({ code: 422, reason: 'Invalid', message });
  });

  it('is served only as a cluster-scoped create', async () => {
    const t = testApp();
    expect((await t.call('GET', PRUNE)).status).toBe(405);
    const res = (await t.call('GET', '/apis/imagestreams.internal/v1')).json;
    expect(res.resources).toContainEqual({ name: 'imagestreamprunes', singularName: 'imagestreamprune', namespaced: false, kind: 'ImageStreamPrune', verbs: ['create'] });
  });
});

describe('imagestreamlookups endpoint', () => {
  async function mysql(t: TestApp, local: boolean, policy: 'Source' | 'Local'): Promise<void> {
    const spec = { lookupPolicy: { local }, tags: [{ name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/library/mysql:latest' }, referencePolicy: { type: policy } }] };
    await seed(t, 'mysql', [{ tag: 'latest', items: [{ ...item(1, 1), dockerImageReference: `quay.io/library/mysql@${D(1)}` }] }], spec);
  }
  const lookup = (t: TestApp, image: string, extra: Record<string, unknown> = {}) =>
    t.call('POST', LOOKUP, { body: { apiVersion: 'imagestreams.internal/v1', kind: 'ImageStreamLookup', spec: { image, ...extra } } });

  it.each([
    { local: true, policy: 'Source' as const, image: 'mysql', want: `quay.io/library/mysql@${D(1)}`, reason: 'ImageStreamTag' },
    { local: true, policy: 'Local' as const, image: 'mysql:latest', want: `registry:5000/demo/mysql@${D(1)}`, reason: 'ImageStreamTag' },
    { local: true, policy: 'Local' as const, image: 'mysql:8', want: 'registry:5000/demo/mysql:8', reason: 'ImageStream' },
    { local: false, policy: 'Source' as const, image: 'mysql', want: 'mysql', reason: 'LocalLookupDisabled' },
    { local: false, policy: 'Local' as const, image: 'mysql', want: 'mysql', reason: 'LocalLookupDisabled' },
    { local: true, policy: 'Source' as const, image: 'php:7', want: 'php:7', reason: 'ImageStreamNotFound' },
    { local: true, policy: 'Source' as const, image: 'docker.io/library/mysql', want: 'docker.io/library/mysql', reason: 'NotLocalName' },
  ])('resolves $image (lookupPolicy.local=$local, $policy) to $want', async ({ local, policy, image, want, reason }) => {
    const t = testApp({ INTERNAL_REGISTRY_HOSTNAME: 'registry:5000' });
    await mysql(t, local, policy);
    const res = await lookup(t, image);
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ kind: 'ImageStreamLookup', metadata: { namespace: 'demo' }, spec: { image }, status: { image: want, reason, resolved: want !== image } });
  });

  it('resolves any name with resolveNames', async () => {
    const t = testApp();
    await mysql(t, false, 'Source');
    expect((await lookup(t, 'quay.io/x/mysql', { resolveNames: true })).json.status.image).toBe(`quay.io/library/mysql@${D(1)}`);
  });

  it('requires spec.image (422)', async () => {
    const t = testApp();
    const res = await t.call('POST', LOOKUP, { body: { spec: {} } });
    expect(res.json).toMatchObject({ code: 422, message: 'ImageStreamLookup.imagestreams.internal "" is invalid: spec.image: Required value' });
  });
});
