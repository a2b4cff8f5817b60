/**
 * The RBAC authorizer over built-in and stored policy: evaluation order, scoping, reasons,
 * aggregation, the policy cache and its invalidation.
 */
import { describe, expect, it } from 'vitest';
import { RbacAuthorizer, type PolicyReader } from '../../../shared/auth/rbac/policy.js';
import type { RequestAttributes } from '../../../shared/auth/rbac/rules.js';
import type { ClusterRole, Role, RoleBinding } from '../../../shared/rbac/types.js';

const G = 'rbac.authorization.k8s.io';
const alice = { name: 'alice', groups: ['system:authenticated'] };

function reader(init: { clusterRoles?: ClusterRole[]; clusterRoleBindings?: RoleBinding[]; roles?: Role[]; roleBindings?: RoleBinding[] } = {}) {
  const data = { clusterRoles: [], clusterRoleBindings: [], roles: [], roleBindings: [], ...init };
  const reads = { count: 0 };
  const r: PolicyReader = {
    clusterRoles: async () => (reads.count++, data.clusterRoles),
    clusterRoleBindings: async () => data.clusterRoleBindings,
    roles: async (ns) => data.roles.filter((x: Role) => x.metadata.namespace === ns),
    roleBindings: async (ns) => data.roleBindings.filter((x: RoleBinding) => x.metadata.namespace === ns),
  };
  return { r, data, reads };
}

const rb = (name: string, ns: string, kind: string, role: string, subjects: RoleBinding['subjects']): RoleBinding => ({
  metadata: { name, namespace: ns },
  roleRef: { apiGroup: G, kind, name: role },
  subjects,
});

type ResourceRequest = Extract<RequestAttributes, { resourceRequest: true }>;
const is = (verb: string, ns: string, extra: Partial<ResourceRequest> = {}): ResourceRequest => ({
  resourceRequest: true,
  verb,
  apiGroup: 'image.openshift.io',
  resource: 'imagestreams',
  subresource: '',
  namespace: ns,
  name: '',
  ...extra,
});

