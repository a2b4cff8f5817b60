/**
 * The kubectl conformance script of kube-api-conventions §9, black box against the local
 * stack over HTTPS with kubectl 1.32, plus the version-skew steps with 1.27 and 1.33.
 * Steps run in order and build on each other, as in the script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, makeKubectl, startStackForTest, writeManifest, type StackUnderTest } from '../helpers/local-stack.js';

let stack: StackUnderTest;
let k: ReturnType<typeof makeKubectl>;
const B = '/apis/image.openshift.io/v1/namespaces/demo/imagestreams';

const IS = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: myis
  labels: {app: demo}
spec:
  lookupPolicy: {local: false}
  tags:
  - name: latest
    from: {kind: DockerImage, name: quay.io/example/app:latest}
    referencePolicy: {type: Source}
`;
const IS2 = IS.replace('local: false', 'local: true') + '  - name: v2\n    from: {kind: DockerImage, name: quay.io/example/app:v2}\n';
const named = (name: string, text = IS): string => text.replace('name: myis', `name: ${name}`);

let file: (name: string, text: string) => string;
const kd = (args: string[], input?: string) => k(['-n', 'demo', ...args], input);

beforeAll(async () => {
  // The script checks the API server alone: its generations (1, 2, 3) and resourceVersions
  // assume no controller writes in between, so the stack runs without the image importer.
  stack = await startStackForTest();
  k = makeKubectl(stack, 32);
  file = (name, text) => writeManifest(stack, name, text);
});
afterAll(async () => {
  await stack?.stop();
});

describe('kubectl conformance script (kubectl 1.32)', () => {
  describe('discovery and OpenAPI', () => {
    it('1. version', async () => {
      const out = await k(['version']);
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/Server Version: v1\.32\.\d+/);
    });
    it('2–3. api-resources and api-versions', async () => {
      expect((await k(['api-resources', '--api-group=image.openshift.io'])).stdout).toMatch(
        /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND\nimagestreamimages\s+isimage\s+image\.openshift\.io\/v1\s+true\s+ImageStreamImage\nimagestreams\s+is\s+image\.openshift\.io\/v1\s+true\s+ImageStream\nimagestreamtags\s+istag\s+image\.openshift\.io\/v1\s+true\s+ImageStreamTag\n$/,
      );
      // Other groups are served too (core v1 secrets, RBAC, reviews, this server's operations).
      expect((await k(['api-versions'])).stdout.split('\n')).toContain('image.openshift.io/v1');
    });
    it('4. explain', async () => {
      const out = await k(['explain', 'imagestreams.spec.tags']);
      expect(out.stdout).toContain('KIND:       ImageStream');
      expect(out.stdout).toContain('VERSION:    v1');
      expect(out.stdout).toMatch(/FIELD: tags <\[\]TagReference>/);
      expect((await k(['explain', 'imagestreams.spec.tags.importPolicy'])).stdout).toMatch(/FIELD: importPolicy <TagImportPolicy>/);
    });
    it('5. get on an empty namespace, by every name', async () => {
      for (const r of ['is.image.openshift.io', 'imagestream', 'is']) {
        const out = await kd(['get', r]);
        expect(out.code).toBe(0);
        expect(out.stderr).toBe('No resources found in demo namespace.\n');
      }
    });
  });

  describe('read errors', () => {
    it('6. NotFound names the object', async () => {
      expect((await kd(['get', 'is', 'nope'])).stderr).toBe('Error from server (NotFound): imagestreams.image.openshift.io "nope" not found\n');
    });
    it('7. a wrong token is Unauthorized', async () => {
      expect((await kd(['--token=wrong', 'get', 'is'])).stderr).toContain('error: You must be logged in to the server (Unauthorized)');
    });
  });

  describe('client-side apply, create, replace', () => {
    it('8–9. apply creates, then is unchanged', async () => {
      expect((await kd(['apply', '-f', file('is.yaml', IS)])).stdout).toBe('imagestream.image.openshift.io/myis created\n');
      expect((await kd(['apply', '-f', file('is.yaml', IS)])).stdout).toBe('imagestream.image.openshift.io/myis unchanged\n');
    });
    it('10. server-set metadata', async () => {
      const out = await kd(['get', 'is', 'myis', '-o', 'jsonpath={.metadata.uid} {.metadata.resourceVersion} {.metadata.generation} {.metadata.creationTimestamp}']);
      expect(out.stdout).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} \d+ 1 \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    });
    it('11–12. apply adds a tag (strategic merge) and removes it again', async () => {
      expect((await kd(['apply', '-f', file('is2.yaml', IS2)])).stdout).toBe('imagestream.image.openshift.io/myis configured\n');
      const q = ['get', 'is', 'myis', '-o', 'jsonpath={.spec.tags[*].name} {.spec.lookupPolicy.local} {.metadata.generation}'];
      expect((await kd(q)).stdout).toBe('latest v2 true 2');
      expect((await kd(['apply', '-f', file('is.yaml', IS)])).stdout).toBe('imagestream.image.openshift.io/myis configured\n');
      expect((await kd(q)).stdout).toBe('latest false 3');
    });
    it('13. create of an existing name', async () => {
      const f = file('is.yaml', IS);
      expect((await kd(['create', '-f', f])).stderr).toBe(`Error from server (AlreadyExists): error when creating "${f}": imagestreams.image.openshift.io "myis" already exists\n`);
    });
    it('14–16. replace: stale, current, missing', async () => {
      const stale = file('stale.yaml', IS.replace('  name: myis', '  name: myis\n  resourceVersion: "1"'));
      expect((await kd(['replace', '-f', stale])).stderr).toBe(
        `Error from server (Conflict): error when replacing "${stale}": Operation cannot be fulfilled on imagestreams.image.openshift.io "myis": the object has been modified; please apply your changes to the latest version and try again\n`,
      );
      expect((await kd(['replace', '-f', file('is.yaml', IS)])).stdout).toBe('imagestream.image.openshift.io/myis replaced\n');
      const ghost = file('ghost.yaml', named('ghost'));
      expect((await kd(['replace', '-f', ghost])).stderr).toBe(`Error from server (NotFound): error when replacing "${ghost}": imagestreams.image.openshift.io "ghost" not found\n`);
    });
    it('17. a raw PUT without resourceVersion', async () => {
      const norv = file('norv.json', '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"myis","namespace":"demo"},"spec":{}}');
      const out = await k(['replace', '--raw', `${B}/myis`, '-f', norv]);
      expect(out.code).not.toBe(0);
      expect(out.stderr).toContain('The imagestreams "myis" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    });
    it('18. an invalid name', async () => {
      const out = await kd(['create', '-f', file('bad.yaml', named('Bad_Name'))]);
      expect(out.stderr).toContain('The ImageStream "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"');
    });
  });

  describe('field validation', () => {
    const UNK = named('unk').replace('spec:\n', 'spec:\n  foo: bar\n');
    it('19. strict rejects unknown fields', async () => {
      const f = file('unk.yaml', UNK);
      expect((await kd(['create', '-f', f])).stderr).toBe(
        `Error from server (BadRequest): error when creating "${f}": ImageStream in version "v1" cannot be handled as a ImageStream: strict decoding error: unknown field "spec.foo"\n`,
      );
      expect((await kd(['get', 'is', 'unk'])).code).not.toBe(0);
    });
    it('20–21. warn drops them with a warning; ignore drops them silently', async () => {
      const f = file('unk.yaml', UNK);
      const warn = await kd(['create', '-f', f, '--validate=warn']);
      expect(warn.stderr).toContain('Warning: unknown field "spec.foo"');
      expect(warn.stdout).toBe('imagestream.image.openshift.io/unk created\n');
      expect((await kd(['get', 'is', 'unk', '-o', 'jsonpath={.spec.foo}'])).stdout).toBe('');
      await kd(['delete', 'is', 'unk']);
      const ignore = await kd(['create', '-f', f, '--validate=false']);
      expect(ignore.stderr).toBe('');
      expect(ignore.stdout).toBe('imagestream.image.openshift.io/unk created\n');
    });
    it('22. duplicate fields', async () => {
      const dup = file('dup.json', '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"d1","name":"d2"},"spec":{}}');
      const strict = await k(['create', '--raw', `${B}?fieldValidation=Strict`, '-f', dup]);
      expect(strict.stderr).toContain('ImageStream in version "v1" cannot be handled as a ImageStream: strict decoding error: duplicate field "metadata.name"');
      expect((await k(['create', '--raw', `${B}?fieldValidation=Warn`, '-f', dup])).code).toBe(0);
      expect((await kd(['get', 'is', 'd2', '-o', 'name'])).stdout).toBe('imagestream.image.openshift.io/d2\n');
    });
    it('23. annotations over 256 KiB', async () => {
      const big = 'x'.repeat(100_000);
      const out = await kd(['annotate', 'is', 'myis', `a1=${big}`, `a2=${big}`, `a3=${big}`]);
      expect(out.stderr).toContain('The ImageStream "myis" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes');
    });
  });

  describe('patch, label, edit, status split', () => {
    it('24. merge patch, then the same again changes nothing', async () => {
      const p = ['patch', 'is', 'myis', '--type=merge', '-p', '{"spec":{"lookupPolicy":{"local":true}}}'];
      expect((await kd(p)).stdout).toBe('imagestream.image.openshift.io/myis patched\n');
      const rv = (await kd(['get', 'is', 'myis', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;
      expect((await kd(p)).stdout).toBe('imagestream.image.openshift.io/myis patched (no change)\n');
      expect((await kd(['get', 'is', 'myis', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout).toBe(rv);
    });
    it('25. JSON patch, and a failing test operation', async () => {
      expect((await kd(['patch', 'is', 'myis', '--type=json', '-p', '[{"op":"add","path":"/metadata/labels/j","value":"1"}]'])).stdout).toBe('imagestream.image.openshift.io/myis patched\n');
      expect((await kd(['patch', 'is', 'myis', '--type=json', '-p', '[{"op":"test","path":"/metadata/labels/j","value":"2"}]'])).stderr).toContain(
        'The request is invalid: the server rejected our request due to an error in our request',
      );
    });
    it('26–27. strategic patch merges tags by name; merge patch replaces the list', async () => {
      const names = ['get', 'is', 'myis', '-o', 'jsonpath={.spec.tags[*].name}'];
      await kd(['patch', 'is', 'myis', '-p', '{"spec":{"tags":[{"name":"v3","from":{"kind":"DockerImage","name":"quay.io/example/app:v3"}}]}}']);
      expect((await kd(names)).stdout).toBe('latest v3');
      await kd(['patch', 'is', 'myis', '--type=merge', '-p', '{"spec":{"tags":[{"name":"only","from":{"kind":"DockerImage","name":"quay.io/example/app:only"}}]}}']);
      expect((await kd(names)).stdout).toBe('only');
    });
    it('28–29. the main resource ignores status; /status ignores spec', async () => {
      expect((await kd(['patch', 'is', 'myis', '--type=merge', '-p', '{"status":{"tags":[{"tag":"x","items":[]}]}}'])).stdout).toBe(
        'imagestream.image.openshift.io/myis patched (no change)\n',
      );
      expect((await kd(['patch', 'is', 'myis', '--subresource=status', '--type=merge', '-p', '{"spec":{"tags":[]}}'])).stdout).toBe(
        'imagestream.image.openshift.io/myis patched (no change)\n',
      );
      expect((await kd(['get', 'is', 'myis', '-o', 'jsonpath={.spec.tags[*].name}'])).stdout).toBe('only');
    });
    it('30–31. label and edit', async () => {
      expect((await kd(['label', 'is', 'myis', 'tier=web'])).stdout).toBe('imagestream.image.openshift.io/myis labeled\n');
      const edit = await k(['-n', 'demo', 'edit', 'is', 'myis'], undefined, { KUBE_EDITOR: "sed -i 's/tier: web/tier: db/'" });
      expect(edit.stdout).toBe('imagestream.image.openshift.io/myis edited\n');
      expect((await kd(['get', 'is', 'myis', '-o', 'jsonpath={.metadata.labels.tier}'])).stdout).toBe('db');
    });
    it('32. diff persists nothing', async () => {
      const rv = (await kd(['get', 'is', 'myis', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;
      const out = await kd(['diff', '-f', file('is2.yaml', IS2)]);
      expect(out.code).toBe(1);
      expect(out.stdout).toContain('+    name: v2');
      expect((await kd(['get', 'is', 'myis', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout).toBe(rv);
    });
  });

  describe('server-side apply', () => {
    // A stream created by client-side apply, so kubectl also runs its managedFields migration.
    const SSA = named('ssa');
    it('33. apply --server-side takes over a client-side applied object', async () => {
      await kd(['apply', '-f', file('ssa.yaml', SSA)]);
      expect((await kd(['apply', '--server-side', '-f', file('ssa.yaml', SSA)])).stdout).toBe('imagestream.image.openshift.io/ssa serverside-applied\n');
      const mf = JSON.parse((await kd(['get', 'is', 'ssa', '-o', 'json', '--show-managed-fields'])).stdout).metadata.managedFields as { manager: string; operation: string }[];
      expect(mf.find((m) => m.manager === 'kubectl')?.operation).toBe('Apply');
    });
    it('34–35. a field owned by another manager conflicts until forced', async () => {
      await kd(['label', 'is', 'ssa', 'app=other', '--overwrite']);
      const out = await kd(['apply', '--server-side', '-f', file('ssa.yaml', SSA)]);
      expect(out.code).toBe(1);
      expect(out.stderr.split('\n')[0]).toBe('error: Apply failed with 1 conflict: conflict with "kubectl-label" using image.openshift.io/v1: .metadata.labels.app');
      expect((await kd(['apply', '--server-side', '--force-conflicts', '-f', file('ssa.yaml', SSA)])).stdout).toBe('imagestream.image.openshift.io/ssa serverside-applied\n');
      expect((await kd(['get', 'is', 'ssa', '-o', 'jsonpath={.metadata.labels.app}'])).stdout).toBe('demo');
    });
    it('36. a field dropped from the manifest is removed', async () => {
      await kd(['apply', '--server-side', '-f', file('ssa-nolabels.yaml', SSA.replace('  labels: {app: demo}\n', ''))]);
      expect((await kd(['get', 'is', 'ssa', '-o', 'jsonpath={.metadata.labels}'])).stdout).toBe('');
    });
    it('37. apply --server-side creates', async () => {
      expect((await kd(['apply', '--server-side', '-f', file('ghost.yaml', named('ghost'))])).stdout).toBe('imagestream.image.openshift.io/ghost serverside-applied\n');
      expect((await kd(['get', 'is', 'ghost', '-o', 'name'])).stdout).toBe('imagestream.image.openshift.io/ghost\n');
    });
  });

  describe('dry run', () => {
    it('38. create --dry-run=server', async () => {
      expect((await kd(['create', '-f', '-', '--dry-run=server'], named('dry'))).stdout).toBe('imagestream.image.openshift.io/dry created (server dry run)\n');
      expect((await kd(['get', 'is', 'dry'])).code).not.toBe(0);
    });
    it('39. delete --dry-run=server', async () => {
      expect((await kd(['delete', 'is', 'myis', '--dry-run=server'])).stdout).toBe('imagestream.image.openshift.io "myis" deleted (server dry run)\n');
      expect((await kd(['get', 'is', 'myis', '-o', 'name'])).stdout).toBe('imagestream.image.openshift.io/myis\n');
    });
    it('40. apply --dry-run=server', async () => {
      const rv = (await kd(['get', 'is', 'myis', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout;
      expect((await kd(['apply', '-f', file('is2.yaml', IS2), '--dry-run=server'])).stdout).toBe('imagestream.image.openshift.io/myis configured (server dry run)\n');
      expect((await kd(['get', 'is', 'myis', '-o', 'jsonpath={.metadata.resourceVersion}'])).stdout).toBe(rv);
    });
  });

  describe('list, selectors, paging', () => {
    it('41–42. paging with --chunk-size=1 visits every object in order, at one resourceVersion', async () => {
      for (const n of ['a', 'b', 'c']) await kd(['apply', '-f', '-'], named(`page-${n}`));
      const out = await kd(['get', 'is', '--chunk-size=1', '-o', 'name']);
      expect(out.stdout.trim().split('\n')).toEqual(
        ['d2', 'ghost', 'myis', 'page-a', 'page-b', 'page-c', 'ssa', 'unk'].map((n) => `imagestream.image.openshift.io/${n}`),
      );
      const p1 = await http(stack, 'GET', `${B}?limit=1`);
      const p2 = await http(stack, 'GET', `${B}?limit=1&continue=${encodeURIComponent(p1.json.metadata.continue)}`);
      expect(p2.json.metadata.resourceVersion).toBe(p1.json.metadata.resourceVersion);
    });
    it('43. label and field selectors', async () => {
      expect((await kd(['get', 'is', '-l', 'app=demo', '-o', 'name'])).stdout).toContain('imagestream.image.openshift.io/page-a');
      expect((await kd(['get', 'is', '-l', 'app in (demo,x),!missing', '-o', 'name'])).stdout).toContain('page-b');
      expect((await kd(['get', 'is', '--field-selector', 'metadata.name=page-a', '-o', 'name'])).stdout).toBe('imagestream.image.openshift.io/page-a\n');
    });
    it('44. an unknown field selector', async () => {
      expect((await kd(['get', 'is', '--field-selector', 'spec.foo=bar'])).stderr).toContain('"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"');
    });
    it('45–47. all namespaces, labels, sort, wide', async () => {
      expect((await k(['get', 'is', '-A'])).stdout).toMatch(/^NAMESPACE\s+NAME\s+IMAGE REPOSITORY\s+TAGS\s+UPDATED\n(demo\s+\S+.*\n)+$/);
      expect((await kd(['get', 'is', '--show-labels'])).stdout).toMatch(/LABELS/);
      expect((await kd(['get', 'is', '-L', 'app'])).stdout).toMatch(/APP\n/);
      const sorted = await kd(['get', 'is', '--sort-by=.metadata.name', '-o', 'name']);
      expect(sorted.stdout.trim().split('\n')[0]).toBe('imagestream.image.openshift.io/d2');
      expect((await kd(['get', 'is', '-o', 'wide'])).stdout.split('\n')[0]).toMatch(/^NAME\s+IMAGE REPOSITORY\s+TAGS\s+UPDATED$/);
    });
  });

  describe('watch', () => {
    it('48. get -w shows the initial objects and later changes', async () => {
      const watching = kd(['get', 'is', '-w', '--output-watch-events', '--request-timeout=6s']);
      await new Promise((r) => setTimeout(r, 2000));
      await kd(['label', 'is', 'page-a', 'w=1']);
      await kd(['delete', 'is', 'page-b']);
      const out = await watching;
      const lines = out.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^EVENT\s+NAME\s+IMAGE REPOSITORY\s+TAGS\s+UPDATED$/);
      expect(lines).toContainEqual(expect.stringMatching(/^ADDED\s+page-b\s/));
      expect(lines).toContainEqual(expect.stringMatching(/^MODIFIED\s+page-a\s/));
      expect(lines).toContainEqual(expect.stringMatching(/^DELETED\s+page-b(\s|$)/));
    });
    it('49–50. raw streams: initial events, the initial-events-end bookmark', async () => {
      const plain = await http(stack, 'GET', `${B}?watch=true&timeoutSeconds=1`);
      expect(plain.headers['content-type']).toBe('application/json');
      expect(plain.headers['transfer-encoding']).toBe('chunked');
      const events = plain.body.trim().split('\n').map((l) => JSON.parse(l));
      expect(events.every((e) => e.type === 'ADDED' && e.object.kind === 'ImageStream')).toBe(true);
      const withBookmark = await http(stack, 'GET', `${B}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`);
      const bookmarks = withBookmark.body.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'BOOKMARK');
      expect(bookmarks[0].object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    });
    it('51. sendInitialEvents without NotOlderThan', async () => {
      const res = await http(stack, 'GET', `${B}?watch=true&sendInitialEvents=true&timeoutSeconds=1`);
      expect(res.status).toBe(422);
      expect(res.json.message).toBe('ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    });
    it('53. a single-object watch from a resourceVersion sees exactly its change', async () => {
      const rv = (await http(stack, 'GET', B)).json.metadata.resourceVersion;
      const watching = http(stack, 'GET', `${B}?watch=true&fieldSelector=metadata.name%3Dpage-a&resourceVersion=${rv}&timeoutSeconds=2`);
      await new Promise((r) => setTimeout(r, 300));
      await kd(['label', 'is', 'page-a', 'w=2', '--overwrite']);
      await kd(['label', 'is', 'page-c', 'w=2', '--overwrite']);
      const lines = (await watching).body.trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['MODIFIED page-a']);
    });
  });

  describe('tables over raw HTTP', () => {
    it('54–55. Table, includeObject, Accept negotiation', async () => {
      const t = await http(stack, 'GET', B, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
      expect(t.json.kind).toBe('Table');
      expect(t.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Image Repository', 'Tags', 'Updated']);
      expect(t.json.rows[0].object.kind).toBe('PartialObjectMetadata');
      expect((await http(stack, 'GET', `${B}?includeObject=None`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).json.rows[0].object).toBeUndefined();
      expect((await http(stack, 'GET', `${B}?includeObject=Bogus`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } })).status).toBe(400);
      expect((await http(stack, 'GET', B, { headers: { Accept: 'text/html' } })).status).toBe(406);
      expect((await http(stack, 'GET', B, { headers: { Accept: '*/*' } })).json.kind).toBe('ImageStreamList');
    });
  });

  describe('delete', () => {
    it('56. delete answers the Success Status', async () => {
      expect((await kd(['delete', 'is', 'page-a'])).stdout).toBe('imagestream.image.openshift.io "page-a" deleted\n');
    });
    it('57. finalizers hold a deletion until removed', async () => {
      await kd(['patch', 'is', 'page-c', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
      expect((await kd(['delete', 'is', 'page-c', '--wait=false'])).stdout).toBe('imagestream.image.openshift.io "page-c" deleted\n');
      expect((await kd(['get', 'is', 'page-c', '-o', 'jsonpath={.metadata.deletionTimestamp}'])).stdout).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      const add = await kd(['patch', 'is', 'page-c', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold","example.com/x"]}}']);
      expect(add.stderr).toContain(
        'The ImageStream "page-c" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}',
      );
      expect((await kd(['patch', 'is', 'page-c', '--type=merge', '-p', '{"metadata":{"finalizers":null}}'])).stdout).toBe('imagestream.image.openshift.io/page-c patched\n');
      expect((await kd(['get', 'is', 'page-c'])).code).not.toBe(0);
    });
    it('58. a uid precondition mismatch', async () => {
      const uid = (await kd(['get', 'is', 'myis', '-o', 'jsonpath={.metadata.uid}'])).stdout;
      const res = await http(stack, 'DELETE', `${B}/myis`, { body: '{"preconditions":{"uid":"00000000-0000-4000-8000-000000000000"}}' });
      expect(res.status).toBe(409);
      expect(res.json.message).toBe(
        `Operation cannot be fulfilled on ImageStream.image.openshift.io "myis": the UID in the precondition (00000000-0000-4000-8000-000000000000) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
      );
    });
    it('59. NotFound and --ignore-not-found', async () => {
      expect((await kd(['delete', 'is', 'nope'])).stderr).toBe('Error from server (NotFound): imagestreams.image.openshift.io "nope" not found\n');
      const ignored = await kd(['delete', 'is', 'nope', '--ignore-not-found']);
      expect(ignored.code).toBe(0);
      expect(ignored.stdout).toBe('');
    });
    it('60. wait --for=delete returns when the object goes', async () => {
      const waiting = kd(['wait', '--for=delete', 'is/ghost', '--timeout=10s']);
      await new Promise((r) => setTimeout(r, 500));
      await kd(['delete', 'is', 'ghost', '--wait=false']);
      expect((await waiting).code).toBe(0);
    });
    it('61–62. delete collection by label, then delete --all', async () => {
      const res = await http(stack, 'DELETE', `${B}?labelSelector=app%3Ddemo`);
      expect(res.json.kind).toBe('ImageStreamList');
      expect((await kd(['get', 'is', '-l', 'app=demo'])).stderr).toBe('No resources found in demo namespace.\n');
      const all = await kd(['delete', 'is', '--all']);
      expect(all.stdout).toMatch(/deleted\n$/);
      expect((await kd(['get', 'is'])).stderr).toBe('No resources found in demo namespace.\n');
    });
  });
});

describe.each([27, 33])('version skew (kubectl 1.%i)', (minor) => {
  it('discovers, applies (create and update) and reads', async () => {
    const kk = makeKubectl(stack, minor);
    expect((await kk(['api-resources', '--api-group=image.openshift.io'])).stdout).toMatch(/imagestreams\s+is\s+image\.openshift\.io\/v1\s+true\s+ImageStream/);
    const name = `skew${minor}`;
    expect((await kk(['-n', 'skew', 'apply', '-f', '-'], named(name))).stdout).toBe(`imagestream.image.openshift.io/${name} created\n`);
    expect((await kk(['-n', 'skew', 'apply', '-f', '-'], named(name, IS2))).stdout).toBe(`imagestream.image.openshift.io/${name} configured\n`);
    expect((await kk(['-n', 'skew', 'get', 'is', name, '-o', 'jsonpath={.spec.tags[*].name} {.metadata.generation}'])).stdout).toBe('latest v2 2');
  });
});
