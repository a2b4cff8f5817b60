/**
 * PATCH on the stream and on /status: the four media types, no-op detection, field validation
 * of patch results, and the Status of every malformed patch.
 */
import { describe, expect, it } from 'vitest';
import { imageStream, NS_URL, testApp } from '../../helpers/app.js';

const ONE = `${NS_URL}/app`;
const JSON_PATCH = { 'content-type': 'application/json-patch+json' };
const MERGE = { 'content-type': 'application/merge-patch+json' };
const SMP = { 'content-type': 'application/strategic-merge-patch+json' };

async function seeded(): Promise<ReturnType<typeof testApp>> {
  const t = testApp();
  await t.call('POST', NS_URL, { body: imageStream('app') });
  return t;
}

describe('imagestreams PATCH', () => {
  it('applies a JSON merge patch, replacing lists wholesale', async () => {
    const t = await seeded();
    const res = await t.call('PATCH', ONE, { headers: MERGE, body: { spec: { tags: [{ name: 'only', from: { kind: 'DockerImage', name: 'x:only' } }] } } });
    expect(res.status).toBe(200);
    expect(res.json.spec.tags.map((x: any) => x.name)).toEqual(['only']);
    expect(res.json.metadata.generation).toBe(2);
  });

  it('applies a strategic merge patch, merging spec.tags by name', async () => {
    const t = await seeded();
    const res = await t.call('PATCH', ONE, { headers: SMP, body: { spec: { tags: [{ name: 'v3', from: { kind: 'DockerImage', name: 'x:v3' } }] } } });
    expect(res.json.spec.tags.map((x: any) => x.name)).toEqual(['latest', 'v1', 'v3']);
    expect(res.json.spec.tags[2]).toMatchObject({ generation: 2, referencePolicy: { type: 'Source' }, importPolicy: { importMode: 'Legacy' } });
  });

  it('applies a JSON patch with a passing test operation', async () => {
    const t = await seeded();
    const res = await t.call('PATCH', ONE, {
      headers: JSON_PATCH,
      body: [
        { op: 'test', path: '/metadata/labels/app', value: 'demo' },
        { op: 'add', path: '/metadata/labels/j', value: '1' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.metadata.labels).toEqual({ app: 'demo', j: '1' });
    expect(res.json.metadata.generation).toBe(1);
  });

  it('keeps the resourceVersion for a patch that changes nothing', async () => {
    const t = await seeded();
    const before = (await t.call('GET', ONE)).json;
    const res = await t.call('PATCH', ONE, { headers: MERGE, body: { spec: { lookupPolicy: { local: false } } } });
    expect(res.json.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(t.store.events).toHaveLength(1);
  });

  it('ignores status on the main resource and spec on /status', async () => {
    const t = await seeded();
    const main = await t.call('PATCH', ONE, { headers: MERGE, body: { status: { tags: [{ tag: 'x', items: [] }] } } });
    expect(main.json.status).toEqual({ dockerImageRepository: '' });
    const status = await t.call('PATCH', `${ONE}/status`, { headers: MERGE, body: { spec: { tags: [] } } });
    expect(status.json.spec.tags).toHaveLength(2);
    expect(t.store.events).toHaveLength(1);
  });

  it('answers 409 when the patch carries a stale resourceVersion', async () => {
    const t = await seeded();
    const res = await t.call('PATCH', ONE, { headers: MERGE, body: { metadata: { resourceVersion: '999' }, spec: { lookupPolicy: { local: true } } } });
    expect(res.status).toBe(409);
    expect(res.json.reason).toBe('Conflict');
  });

  it('persists nothing on dryRun=All and answers with the current resourceVersion', async () => {
    const t = await seeded();
    const res = await t.call('PATCH', `${ONE}?dryRun=All`, { headers: MERGE, body: { spec: { lookupPolicy: { local: true } } } });
    expect(res.json.spec.lookupPolicy.local).toBe(true);
    expect(res.json.metadata.resourceVersion).toBe('1');
    expect((await t.call('GET', ONE)).json.spec.lookupPolicy.local).toBe(false);
  });

  it.each([
    ['a failing JSON patch test', JSON_PATCH, [{ op: 'test', path: '/metadata/labels/app', value: 'nope' }], 422, 'Invalid', 'the server rejected our request due to an error in our request'],
    ['a JSON patch on a missing path', JSON_PATCH, [{ op: 'remove', path: '/spec/nope' }], 422, 'Invalid', 'the server rejected our request due to an error in our request'],
    ['a JSON patch that is not a list of operations', JSON_PATCH, { op: 'add' }, 400, 'BadRequest', undefined],
    ['a merge patch that is not JSON', MERGE, '{nope', 400, 'BadRequest', undefined],
    ['a patch renaming the object', MERGE, { metadata: { name: 'other' } }, 400, 'BadRequest', 'the name of the object (other) does not match the name on the URL (app)'],
    ['a patch producing an invalid object', MERGE, { spec: { tags: [{ name: 'x', from: { kind: 'Nope', name: 'y' } }] } }, 422, 'Invalid', undefined],
    ['an unsupported content type', { 'content-type': 'application/json' }, {}, 415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json'],
    ['a strategic list element without its merge key', SMP, { spec: { tags: [{ from: { name: 'x' } }] } }, 400, 'BadRequest', undefined],
  ])('answers %s with the right Status and stores nothing', async (_name, headers, body, code, reason, message) => {
    const t = await seeded();
    const res = await t.call('PATCH', ONE, { headers, body });
    expect(res.status).toBe(code);
    expect(res.json).toMatchObject({ kind: 'Status', reason, code, ...(message ? { message } : {}) });
    expect(t.store.events).toHaveLength(1);
  });

  it('rejects unknown fields in a merge patch result with 422 under Strict', async () => {
    const t = await seeded();
    const res = await t.call('PATCH', `${ONE}?fieldValidation=Strict`, { headers: MERGE, body: { spec: { foo: 'bar' } } });
    expect(res.status).toBe(422);
    expect(res.json.message).toMatch(/^ "" is invalid: patch: Invalid value: "\{.*\}": strict decoding error: unknown field "spec\.foo"$/);
    expect(res.json.details.causes[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'patch' });
  });

  it('renders a strategic patch in the strict error as a Go map', async () => {
    const t = await seeded();
    const res = await t.call('PATCH', `${ONE}?fieldValidation=Strict`, { headers: SMP, body: { spec: { foo: 1 } } });
    expect(res.status).toBe(422);
    expect(res.json.details.causes[0].message).toBe('Invalid value: "map[spec:map[foo:1]]": strict decoding error: unknown field "spec.foo"');
  });

  it('warns about unknown fields by default and drops them', async () => {
    const t = await seeded();
    const res = await t.call('PATCH', ONE, { headers: JSON_PATCH, body: [{ op: 'add', path: '/spec/foo', value: 'x', valu: 1 }] });
    expect(res.status).toBe(200);
    expect(res.headers['Warning']).toEqual(['299 - "json patch unknown field \\"[0].valu\\""', '299 - "unknown field \\"spec.foo\\""']);
    expect(res.json.spec.foo).toBeUndefined();
  });

  it('answers 404 for a missing object', async () => {
    const t = testApp();
    const res = await t.call('PATCH', ONE, { headers: MERGE, body: {} });
    expect(res.status).toBe(404);
  });
});
