/**
 * `imagestreamtags` and `imagestreamimages` end to end in process (memory store): the views
 * read from streams, tag writes through the ImageStream internal service, exact Statuses.
 */
import { describe, expect, it } from 'vitest';
import { unresolvedRefs } from '../../../shared/apimachinery/openapi.js';
import { imageStream, NS_URL, testApp, type TestApp } from '../../helpers/app.js';

const IST = '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags';
const ISI = '/apis/image.openshift.io/v1/namespaces/demo/imagestreamimages';
const TABLE = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };
const D = (n: number): string => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
const item = (n: number, created = '2026-11-26T20:00:00Z') => ({ created, dockerImageReference: `quay.io/example/app@${D(n)}`, image: D(n), generation: 1 });

/** Stream `name` (tags latest and v1 from quay.io) with this status history, written through /status. */
async function seed(t: TestApp, name: string, tags: { tag: string; items?: unknown[]; conditions?: unknown[] }[], extra: Record<string, unknown> = {}): Promise<any> {
  const created = (await t.call('POST', NS_URL, { body: { ...imageStream(name), ...extra } })).json;
  const res = await t.call('PUT', `${NS_URL}/${name}/status`, { body: { ...created, status: { dockerImageRepository: '', tags } } });
  if (res.status !== 200) throw new Error(`seed: ${res.text}`);
  return res.json;
}

const istag = (name: string, tag?: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStreamTag',
  metadata: { name, ...metadata },
  ...(tag ? { tag } : {}),
});

