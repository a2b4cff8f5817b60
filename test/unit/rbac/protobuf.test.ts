/**
 * Protobuf bodies of the RBAC kinds and reviews (what kubectl's typed clients send), decoded
 * into their JSON form. The messages are encoded here by hand from generated.proto.
 */
import { describe, expect, it } from 'vitest';
import { accessReviewFromProtobuf, rulesReviewFromProtobuf } from '../../../shared/auth/review-protobuf.js';
import { roleBindingFromProtobuf, roleFromProtobuf } from '../../../shared/rbac/protobuf.js';

const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
};
const bytes = (field: number, b: number[]): number[] => [...varint((field << 3) | 2), ...varint(b.length), ...b];
const str = (field: number, s: string): number[] => bytes(field, [...Buffer.from(s)]);
const envelope = (apiVersion: string, kind: string, raw: number[]): Uint8Array =>
  Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...bytes(1, [...str(1, apiVersion), ...str(2, kind)]), ...bytes(2, raw)]);
/** ObjectMeta as Go encodes an empty one plus a name: every string field present, zero time. */
const meta = (name: string): number[] => bytes(1, [...str(1, name), ...str(2, ''), ...str(3, ''), ...str(4, ''), ...str(5, ''), ...str(6, ''), 0x38, 0x00, ...bytes(8, [])]);

describe('rbac protobuf', () => {
  describe('roleBindingFromProtobuf', () => {
    it('decodes metadata, subjects and roleRef', () => {
      // Prepare: kubectl create rolebinding alice-edit --clusterrole=edit --user=alice
      const raw = [
        ...meta('alice-edit'),
        ...bytes(2, [...str(1, 'User'), ...str(2, 'rbac.authorization.k8s.io'), ...str(3, 'alice')]),
        ...bytes(3, [...str(1, 'rbac.authorization.k8s.io'), ...str(2, 'ClusterRole'), ...str(3, 'edit')]),
      ];
      // Act
      const json = roleBindingFromProtobuf(envelope('rbac.authorization.k8s.io/v1', 'RoleBinding', raw));
      // Assess
      expect(json).toEqual({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'alice-edit', generateName: '', namespace: '', uid: '', resourceVersion: '', generation: 0 },
        subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      });
    });
  });

  describe('roleFromProtobuf', () => {
    it('decodes rules and an aggregation rule', () => {
      const raw = [
        ...meta('r'),
        ...bytes(2, [...str(1, 'get'), ...str(1, 'list'), ...str(2, 'image.openshift.io'), ...str(3, 'imagestreams'), ...str(4, 'app')]),
        ...bytes(3, [...bytes(1, [...bytes(1, [...str(1, 'team'), ...str(2, 'web')])])]),
      ];
      const json = roleFromProtobuf(envelope('rbac.authorization.k8s.io/v1', 'ClusterRole', raw));
      expect(json['rules']).toEqual([{ verbs: ['get', 'list'], apiGroups: ['image.openshift.io'], resources: ['imagestreams'], resourceNames: ['app'] }]);
      expect(json['aggregationRule']).toEqual({ clusterRoleSelectors: [{ matchLabels: { team: 'web' } }] });
    });
  });

  describe('accessReviewFromProtobuf', () => {
    it('decodes a SelfSubjectAccessReview as kubectl auth can-i sends it', () => {
      const attrs = [...str(1, 'demo'), ...str(2, 'create'), ...str(3, 'image.openshift.io'), ...str(4, ''), ...str(5, 'imagestreams'), ...str(6, ''), ...str(7, '')];
      const raw = [...meta(''), ...bytes(2, bytes(1, attrs)), ...bytes(3, [0x08, 0x00])];
      const json = accessReviewFromProtobuf(envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', raw), false);
      expect(json['spec']).toEqual({ resourceAttributes: { namespace: 'demo', verb: 'create', group: 'image.openshift.io', resource: 'imagestreams' } });
      expect(json['metadata']).not.toHaveProperty('creationTimestamp');
    });

    it('decodes a SelfSubjectRulesReview namespace', () => {
      const json = rulesReviewFromProtobuf(envelope('authorization.k8s.io/v1', 'SelfSubjectRulesReview', [...meta(''), ...bytes(2, str(1, 'demo'))]));
      expect(json['spec']).toEqual({ namespace: 'demo' });
    });
  });
});
