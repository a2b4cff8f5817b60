/**
 * Tags and history, black box: kubectl against the local stack for imagestreamtags and
 * imagestreamimages, `npm run prune`'s script against the stack's kubeconfig, and the
 * lookupPolicy.local resolution through `kubectl create`.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, makeKubectl, ROOT, startStackForTest, writeManifest, type RunResult, type StackUnderTest } from '../helpers/local-stack.js';

let stack: StackUnderTest;
let k: ReturnType<typeof makeKubectl>;

const BASE = '/apis/image.openshift.io/v1/namespaces/demo/imagestreams';
const D = (n: number): string => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
const item = (n: number, created: string) => ({ created, dockerImageReference: `quay.io/example/app@${D(n)}`, image: D(n), generation: 1 });

const IS_YAML = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: app
spec:
  lookupPolicy: {local: true}
  tags:
  - name: latest
    from: {kind: DockerImage, name: quay.io/example/app:latest}
  - name: v1
    from: {kind: DockerImage, name: quay.io/example/app:v1}
`;

/** Writes `tags` as the stream's status history (what an import or a push records). */
async function setHistory(name: string, tags: unknown[]): Promise<void> {
  const cur = await http(stack, 'GET', `${BASE}/${name}`);
  const res = await http(stack, 'PUT', `${BASE}/${name}/status`, { body: JSON.stringify({ ...cur.json, status: { tags } }) });
  expect(res.status).toBe(200);
}

function prune(args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, 'node_modules/.bin/tsx'),
      [path.join(ROOT, 'scripts/prune.ts'), '--kubeconfig', stack.kubeconfig, ...args],
      { timeout: 60_000, cwd: ROOT },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  stack = await startStackForTest();
  k = makeKubectl(stack);
  expect((await k(['-n', 'demo', 'create', '-f', writeManifest(stack, 'is.yaml', IS_YAML)])).code).toBe(0);
  await setHistory('app', [
    { tag: 'latest', items: [item(3, '2026-01-03T00:00:00Z')] },
    { tag: 'v1', items: [item(2, '2026-01-02T00:00:00Z'), item(1, '2026-01-01T00:00:00Z')] },
  ]);
});
afterAll(async () => {
  await stack?.stop();
});

