/**
 * Pure RBAC evaluation (upstream `rbac.go` RuleAllows / appliesToUser, `rule.go` Covers,
 * CompactRules, CompactString): every matching dimension and the escalation message text.
 */
import { describe, expect, it } from 'vitest';
import {
  appliesTo,
  breakdownRule,
  compactRules,
  compactString,
  covers,
  escalationMessage,
  ruleAllows,
  type RequestAttributes,
} from '../../../shared/auth/rbac/rules.js';
import type { PolicyRule } from '../../../shared/rbac/types.js';

const res = (verb: string, resource: string, extra: Partial<Extract<RequestAttributes, { resourceRequest: true }>> = {}): RequestAttributes => ({
  resourceRequest: true,
  verb,
  apiGroup: 'image.openshift.io',
  resource,
  subresource: '',
  namespace: 'demo',
  name: '',
  ...extra,
});
const path = (verb: string, p: string): RequestAttributes => ({ resourceRequest: false, verb, path: p });

describe('rules', () => {
  describe('ruleAllows', () => {
    const rule: PolicyRule = { verbs: ['get', 'list'], apiGroups: ['image.openshift.io'], resources: ['imagestreams'] };

    it('allows a listed verb on a listed group and resource', () => {
      // Act + Assess
      expect(ruleAllows(res('get', 'imagestreams'), rule)).toBe(true);
      expect(ruleAllows(res('list', 'imagestreams'), rule)).toBe(true);
    });

    it('refuses another verb, group or resource', () => {
      expect(ruleAllows(res('create', 'imagestreams'), rule)).toBe(false);
      expect(ruleAllows(res('get', 'imagestreams', { apiGroup: '' }), rule)).toBe(false);
      expect(ruleAllows(res('get', 'secrets'), rule)).toBe(false);
    });

    it('treats a subresource as its own resource: imagestreams does not grant imagestreams/status', () => {
      expect(ruleAllows(res('get', 'imagestreams', { subresource: 'status' }), rule)).toBe(false);
      expect(ruleAllows(res('update', 'imagestreams', { subresource: 'status' }), { verbs: ['update'], apiGroups: ['image.openshift.io'], resources: ['imagestreams/status'] })).toBe(true);
    });

    it('matches */subresource and * wildcards', () => {
      const star: PolicyRule = { verbs: ['*'], apiGroups: ['*'], resources: ['*/status'] };
      expect(ruleAllows(res('patch', 'imagestreams', { subresource: 'status' }), star)).toBe(true);
      expect(ruleAllows(res('patch', 'imagestreams'), star)).toBe(false);
      expect(ruleAllows(res('delete', 'anything', { apiGroup: 'x' }), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] })).toBe(true);
    });

    it('restricts to resourceNames when given (a collection request has no name)', () => {
      const named: PolicyRule = { ...rule, resourceNames: ['app'] };
      expect(ruleAllows(res('get', 'imagestreams', { name: 'app' }), named)).toBe(true);
      expect(ruleAllows(res('get', 'imagestreams', { name: 'other' }), named)).toBe(false);
      expect(ruleAllows(res('list', 'imagestreams'), named)).toBe(false);
    });

    it('matches non-resource URLs exactly or by a trailing *', () => {
      const urls: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/version', '/apis/*'] };
      expect(ruleAllows(path('get', '/version'), urls)).toBe(true);
      expect(ruleAllows(path('get', '/apis/image.openshift.io/v1'), urls)).toBe(true);
      expect(ruleAllows(path('get', '/api'), urls)).toBe(false);
      expect(ruleAllows(path('post', '/version'), urls)).toBe(false);
      expect(ruleAllows(res('get', 'imagestreams'), urls)).toBe(false);
    });
  });

  describe('appliesTo', () => {
    const alice = { name: 'alice', groups: ['devs', 'system:authenticated'] };
    const sa = { name: 'system:serviceaccount:demo:robot', groups: ['system:serviceaccounts'] };

    it('matches users by name and groups by membership', () => {
      expect(appliesTo(alice, [{ kind: 'User', name: 'alice' }], 'demo')).toBeDefined();
      expect(appliesTo(alice, [{ kind: 'Group', name: 'devs' }], 'demo')).toBeDefined();
      expect(appliesTo(alice, [{ kind: 'User', name: 'bob' }, { kind: 'Group', name: 'ops' }], 'demo')).toBeUndefined();
    });

    it('matches service accounts by their username, defaulting the namespace to the binding’s', () => {
      expect(appliesTo(sa, [{ kind: 'ServiceAccount', name: 'robot' }], 'demo')).toBeDefined();
      expect(appliesTo(sa, [{ kind: 'ServiceAccount', name: 'robot' }], 'other')).toBeUndefined();
      expect(appliesTo(sa, [{ kind: 'ServiceAccount', name: 'robot', namespace: 'demo' }], '')).toBeDefined();
      expect(appliesTo(sa, [{ kind: 'ServiceAccount', name: 'robot' }], '')).toBeUndefined();
    });

    it('ignores unknown subject kinds', () => {
      expect(appliesTo(alice, [{ kind: 'Robot', name: 'alice' }], 'demo')).toBeUndefined();
    });
  });

  describe('covers', () => {
    it('breaks rules down per group, resource, verb and name', () => {
      expect(breakdownRule({ verbs: ['get', 'list'], apiGroups: ['a'], resources: ['x', 'y'], resourceNames: ['n'] })).toHaveLength(4);
      expect(breakdownRule({ verbs: ['get'], nonResourceURLs: ['/a', '/b'] })).toEqual([
        { nonResourceURLs: ['/a'], verbs: ['get'] },
        { nonResourceURLs: ['/b'], verbs: ['get'] },
      ]);
    });

    it('holds when every broken-down rule is granted, wildcards and */sub included', () => {
      const owner: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['image.openshift.io'], resources: ['imagestreams', '*/status'] }];
      expect(covers(owner, [{ verbs: ['get', 'update'], apiGroups: ['image.openshift.io'], resources: ['imagestreams', 'imagestreams/status'] }]).covered).toBe(true);
      const missing = covers(owner, [{ verbs: ['get'], apiGroups: ['image.openshift.io'], resources: ['imagestreams/layers'] }]);
      expect(missing).toEqual({ covered: false, missing: [{ apiGroups: ['image.openshift.io'], resources: ['imagestreams/layers'], verbs: ['get'] }] });
    });

    it('does not let a name-restricted rule cover an unrestricted one', () => {
      const owner: PolicyRule[] = [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }];
      expect(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]).covered).toBe(false);
      expect(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }]).covered).toBe(true);
    });
  });

  describe('escalationMessage', () => {
    it('lists the missing permissions compacted per resource, sorted, in CompactString form', () => {
      // Prepare
      const owner: PolicyRule[] = [{ verbs: ['get'], apiGroups: ['image.openshift.io'], resources: ['imagestreams'] }];
      const wanted: PolicyRule[] = [
        { verbs: ['get', 'create', 'delete'], apiGroups: ['image.openshift.io'], resources: ['imagestreams'] },
        { verbs: ['get'], apiGroups: [''], resources: ['secrets'] },
      ];
      // Act
      const msg = escalationMessage({ name: 'alice', groups: ['devs', 'system:authenticated'] }, owner, wanted);
      // Assess
      expect(msg).toBe(
        'user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
          '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}\n' +
          '{APIGroups:["image.openshift.io"], Resources:["imagestreams"], Verbs:["create" "delete"]}',
      );
    });

    it('is undefined when nothing escalates', () => {
      expect(escalationMessage({ name: 'a', groups: [] }, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['get'], apiGroups: ['x'], resources: ['y'] }])).toBeUndefined();
    });
  });

  describe('compactRules / compactString', () => {
    it('merges verbs of simple rules and renders non-resource rules', () => {
      expect(compactRules([
        { verbs: ['get'], apiGroups: ['a'], resources: ['r'] },
        { verbs: ['list'], apiGroups: ['a'], resources: ['r'] },
      ])).toEqual([{ verbs: ['get', 'list'], apiGroups: ['a'], resources: ['r'] }]);
      expect(compactString({ verbs: ['get'], nonResourceURLs: ['/healthz'] })).toBe('{NonResourceURLs:["/healthz"], Verbs:["get"]}');
    });
  });
});
