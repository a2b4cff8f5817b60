/**
 * @module resource
 * Identity of the RBAC resources (rbac.authorization.k8s.io/v1): Role, ClusterRole,
 * RoleBinding, ClusterRoleBinding.
 */
import type { ResourceDefinition } from '../apimachinery/resource.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const RBAC_VERSION = 'v1';
export const RBAC_API_VERSION = `${RBAC_GROUP}/${RBAC_VERSION}`;

const rbac = (kind: string, plural: string, namespaced: boolean): ResourceDefinition => ({
  group: RBAC_GROUP,
  version: RBAC_VERSION,
  kind,
  listKind: `${kind}List`,
  plural,
  singular: kind.toLowerCase(),
  shortNames: [],
  categories: [],
  namespaced,
  subresources: [],
});

export const roleResource = rbac('Role', 'roles', true);
export const clusterRoleResource = rbac('ClusterRole', 'clusterroles', false);
export const roleBindingResource = rbac('RoleBinding', 'rolebindings', true);
export const clusterRoleBindingResource = rbac('ClusterRoleBinding', 'clusterrolebindings', false);

export const RBAC_RESOURCES: readonly ResourceDefinition[] = [roleResource, clusterRoleResource, roleBindingResource, clusterRoleBindingResource];