describe('tags and history (kubectl, black box)', () => {
  it('lists imagestreamtags and imagestreamimages in discovery', async () => {
    const out = await k(['api-resources', '--api-group=image.openshift.io']);
    expect(out.stdout).toMatch(/^imagestreamimages\s+isimage\s+image\.openshift\.io\/v1\s+true\s+ImageStreamImage$/m);
    expect(out.stdout).toMatch(/^imagestreamtags\s+istag\s+image\.openshift\.io\/v1\s+true\s+ImageStreamTag$/m);
    const explain = await k(['explain', 'istag.tag.referencePolicy']);
    expect(explain.stdout).toContain('KIND:       ImageStreamTag');
    expect(explain.stdout).toMatch(/FIELD: referencePolicy <TagReferencePolicy>/);
    const ops = await k(['api-resources', '--api-group=imagestreams.internal']);
    expect(ops.stdout).toMatch(/^imagestreamlookups\s+imagestreams\.internal\/v1\s+true\s+ImageStreamLookup$/m);
    expect(ops.stdout).toMatch(/^imagestreamprunes\s+imagestreams\.internal\/v1\s+false\s+ImageStreamPrune$/m);
  });

  it('kubectl get imagestreamtags -n demo prints the oc columns', async () => {
    const out = await k(['-n', 'demo', 'get', 'imagestreamtags']);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^NAME\s+IMAGE REFERENCE\s+UPDATED\n/);
    expect(out.stdout).toMatch(new RegExp(`^app:latest\\s+quay\\.io/example/app@${D(3)}\\s+\\S.* ago$`, 'm'));
    expect(out.stdout).toMatch(new RegExp(`^app:v1\\s+quay\\.io/example/app@${D(2)}\\s+`, 'm'));
    const wide = await k(['-n', 'demo', 'get', 'istag', '-o', 'wide']);
    expect(wide.stdout).toMatch(/^NAME\s+IMAGE REFERENCE\s+UPDATED\s+IMAGE NAME\n/);
  });

  it('kubectl get istag app:v1 -o yaml shows the tag view', async () => {
    const out = await k(['-n', 'demo', 'get', 'istag', 'app:v1', '-o', 'yaml']);
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('kind: ImageStreamTag');
    expect(out.stdout).toContain('  name: app:v1\n');
    expect(out.stdout).toContain(`  dockerImageReference: quay.io/example/app@${D(2)}\n`);
    expect(out.stdout).toMatch(/^tag:\n {2}annotations: null\n {2}from:\n {4}kind: DockerImage\n {4}name: quay\.io\/example\/app:v1$/m);
    const missing = await k(['-n', 'demo', 'get', 'istag', 'app:v9']);
    expect(missing.stderr).toBe('Error from server (NotFound): imagestreamtags.image.openshift.io "app:v9" not found\n');
  });

  it('kubectl get isimage by digest and by prefix', async () => {
    const out = await k(['-n', 'demo', 'get', 'isimage', `app@${D(1)}`]);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(new RegExp(`^NAME\\s+UPDATED\\napp@${D(1)}\\s+.+ ago\\n$`));
    const prefix = await k(['-n', 'demo', 'get', 'isimage', `app@${D(1).slice(0, 15)}`, '-o', 'jsonpath={.image.metadata.name}']);
    expect(prefix.stdout).toBe(D(1));
  });

  it('kubectl create -f and apply -f an ImageStreamTag, with validation on', async () => {
    const file = writeManifest(
      stack,
      'istag.yaml',
      `apiVersion: image.openshift.io/v1
kind: ImageStreamTag
metadata:
  name: app:v2
tag:
  from: {kind: DockerImage, name: quay.io/example/app:v2}
`,
    );
    const created = await k(['-n', 'demo', 'create', '-f', file]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('imagestreamtag.image.openshift.io/app:v2 created\n');
    const again = await k(['-n', 'demo', 'create', '-f', file]);
    expect(again.stderr).toBe(`Error from server (AlreadyExists): error when creating "${file}": imagestreamtag.image.openshift.io "app:v2" already exists\n`);
    // apply reads the istag first: a tag with an image exists, so apply patches it (strategic merge).
    const annotated = writeManifest(
      stack,
      'istag2.yaml',
      'apiVersion: image.openshift.io/v1\nkind: ImageStreamTag\nmetadata:\n  name: app:latest\n  annotations: {owner: web}\ntag:\n  from: {kind: DockerImage, name: quay.io/example/app:latest}\n',
    );
    const applied = await k(['-n', 'demo', 'apply', '-f', annotated]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toBe('imagestreamtag.image.openshift.io/app:latest configured\n');
    const tag = await k(['-n', 'demo', 'get', 'is', 'app', '-o', 'jsonpath={.spec.tags[?(@.name=="latest")].annotations.owner}']);
    expect(tag.stdout).toBe('web');
    // As upstream, a tag without an image reads as not found, so apply tries to create it.
    const imageless = await k(['-n', 'demo', 'apply', '-f', file]);
    expect(imageless.stderr).toContain('imagestreamtag.image.openshift.io "app:v2" already exists');
    const unknown = writeManifest(stack, 'istag3.yaml', readFileSync(file, 'utf8').replace('name: app:v2', 'name: app:v3').replace('tag:\n', 'tag:\n  bogus: 1\n'));
    const strict = await k(['-n', 'demo', 'create', '-f', unknown]);
    expect(strict.stderr).toContain('strict decoding error: unknown field "tag.bogus"');
  });

  it('kubectl apply --server-side of an ImageStreamTag: creates a tag, then changes it with --force-conflicts', async () => {
    const manifest = (from: string) => `apiVersion: image.openshift.io/v1\nkind: ImageStreamTag\nmetadata:\n  name: app:ssa\ntag:\n  from: {kind: DockerImage, name: ${from}}\n`;
    const created = await k(['-n', 'demo', 'apply', '--server-side', '-f', writeManifest(stack, 'ssa.yaml', manifest('quay.io/example/app:ssa'))]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('imagestreamtag.image.openshift.io/app:ssa serverside-applied\n');
    const moved = writeManifest(stack, 'ssa2.yaml', manifest('quay.io/example/app:ssa2'));
    // The view keeps no managedFields, so the tag's current values belong to "before-first-apply".
    expect((await k(['-n', 'demo', 'apply', '--server-side', '-f', moved])).stderr).toContain('conflict with "before-first-apply"');
    expect((await k(['-n', 'demo', 'apply', '--server-side', '--force-conflicts', '-f', moved])).stdout).toBe('imagestreamtag.image.openshift.io/app:ssa serverside-applied\n');
    const from = await k(['-n', 'demo', 'get', 'is', 'app', '-o', 'jsonpath={.spec.tags[?(@.name=="ssa")].from.name}']);
    expect(from.stdout).toBe('quay.io/example/app:ssa2');
    expect((await k(['-n', 'demo', 'delete', 'istag', 'app:ssa'])).code).toBe(0);
  });

  it('kubectl delete istag removes the spec tag and its history; other tags stay', async () => {
    const out = await k(['-n', 'demo', 'delete', 'istag', 'app:v1']);
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('imagestreamtag.image.openshift.io "app:v1" deleted\n');
    const spec = await k(['-n', 'demo', 'get', 'is', 'app', '-o', 'jsonpath={.spec.tags[*].name}']);
    expect(spec.stdout).toBe('latest v2');
    const status = await k(['-n', 'demo', 'get', 'is', 'app', '-o', 'jsonpath={.status.tags[*].tag}']);
    expect(status.stdout.split(' ')).toContain('latest');
    expect(status.stdout.split(' ')).not.toContain('v1');
    expect((await k(['-n', 'demo', 'get', 'istag', 'app:latest'])).code).toBe(0);
    expect((await k(['-n', 'demo', 'get', 'isimage', `app@${D(1)}`])).stderr).toBe(
      `Error from server (NotFound): imagestreamimage.image.openshift.io "app@${D(1)}" not found\n`,
    );
  });

  it('resolves a local name through kubectl create of an ImageStreamLookup', async () => {
    const file = writeManifest(stack, 'lookup.yaml', 'apiVersion: imagestreams.internal/v1\nkind: ImageStreamLookup\nmetadata: {name: q}\nspec: {image: app}\n');
    const out = await k(['-n', 'demo', 'create', '-f', file, '-o', 'jsonpath={.status.image} {.status.reason}']);
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe(`quay.io/example/app@${D(3)} ImageStreamTag`);
  });

  describe('npm run prune', () => {
    beforeAll(async () => {
      const many = Array.from({ length: 6 }, (_, i) => item(100 + i, `2026-02-0${6 - i}T00:00:00Z`));
      const res = await http(stack, 'POST', BASE, { body: JSON.stringify({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'hist' }, spec: {} }) });
      expect(res.status).toBe(201);
      await setHistory('hist', [{ tag: 'v1', items: many }]);
    });

    it('is a dry run by default and changes nothing', async () => {
      const before = await http(stack, 'GET', `${BASE}/hist`);
      const out = await prune(['--keep-younger-than=0s']);
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^Dry run enabled - no modifications will be made\. Add --confirm to remove images\n/);
      expect(out.stdout).toMatch(new RegExp(`^demo/hist\\s+v1\\s+3\\s+${D(103)}$`, 'm'));
      expect(out.stdout).toContain('Summary: deleted 3 image stream tag item(s), updated 1 image stream(s)\n');
      const after = await http(stack, 'GET', `${BASE}/hist`);
      expect(after.json.metadata.resourceVersion).toBe(before.json.metadata.resourceVersion);
    });

    it('with --confirm removes the old revisions', async () => {
      const out = await prune(['--keep-younger-than=0s', '--keep-tag-revisions=2', '--confirm']);
      expect(out.code).toBe(0);
      expect(out.stdout).not.toContain('Dry run');
      const images = await k(['-n', 'demo', 'get', 'is', 'hist', '-o', 'jsonpath={.status.tags[0].items[*].image}']);
      expect(images.stdout).toBe(`${D(100)} ${D(101)}`);
    });
  });
});