describe('imagestreamtags endpoints', () => {
  describe('GET one', () => {
    it('returns the view of the tag: newest image, spec tag, stream labels and resourceVersion', async () => {
      const t = testApp();
      const s = await seed(t, 'app', [{ tag: 'v1', items: [item(2), item(1, '2026-11-01T00:00:00Z')] }]);
      const res = await t.call('GET', `${IST}/app:v1`);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        kind: 'ImageStreamTag',
        apiVersion: 'image.openshift.io/v1',
        metadata: { name: 'app:v1', namespace: 'demo', uid: s.metadata.uid, resourceVersion: s.metadata.resourceVersion, creationTimestamp: '2026-11-26T20:00:00Z', labels: { app: 'demo' } },
        tag: { name: 'v1', from: { kind: 'DockerImage', name: 'quay.io/example/app:v1' }, generation: 1 },
        generation: 1,
        lookupPolicy: { local: false },
        image: { metadata: { name: D(2), creationTimestamp: null }, dockerImageReference: `quay.io/example/app@${D(2)}`, dockerImageLayers: null },
      });
    });

    it('hands out the internal repository for referencePolicy Local (§8)', async () => {
      const t = testApp({ INTERNAL_REGISTRY_HOSTNAME: 'registry:5000' });
      const body = imageStream('app');
      (body['spec'] as any).tags[1].referencePolicy = { type: 'Local' };
      const created = (await t.call('POST', NS_URL, { body })).json;
      await t.call('PUT', `${NS_URL}/app/status`, { body: { ...created, status: { tags: [{ tag: 'v1', items: [item(2)] }] } } });
      expect((await t.call('GET', `${IST}/app:v1`)).json.image.dockerImageReference).toBe(`registry:5000/demo/app@${D(2)}`);
    });

    it.each([
      { why: 'a tag without an image', url: `${IST}/app:latest`, code: 404, message: 'imagestreamtags.image.openshift.io "app:latest" not found' },
      { why: 'an unknown tag', url: `${IST}/app:v9`, code: 404, message: 'imagestreamtags.image.openshift.io "app:v9" not found' },
      { why: 'an unknown stream', url: `${IST}/nope:v1`, code: 404, message: 'imagestreams.image.openshift.io "nope" not found' },
      { why: 'a name without a tag', url: `${IST}/app`, code: 400, message: 'ImageStreamTags must be retrieved with <name>:<tag>' },
      { why: 'an image name', url: `${IST}/app@${D(1)}`, code: 400, message: 'ImageStreamTags must be retrieved with <name>:<tag>' },
    ])('answers $code for $why', async ({ url, code, message }) => {
      const t = testApp();
      await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }, { tag: 'latest', conditions: [{ type: 'ImportSuccess', status: 'False', reason: 'NotFound', message: 'x', generation: 1 }] }]);
      const res = await t.call('GET', url);
      expect(res.status).toBe(code);
      expect(res.json).toMatchObject({ kind: 'Status', code, message });
    });

    it('prints a one-row Table with the oc columns', async () => {
      const t = testApp();
      await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }]);
      const res = await t.call('GET', `${IST}/app:v1`, { headers: TABLE });
      expect(res.json.columnDefinitions.map((c: any) => [c.name, c.priority])).toEqual([['Name', 0], ['Image Reference', 0], ['Updated', 0], ['Image Name', 1]]);
      expect(res.json.rows[0].cells).toEqual(['app:v1', `quay.io/example/app@${D(2)}`, 'About an hour ago', D(2)]);
    });
  });

  describe('GET list', () => {
    async function three(t: TestApp): Promise<void> {
      await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }, { tag: 'latest', items: [item(3)] }, { tag: 'ref', items: [{ ...item(4), image: '' }] }]);
      await seed(t, 'db', [{ tag: 'v1', items: [item(5)] }], { metadata: { name: 'db', labels: { app: 'db' } } });
    }

    it('lists every tag with an image across the namespace\'s streams', async () => {
      const t = testApp();
      await three(t);
      const res = await t.call('GET', IST);
      expect(res.status).toBe(200);
      expect(res.json.kind).toBe('ImageStreamTagList');
      expect(res.json.metadata).toEqual({});
      expect(res.json.items.map((i: any) => i.metadata.name)).toEqual(['app:latest', 'app:v1', 'db:v1']);
      expect(res.json.items[0].kind).toBeUndefined();
    });

    it.each([
      { query: '?labelSelector=app%3Ddb', want: ['db:v1'] },
      { query: '?fieldSelector=metadata.name%3Dapp%3Av1', want: ['app:v1'] },
      { query: '?fieldSelector=metadata.name!%3Dapp%3Av1', want: ['app:latest', 'db:v1'] },
    ])('filters with $query', async ({ query, want }) => {
      const t = testApp();
      await three(t);
      expect((await t.call('GET', `${IST}${query}`)).json.items.map((i: any) => i.metadata.name)).toEqual(want);
    });

    it('lists all namespaces, and prints a Table', async () => {
      const t = testApp();
      await three(t);
      expect((await t.call('GET', '/apis/image.openshift.io/v1/imagestreamtags')).json.items).toHaveLength(3);
      const table = (await t.call('GET', IST, { headers: TABLE })).json;
      expect(table.rows.map((r: any) => r.cells[0])).toEqual(['app:latest', 'app:v1', 'db:v1']);
    });

    it('refuses watch (405) and unknown field selectors (400)', async () => {
      const t = testApp();
      const watch = await t.call('GET', `${IST}?watch=true`);
      expect(watch.json).toMatchObject({ code: 405, message: 'watch is not supported on resources of kind "imagestreamtags.image.openshift.io"' });
      expect((await t.call('GET', `${IST}?fieldSelector=spec.x%3Dy`)).status).toBe(400);
    });
  });

  describe('POST (create)', () => {
    it('adds the spec tag to the stream and answers 201 with the (imageless) istag', async () => {
      const t = testApp();
      await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }]);
      const res = await t.call('POST', IST, { body: istag('app:v2', { from: { kind: 'DockerImage', name: 'quay.io/example/app:v2' } }) });
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({ metadata: { name: 'app:v2', namespace: 'demo' }, tag: { name: 'v2', generation: 2, referencePolicy: { type: 'Source' } }, generation: 0 });
      const stream = (await t.call('GET', `${NS_URL}/app`)).json;
      expect(stream.metadata.generation).toBe(2);
      expect(stream.spec.tags.map((x: any) => x.name)).toEqual(['latest', 'v1', 'v2']);
      expect(stream.status.tags.map((x: any) => x.tag)).toEqual(['v1']);
    });

    it('creates the stream when it is missing', async () => {
      const t = testApp();
      const res = await t.call('POST', IST, { body: istag('fresh:v1', { from: { kind: 'DockerImage', name: 'quay.io/example/fresh:v1' } }) });
      expect(res.status).toBe(201);
      const stream = (await t.call('GET', `${NS_URL}/fresh`)).json;
      expect(stream.spec.tags).toEqual([expect.objectContaining({ name: 'v1', generation: 1 })]);
    });

    it('resolves an ImageStreamTag source through the stream rules (§6.3)', async () => {
      const t = testApp();
      await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }]);
      const res = await t.call('POST', IST, { body: istag('app:prod', { from: { kind: 'ImageStreamTag', name: 'app:v1' } }) });
      expect(res.status).toBe(201);
      expect(res.json.image).toMatchObject({ metadata: { name: D(2) }, dockerImageReference: `quay.io/example/app@${D(2)}` });
    });

    it.each([
      { why: 'an existing spec tag', body: istag('app:v1', { from: { kind: 'DockerImage', name: 'x/y:1' } }), code: 409, message: 'imagestreamtag.image.openshift.io "app:v1" already exists' },
      { why: 'a name without a colon', body: istag('app'), code: 400, message: '"app" must be of the form <stream_name>:<tag>' },
      {
        why: 'an invalid spec tag',
        body: istag('app:v3', { from: { kind: 'Image', name: 'x' } }),
        code: 422,
        message: "ImageStreamTag.image.openshift.io \"app:v3\" is invalid: tag.from.kind: Required value: valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'",
      },
      {
        why: 'a missing source stream (the stream rules, R21)',
        body: istag('app:v3', { from: { kind: 'ImageStreamTag', name: 'other:v1' } }),
        code: 422,
        message: 'ImageStream.image.openshift.io "app" is invalid: []: Internal error: imagestreams "app" is invalid: spec.tags[v3].from.name: Not found: "other:v1"',
      },
    ])('answers $code for $why and changes nothing', async ({ body, code, message }) => {
      const t = testApp();
      const before = await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }]);
      const res = await t.call('POST', IST, { body });
      expect(res.json).toMatchObject({ kind: 'Status', code, message });
      expect((await t.call('GET', `${NS_URL}/app`)).json.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    });
  });

  describe('PUT (update)', () => {
    it('replaces the spec tag with the current resourceVersion (the stream\'s)', async () => {
      const t = testApp();
      await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }]);
      const cur = (await t.call('GET', `${IST}/app:v1`)).json;
      const res = await t.call('PUT', `${IST}/app:v1`, { body: { ...cur, metadata: { ...cur.metadata, annotations: { owner: 'web' } }, tag: { ...cur.tag, from: { kind: 'DockerImage', name: 'quay.io/example/app:v1.1' } } } });
      expect(res.status).toBe(200);
      expect(res.json.metadata.annotations).toEqual({ owner: 'web' });
      const tag = (await t.call('GET', `${NS_URL}/app`)).json.spec.tags.find((x: any) => x.name === 'v1');
      expect(tag).toMatchObject({ annotations: { owner: 'web' }, from: { name: 'quay.io/example/app:v1.1' }, generation: 2 });
    });

    it('answers 409 for a stale resourceVersion and 201 for a new spec tag without one', async () => {
      const t = testApp();
      await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }]);
      const cur = (await t.call('GET', `${IST}/app:v1`)).json;
      await t.call('POST', IST, { body: istag('app:v2', { from: { kind: 'DockerImage', name: 'quay.io/example/app:v2' } }) });
      const stale = await t.call('PUT', `${IST}/app:v1`, { body: cur });
      expect(stale.json).toMatchObject({ code: 409, reason: 'Conflict', message: expect.stringMatching(/^Operation cannot be fulfilled on imagestreamtags.image.openshift.io "app:v1": another caller has updated the resource version to \d+$/) });
      const fresh = await t.call('PUT', `${IST}/app:v3`, { body: istag('app:v3', { from: { kind: 'DockerImage', name: 'quay.io/example/app:v3' } }) });
      expect(fresh.status).toBe(201);
    });

    it.each([
      { why: 'a missing stream with a resourceVersion', url: `${IST}/nope:v1`, body: istag('nope:v1', { from: { kind: 'DockerImage', name: 'a/b:1' } }, { resourceVersion: '1' }), code: 404, message: 'imagestreamtags.image.openshift.io "nope:v1" not found' },
      { why: 'a status-only tag without a spec tag', url: `${IST}/app:pushed`, body: istag('app:pushed'), code: 400, message: 'imagestreamtag pushed is not a spec tag in imagestream demo/app, cannot be updated' },
      { why: 'another name in the body', url: `${IST}/app:v1`, body: istag('app:v2'), code: 400, message: 'the name of the object (app:v2) does not match the name on the URL (app:v1)' },
    ])('answers $code for $why', async ({ url, body, code, message }) => {
      const t = testApp();
      await seed(t, 'app', [{ tag: 'pushed', items: [item(2)] }]);
      expect((await t.call('PUT', url, { body })).json).toMatchObject({ code, message });
    });
  });

  describe('PATCH', () => {
    it.each([
      { type: 'application/merge-patch+json', patch: { metadata: { annotations: { owner: 'web' } } } },
      { type: 'application/strategic-merge-patch+json', patch: { metadata: { annotations: { owner: 'web' } } } },
      { type: 'application/json-patch+json', patch: [{ op: 'add', path: '/metadata/annotations', value: { owner: 'web' } }] },
    ])('applies a $type to the current istag', async ({ type, patch }) => {
      const t = testApp();
      await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }]);
      const res = await t.call('PATCH', `${IST}/app:v1`, { body: patch, headers: { 'content-type': type } });
      expect(res.status).toBe(200);
      expect(res.json.tag.annotations).toEqual({ owner: 'web' });
    });

    it('server-side apply sets the tag like a PUT, creates a missing one (201), and needs a fieldManager', async () => {
      const t = testApp();
      await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }]);
      const yaml = (name: string, from: string) =>
        `apiVersion: image.openshift.io/v1\nkind: ImageStreamTag\nmetadata:\n  name: ${name}\n  annotations: {owner: web}\ntag:\n  name: ${name.split(':')[1]}\n  annotations: {owner: web}\n  from: {kind: DockerImage, name: ${from}}\n`;
      const applyTo = (name: string, body: string, q = '?fieldManager=argocd') =>
        t.call('PATCH', `${IST}/${name}${q}`, { body, headers: { 'content-type': 'application/apply-patch+yaml' } });
      // The view keeps no managedFields: every apply is a first apply, and what other writes set
      // belongs to "before-first-apply" (a conflict until forced, as for any object without entries).
      const conflict = await applyTo('app:v1', yaml('app:v1', 'quay.io/example/app:v1.1'));
      expect(conflict.json).toMatchObject({ code: 409, message: 'Apply failed with 1 conflict: conflict with "before-first-apply" using image.openshift.io/v1: .tag.from.name' });
      const changed = await applyTo('app:v1', yaml('app:v1', 'quay.io/example/app:v1.1'), '?fieldManager=argocd&force=true');
      expect(changed.status).toBe(200);
      expect(changed.json.tag).toMatchObject({ name: 'v1', annotations: { owner: 'web' }, from: { kind: 'DockerImage', name: 'quay.io/example/app:v1.1' } });
      const stream = (await t.call('GET', `${NS_URL}/app`)).json;
      expect(stream.spec.tags.find((x: any) => x.name === 'v1').from.name).toBe('quay.io/example/app:v1.1');
      const created = await applyTo('app:v9', yaml('app:v9', 'quay.io/example/app:v9'));
      expect(created.status).toBe(201);
      expect(created.json.tag.from.name).toBe('quay.io/example/app:v9');
      expect((await applyTo('app:v9', yaml('app:v9', 'quay.io/example/app:v9'), '')).json).toMatchObject({ code: 422, reason: 'Invalid' });
      expect((await applyTo('app:v9', 'kind: [', '?fieldManager=x')).json).toMatchObject({ code: 400, reason: 'BadRequest' });
    });
  });

  describe('DELETE', () => {
    it('removes the spec tag and its whole history; other tags stay (§10)', async () => {
      const t = testApp();
      const before = await seed(t, 'app', [{ tag: 'v1', items: [item(2), item(1)] }, { tag: 'latest', items: [item(3)] }]);
      const res = await t.call('DELETE', `${IST}/app:v1`);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
      const stream = (await t.call('GET', `${NS_URL}/app`)).json;
      expect(stream.spec.tags.map((x: any) => x.name)).toEqual(['latest']);
      expect(stream.status.tags.map((x: any) => x.tag)).toEqual(['latest']);
      expect(stream.metadata.generation).toBe(before.metadata.generation + 1);
      expect((await t.call('GET', `${IST}/app:v1`)).status).toBe(404);
      expect((await t.call('GET', `${IST}/app:latest`)).status).toBe(200);
    });

    it.each([
      { why: 'an unknown tag', url: `${IST}/app:v9`, body: undefined, code: 404, message: 'imagestreamtags.image.openshift.io "app:v9" not found' },
      { why: 'an unknown stream', url: `${IST}/nope:v1`, body: undefined, code: 404, message: 'imagestreams.image.openshift.io "nope" not found' },
      { why: 'another uid', url: `${IST}/app:v1`, body: { preconditions: { uid: 'x' } }, code: 409, message: 'Operation cannot be fulfilled on imagestreamtags.image.openshift.io "app:v1": the UID precondition was not met' },
      { why: 'a bad name', url: `${IST}/app`, body: undefined, code: 400, message: 'ImageStreamTags must be retrieved with <name>:<tag>' },
    ])('answers $code for $why', async ({ url, body, code, message }) => {
      const t = testApp();
      await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }]);
      expect((await t.call('DELETE', url, body ? { body } : {})).json).toMatchObject({ code, message });
    });

    it('changes nothing with dryRun=All', async () => {
      const t = testApp();
      const before = await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }]);
      expect((await t.call('DELETE', `${IST}/app:v1?dryRun=All`)).status).toBe(200);
      expect((await t.call('GET', `${NS_URL}/app`)).json.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    });
  });
});

