/**
 * The security suite, in process (production authenticator and RBAC authorizer over memory
 * stores): every route of the table without a token (401), with a token for another
 * namespace (403 with the apiserver's exact text), `view` trying to write (403), `edit`
 * succeeding, the status subresource needing its own permission, escalation prevention,
 * the reviews, cross-namespace tag references and the watch leak test.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { routes, type Route } from '../../../shared/api/routes.js';
import { bodyText } from '../../../shared/api/http.js';
import { authApp, bind, IS, RBAC, roleBinding, stream, TOKENS, user } from '../../helpers/auth-app.js';

/** A concrete request for a route row: `{namespace}` → ns, `{name}` → x. */
function requestFor(route: Route, ns: string): { method: string; url: string } {
  const url = route.path.replace('{namespace}', ns).replace('{name}', 'x');
  return { method: route.method, url };
}

const resourceRows = routes.filter((r): r is Extract<Route, { kind: 'resource' }> => r.kind === 'resource');
const namespacedRows = resourceRows.filter((r) => r.scope === 'namespace');
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** The 403 message the apiserver gives for a row. */
function forbiddenMessage(route: Extract<Route, { kind: 'resource' }>, who: string, ns: string): string {
  const gr = route.group === '' ? route.resource : `${route.resource}.${route.group}`;
  const named = route.path.endsWith('{name}') || route.path.endsWith('{name}/status');
  const subject = named ? `${gr} "x"` : gr;
  const resource = route.subresource ? `${route.resource}/${route.subresource}` : route.resource;
  const where = route.scope === 'namespace' ? `in the namespace "${ns}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${who}" cannot ${route.verb} resource "${resource}" in API group "${route.group}" ${where}`;
}

const SELF_REVIEWS = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectreviews']);

