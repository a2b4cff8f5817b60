/**
 * The ImageStream endpoints end to end in process (memory store): lifecycle, metadata,
 * optimistic concurrency and the exact Status of every bad input.
 */
import { describe, expect, it } from 'vitest';
import { imageStream, NS_URL, testApp } from '../../helpers/app.js';

const ONE = (name: string): string => `${NS_URL}/${name}`;

describe('imagestreams endpoints', () => {
  describe('POST (create)', () => {
    it('stores the stream with server-set metadata and discards client status', async () => {
      // Prepare
      const t = testApp();
      const body = imageStream('app', { status: { dockerImageRepository: 'evil', tags: [{ tag: 'x', items: [] }] } });
      // Act
      const res = await t.call('POST', NS_URL, { body });
      // Assess
      expect(res.status).toBe(201);
      expect(res.json.metadata).toMatchObject({
        name: 'app',
        namespace: 'demo',
        resourceVersion: '1',
        generation: 1,
        creationTimestamp: '2026-11-26T21:08:37Z',
      });
      expect(res.json.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(res.json.status).toEqual({ dockerImageRepository: '' });
      expect(res.json.spec.tags.map((tg: { generation: number }) => tg.generation)).toEqual([1, 1]);
    });

    it('ignores client uid, creationTimestamp and generation', async () => {
      const t = testApp();
      const body = imageStream('app');
      (body['metadata'] as Record<string, unknown>)['uid'] = 'mine';
      (body['metadata'] as Record<string, unknown>)['generation'] = 9;
      (body['metadata'] as Record<string, unknown>)['creationTimestamp'] = '2000-01-01T00:00:00Z';
      const res = await t.call('POST', NS_URL, { body });
      expect(res.json.metadata.uid).not.toBe('mine');
      expect(res.json.metadata.generation).toBe(1);
      expect(res.json.metadata.creationTimestamp).toBe('2026-11-26T21:08:37Z');
    });

    it('generates a name from generateName', async () => {
      const t = testApp();
      const res = await t.call('POST', NS_URL, { body: { ...imageStream(''), metadata: { generateName: 'gen' } } });
      expect(res.status).toBe(201);
      expect(res.json.metadata.name).toMatch(/^gen[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    });

    it('answers 409 AlreadyExists for an existing name and stores nothing new', async () => {
      const t = testApp();
      await t.call('POST', NS_URL, { body: imageStream('app') });
      const res = await t.call('POST', NS_URL, { body: imageStream('app') });
      expect(res.status).toBe(409);
      expect(res.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'imagestreams.image.openshift.io "app" already exists',
        reason: 'AlreadyExists',
        details: { name: 'app', group: 'image.openshift.io', kind: 'imagestreams' },
        code: 409,
      });
      expect(t.store.events).toHaveLength(1);
    });

    it.each([
      ['namespace mismatch', { ...imageStream('app'), metadata: { name: 'app', namespace: 'other' } }, 'the namespace of the provided object does not match the namespace sent on the request'],
      ['another group-version', { ...imageStream('app'), apiVersion: 'apps/v1' }, 'the API version in the data (apps/v1) does not match the expected API version (image.openshift.io/v1)'],
      ['resourceVersion set', { ...imageStream('app'), metadata: { name: 'app', resourceVersion: '5' } }, 'resourceVersion should not be set on objects to be created'],
    ])('answers 400 BadRequest for %s', async (_name, body, message) => {
      const t = testApp();
      const res = await t.call('POST', NS_URL, { body });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400, message });
      expect(t.store.events).toHaveLength(0);
    });

    it('answers 400 for another kind', async () => {
      const t = testApp();
      const res = await t.call('POST', NS_URL, { body: { ...imageStream('app'), kind: 'Deployment' } });
      expect(res.status).toBe(400);
      expect(res.json.message).toMatch(/^Deployment in version "v1" cannot be handled as a ImageStream: no kind "Deployment" is registered/);
    });

    it('answers 400 for malformed JSON, quoting the start of the body', async () => {
      const t = testApp();
      const res = await t.call('POST', NS_URL, { body: '{"apiVersion": "image.openshift.io/v1", "kind": ' });
      expect(res.status).toBe(400);
      expect(res.json.message).toMatch(/^the object provided is unrecognized \(must be of type ImageStream\): couldn't get version\/kind; json parse error: .* \(\{"apiVersion": "image.openshif \.\.\.\)$/);
    });

    it('answers 400 for a field of the wrong type', async () => {
      const t = testApp();
      const res = await t.call('POST', NS_URL, { body: { ...imageStream('app'), spec: { tags: 'latest' } } });
      expect(res.status).toBe(400);
      expect(res.json.message).toBe(
        'ImageStream in version "v1" cannot be handled as a ImageStream: json: cannot unmarshal string into Go struct field ImageStream.spec.tags of type array',
      );
    });

    it('answers 415 for a body that is not JSON or YAML', async () => {
      const t = testApp();
      const res = await t.call('POST', NS_URL, { body: 'x', headers: { 'content-type': 'text/plain' } });
      expect(res.status).toBe(415);
      expect(res.json).toMatchObject({ reason: 'UnsupportedMediaType', message: 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml' });
    });

    it('accepts a YAML body', async () => {
      const t = testApp();
      const yaml = 'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: fromyaml\nspec: {}\n';
      const res = await t.call('POST', NS_URL, { body: yaml, headers: { 'content-type': 'application/yaml' } });
      expect(res.status).toBe(201);
      expect(res.json.metadata.name).toBe('fromyaml');
    });

    it('answers 413 for a body over 3 MiB', async () => {
      const t = testApp();
      const res = await t.call('POST', NS_URL, { body: JSON.stringify({ ...imageStream('big'), pad: 'x'.repeat(3 * 1024 * 1024) }) });
      expect(res.status).toBe(413);
      expect(res.json).toMatchObject({ reason: 'RequestEntityTooLarge', message: 'Request entity too large: limit is 3145728' });
    });

    it('answers 422 with one cause per field error for an invalid name', async () => {
      const t = testApp();
      const res = await t.call('POST', NS_URL, { body: imageStream('Bad_Name') });
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({
        reason: 'Invalid',
        message: 'ImageStream.image.openshift.io "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"',
        details: {
          name: 'Bad_Name',
          group: 'image.openshift.io',
          kind: 'ImageStream',
          causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: 'Invalid value: "Bad_Name": must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"' }],
        },
      });
    });

    it('answers 422 when neither name nor generateName is given', async () => {
      const t = testApp();
      const res = await t.call('POST', NS_URL, { body: { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: {}, spec: {} } });
      expect(res.status).toBe(422);
      expect(res.json.message).toBe('ImageStream.image.openshift.io "" is invalid: metadata.name: Required value: name or generateName is required');
    });

    it('rejects unknown fields with fieldValidation=Strict and stores nothing', async () => {
      const t = testApp();
      const body = { ...imageStream('unk'), spec: { foo: 'bar' } };
      const res = await t.call('POST', `${NS_URL}?fieldValidation=Strict`, { body });
      expect(res.status).toBe(400);
      expect(res.json.message).toBe('ImageStream in version "v1" cannot be handled as a ImageStream: strict decoding error: unknown field "spec.foo"');
      expect(t.store.events).toHaveLength(0);
    });

    it('decodes a value nested 1,000 levels deep, and refuses a deeper body with a 400 before any work', async () => {
      const t = testApp();
      const nested = (depth: number): string => '['.repeat(depth - 1) + ']'.repeat(depth - 1);
      // The object itself is one level, so the unknown field's value may nest 999 more.
      const body = (depth: number): string => `{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"deep"},"extra":${nested(depth)}}`;
      const strict = await t.call('POST', `${NS_URL}?fieldValidation=Strict`, { body: body(1000) });
      expect(strict.status).toBe(400);
      expect(strict.json.message).toBe('ImageStream in version "v1" cannot be handled as a ImageStream: strict decoding error: unknown field "extra"');
      const warned = await t.call('POST', NS_URL, { body: body(1000) });
      expect(warned.status).toBe(201);
      expect(warned.headers['Warning']).toEqual(['299 - "unknown field \\"extra\\""']);
      for (const [method, url, type] of [
        ['POST', NS_URL, 'application/json'],
        ['PATCH', ONE('deep'), 'application/strategic-merge-patch+json'],
        ['PATCH', ONE('deep'), 'application/apply-patch+yaml'],
      ] as const) {
        const refused = await t.call(method, `${url}${type.includes('apply') ? '?fieldManager=m' : ''}`, { body: body(1001), headers: { 'content-type': type } });
        expect(refused.status).toBe(400);
        expect(refused.json.message).toBe('the request body nests objects and arrays more than 1000 levels deep');
      }
      expect(t.store.events).toHaveLength(1);
    });

    it('drops unknown fields with a Warning header by default and never stores them', async () => {
      const t = testApp();
      const res = await t.call('POST', NS_URL, { body: '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"d1","name":"d2"},"spec":{"foo":"bar"}}' });
      expect(res.status).toBe(201);
      expect(res.headers['Warning']).toEqual(['299 - "unknown field \\"spec.foo\\""', '299 - "duplicate field \\"metadata.name\\""']);
      expect(res.json.metadata.name).toBe('d2');
      expect(res.json.spec).toEqual({ lookupPolicy: { local: false } });
    });

    it('answers 422 for an unsupported fieldValidation value', async () => {
      const t = testApp();
      const res = await t.call('POST', `${NS_URL}?fieldValidation=Bogus`, { body: imageStream('x') });
      expect(res.status).toBe(422);
      expect(res.json.message).toBe('CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Bogus": supported values: "", "Ignore", "Strict", "Warn"');
    });

    it('persists nothing on dryRun=All but answers as if it had', async () => {
      const t = testApp();
      const res = await t.call('POST', `${NS_URL}?dryRun=All`, { body: imageStream('dry') });
      expect(res.status).toBe(201);
      expect(res.json.metadata.uid).toBeDefined();
      expect(t.store.events).toHaveLength(0);
      expect((await t.call('GET', ONE('dry'))).status).toBe(404);
    });
  });

  describe('GET', () => {
    it('answers 404 NotFound with the resource in details', async () => {
      const t = testApp();
      const res = await t.call('GET', ONE('nope'));
      expect(res.status).toBe(404);
      expect(res.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'imagestreams.image.openshift.io "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', group: 'image.openshift.io', kind: 'imagestreams' },
        code: 404,
      });
    });

    it('returns the stored stream, also through /status, and as YAML on request', async () => {
      const t = testApp();
      const created = await t.call('POST', NS_URL, { body: imageStream('app') });
      expect((await t.call('GET', ONE('app'))).json).toEqual(created.json);
      expect((await t.call('GET', `${ONE('app')}/status`)).json).toEqual(created.json);
      const yaml = await t.call('GET', ONE('app'), { headers: { accept: 'application/yaml' } });
      expect(yaml.headers['Content-Type']).toBe('application/yaml');
      expect(yaml.text).toContain('kind: ImageStream');
    });

    it('answers 406 when nothing acceptable is asked for', async () => {
      const t = testApp();
      const res = await t.call('GET', ONE('app'), { headers: { accept: 'text/html' } });
      expect(res.status).toBe(406);
      expect(res.json.reason).toBe('NotAcceptable');
    });
  });

  describe('PUT (update)', () => {
     
    async function created(t: ReturnType<typeof testApp>): Promise<Record<string, any>> {
      return (await t.call('POST', NS_URL, { body: imageStream('app') })).json;
    }

    it('raises generation only for spec changes and stamps changed tags', async () => {
      const t = testApp();
      const cur = await created(t);
      cur.spec.tags[1].from.name = 'quay.io/example/app:v1.1';
      const res = await t.call('PUT', ONE('app'), { body: cur });
      expect(res.status).toBe(200);
      expect(res.json.metadata.generation).toBe(2);
      expect(res.json.spec.tags.map((tg: { generation: number }) => tg.generation)).toEqual([1, 2]);
      const labelsOnly = { ...res.json, metadata: { ...res.json.metadata, labels: { app: 'other' } } };
      const res2 = await t.call('PUT', ONE('app'), { body: labelsOnly });
      expect(res2.json.metadata.generation).toBe(2);
      expect(Number(res2.json.metadata.resourceVersion)).toBeGreaterThan(Number(res.json.metadata.resourceVersion));
    });

    it('keeps the resourceVersion and emits no change for an identical object', async () => {
      const t = testApp();
      const cur = await created(t);
      const res = await t.call('PUT', ONE('app'), { body: cur });
      expect(res.status).toBe(200);
      expect(res.json.metadata.resourceVersion).toBe(cur.metadata.resourceVersion);
      expect(t.store.events).toHaveLength(1);
    });

    it('ignores status sent to the main resource', async () => {
      const t = testApp();
      const cur = await created(t);
      const res = await t.call('PUT', ONE('app'), { body: { ...cur, status: { dockerImageRepository: 'x', tags: [{ tag: 'a', items: [] }] } } });
      expect(res.json.status).toEqual({ dockerImageRepository: '' });
    });

    it('answers 422 with the upstream message when resourceVersion is missing', async () => {
      const t = testApp();
      const cur = await created(t);
      delete cur.metadata.resourceVersion;
      const res = await t.call('PUT', ONE('app'), { body: cur });
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({
        reason: 'Invalid',
        message: 'imagestreams.image.openshift.io "app" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
        details: {
          name: 'app',
          group: 'image.openshift.io',
          kind: 'imagestreams',
          causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' }],
        },
      });
    });

    it('answers 409 Conflict for a stale resourceVersion and keeps the stored object', async () => {
      const t = testApp();
      const cur = await created(t);
      await t.call('PUT', ONE('app'), { body: { ...cur, spec: { ...cur.spec, lookupPolicy: { local: true } } } });
      const res = await t.call('PUT', ONE('app'), { body: { ...cur, spec: { ...cur.spec, tags: [] } } });
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({
        reason: 'Conflict',
        message:
          'Operation cannot be fulfilled on imagestreams.image.openshift.io "app": the object has been modified; please apply your changes to the latest version and try again',
        details: { name: 'app', group: 'image.openshift.io', kind: 'imagestreams' },
      });
      expect((await t.call('GET', ONE('app'))).json.spec.tags).toHaveLength(2);
    });

    it('answers 400 when the body names another object and 404 for a missing one (no create on update)', async () => {
      const t = testApp();
      const cur = await created(t);
      const res = await t.call('PUT', ONE('other'), { body: cur });
      expect(res.status).toBe(400);
      expect(res.json.message).toBe('the name of the object (app) does not match the name on the URL (other)');
      const ghost = await t.call('PUT', ONE('ghost'), { body: { ...cur, metadata: { ...cur.metadata, name: 'ghost' } } });
      expect(ghost.status).toBe(404);
      expect(ghost.json.message).toBe('imagestreams.image.openshift.io "ghost" not found');
    });

    it('answers 400 for a namespace mismatch', async () => {
      const t = testApp();
      const cur = await created(t);
      const res = await t.call('PUT', ONE('app'), { body: { ...cur, metadata: { ...cur.metadata, namespace: 'other' } } });
      expect(res.status).toBe(400);
      expect(res.json.message).toBe('the namespace of the object (other) does not match the namespace on the request (demo)');
    });

    it('writes status only through /status, which keeps the spec', async () => {
      const t = testApp();
      const cur = await created(t);
      const status = { dockerImageRepository: '', tags: [{ tag: 'latest', items: [{ created: '2026-11-26T21:00:00Z', dockerImageReference: 'quay.io/example/app@sha256:' + 'a'.repeat(64), image: 'sha256:' + 'a'.repeat(64), generation: 1 }] }] };
      const res = await t.call('PUT', `${ONE('app')}/status`, { body: { ...cur, spec: { tags: [] }, status } });
      expect(res.status).toBe(200);
      expect(res.json.status.tags).toHaveLength(1);
      expect(res.json.spec.tags).toHaveLength(2);
      expect(res.json.metadata.generation).toBe(1);
    });
  });

  describe('DELETE', () => {
    it('removes the stream and answers a Success Status with its uid', async () => {
      const t = testApp();
      const cur = (await t.call('POST', NS_URL, { body: imageStream('app') })).json;
      const res = await t.call('DELETE', ONE('app'), { body: { propagationPolicy: 'Background' } });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: 'app', group: 'image.openshift.io', kind: 'imagestreams', uid: cur.metadata.uid },
      });
      expect((await t.call('GET', ONE('app'))).status).toBe(404);
    });

    it('answers 409 for a uid precondition mismatch, with the kind in the message', async () => {
      const t = testApp();
      const cur = (await t.call('POST', NS_URL, { body: imageStream('app') })).json;
      const res = await t.call('DELETE', ONE('app'), { body: { preconditions: { uid: '00000000-0000-4000-8000-000000000000' } } });
      expect(res.status).toBe(409);
      expect(res.json.message).toBe(
        `Operation cannot be fulfilled on ImageStream.image.openshift.io "app": the UID in the precondition (00000000-0000-4000-8000-000000000000) does not match the UID in record (${cur.metadata.uid}). The object might have been deleted and then recreated`,
      );
    });

    it('deletes nothing with dryRun in the body (the query is not read when a body is present)', async () => {
      const t = testApp();
      await t.call('POST', NS_URL, { body: imageStream('app') });
      const res = await t.call('DELETE', `${ONE('app')}?dryRun=Bogus`, { body: { dryRun: ['All'] } });
      expect(res.status).toBe(200);
      expect((await t.call('GET', ONE('app'))).status).toBe(200);
    });

    it('marks an object with finalizers as deleting and removes it when the last finalizer goes', async () => {
      const t = testApp();
      const body = imageStream('held');
      (body['metadata'] as Record<string, unknown>)['finalizers'] = ['example.com/hold'];
      await t.call('POST', NS_URL, { body });
      const res = await t.call('DELETE', ONE('held'));
      expect(res.status).toBe(200);
      expect(res.json.kind).toBe('ImageStream');
      expect(res.json.metadata.deletionTimestamp).toBe('2026-11-26T21:08:37Z');
      const cur = (await t.call('GET', ONE('held'))).json;
      const addFinalizer = await t.call('PUT', ONE('held'), { body: { ...cur, metadata: { ...cur.metadata, finalizers: ['example.com/hold', 'example.com/x'] } } });
      expect(addFinalizer.status).toBe(422);
      expect(addFinalizer.json.message).toContain('no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}');
      const release = await t.call('PUT', ONE('held'), { body: { ...cur, metadata: { ...cur.metadata, finalizers: [] } } });
      expect(release.status).toBe(200);
      expect((await t.call('GET', ONE('held'))).status).toBe(404);
    });

    it('answers 404 for a missing stream', async () => {
      const t = testApp();
      expect((await t.call('DELETE', ONE('nope'))).json.reason).toBe('NotFound');
    });
  });

  describe('LIST', () => {
    async function seeded(): Promise<ReturnType<typeof testApp>> {
      const t = testApp();
      for (const n of ['c', 'a', 'b', 'd', 'e']) {
        const body = imageStream(n);
        (body['metadata'] as Record<string, unknown>)['labels'] = { tier: n < 'c' ? 'web' : 'db' };
        await t.call('POST', NS_URL, { body });
      }
      await t.call('POST', '/apis/image.openshift.io/v1/namespaces/other/imagestreams', { body: imageStream('z') });
      return t;
    }
    const names = (res: { json: { items: { metadata: { name: string } }[] } }): string[] => res.json.items.map((i) => i.metadata.name);

    it('lists a namespace in name order with the list resourceVersion (its last change)', async () => {
      const t = await seeded();
      const res = await t.call('GET', NS_URL);
      expect(res.json).toMatchObject({ kind: 'ImageStreamList', apiVersion: 'image.openshift.io/v1', metadata: { resourceVersion: '5' } });
      expect(names(res)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(res.json.items[0].kind).toBeUndefined();
    });

    it('lists all namespaces', async () => {
      const t = await seeded();
      const res = await t.call('GET', '/apis/image.openshift.io/v1/imagestreams');
      expect(names(res)).toEqual(['a', 'b', 'c', 'd', 'e', 'z']);
      expect(res.json.metadata.resourceVersion).toBe('6');
    });

    it('answers an empty list with items: [] (resourceVersion 0 when nothing was ever written there)', async () => {
      const t = testApp();
      const res = await t.call('GET', NS_URL);
      expect(res.json.items).toEqual([]);
      expect(res.json.metadata.resourceVersion).toBe('0');
    });

    it('filters by label and field selectors', async () => {
      const t = await seeded();
      expect(names(await t.call('GET', `${NS_URL}?labelSelector=tier%3Dweb`))).toEqual(['a', 'b']);
      expect(names(await t.call('GET', `${NS_URL}?labelSelector=tier%20notin%20(web)`))).toEqual(['c', 'd', 'e']);
      expect(names(await t.call('GET', `${NS_URL}?fieldSelector=metadata.name%3Dd`))).toEqual(['d']);
      expect(names(await t.call('GET', `${NS_URL}?fieldSelector=metadata.name!%3Dd&labelSelector=tier%3Ddb`))).toEqual(['c', 'e']);
    });

    it('pages with limit and continue, every page at the first page\'s resourceVersion', async () => {
      const t = await seeded();
      const p1 = await t.call('GET', `${NS_URL}?limit=2`);
      expect(names(p1)).toEqual(['a', 'b']);
      await t.call('POST', NS_URL, { body: imageStream('f') });
      const p2 = await t.call('GET', `${NS_URL}?limit=2&continue=${encodeURIComponent(p1.json.metadata.continue)}`);
      expect(names(p2)).toEqual(['c', 'd']);
      expect(p2.json.metadata.resourceVersion).toBe(p1.json.metadata.resourceVersion);
      const p3 = await t.call('GET', `${NS_URL}?limit=2&continue=${encodeURIComponent(p2.json.metadata.continue)}`);
      expect(names(p3)).toEqual(['e', 'f']);
      expect(p3.json.metadata.continue).toBeUndefined();
    });

    it.each([
      ['a malformed continue token', '?continue=%%%', 400, 'invalid continue token: continue key is not valid: illegal base64 data or JSON'],
      ['continue with a resourceVersion', `?continue=${Buffer.from('{"v":"meta.k8s.io/v1","rv":1,"start":"demo/a"}').toString('base64url')}&resourceVersion=3`, 400, 'specifying resource version is not allowed when using continue'],
      ['a token of another namespace', `?continue=${Buffer.from('{"v":"meta.k8s.io/v1","rv":1,"start":"other/a"}').toString('base64url')}`, 400, 'invalid continue token: continue key is not valid: the key does not belong to this namespace'],
      ['resourceVersionMatch without resourceVersion', '?resourceVersionMatch=NotOlderThan', 422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
      ['an unknown field selector', '?fieldSelector=spec.foo%3Dbar', 400, '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"'],
      ['a resourceVersion from the future', '?resourceVersion=999', 504, 'Timeout: Too large resource version: 999, current: 6'],
      ['an exact resourceVersion that is gone', '?resourceVersion=2&resourceVersionMatch=Exact', 410, 'The resourceVersion for the provided list is too old.'],
      ['a malformed label selector', '?labelSelector=a%20in%20b', 400, "found 'b', expected: '('"],
    ])('answers the right Status for %s', async (_name, query, code, message) => {
      const t = await seeded();
      const res = await t.call('GET', `${NS_URL}${query}`);
      expect(res.status).toBe(code);
      expect(res.json).toMatchObject({ kind: 'Status', code, message });
    });
  });

  describe('LIST continuation expiry', () => {
    it('answers 410 Expired for a continue token older than the change-log window', async () => {
      const t = testApp({ EVENT_RETENTION_SECONDS: '60' });
      for (const n of ['a', 'b']) await t.call('POST', NS_URL, { body: imageStream(n) });
      const old = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 2, start: 'demo/a', t: Math.floor(Date.parse('2026-11-26T21:00:00Z') / 1000) })).toString('base64url');
      const res = await t.call('GET', `${NS_URL}?limit=1&continue=${old}`);
      expect(res.status).toBe(410);
      expect(res.json).toMatchObject({
        reason: 'Expired',
        message: 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      });
      const fresh = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 2, start: 'demo/a', t: Math.floor(Date.parse('2026-11-26T21:08:00Z') / 1000) })).toString('base64url');
      expect((await t.call('GET', `${NS_URL}?limit=1&continue=${fresh}`)).json.items.map((i: any) => i.metadata.name)).toEqual(['b']);
    });
  });

  describe('DELETE collection', () => {
    it('deletes the matching streams and answers them as a list', async () => {
      const t = testApp();
      for (const n of ['a', 'b']) await t.call('POST', NS_URL, { body: imageStream(n) });
      await t.call('POST', NS_URL, { body: { ...imageStream('keep'), metadata: { name: 'keep', labels: { app: 'other' } } } });
      const res = await t.call('DELETE', `${NS_URL}?labelSelector=app%3Ddemo`);
      expect(res.status).toBe(200);
      expect(res.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['a', 'b']);
      expect((await t.call('GET', NS_URL)).json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['keep']);
    });
  });

  describe('routing and authentication', () => {
    it('answers unknown paths with Go\'s plain 404 page', async () => {
      const t = testApp();
      const res = await t.call('GET', '/apis/nope');
      expect(res.status).toBe(404);
      expect(res.headers['Content-Type']).toBe('text/plain; charset=utf-8');
      expect(res.text).toBe('404 page not found\n');
    });

    it('answers a known path with another method with a 405 Status', async () => {
      const t = testApp();
      const res = await t.call('POST', ONE('x'), { body: imageStream('x') });
      expect(res.status).toBe(405);
      expect(res.json).toMatchObject({ reason: 'MethodNotAllowed', message: 'the server does not allow this method on the requested resource' });
    });

    it('answers 401 without or with a wrong token, but serves /version to anyone', async () => {
      const t = testApp();
      for (const token of [null, 'wrong']) {
        const res = await t.call('GET', NS_URL, { token });
        expect(res.status).toBe(401);
        expect(res.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      }
      expect((await t.call('GET', '/version', { token: null })).json.minor).toBe('32');
    });
  });
});
