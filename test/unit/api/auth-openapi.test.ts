/**
 * Discovery and OpenAPI of the RBAC and review groups: served, self-contained, with the GVKs
 * kubectl looks up.
 */
import { describe, expect, it } from 'vitest';
import { unresolvedRefs, type OpenApiV3Document } from '../../../shared/apimachinery/openapi.js';
import { authApp } from '../../helpers/auth-app.js';

describe('auth discovery and OpenAPI', () => {
  describe('/apis', () => {
    it('lists the RBAC resources with every verb and the reviews as create-only', async () => {
      const t = authApp();
      const rbac = (await t.call('GET', '/apis/rbac.authorization.k8s.io/v1')).json;
      expect(rbac.resources.map((r: { name: string; namespaced: boolean }) => `${r.name} ${r.namespaced}`)).toEqual([
        'roles true',
        'clusterroles false',
        'rolebindings true',
        'clusterrolebindings false',
      ]);
      expect(rbac.resources[0].verbs).toEqual(['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
      const authz = (await t.call('GET', '/apis/authorization.k8s.io/v1')).json;
      expect(authz.resources.map((r: { name: string; verbs: string[] }) => `${r.name} ${r.verbs.join(',')}`)).toEqual([
        'selfsubjectaccessreviews create',
        'selfsubjectrulesreviews create',
        'subjectaccessreviews create',
        'localsubjectaccessreviews create',
      ]);
      expect((await t.call('GET', '/apis/authentication.k8s.io/v1')).json.resources[0]).toMatchObject({ name: 'selfsubjectreviews', verbs: ['create'] });
    });
  });

  describe('/openapi/v3', () => {
    it.each(['apis/rbac.authorization.k8s.io/v1', 'apis/authorization.k8s.io/v1', 'apis/authentication.k8s.io/v1'])('serves a self-contained %s document', async (gv) => {
      const t = authApp();
      const root = (await t.call('GET', '/openapi/v3')).json;
      const url = root.paths[gv].serverRelativeURL as string;
      const doc = (await t.call('GET', url)).json as OpenApiV3Document;
      expect(unresolvedRefs(doc)).toEqual([]);
      const kinds = Object.values(doc.components.schemas).flatMap((s) => ((s['x-kubernetes-group-version-kind'] as { kind: string }[] | undefined) ?? []).map((g) => g.kind));
      if (gv.includes('rbac')) expect(kinds).toEqual(expect.arrayContaining(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'RoleBindingList']));
      if (gv.startsWith('apis/authorization')) expect(kinds).toContain('SelfSubjectAccessReview');
      if (gv.includes('authentication')) expect(kinds).toContain('SelfSubjectReview');
    });
  });
});
