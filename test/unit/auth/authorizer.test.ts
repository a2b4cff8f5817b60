/**
 * The 403 Status of a denied request (kube-api-conventions §2.3 #37) and the adapters other
 * layers use (registry access checks, the WebSocket connect hook).
 */
import { describe, expect, it } from 'vitest';
import { accessCheckAuthorizer, authorizeRequest, forbiddenError, type RequestAttributes } from '../../../shared/auth/authorizer.js';

const alice = { name: 'alice', groups: ['system:authenticated'] };
const attrs = (a: Partial<Extract<RequestAttributes, { resourceRequest: true }>>): RequestAttributes => ({
  resourceRequest: true,
  verb: 'get',
  apiGroup: 'image.openshift.io',
  resource: 'imagestreams',
  subresource: '',
  namespace: 'demo',
  name: '',
  ...a,
});

describe('authorizer', () => {
  describe('forbiddenError', () => {
    it('names the object for a named request', () => {
      expect(forbiddenError(alice, attrs({ name: 'x' })).status).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'imagestreams.image.openshift.io "x" is forbidden: User "alice" cannot get resource "imagestreams" in API group "image.openshift.io" in the namespace "demo"',
        reason: 'Forbidden',
        details: { name: 'x', group: 'image.openshift.io', kind: 'imagestreams' },
        code: 403,
      });
    });

    it('has no name for a collection and says "at the cluster scope" without a namespace', () => {
      expect(forbiddenError(alice, attrs({ verb: 'list', namespace: '' })).status.message).toBe(
        'imagestreams.image.openshift.io is forbidden: User "alice" cannot list resource "imagestreams" in API group "image.openshift.io" at the cluster scope',
      );
    });

    it('shows the subresource and the core group as ""', () => {
      expect(forbiddenError(alice, attrs({ verb: 'update', subresource: 'status', name: 'x' })).status.message).toBe(
        'imagestreams.image.openshift.io "x" is forbidden: User "alice" cannot update resource "imagestreams/status" in API group "image.openshift.io" in the namespace "demo"',
      );
      expect(forbiddenError(alice, attrs({ apiGroup: '', resource: 'secrets', name: 's' })).status.message).toBe(
        'secrets "s" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "demo"',
      );
    });

    it('renders a non-resource denial and appends a reason', () => {
      const err = forbiddenError(undefined, { resourceRequest: false, verb: 'get', path: '/apis' }, 'RBAC: x');
      expect(err.status).toMatchObject({ message: 'forbidden: User "system:anonymous" cannot get path "/apis": RBAC: x', reason: 'Forbidden', details: {}, code: 403 });
    });
  });

  describe('authorizeRequest', () => {
    it('resolves when allowed and throws the 403 otherwise', async () => {
      await expect(authorizeRequest({ authorize: async () => ({ allowed: true, reason: '' }) }, alice, attrs({}))).resolves.toBeUndefined();
      await expect(authorizeRequest({ authorize: async () => ({ allowed: false, reason: '' }) }, alice, attrs({}))).rejects.toMatchObject({ code: 403 });
    });
  });

  describe('accessCheckAuthorizer', () => {
    it('asks about the check for the user and refuses without a user', async () => {
      const seen: RequestAttributes[] = [];
      const check = accessCheckAuthorizer({ authorize: async (_u, a) => (seen.push(a), { allowed: true, reason: 'ok' }) });
      const c = { verb: 'get', group: 'image.openshift.io', resource: 'imagestreams', subresource: 'layers', namespace: 'src', name: 'base' };
      expect(await check(alice, c)).toEqual({ allowed: true, reason: 'ok' });
      expect(seen[0]).toEqual(attrs({ subresource: 'layers', namespace: 'src', name: 'base' }));
      expect((await check(undefined, c)).allowed).toBe(false);
    });
  });
});