describe('imagestreamimages endpoint', () => {
  it('gets an image of the history by digest or prefix', async () => {
    const t = testApp();
    await seed(t, 'app', [{ tag: 'v1', items: [item(2), item(1, '2026-11-01T00:00:00Z')] }]);
    const res = await t.call('GET', `${ISI}/app@${D(1).slice(0, 15)}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      kind: 'ImageStreamImage',
      metadata: { name: `app@${D(1).slice(0, 15)}`, namespace: 'demo', creationTimestamp: '2026-11-01T00:00:00Z' },
      image: { metadata: { name: D(1) }, dockerImageReference: `quay.io/example/app@${D(1)}` },
    });
    const table = (await t.call('GET', `${ISI}/app@${D(2)}`, { headers: TABLE })).json;
    expect(table.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Updated', 'Image Reference', 'Image Name']);
  });

  it.each([
    { url: `${ISI}/app@${D(9)}`, code: 404, message: `imagestreamimage.image.openshift.io "app@${D(9)}" not found` },
    { url: `${ISI}/nope@${D(1)}`, code: 404, message: 'imagestreams.image.openshift.io "nope" not found' },
    { url: `${ISI}/app`, code: 400, message: 'ImageStreamImages must be retrieved with <name>@<id>' },
  ])('answers $code for $url', async ({ url, code, message }) => {
    const t = testApp();
    await seed(t, 'app', [{ tag: 'v1', items: [item(2)] }]);
    expect((await t.call('GET', url)).json).toMatchObject({ code, message });
  });
});

describe('discovery and OpenAPI of the views', () => {
  it('lists imagestreamtags and imagestreamimages with their short names and verbs', async () => {
    const t = testApp();
    const res = (await t.call('GET', '/apis/image.openshift.io/v1')).json;
    const byName = Object.fromEntries(res.resources.map((r: any) => [r.name, r]));
    expect(byName['imagestreamtags']).toEqual({
      name: 'imagestreamtags',
      singularName: 'imagestreamtag',
      namespaced: true,
      kind: 'ImageStreamTag',
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
      shortNames: ['istag'],
    });
    expect(byName['imagestreamimages']).toMatchObject({ kind: 'ImageStreamImage', verbs: ['get'], shortNames: ['isimage'] });
  });

  it('documents the kinds with their GVK in the group-version OpenAPI', async () => {
    const t = testApp();
    const doc = (await t.call('GET', '/openapi/v3/apis/image.openshift.io/v1')).json;
    expect(doc.components.schemas['com.github.openshift.api.image.v1.ImageStreamTag']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'image.openshift.io', kind: 'ImageStreamTag', version: 'v1' },
    ]);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreamtags/{name}', '/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreamimages/{name}']));
    expect(unresolvedRefs(doc)).toEqual([]);
    const ops = (await t.call('GET', '/openapi/v3/apis/imagestreams.internal/v1')).json;
    expect(unresolvedRefs(ops)).toEqual([]);
    expect(ops.components.schemas['internal.imagestreams.v1.ImageStreamPrune']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'imagestreams.internal', kind: 'ImageStreamPrune', version: 'v1' },
    ]);
    const v2 = await t.call('GET', '/openapi/v2', { headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(v2.text).toContain('com.github.openshift.api.image.v1.ImageStreamTag');
  });
});
