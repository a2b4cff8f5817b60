/**
 * The WebSocket API's `$connect`, `$disconnect` and `$default` handlers: authentication
 * (header or token subprotocol), the authorization hook, the handshake rules, and the
 * subscription they store.
 */
import { authApp, TOKENS } from '../../helpers/auth-app.js';
import { describe, expect, it } from 'vitest';
import { bearerProtocols } from '../../../shared/watch/handshake.js';
import { ALL, harness, NS, TOKEN } from './harness.js';

describe('watch connect', () => {
  describe('handleConnect', () => {
    it('stores a pending subscription keyed by namespace for an authenticated client', async () => {
      // Prepare
      const h = harness();
      // Act
      const res = await h.connect('c1', `${NS('demo')}?watch=true&labelSelector=app%3Dweb&allowWatchBookmarks=true&timeoutSeconds=60`, { connectedAt: 1_000 });
      // Assess
      expect(res).toEqual({ statusCode: 200 });
      expect(h.subs.all()).toEqual([
        {
          resource: 'imagestreams.image.openshift.io',
          scope: 'demo',
          connectionId: 'c1',
          namespace: 'demo',
          labelSelector: 'app=web',
          fieldSelector: '',
          allowBookmarks: true,
          initial: true,
          state: 'pending',
          deadline: 61_000,
          connectedAt: 1_000,
          expiresAt: 7_801,
          user: 'alice',
        },
      ]);
    });

    it('starts an all-namespaces subscription from a resourceVersion in the `*` partition', async () => {
      const h = harness();
      await h.create('a', 'x');
      await h.connect('c2', `${ALL}?watch=true&resourceVersion=1`);
      expect(h.subs.all()).toMatchObject([{ scope: '*', cursor: 1, initial: false, requestedResourceVersion: '1', state: 'pending' }]);
      expect(h.subs.all()[0]).not.toHaveProperty('namespace');
    });

    it('refuses a client without a token or with an unknown one with a 401 Status, storing nothing', async () => {
      const h = harness();
      for (const token of [null, 'nope']) {
        const res = await h.connect('c3', `${NS('demo')}?watch=true`, { token });
        expect(res.statusCode).toBe(401);
        expect(JSON.parse(res.body!)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
      }
      expect(h.subs.all()).toEqual([]);
    });

    it('authenticates with the bearer token subprotocol and echoes the other subprotocol', async () => {
      const h = harness();
      const res = await h.connect('c4', `${NS('demo')}?watch=true`, { token: null, protocols: bearerProtocols(TOKEN) });
      expect(res).toEqual({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'base64.binary.k8s.io' } });
    });

    it('refuses a handshake without Origin with 403 and with two subprotocols with 400, after authentication', async () => {
      const h = harness();
      expect((await h.connect('c5', `${NS('demo')}?watch=true`, { origin: null })).statusCode).toBe(403);
      expect((await h.connect('c6', `${NS('demo')}?watch=true`, { protocols: ['a', 'b'] })).statusCode).toBe(400);
      expect((await h.connect('c7', `${NS('demo')}?watch=true`, { origin: null, token: null })).statusCode).toBe(401);
      expect(h.subs.all()).toEqual([]);
    });

    it('uses the app\'s RBAC authorizer by default: a user without a binding is refused, a bound one admitted', async () => {
      // Prepare
      const t = authApp();
      const { handleConnect } = await import('../../../shared/watch/connect.js');
      const { MemoryConnectionStore } = await import('../../../shared/storage/memory-connection-store.js');
      const deps = { app: t.app, store: new MemoryConnectionStore(), resource: () => ({ currentRevision: async () => 0 }) as never };
      const connect = (token: string, id: string) =>
        handleConnect(deps, {
          headers: { Authorization: `Bearer ${token}`, Origin: 'https://x.example' },
          queryStringParameters: { path: '/apis/image.openshift.io/v1/namespaces/demo/imagestreams', watch: 'true', resourceVersion: '0' },
          requestContext: { connectionId: id },
        });
      // Act
      const denied = await connect(TOKENS.bob, 'b1');
      await t.call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/demo/rolebindings', {
        token: TOKENS.admin,
        body: {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'bob-view' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
          subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }],
        },
      });
      const admitted = await connect(TOKENS.bob, 'b2');
      // Assess
      expect(denied.statusCode).toBe(403);
      expect(JSON.parse(denied.body!).message).toBe(
        'imagestreams.image.openshift.io is forbidden: User "bob" cannot watch resource "imagestreams" in API group "image.openshift.io" in the namespace "demo"',
      );
      expect(admitted.statusCode).toBe(200);
    });

    it('asks the authorization hook for verb watch in the namespace and refuses with 403 Forbidden', async () => {
      // Prepare
      const h = harness();
      const asked: unknown[] = [];
      const { handleConnect } = await import('../../../shared/watch/connect.js');
      const deps = {
        app: h.app,
        store: h.subs,
        resource: () => undefined,
        authorize: async (user: unknown, check: unknown) => {
          asked.push({ user, check });
          return { allowed: false };
        },
      };
      // Act
      const res = await handleConnect(deps, {
        headers: { Authorization: `Bearer ${TOKEN}`, Origin: 'https://x.example' },
        queryStringParameters: { path: '/apis/image.openshift.io/v1/namespaces/secret/imagestreams', watch: 'true' },
        requestContext: { connectionId: 'c8' },
      });
      // Assess
      expect(res.statusCode).toBe(403);
      expect(JSON.parse(res.body!)).toMatchObject({
        reason: 'Forbidden',
        message: 'imagestreams.image.openshift.io is forbidden: User "alice" cannot watch resource "imagestreams" in API group "image.openshift.io" in the namespace "secret"',
      });
      expect(asked).toEqual([
        { user: expect.objectContaining({ name: 'alice' }), check: { verb: 'watch', group: 'image.openshift.io', resource: 'imagestreams', namespace: 'secret', name: '' } },
      ]);
    });

    it('refuses a missing path, an unknown resource and bad options with their Status', async () => {
      const h = harness();
      const noPath = await h.runtime.connect({ headers: { Authorization: `Bearer ${TOKEN}`, Origin: 'https://x' }, requestContext: { connectionId: 'c9' } });
      expect(noPath.statusCode).toBe(400);
      expect((await h.connect('c10', '/apis/image.openshift.io/v1/namespaces/a/things?watch=true')).statusCode).toBe(404);
      expect((await h.connect('c11', `${NS('a')}?watch=true&resourceVersionMatch=Exact`)).statusCode).toBe(422);
    });
  });

  describe('handleDisconnect', () => {
    it('removes the connection and its subscription', async () => {
      const h = harness();
      await h.connect('gone', `${NS('demo')}?watch=true`);
      await h.connect('stays', `${NS('demo')}?watch=true`);
      const res = await h.runtime.disconnect({ requestContext: { connectionId: 'gone', routeKey: '$disconnect' } });
      expect(res.statusCode).toBe(200);
      expect(h.subs.all().map((s) => s.connectionId)).toEqual(['stays']);
      expect(await h.subs.byConnection('gone')).toBeUndefined();
    });
  });

  describe('handleDefault', () => {
    it('accepts and discards client messages', async () => {
      const h = harness();
      expect(await h.runtime.default({ body: 'ping', requestContext: { connectionId: 'x' } })).toEqual({ statusCode: 200 });
    });
  });
});
