/**
 * Bad input against the App over in-memory stores: the properties of
 * `test/helpers/bad-input.ts` (random requests to every route, mangled writes, junk watches),
 * and the regression cases of what they found.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authApp, TOKENS } from '../../helpers/auth-app.js';
import { badInputProperties, harness, memoryTarget, mutate, request, STREAM, STREAMS, withRv } from '../../helpers/bad-input.js';
import { fuzzParams, fuzzRuns } from '../../helpers/fuzz.js';

describe('bad input (property-based, in-memory stores)', () => {
  badInputProperties(memoryTarget, fuzzRuns(1500));

  it('the same requests from callers without the right: no token, junk Authorization, view-less users, service accounts', async () => {
    // The production authenticator (static tokens) and RBAC, with the built-in roles only.
    const h = harness(() => authApp().app, TOKENS.admin);
    const caller = fc.constantFrom(
      undefined, // admin
      '',
      'Bearer',
      'Bearer ',
      'Basic YWxpY2U6cHc=',
      'bearer ' + TOKENS.admin,
      `Bearer ${TOKENS.alice}`,
      `Bearer ${TOKENS.bob}`,
      `Bearer ${TOKENS.robot}`,
      'Bearer a.b.c',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      `Bearer ${'x'.repeat(5000)}`,
    );
    await fc.assert(
      fc.asyncProperty(request, caller, async (r, auth) => {
        await h.ensureStreams();
        const path = r.route.path.replace('{namespace}', r.namespace).replace('{name}', r.name);
        const headers: Record<string, string> = { accept: r.accept, ...(auth !== undefined ? { authorization: auth } : {}) };
        if (r.body !== undefined && r.contentType !== '') headers['content-type'] = r.contentType;
        await h.check(r.route.method, path, r.query.filter(([k]) => k !== 'watch'), headers, r.body);
      }),
      fuzzParams(1500),
    );
  }, 120_000);

  describe('what the properties found (each once a 500 or a write behind an error)', () => {
    it('an object sent without metadata is a 400 name mismatch, not a crash', async () => {
      const h = harness(memoryTarget);
      const res = await h.check('PUT', '/apis/rbac.authorization.k8s.io/v1/namespaces/demo/roles/x', [], { 'content-type': 'application/json' }, '{"rules":[]}');
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).message).toBe('the name of the object () does not match the name on the URL (x)');
    });

    it('a JSON patch that moves a value into its own child is rejected (422)', async () => {
      const h = harness(memoryTarget);
      await h.ensureStreams();
      const ops = [{ op: 'move', from: '/spec', path: '/spec/tags/1/from/kind' }];
      const res = await h.check('PATCH', `${STREAMS}/a`, [], { 'content-type': 'application/json-patch+json' }, JSON.stringify(ops));
      expect(res.status).toBe(422);
      expect(JSON.parse(res.text).message).toBe('the server rejected our request due to an error in our request');
    });

    it('apply with explicit nulls stores no nulls: the stream and its tags keep working', async () => {
      const h = harness(memoryTarget);
      const noAnnotations = mutate(mutate(STREAM, ['status'], 'delete', null), ['spec', 'tags', 0, 'annotations'], 'delete', null);
      expect((await h.check('POST', STREAMS, [], { 'content-type': 'application/json' }, JSON.stringify(noAnnotations))).status).toBe(201);
      // A null for a map the live tag does not have: the merge result carries it, the stored object must not.
      const config = mutate(noAnnotations, ['spec', 'tags', 0, 'annotations'], 'set', null);
      const applied = await h.check('PATCH', `${STREAMS}/a`, [['fieldManager', 'fuzz'], ['force', 'true']], { 'content-type': 'application/apply-patch+yaml' }, JSON.stringify(config));
      expect(applied.status).toBe(200);
      const istag = '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags/a:latest';
      const put = await h.check('PUT', istag, [['dryRun', 'All']], { 'content-type': 'application/json' }, JSON.stringify({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamTag', metadata: { name: 'a:latest' } }));
      expect(put.status).toBe(200);
    });

    it('a Table request with a bad includeObject fails before the write', async () => {
      const h = harness(memoryTarget);
      await h.ensureStreams();
      const rv = await h.currentRv(`${STREAMS}/a`);
      const res = await h.check(
        'PUT',
        `${STREAMS}/a`,
        [['includeObject', 'Everything']],
        { 'content-type': 'application/json', accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
        withRv(JSON.stringify(mutate(STREAM, ['metadata', 'labels'], 'set', { changed: 'yes' })), rv),
      );
      expect(res.status).toBe(400);
      expect(await h.currentRv(`${STREAMS}/a`)).toBe(rv);
    });

    it('an imagestreamtag write asked for as a Table with a bad includeObject fails before the write; a read keeps its 404', async () => {
      const h = harness(memoryTarget);
      await h.ensureStreams();
      const rv = await h.currentRv(`${STREAMS}/a`);
      const table = { 'content-type': 'application/json', accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' };
      const istags = '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags';
      const body = { apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamTag', metadata: { name: 'a:new' }, tag: { name: 'new', from: { kind: 'DockerImage', name: 'quay.io/x/y:new' } } };
      const res = await h.check('POST', istags, [['includeObject', 'Everything']], table, JSON.stringify(body));
      expect(res.status).toBe(400);
      expect(await h.currentRv(`${STREAMS}/a`)).toBe(rv);
      expect((await h.check('GET', `${istags}/a:missing`, [['includeObject', 'Everything']], table)).status).toBe(404);
    });

    it('an imagestreamtag created without a colon in its name is a 400 (upstream: 500)', async () => {
      const h = harness(memoryTarget);
      const res = await h.check('POST', '/apis/image.openshift.io/v1/namespaces/demo/imagestreamtags', [], { 'content-type': 'application/json' }, '{"kind":"ImageStreamTag","apiVersion":"image.openshift.io/v1","metadata":{"name":"app"}}');
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).message).toBe('"app" must be of the form <stream_name>:<tag>');
    });
  });
});
