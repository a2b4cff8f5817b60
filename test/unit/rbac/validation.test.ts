/**
 * RBAC types: defaulting, upstream validation messages, aggregation and the built-in policy.
 */
import { describe, expect, it } from 'vitest';
import { aggregateMessage } from '../../../shared/apimachinery/field-errors.js';
import { effectiveClusterRoleRules, selectorMatches } from '../../../shared/rbac/aggregation.js';
import { BUILTIN_CLUSTER_ROLE_BINDINGS, BUILTIN_CLUSTER_ROLES } from '../../../shared/rbac/bootstrap-policy.js';
import { normalizeRoleBinding } from '../../../shared/rbac/types.js';
import {
  validateClusterRole,
  validateClusterRoleBinding,
  validateRole,
  validateRoleBinding,
  validateRoleRefUpdate,
} from '../../../shared/rbac/validation.js';

const G = 'rbac.authorization.k8s.io';

describe('rbac', () => {
  describe('normalizeRoleBinding', () => {
    it('defaults roleRef.apiGroup and the apiGroup of User/Group subjects', () => {
      const b = normalizeRoleBinding({ metadata: { name: 'b' }, roleRef: { kind: 'ClusterRole', name: 'edit' } as never, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'robot', namespace: 'demo' }] });
      expect(b.roleRef).toEqual({ apiGroup: G, kind: 'ClusterRole', name: 'edit' });
      expect(b.subjects).toEqual([
        { kind: 'User', apiGroup: G, name: 'alice' },
        { kind: 'ServiceAccount', name: 'robot', namespace: 'demo' },
      ]);
    });
  });

  describe('validateRole / validateClusterRole', () => {
    it('requires verbs, groups and resources, and keeps URLs out of namespaced roles', () => {
      const errs = validateRole({ metadata: {}, rules: [{ verbs: [] }, { verbs: ['get'], nonResourceURLs: ['/x'], resources: ['r'] }] });
      expect(aggregateMessage(errs)).toBe(
        '[rules[0].verbs: Required value: verbs must contain at least one value, rules[0].apiGroups: Required value: resource rules must supply at least one api group, rules[0].resources: Required value: resource rules must supply at least one resource, rules[1].nonResourceURLs: Invalid value: []string{"/x"}: namespaced rules cannot apply to non-resource URLs, rules[1].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs]',
      );
      expect(validateClusterRole({ metadata: {}, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] })).toEqual([]);
    });

    it('requires a selector in an aggregation rule and checks operators', () => {
      expect(aggregateMessage(validateClusterRole({ metadata: {}, aggregationRule: {} }))).toBe(
        'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
      );
      expect(aggregateMessage(validateClusterRole({ metadata: {}, aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Near' }] }] } }))).toBe(
        'aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
      );
    });
  });

  describe('validateRoleBinding / validateClusterRoleBinding', () => {
    it('checks the role reference and the subjects', () => {
      const errs = validateRoleBinding({
        metadata: {},
        roleRef: { apiGroup: 'x', kind: 'Thing', name: '' },
        subjects: [{ kind: 'User', apiGroup: '', name: 'a' }, { kind: 'Robot', name: '' }],
      });
      expect(aggregateMessage(errs)).toBe(
        '[roleRef.apiGroup: Unsupported value: "x": supported values: "rbac.authorization.k8s.io", roleRef.kind: Unsupported value: "Thing": supported values: "Role", "ClusterRole", roleRef.name: Required value, subjects[0].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io", subjects[1].name: Required value, subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"]',
      );
    });

    it('allows only ClusterRoles and namespaced service accounts in a ClusterRoleBinding', () => {
      const errs = validateClusterRoleBinding({ metadata: {}, roleRef: { apiGroup: G, kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'robot' }] });
      expect(aggregateMessage(errs)).toBe('[roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole", subjects[0].namespace: Required value]');
    });

    it('makes the role reference immutable', () => {
      const old = { metadata: {}, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'view' } };
      expect(aggregateMessage(validateRoleRefUpdate({ ...old, roleRef: { ...old.roleRef, name: 'edit' } }, old))).toBe(
        'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
      );
    });
  });

  describe('aggregation', () => {
    it('matches label selectors (matchLabels and expressions)', () => {
      expect(selectorMatches({ matchLabels: { a: 'b' } }, { a: 'b', c: 'd' })).toBe(true);
      expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] }, { a: 'b' })).toBe(false);
      expect(selectorMatches({}, {})).toBe(true);
    });

    it('builds admin ⊇ edit ⊇ view from the built-in aggregates', () => {
      const rules = effectiveClusterRoleRules(BUILTIN_CLUSTER_ROLES);
      const view = rules.get('view') ?? [];
      const edit = rules.get('edit') ?? [];
      const admin = rules.get('admin') ?? [];
      for (const r of view) expect(edit).toContainEqual(r);
      for (const r of edit) expect(admin).toContainEqual(r);
      expect(admin).toContainEqual({ verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'], apiGroups: [G], resources: ['roles', 'rolebindings'] });
    });
  });

  describe('bootstrap policy', () => {
    it('binds cluster-admin to system:masters and discovery to every authenticated user', () => {
      const byName = Object.fromEntries(BUILTIN_CLUSTER_ROLE_BINDINGS.map((b) => [b.metadata.name, b.subjects?.map((s) => s.name)]));
      expect(byName).toEqual({
        'cluster-admin': ['system:masters'],
        'system:basic-user': ['system:authenticated'],
        'system:discovery': ['system:authenticated'],
        'system:public-info-viewer': ['system:authenticated', 'system:unauthenticated'],
      });
    });
  });
});