describe('policy', () => {
  describe('RbacAuthorizer.authorize', () => {
    it('allows system:masters everything without reading policy', async () => {
      // Prepare
      const { r, reads } = reader();
      const authz = new RbacAuthorizer({ reader: r });
      // Act
      const d = await authz.authorize({ name: 'root', groups: ['system:masters'] }, is('delete', 'x'));
      // Assess
      expect(d).toEqual({ allowed: true, reason: '' });
      expect(reads.count).toBe(0);
    });

    it('allows discovery and self reviews to authenticated users from the built-ins, without I/O', async () => {
      const { r, reads } = reader();
      const authz = new RbacAuthorizer({ reader: r });
      expect((await authz.authorize(alice, { resourceRequest: false, verb: 'get', path: '/apis/image.openshift.io/v1' })).allowed).toBe(true);
      const ssar = await authz.authorize(alice, { resourceRequest: true, verb: 'create', apiGroup: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews', subresource: '', namespace: '', name: '' });
      expect(ssar).toEqual({ allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated"' });
      expect(reads.count).toBe(0);
    });

    it('allows /version to anonymous users but not discovery', async () => {
      const authz = new RbacAuthorizer({ reader: reader().r });
      const anon = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
      expect((await authz.authorize(anon, { resourceRequest: false, verb: 'get', path: '/version' })).allowed).toBe(true);
      expect((await authz.authorize(anon, { resourceRequest: false, verb: 'get', path: '/apis' })).allowed).toBe(false);
    });

    it('scopes a RoleBinding to its namespace', async () => {
      const { r } = reader({ roleBindings: [rb('e', 'demo', 'ClusterRole', 'edit', [{ kind: 'User', name: 'alice' }])] });
      const authz = new RbacAuthorizer({ reader: r });
      const allowed = await authz.authorize(alice, is('create', 'demo'));
      expect(allowed).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "e/demo" of ClusterRole "edit" to User "alice"' });
      expect((await authz.authorize(alice, is('create', 'other'))).allowed).toBe(false);
      expect((await authz.authorize(alice, is('list', ''))).allowed).toBe(false);
    });

    it('grants cluster-wide through a ClusterRoleBinding, including all-namespaces lists', async () => {
      const { r } = reader({ clusterRoleBindings: [rb('v', '', 'ClusterRole', 'view', [{ kind: 'Group', name: 'auditors' }])] });
      const authz = new RbacAuthorizer({ reader: r });
      const auditor = { name: 'eve', groups: ['auditors'] };
      expect((await authz.authorize(auditor, is('watch', ''))).allowed).toBe(true);
      expect((await authz.authorize(auditor, is('get', 'any'))).allowed).toBe(true);
      expect((await authz.authorize(auditor, is('update', 'any'))).allowed).toBe(false);
    });

    it('follows OpenShift’s image rules: view has no layers, edit reads status but cannot write it', async () => {
      const { r } = reader({
        roleBindings: [rb('v', 'demo', 'ClusterRole', 'view', [{ kind: 'User', name: 'alice' }]), rb('e', 'demo', 'ClusterRole', 'edit', [{ kind: 'User', name: 'bob' }])],
      });
      const authz = new RbacAuthorizer({ reader: r });
      const bob = { name: 'bob', groups: [] };
      expect((await authz.authorize(alice, is('get', 'demo', { subresource: 'status' }))).allowed).toBe(true);
      expect((await authz.authorize(alice, is('get', 'demo', { subresource: 'layers' }))).allowed).toBe(false);
      expect((await authz.authorize(bob, is('get', 'demo', { subresource: 'layers' }))).allowed).toBe(true);
      expect((await authz.authorize(bob, is('update', 'demo', { subresource: 'status' }))).allowed).toBe(false);
    });

    it('resolves namespaced Roles and reports a missing role in the denial reason', async () => {
      const { r } = reader({
        roles: [{ metadata: { name: 'reader', namespace: 'demo' }, rules: [{ verbs: ['get'], apiGroups: ['image.openshift.io'], resources: ['imagestreams'] }] }],
        roleBindings: [rb('r', 'demo', 'Role', 'reader', [{ kind: 'User', name: 'alice' }]), rb('x', 'demo', 'ClusterRole', 'nope', [{ kind: 'User', name: 'alice' }])],
      });
      const authz = new RbacAuthorizer({ reader: r });
      expect((await authz.authorize(alice, is('get', 'demo'))).allowed).toBe(true);
      expect(await authz.authorize(alice, is('delete', 'demo'))).toEqual({ allowed: false, reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "nope" not found' });
    });

    it('extends the built-in aggregated roles with stored ClusterRoles carrying the aggregation label', async () => {
      const extra: ClusterRole = {
        metadata: { name: 'custom', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
        rules: [{ verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }],
      };
      const { r } = reader({ clusterRoles: [extra], roleBindings: [rb('a', 'demo', 'ClusterRole', 'admin', [{ kind: 'User', name: 'alice' }])] });
      const authz = new RbacAuthorizer({ reader: r });
      expect((await authz.authorize(alice, { ...is('get', 'demo'), apiGroup: 'example.com', resource: 'widgets' })).allowed).toBe(true);
    });
  });

  describe('RbacAuthorizer cache', () => {
    it('reuses stored policy for cacheMs and reads it again afterwards or after invalidate()', async () => {
      // Prepare
      let now = 0;
      const { r, data, reads } = reader();
      const authz = new RbacAuthorizer({ reader: r, cacheMs: 1000, now: () => now });
      expect((await authz.authorize(alice, is('get', 'demo'))).allowed).toBe(false);
      data.roleBindings.push(rb('e', 'demo', 'ClusterRole', 'edit', [{ kind: 'User', name: 'alice' }]) as never);
      // Act + Assess: still cached
      expect((await authz.authorize(alice, is('get', 'demo'))).allowed).toBe(false);
      now = 1500;
      expect((await authz.authorize(alice, is('get', 'demo'))).allowed).toBe(true);
      data.roleBindings.length = 0;
      authz.invalidate();
      expect((await authz.authorize(alice, is('get', 'demo'))).allowed).toBe(false);
      expect(reads.count).toBe(3);
    });

    it('does not keep a failed load', async () => {
      let fail = true;
      const base = reader().r;
      const authz = new RbacAuthorizer({ reader: { ...base, clusterRoleBindings: async () => (fail ? Promise.reject(new Error('down')) : []) } });
      await expect(authz.authorize(alice, is('get', 'demo'))).rejects.toThrow('down');
      fail = false;
      expect((await authz.authorize(alice, is('get', 'demo'))).allowed).toBe(false);
    });
  });

  describe('RbacAuthorizer.rulesFor / roleRefRules', () => {
    it('collects the rules of every applicable binding and resolves role references', async () => {
      const { r } = reader({ roleBindings: [rb('v', 'demo', 'ClusterRole', 'view', [{ kind: 'User', name: 'alice' }])] });
      const authz = new RbacAuthorizer({ reader: r });
      const { rules, errors } = await authz.rulesFor(alice, 'demo');
      expect(errors).toEqual([]);
      expect(rules).toContainEqual({ verbs: ['get', 'list', 'watch'], apiGroups: ['image.openshift.io'], resources: ['imagestreams', 'imagestreammappings', 'imagestreamtags', 'imagestreamimages', 'imagetags', 'imagestreams/status'] });
      expect(rules).toContainEqual({ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] });
      expect(await authz.roleRefRules({ apiGroup: G, kind: 'ClusterRole', name: 'missing' }, 'demo')).toBeUndefined();
      expect(await authz.roleRefRules({ apiGroup: G, kind: 'ClusterRole', name: 'cluster-admin' }, '')).toHaveLength(2);
    });
  });
});
