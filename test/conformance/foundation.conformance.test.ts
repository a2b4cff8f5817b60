/**
 * The Foundation acceptance, black box: real kubectl against the local stack over HTTPS, and
 * raw requests for the bad inputs (each must be a precise Status and store nothing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, makeKubectl, startStackForTest, writeManifest, type StackUnderTest } from '../helpers/local-stack.js';

let stack: StackUnderTest;
let k: ReturnType<typeof makeKubectl>;

const IS_YAML = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: app
  labels: {team: web}
spec:
  lookupPolicy: {local: false}
  tags:
  - name: latest
    from: {kind: DockerImage, name: quay.io/example/app:latest}
    referencePolicy: {type: Source}
  - name: v1
    from: {kind: DockerImage, name: quay.io/example/app:v1}
`;

beforeAll(async () => {
  stack = await startStackForTest();
  k = makeKubectl(stack);
});
afterAll(async () => {
  await stack?.stop();
});

const BASE = '/apis/image.openshift.io/v1/namespaces/demo/imagestreams';

describe('foundation (kubectl, black box)', () => {
  it('lists the resource in discovery', async () => {
    const out = await k(['api-resources', '--api-group=image.openshift.io']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND\nimagestreamimages\s+isimage\s+image\.openshift\.io\/v1\s+true\s+ImageStreamImage\nimagestreams\s+is\s+image\.openshift\.io\/v1\s+true\s+ImageStream\nimagestreamtags\s+istag\s+image\.openshift\.io\/v1\s+true\s+ImageStreamTag\n$/);
  });

  it('creates, reads, replaces and deletes a stream with validation on', async () => {
    const file = writeManifest(stack, 'is.yaml', IS_YAML);
    const created = await k(['-n', 'demo', 'create', '-f', file]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('imagestream.image.openshift.io/app created\n');

    const listed = await k(['-n', 'demo', 'get', 'is']);
    expect(listed.stdout).toMatch(/^NAME\s+.*\napp\s+/);

    const fields = await k(['-n', 'demo', 'get', 'is', 'app', '-o', 'jsonpath={.metadata.uid} {.metadata.resourceVersion} {.metadata.generation} {.metadata.creationTimestamp}']);
    expect(fields.stdout).toMatch(/^[0-9a-f-]{36} \d+ 1 \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const yaml = await k(['-n', 'demo', 'get', 'is', 'app', '-o', 'yaml']);
    expect(yaml.stdout).toContain('generation: 1');

    const changed = writeManifest(stack, 'is2.yaml', IS_YAML.replace('app:v1}', 'app:v1.1}'));
    const replaced = await k(['-n', 'demo', 'replace', '-f', changed]);
    expect(replaced.stdout).toBe('imagestream.image.openshift.io/app replaced\n');
    const gen = await k(['-n', 'demo', 'get', 'is', 'app', '-o', 'jsonpath={.metadata.generation} {.spec.tags[*].generation}']);
    expect(gen.stdout).toBe('2 1 2');

    const all = await k(['get', 'is', '-A']);
    expect(all.stdout).toMatch(/demo\s+app/);

    const deleted = await k(['-n', 'demo', 'delete', 'is', 'app']);
    expect(deleted.stdout).toBe('imagestream.image.openshift.io "app" deleted\n');
    const gone = await k(['-n', 'demo', 'get', 'is', 'app']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toBe('Error from server (NotFound): imagestreams.image.openshift.io "app" not found\n');
  });

  it('reports AlreadyExists, Conflict and NotFound the way kubectl prints them', async () => {
    const file = writeManifest(stack, 'c.yaml', IS_YAML.replace('name: app', 'name: conflict'));
    expect((await k(['-n', 'demo', 'create', '-f', file])).code).toBe(0);
    const again = await k(['-n', 'demo', 'create', '-f', file]);
    expect(again.stderr).toBe(`Error from server (AlreadyExists): error when creating "${file}": imagestreams.image.openshift.io "conflict" already exists\n`);
    const stale = writeManifest(stack, 'stale.yaml', IS_YAML.replace('name: app', 'name: conflict\n  resourceVersion: "1"'));
    const conflict = await k(['-n', 'demo', 'replace', '-f', stale]);
    expect(conflict.stderr).toBe(
      `Error from server (Conflict): error when replacing "${stale}": Operation cannot be fulfilled on imagestreams.image.openshift.io "conflict": the object has been modified; please apply your changes to the latest version and try again\n`,
    );
    const ghost = writeManifest(stack, 'ghost.yaml', IS_YAML.replace('name: app', 'name: ghost'));
    const missing = await k(['-n', 'demo', 'replace', '-f', ghost]);
    expect(missing.stderr).toBe(`Error from server (NotFound): error when replacing "${ghost}": imagestreams.image.openshift.io "ghost" not found\n`);
  });

  it('rejects unknown fields under kubectl\'s default strict validation', async () => {
    const file = writeManifest(stack, 'unk.yaml', IS_YAML.replace('name: app', 'name: unk').replace('spec:\n', 'spec:\n  foo: bar\n'));
    const out = await k(['-n', 'demo', 'create', '-f', file]);
    expect(out.stderr).toBe(
      `Error from server (BadRequest): error when creating "${file}": ImageStream in version "v1" cannot be handled as a ImageStream: strict decoding error: unknown field "spec.foo"\n`,
    );
    expect((await k(['-n', 'demo', 'get', 'is', 'unk'])).code).not.toBe(0);
  });

  describe('bad input over HTTPS', () => {
    const valid = (name: string, extra: Record<string, unknown> = {}): string =>
      JSON.stringify({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name }, spec: {}, ...extra });

    it.each([
      ['malformed JSON', 'POST', BASE, '{"kind":', 400, 'BadRequest'],
      ['a wrong kind', 'POST', BASE, valid('x', { kind: 'Pod' }), 400, 'BadRequest'],
      ['a wrong apiVersion', 'POST', BASE, valid('x', { apiVersion: 'v1' }), 400, 'BadRequest'],
      ['a namespace mismatch', 'POST', BASE, valid('x', { metadata: { name: 'x', namespace: 'prod' } }), 400, 'BadRequest'],
      ['a name mismatch', 'PUT', `${BASE}/other`, valid('x', { metadata: { name: 'x', resourceVersion: '1' } }), 400, 'BadRequest'],
      ['an oversized body', 'POST', BASE, valid('x', { metadata: { name: 'x', annotations: { a: 'x'.repeat(3_200_000) } } }), 413, 'RequestEntityTooLarge'],
      ['a wrong method', 'POST', `${BASE}/x`, valid('x'), 405, 'MethodNotAllowed'],
    ])('answers %s with a Status and stores nothing', async (_name, method, url, body, code, reason) => {
      const before = await http(stack, 'GET', BASE);
      const res = await http(stack, method, url, { body });
      expect(res.status).toBe(code);
      expect(res.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason });
      const after = await http(stack, 'GET', BASE);
      expect(after.json.metadata.resourceVersion).toBe(before.json.metadata.resourceVersion);
    });

    it('answers a malformed %-escape in the path with a 400 Status, and decodes a name once', async () => {
      const bad = await http(stack, 'GET', `${BASE}/a%zz`);
      expect(bad.status).toBe(400);
      expect(bad.json).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
      // "%2541" is the name "%41", which no object can have: never the object "A".
      const once = await http(stack, 'GET', `${BASE}/x%2541`);
      expect(once.status).toBe(404);
      expect(once.json.message).toBe('imagestreams.image.openshift.io "x%41" not found');
    });

    it('answers an unknown path with 404 page not found', async () => {
      const res = await http(stack, 'GET', '/apis/nope/v1');
      expect(res.status).toBe(404);
      expect(res.body).toBe('404 page not found\n');
    });

    it('answers a missing token with 401', async () => {
      const res = await http(stack, 'GET', BASE, { token: null });
      expect(res.status).toBe(401);
      expect(res.json.reason).toBe('Unauthorized');
    });
  });
});