describe('authentication and authorization (in process)', () => {
  describe('without a token', () => {
    it.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s answers 401 Unauthorized (except /version)', async (_name, route) => {
      // Prepare
      const t = authApp();
      const { method, url } = requestFor(route, 'demo');
      // Act
      const res = await t.call(method, url, { token: null, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
      // Assess
      if (route.kind === 'non-resource' && route.endpoint === 'version') {
        expect(res.status).toBe(200);
        return;
      }
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    });

    it('answers 401 to an unknown, empty or malformed bearer token without echoing it', async () => {
      const t = authApp();
      for (const authorization of ['Bearer not-a-known-token', 'Bearer ', 'Basic YWxpY2U6cHc=']) {
        const res = await t.call('GET', IS('demo'), { token: null, headers: { authorization } });
        expect(res.status).toBe(401);
        expect(res.text).not.toContain('not-a-known-token');
      }
    });

    it('accepts the token as a WebSocket subprotocol on upgrade requests', async () => {
      const t = authApp();
      const protocol = `base64url.bearer.authorization.k8s.io.${Buffer.from(TOKENS.admin).toString('base64url')}, base64.binary.k8s.io`;
      const res = await t.call('GET', IS('demo'), { token: null, headers: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-protocol': protocol } });
      expect(res.status).toBe(200);
    });
  });

  describe('with a token for another namespace', () => {
    it.each(namespacedRows.map((r) => [`${r.method} ${r.path}`, r] as const))('%s answers 403 with the apiserver’s message', async (_name, route) => {
      // Prepare: alice is an admin of "other" only
      const t = authApp();
      await bind(t, 'other', 'alice', 'admin');
      const { method, url } = requestFor(route, 'demo');
      // Act
      const res = await t.call(method, url, { token: TOKENS.alice, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
      // Assess
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: forbiddenMessage(route, 'alice', 'demo') });
      expect(res.json.details).toEqual({ group: route.group, kind: route.resource, ...(res.json.details.name ? { name: 'x' } : {}) });
    });

    it.each(resourceRows.filter((r) => r.scope === 'cluster' && !SELF_REVIEWS.has(r.resource)).map((r) => [`${r.method} ${r.path}`, r] as const))(
      '%s (cluster scope) answers 403',
      async (_name, route) => {
        const t = authApp();
        await bind(t, 'other', 'alice', 'admin');
        const { method, url } = requestFor(route, 'demo');
        const res = await t.call(method, url, { token: TOKENS.alice, body: method === 'GET' || method === 'DELETE' ? undefined : {} });
        expect(res.status).toBe(403);
        expect(res.json.message).toBe(forbiddenMessage(route, 'alice', ''));
      },
    );

    it('answers the namespace probe with 403 there and 200 in her own namespace', async () => {
      const t = authApp();
      await bind(t, 'other', 'alice', 'view');
      const denied = await t.call('GET', '/api/v1/namespaces/demo', { token: TOKENS.alice });
      expect(denied.status).toBe(403);
      expect(denied.json.message).toBe('namespaces "demo" is forbidden: User "alice" cannot get resource "namespaces" in API group "" in the namespace "demo"');
      expect((await t.call('GET', '/api/v1/namespaces/other', { token: TOKENS.alice })).status).toBe(200);
      // Any RoleBinding there counts as rights, even one whose role does not cover namespaces.
      const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader' }, rules: [{ verbs: ['get'], apiGroups: ['image.openshift.io'], resources: ['imagestreams'] }] };
      await t.call('POST', `${RBAC}/namespaces/third/roles`, { body: role });
      await bind(t, 'third', 'alice', 'reader', 'Role');
      expect((await t.call('GET', '/api/v1/namespaces/third', { token: TOKENS.alice })).status).toBe(200);
    });

    it('still serves discovery and OpenAPI to any authenticated user', async () => {
      const t = authApp();
      for (const url of ['/api', '/apis', '/apis/image.openshift.io/v1', '/openapi/v3', '/version']) {
        expect((await t.call('GET', url, { token: TOKENS.bob })).status, url).toBe(200);
      }
    });
  });

  describe('with view', () => {
    it.each(namespacedRows.filter((r) => r.group === 'image.openshift.io' && WRITE_VERBS.has(r.verb)).map((r) => [`${r.method} ${r.path}`, r] as const))(
      '%s answers 403',
      async (_name, route) => {
        const t = authApp();
        await bind(t, 'demo', 'alice', 'view');
        const { method, url } = requestFor(route, 'demo');
        const res = await t.call(method, url, { token: TOKENS.alice, body: method === 'DELETE' ? undefined : {} });
        expect(res.status).toBe(403);
        expect(res.json.message).toBe(forbiddenMessage(route, 'alice', 'demo'));
      },
    );

    it('reads streams and their status but not secrets', async () => {
      const t = authApp();
      await t.call('POST', IS('demo'), { body: stream('app') });
      await bind(t, 'demo', 'alice', 'view');
      expect((await t.call('GET', `${IS('demo')}/app`, { token: TOKENS.alice })).status).toBe(200);
      expect((await t.call('GET', `${IS('demo')}/app/status`, { token: TOKENS.alice })).status).toBe(200);
      expect((await t.call('GET', IS('demo'), { token: TOKENS.alice })).status).toBe(200);
      expect((await t.call('GET', '/api/v1/namespaces/demo/secrets', { token: TOKENS.alice })).status).toBe(403);
    });
  });

  describe('with edit', () => {
    it('creates, reads, lists, replaces, patches and deletes streams and secrets', async () => {
      // Prepare
      const t = authApp();
      await bind(t, 'demo', 'alice', 'edit');
      const as = { token: TOKENS.alice };
      // Act + Assess
      const created = await t.call('POST', IS('demo'), { ...as, body: stream('app') });
      expect(created.status).toBe(201);
      expect((await t.call('GET', `${IS('demo')}/app`, as)).status).toBe(200);
      expect((await t.call('GET', `${IS('demo')}?fieldSelector=metadata.name%3Dapp`, as)).status).toBe(200);
      const put = await t.call('PUT', `${IS('demo')}/app`, { ...as, body: { ...created.json, spec: { tags: [] } } });
      expect(put.status).toBe(200);
      const patched = await t.call('PATCH', `${IS('demo')}/app`, { ...as, body: { metadata: { labels: { a: 'b' } } }, headers: { 'content-type': 'application/merge-patch+json' } });
      expect(patched.status).toBe(200);
      expect((await t.call('DELETE', `${IS('demo')}/app`, as)).status).toBe(200);
      expect((await t.call('DELETE', IS('demo'), as)).status).toBe(200);
      const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pull' }, type: 'Opaque', stringData: { password: 'hunter2' } };
      expect((await t.call('POST', '/api/v1/namespaces/demo/secrets', { ...as, body: secret })).status).toBe(201);
      expect((await t.call('GET', '/api/v1/namespaces/demo/secrets/pull', as)).status).toBe(200);
    });

    it('cannot write imagestreams/status: that needs its own permission', async () => {
      // Prepare
      const t = authApp();
      await t.call('POST', IS('demo'), { body: stream('app') });
      await bind(t, 'demo', 'alice', 'edit');
      const statusUrl = `${IS('demo')}/app/status`;
      const current = (await t.call('GET', statusUrl, { token: TOKENS.alice })).json;
      // Act
      const denied = await t.call('PUT', statusUrl, { token: TOKENS.alice, body: current });
      const deniedPatch = await t.call('PATCH', statusUrl, { token: TOKENS.alice, body: {}, headers: { 'content-type': 'application/merge-patch+json' } });
      // Assess
      expect(denied.status).toBe(403);
      expect(denied.json.message).toBe(
        'imagestreams.image.openshift.io "app" is forbidden: User "alice" cannot update resource "imagestreams/status" in API group "image.openshift.io" in the namespace "demo"',
      );
      expect(deniedPatch.status).toBe(403);
      // A Role granting the status subresource makes it work.
      const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'status-writer' }, rules: [{ verbs: ['update', 'patch'], apiGroups: ['image.openshift.io'], resources: ['imagestreams/status'] }] };
      expect((await t.call('POST', `${RBAC}/namespaces/demo/roles`, { body: role })).status).toBe(201);
      await bind(t, 'demo', 'alice', 'status-writer', 'Role');
      expect((await t.call('PUT', statusUrl, { token: TOKENS.alice, body: current })).status).toBe(200);
    });

    it('cannot manage RBAC (admin can)', async () => {
      const t = authApp();
      await bind(t, 'demo', 'alice', 'edit');
      const res = await t.call('POST', `${RBAC}/namespaces/demo/rolebindings`, { token: TOKENS.alice, body: roleBinding('b', 'view', [user('bob')]) });
      expect(res.status).toBe(403);
      expect(res.json.message).toBe('rolebindings.rbac.authorization.k8s.io is forbidden: User "alice" cannot create resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "demo"');
    });
  });

  describe('RBAC objects', () => {
    it('take effect at once in the process that wrote them', async () => {
      const t = authApp();
      expect((await t.call('GET', IS('demo'), { token: TOKENS.bob })).status).toBe(403);
      await bind(t, 'demo', 'bob', 'view');
      expect((await t.call('GET', IS('demo'), { token: TOKENS.bob })).status).toBe(200);
      expect((await t.call('DELETE', `${RBAC}/namespaces/demo/rolebindings/bob-view`)).status).toBe(200);
      expect((await t.call('GET', IS('demo'), { token: TOKENS.bob })).status).toBe(403);
    });

    it('apply to groups and service accounts', async () => {
      const t = authApp();
      await t.call('POST', `${RBAC}/namespaces/demo/rolebindings`, { body: roleBinding('devs', 'view', [{ kind: 'Group', name: 'developers' }]) });
      await t.call('POST', `${RBAC}/namespaces/demo/rolebindings`, { body: roleBinding('robot', 'edit', [{ kind: 'ServiceAccount', name: 'robot' }]) });
      expect((await t.call('GET', IS('demo'), { token: TOKENS.alice })).status).toBe(200);
      expect((await t.call('POST', IS('demo'), { token: TOKENS.robot, body: stream('bot') })).status).toBe(201);
    });

    it('serve the built-in cluster roles read-only', async () => {
      const t = authApp();
      const edit = await t.call('GET', `${RBAC}/clusterroles/edit`);
      expect(edit.status).toBe(200);
      expect(edit.json.aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } }] });
      const names = (await t.call('GET', `${RBAC}/clusterroles`)).json.items.map((r: { metadata: { name: string } }) => r.metadata.name);
      expect(names).toEqual(expect.arrayContaining(['admin', 'cluster-admin', 'edit', 'view', 'system:discovery']));
      expect((await t.call('DELETE', `${RBAC}/clusterroles/edit`)).status).toBe(403);
      expect((await t.call('POST', `${RBAC}/clusterroles`, { body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'view' } } })).status).toBe(409);
      expect((await t.call('GET', `${RBAC}/clusterrolebindings/cluster-admin`)).json.subjects).toEqual([{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:masters' }]);
    });

    it('validate like upstream', async () => {
      const t = authApp();
      const res = await t.call('POST', `${RBAC}/namespaces/demo/rolebindings`, { body: roleBinding('bad', 'view', [{ kind: 'Robot', name: 'x' }]) });
      expect(res.status).toBe(422);
      expect(res.json.message).toBe('RoleBinding.rbac.authorization.k8s.io "bad" is invalid: subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"');
      const created = await t.call('POST', `${RBAC}/namespaces/demo/rolebindings`, { body: roleBinding('ok', 'view', [user('bob')]) });
      const changed = await t.call('PUT', `${RBAC}/namespaces/demo/rolebindings/ok`, { body: { ...created.json, roleRef: { ...created.json.roleRef, name: 'edit' } } });
      expect(changed.status).toBe(422);
      expect(changed.json.message).toContain('roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef');
    });
  });

  describe('escalation prevention', () => {
    it('lets a namespace admin bind roles they hold, and refuses roles they do not hold', async () => {
      // Prepare
      const t = authApp();
      await bind(t, 'demo', 'alice', 'admin');
      // Act
      const ok = await t.call('POST', `${RBAC}/namespaces/demo/rolebindings`, { token: TOKENS.alice, body: roleBinding('bob-edit', 'edit', [user('bob')]) });
      const escalating = await t.call('POST', `${RBAC}/namespaces/demo/rolebindings`, { token: TOKENS.alice, body: roleBinding('bob-root', 'cluster-admin', [user('bob')]) });
      // Assess
      expect(ok.status).toBe(201);
      expect(escalating.status).toBe(403);
      expect(escalating.json.message).toBe(
        'rolebindings.rbac.authorization.k8s.io "bob-root" is forbidden: user "alice" (groups=["developers" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
          '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
      );
      expect((await t.call('GET', IS('demo'), { token: TOKENS.bob })).status).toBe(200);
    });

    it('answers 404 for a binding to a missing role, and allows it with the bind verb', async () => {
      const t = authApp();
      await bind(t, 'demo', 'alice', 'admin');
      const missing = await t.call('POST', `${RBAC}/namespaces/demo/rolebindings`, { token: TOKENS.alice, body: roleBinding('x', 'nope', [user('bob')]) });
      expect(missing.status).toBe(404);
      expect(missing.json.message).toBe('clusterrole.rbac.authorization.k8s.io "nope" not found');
      // `bind` on cluster-admin (by name) lets carol bind it without holding it.
      const binder = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'binder' }, rules: [{ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['cluster-admin'] }, { verbs: ['create'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'] }] };
      expect((await t.call('POST', `${RBAC}/clusterroles`, { body: binder })).status).toBe(201);
      await bind(t, 'demo', 'carol', 'binder');
      expect((await t.call('POST', `${RBAC}/namespaces/demo/rolebindings`, { token: TOKENS.carol, body: roleBinding('bob-root', 'cluster-admin', [user('bob')]) })).status).toBe(201);
    });

    it('refuses a Role with permissions the writer does not hold, unless they may escalate', async () => {
      const t = authApp();
      await bind(t, 'demo', 'alice', 'admin');
      const role = (name: string, rules: unknown[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules });
      expect((await t.call('POST', `${RBAC}/namespaces/demo/roles`, { token: TOKENS.alice, body: role('reader', [{ verbs: ['get'], apiGroups: ['image.openshift.io'], resources: ['imagestreams'] }]) })).status).toBe(201);
      const res = await t.call('POST', `${RBAC}/namespaces/demo/roles`, { token: TOKENS.alice, body: role('status', [{ verbs: ['update'], apiGroups: ['image.openshift.io'], resources: ['imagestreams/status'] }]) });
      expect(res.status).toBe(403);
      expect(res.json.message).toContain('is attempting to grant RBAC permissions not currently held:\n{APIGroups:["image.openshift.io"], Resources:["imagestreams/status"], Verbs:["update"]}');
    });

    it('requires cluster-admin authority for an aggregation rule', async () => {
      const t = authApp();
      const writer = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'role-writer' }, rules: [{ verbs: ['create'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'] }] };
      await t.call('POST', `${RBAC}/clusterroles`, { body: writer });
      await t.call('POST', `${RBAC}/clusterrolebindings`, { body: { ...roleBinding('bob-writer', 'role-writer', [user('bob')]), kind: 'ClusterRoleBinding' } });
      const res = await t.call('POST', `${RBAC}/clusterroles`, {
        token: TOKENS.bob,
        body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } },
      });
      expect(res.status).toBe(403);
      expect(res.json.message).toBe('clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule');
    });
  });

  describe('reviews', () => {
    const ssar = (verb: string, ns: string, resource = 'imagestreams', subresource?: string) => ({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: ns, verb, group: 'image.openshift.io', resource, ...(subresource ? { subresource } : {}) } },
      status: { allowed: false },
    });
    const SSAR = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

    it('answers can-i for the caller (SelfSubjectAccessReview)', async () => {
      const t = authApp();
      await bind(t, 'demo', 'alice', 'edit');
      const yes = await t.call('POST', SSAR, { token: TOKENS.alice, body: ssar('create', 'demo') });
      expect(yes.status).toBe(201);
      expect(yes.json.status).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "alice-edit/demo" of ClusterRole "edit" to User "alice"' });
      expect((await t.call('POST', SSAR, { token: TOKENS.alice, body: ssar('create', 'other') })).json.status).toEqual({ allowed: false });
      expect((await t.call('POST', SSAR, { token: TOKENS.alice, body: ssar('update', 'demo', 'imagestreams', 'status') })).json.status.allowed).toBe(false);
      const bad = await t.call('POST', SSAR, { token: TOKENS.alice, body: { ...ssar('get', 'demo'), spec: {} } });
      expect(bad.status).toBe(422);
      expect(bad.json.message).toBe('SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified');
    });

    it('lists the caller’s rules (SelfSubjectRulesReview) and says who they are (SelfSubjectReview)', async () => {
      const t = authApp();
      await bind(t, 'demo', 'alice', 'view');
      const rules = await t.call('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
        token: TOKENS.alice,
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'demo' } },
      });
      expect(rules.status).toBe(201);
      expect(rules.json.status.resourceRules).toContainEqual({ verbs: ['get', 'list', 'watch'], apiGroups: ['image.openshift.io'], resources: expect.arrayContaining(['imagestreams']) });
      expect(rules.json.status.incomplete).toBe(false);
      const who = await t.call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        token: TOKENS.alice,
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: { creationTimestamp: null }, status: { userInfo: {} } },
      });
      expect(who.status).toBe(201);
      expect(who.json).toEqual({
        kind: 'SelfSubjectReview',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { creationTimestamp: null },
        status: { userInfo: { username: 'alice', uid: 'alice-uid', groups: ['developers', 'system:authenticated'] } },
      });
    });

    it('lets only privileged users review others (SubjectAccessReview)', async () => {
      const t = authApp();
      await bind(t, 'demo', 'alice', 'edit');
      const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'alice', groups: [], resourceAttributes: { namespace: 'demo', verb: 'get', group: 'image.openshift.io', resource: 'imagestreams', subresource: 'layers', name: 'app' } } };
      const res = await t.call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body });
      expect(res.status).toBe(201);
      expect(res.json.status.allowed).toBe(true);
      expect((await t.call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { token: TOKENS.alice, body })).status).toBe(403);
    });
  });

  describe('cross-namespace tag references', () => {
    it('need get imagestreams/layers in the source namespace', async () => {
      // Prepare: a source stream in "base"; alice edits "demo" only
      const t = authApp();
      await t.call('POST', IS('base'), { body: stream('golden') });
      await bind(t, 'demo', 'alice', 'edit');
      const tagged = stream('app', { spec: { tags: [{ name: 'latest', from: { kind: 'ImageStreamTag', namespace: 'base', name: 'golden:latest' } }] } });
      // Act
      const denied = await t.call('POST', IS('demo'), { token: TOKENS.alice, body: tagged });
      // Assess
      expect(denied.status).toBe(422);
      expect(JSON.stringify(denied.json)).toContain('spec.tags[latest].from: Forbidden: base/golden: \\"\\" \\"\\"');
      await bind(t, 'base', 'alice', 'system:image-puller');
      expect((await t.call('POST', IS('demo'), { token: TOKENS.alice, body: tagged })).status).toBe(201);
    });
  });

  describe('watch', () => {
    it('delivers only events of the namespace the watcher may watch (HTTP streaming)', async () => {
      // Prepare
      const t = authApp();
      await bind(t, 'team-a', 'alice', 'view');
      const list = await t.call('GET', IS('team-a'), { token: TOKENS.alice });
      // Act: alice watches team-a while the admin writes to both namespaces
      const res = await t.app.handle({
        method: 'GET',
        path: IS('team-a'),
        params: {},
        query: new Map([['watch', ['true']], ['resourceVersion', [list.json.metadata.resourceVersion]], ['timeoutSeconds', ['1']]]),
        headers: { authorization: `Bearer ${TOKENS.alice}` },
        body: undefined,
      });
      const events = bodyText(res.body);
      await t.call('POST', IS('team-a'), { body: stream('visible') });
      await t.call('POST', IS('team-b'), { body: stream('secret-project') });
      await t.call('DELETE', `${IS('team-b')}/secret-project`);
      // Assess
      const lines = (await events).trim().split('\n').map((l) => JSON.parse(l));
      expect(res.statusCode).toBe(200);
      expect(lines.map((e) => `${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`)).toEqual(['ADDED team-a/visible']);
    });

    it('refuses an all-namespaces watch unless the user may watch cluster-wide', async () => {
      const t = authApp();
      await bind(t, 'team-a', 'alice', 'admin');
      const denied = await t.call('GET', '/apis/image.openshift.io/v1/imagestreams?watch=true&timeoutSeconds=1', { token: TOKENS.alice });
      expect(denied.status).toBe(403);
      expect(denied.json.message).toBe('imagestreams.image.openshift.io is forbidden: User "alice" cannot watch resource "imagestreams" in API group "image.openshift.io" at the cluster scope');
      await t.call('POST', `${RBAC}/clusterrolebindings`, { body: { ...roleBinding('alice-view', 'view', [user('alice')]), kind: 'ClusterRoleBinding' } });
      expect((await t.call('GET', '/apis/image.openshift.io/v1/imagestreams?watch=true&timeoutSeconds=1', { token: TOKENS.alice })).status).toBe(200);
    });
  });

  describe('secrets in logs and errors', () => {
    afterEach(() => vi.restoreAllMocks());

    it('never writes tokens or secret values to logs or error messages', async () => {
      // Prepare: capture every log line; OIDC pointed at a JWKS that does not answer
      const lines: string[] = [];
      for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, m).mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
      const t = authApp({ OIDC_ISSUER_URL: 'http://127.0.0.1:1', OIDC_CLIENT_ID: 'x', OIDC_JWKS_URL: 'http://127.0.0.1:1/jwks' });
      (t.app as { logger: Logger }).logger.setLogLevel('DEBUG');
      const jwt = `${Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url')}.${Buffer.from('{"iss":"http://127.0.0.1:1","sub":"x"}').toString('base64url')}.c2ln`;
      // Act
      const bad = await t.call('GET', IS('demo'), { token: 'super-secret-token-value' });
      const badJwt = await t.call('GET', IS('demo'), { token: jwt });
      const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hunter2-very-secret' } };
      const created = await t.call('POST', '/api/v1/namespaces/demo/secrets', { body: secret });
      const invalid = await t.call('POST', '/api/v1/namespaces/demo/secrets', { body: { ...secret, metadata: { name: 'Bad_Name' } } });
      // Assess
      expect([bad.status, badJwt.status, created.status, invalid.status]).toEqual([401, 401, 201, 422]);
      expect(lines.some((l) => l.includes('OIDC verification unavailable'))).toBe(true);
      const everything = [...lines, bad.text, badJwt.text, invalid.text].join('\n');
      for (const needle of ['super-secret-token-value', jwt, 'hunter2-very-secret', TOKENS.admin]) expect(everything).not.toContain(needle);
    });
  });
});
