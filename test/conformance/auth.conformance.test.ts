/**
 * Authentication and authorization, black box: the local stack over HTTPS with kubectl 1.32,
 * users added as token-file lines while it runs, RoleBindings created with kubectl, an OIDC
 * issuer whose JWKS is served on 127.0.0.1, and the HTTP streaming watch.
 */
import { appendFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foreignKey, startTestIssuer, type TestIssuer } from '../helpers/oidc-issuer.js';
import { http, makeKubectl, startStackForTest, writeManifest, type StackUnderTest } from '../helpers/local-stack.js';

let stack: StackUnderTest;
let k: ReturnType<typeof makeKubectl>;
let iss: TestIssuer;

const TOKENS = { alice: 'alice-0123456789abcdef', bob: 'bob-0123456789abcdef', dave: 'dave-0123456789abcdef' };
const IS = (ns: string): string => `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreams`;
const STREAM = (name: string): string => JSON.stringify({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name }, spec: {} });
const YAML = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: app
spec:
  tags:
  - name: latest
    from: {kind: DockerImage, name: quay.io/example/app:latest}
`;

const addTokenLine = (line: string): void => appendFileSync(path.join(stack.dir, 'tokens.csv'), `${line}\n`);
const as = (token: string, args: string[], input?: string) => k(['--token', token, ...args], input);

/** Retries until `check` passes: RBAC changes reach other functions within the policy cache time. */
async function eventually(check: () => Promise<void>, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** A streaming GET collected until the server ends it. */
function stream(urlPath: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: stack.port, method: 'GET', path: urlPath, headers: { Authorization: `Bearer ${token}` }, rejectUnauthorized: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  iss = await startTestIssuer('imagestream-api');
  stack = await startStackForTest({
    OIDC_ISSUER_URL: iss.issuer,
    OIDC_CLIENT_ID: 'imagestream-api',
    OIDC_USERNAME_PREFIX: 'oidc:',
    OIDC_GROUPS_CLAIM: 'groups',
  });
  k = makeKubectl(stack, 32);
  // Testers add users without code: token-file lines, picked up by the running stack.
  addTokenLine(`${TOKENS.alice},alice,alice-uid,"developers"`);
  addTokenLine(`${TOKENS.bob},bob,bob-uid`);
  expect((await k(['create', 'rolebinding', 'alice-edit', '--clusterrole=edit', '--user=alice', '-n', 'demo'])).stdout).toBe(
    'rolebinding.rbac.authorization.k8s.io/alice-edit created\n',
  );
  expect((await k(['create', 'rolebinding', 'bob-view', '--clusterrole=view', '--user=bob', '-n', 'demo'])).code).toBe(0);
});
afterAll(async () => {
  await stack?.stop();
  await iss?.close();
});

describe('authentication and authorization (local stack, kubectl)', () => {
  describe('authentication', () => {
    it('answers 401 Unauthorized without a token and with an unknown one', async () => {
      for (const url of [IS('demo'), '/apis', '/openapi/v3', '/apis/rbac.authorization.k8s.io/v1/clusterroles', '/api/v1/namespaces/demo']) {
        const res = await http(stack, 'GET', url, { token: null });
        expect(res.status, url).toBe(401);
        expect(res.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      }
      expect((await http(stack, 'GET', '/version', { token: null })).status).toBe(200);
      const out = await as('wrong-token', ['get', 'is', '-n', 'demo']);
      // kubectl's discovery meets the 401 first.
      expect(out.stderr).toContain('error: You must be logged in to the server (the server has asked for the client to provide credentials)');
      const raw = await as('wrong-token', ['get', '--raw', IS('demo')]);
      expect(raw.stderr).toBe('error: You must be logged in to the server (Unauthorized)\n');
    });

    it('picks up a token-file line added while running', async () => {
      expect((await http(stack, 'GET', '/apis', { token: TOKENS.dave })).status).toBe(401);
      addTokenLine(`${TOKENS.dave},dave,dave-uid`);
      expect((await http(stack, 'GET', '/apis', { token: TOKENS.dave })).status).toBe(200);
    });

    it('tells the user who they are (kubectl auth whoami)', async () => {
      const out = await as(TOKENS.alice, ['auth', 'whoami']);
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^ATTRIBUTE\s+VALUE\nUsername\s+alice\nUID\s+alice-uid\nGroups\s+\[developers system:authenticated\]\n$/);
    });

    describe('OIDC ID tokens (JWKS on 127.0.0.1)', () => {
      it('accepts a valid token with the configured claims and prefixes', async () => {
        const jwt = await iss.sign({ sub: 'carol', groups: ['ops'] });
        const out = await as(jwt, ['auth', 'whoami']);
        expect(out.stdout).toMatch(/Username\s+oidc:carol\nGroups\s+\[ops system:authenticated\]/);
        expect((await http(stack, 'GET', IS('demo'), { token: jwt })).status).toBe(403);
        expect((await k(['create', 'rolebinding', 'ops-view', '--clusterrole=view', '--group=ops', '-n', 'demo'])).code).toBe(0);
        await eventually(async () => expect((await http(stack, 'GET', IS('demo'), { token: jwt })).status).toBe(200));
      });

      it.each([
        ['expired', () => iss.sign({ exp: Math.floor(Date.now() / 1000) - 300 })],
        ['for the wrong audience', () => iss.sign({ aud: 'another-client' })],
        ['forged', async () => iss.sign({}, { key: await foreignKey() })],
        ['from another issuer', () => iss.sign({ iss: 'https://accounts.example.com' })],
      ])('rejects a token %s with 401', async (_name, make) => {
        const res = await http(stack, 'GET', '/apis', { token: await make() });
        expect(res.status).toBe(401);
        expect(res.json.reason).toBe('Unauthorized');
      });
    });
  });

  describe('authorization', () => {
    it('answers kubectl auth can-i per user and namespace', async () => {
      const canI = async (token: string, args: string[]) => {
        const out = await as(token, ['auth', 'can-i', ...args]);
        return `${out.stdout.trim()} ${out.code}`;
      };
      await eventually(async () => expect(await canI(TOKENS.alice, ['create', 'imagestreams', '-n', 'demo'])).toBe('yes 0'));
      expect(await canI(TOKENS.alice, ['create', 'imagestreams', '-n', 'other'])).toBe('no 1');
      expect(await canI(TOKENS.alice, ['update', 'imagestreams', '--subresource=status', '-n', 'demo'])).toBe('no 1');
      expect(await canI(TOKENS.bob, ['create', 'imagestreams', '-n', 'demo'])).toBe('no 1');
      expect(await canI(TOKENS.bob, ['list', 'imagestreams', '-n', 'demo'])).toBe('yes 0');
      expect(await canI(stack.token, ['create', 'clusterrolebindings'])).toBe('yes 0');
      const list = await as(TOKENS.bob, ['auth', 'can-i', '--list', '-n', 'demo']);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n/);
      expect(list.stdout).toMatch(/\nimagestreams\.image\.openshift\.io\s+\[\]\s+\[\]\s+\[get list watch\]\n/);
      expect(list.stdout).not.toMatch(/\nsecrets\s/);
    });

    it('lets edit write, view only read, and others nothing — with the apiserver’s messages', async () => {
      const file = writeManifest(stack, 'app.yaml', YAML);
      await eventually(async () => expect((await as(TOKENS.alice, ['-n', 'demo', 'create', '-f', file])).stdout).toBe('imagestream.image.openshift.io/app created\n'));
      await eventually(async () => expect((await as(TOKENS.bob, ['-n', 'demo', 'get', 'is', 'app', '-o', 'name'])).stdout).toBe('imagestream.image.openshift.io/app\n'));
      const viewWrites = await as(TOKENS.bob, ['-n', 'demo', 'delete', 'is', 'app']);
      expect(viewWrites.stderr).toBe(
        'Error from server (Forbidden): imagestreams.image.openshift.io "app" is forbidden: User "bob" cannot delete resource "imagestreams" in API group "image.openshift.io" in the namespace "demo"\n',
      );
      const otherNs = await as(TOKENS.alice, ['-n', 'other', 'get', 'is', 'x']);
      expect(otherNs.stderr).toBe(
        'Error from server (Forbidden): imagestreams.image.openshift.io "x" is forbidden: User "alice" cannot get resource "imagestreams" in API group "image.openshift.io" in the namespace "other"\n',
      );
      const status = await as(TOKENS.alice, ['-n', 'demo', 'patch', 'is', 'app', '--subresource=status', '--type=merge', '-p', '{"status":{}}']);
      expect(status.stderr).toBe(
        'Error from server (Forbidden): imagestreams.image.openshift.io "app" is forbidden: User "alice" cannot patch resource "imagestreams/status" in API group "image.openshift.io" in the namespace "demo"\n',
      );
      expect((await as(TOKENS.alice, ['-n', 'demo', 'delete', 'is', 'app'])).stdout).toBe('imagestream.image.openshift.io "app" deleted\n');
    });

    it('shows the built-in roles and the bindings through the API', async () => {
      const edit = await k(['get', 'clusterrole', 'edit', '-o', 'yaml']);
      expect(edit.stdout).toContain('rbac.authorization.k8s.io/aggregate-to-edit: "true"');
      expect(edit.stdout).toContain('- imagestreams/layers');
      const bindings = await k(['get', 'rolebindings', '-n', 'demo']);
      expect(bindings.stdout).toMatch(/^NAME\s+ROLE\s+AGE\nalice-edit\s+ClusterRole\/edit\s+\d+s\n/);
      const escalate = await as(TOKENS.alice, ['create', 'rolebinding', 'x', '--clusterrole=admin', '--user=alice', '-n', 'demo']);
      expect(escalate.stderr).toBe(
        'error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io is forbidden: User "alice" cannot create resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "demo"\n',
      );
    });
  });

  describe('watch', () => {
    it('never delivers events of a namespace the watcher may not watch (HTTP streaming)', async () => {
      // Prepare
      const list = await http(stack, 'GET', IS('demo'), { token: TOKENS.alice });
      expect(list.status).toBe(200);
      // Act: alice watches demo; the admin writes to demo and to a namespace she cannot see
      const watching = stream(`${IS('demo')}?watch=true&resourceVersion=${list.json.metadata.resourceVersion}&timeoutSeconds=3`, TOKENS.alice);
      await http(stack, 'POST', IS('private'), { body: STREAM('hidden') });
      await http(stack, 'POST', IS('demo'), { body: STREAM('shown') });
      await http(stack, 'DELETE', `${IS('private')}/hidden`);
      const { status, body } = await watching;
      // Assess
      expect(status).toBe(200);
      const events = body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { namespace: string; name: string } } });
      expect(events.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual(['ADDED demo/shown']);
      expect(body).not.toContain('hidden');
    });

    it('refuses an all-namespaces watch to a user with rights in some namespaces only', async () => {
      const res = await http(stack, 'GET', '/apis/image.openshift.io/v1/imagestreams?watch=true&timeoutSeconds=1', { token: TOKENS.alice });
      expect(res.status).toBe(403);
      expect(res.json.message).toBe('imagestreams.image.openshift.io is forbidden: User "alice" cannot watch resource "imagestreams" in API group "image.openshift.io" at the cluster scope');
      const out = await as(TOKENS.alice, ['get', 'is', '-A', '--watch', '--request-timeout=2s']);
      expect(out.stderr).toContain('cannot list resource "imagestreams" in API group "image.openshift.io" at the cluster scope');
      // A ClusterRoleBinding (stored cluster-scoped) grants it.
      expect((await k(['create', 'clusterrolebinding', 'alice-view', '--clusterrole=view', '--user=alice'])).stdout).toBe(
        'clusterrolebinding.rbac.authorization.k8s.io/alice-view created\n',
      );
      expect((await k(['get', 'clusterrolebinding', 'alice-view', '-o', 'jsonpath={.roleRef.name} {.subjects[0].name}'])).stdout).toBe('view alice');
      await eventually(async () => expect((await http(stack, 'GET', '/apis/image.openshift.io/v1/imagestreams?watch=true&timeoutSeconds=1', { token: TOKENS.alice })).status).toBe(200));
    });
  });
});
