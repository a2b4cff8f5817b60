/**
 * @module policy-reader
 * The RBAC authorizer's view of the stored policy: full lists of the RBAC stores (built-in
 * objects the stores overlay are left out; the authorizer has them from code).
 */
import type { KubeObject } from '../apimachinery/meta.js';
import type { Store } from '../apimachinery/registry/store.js';
import { isBuiltinClusterRole, isBuiltinClusterRoleBinding } from '../rbac/bootstrap-policy.js';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../rbac/types.js';
import type { PolicyReader } from './rbac/policy.js';

/** Stores by plural: `roles`, `clusterroles`, `rolebindings`, `clusterrolebindings` (missing ones read as empty). */
export function storePolicyReader(stores: ReadonlyMap<string, Store<KubeObject>>): PolicyReader {
  const all = async <T>(plural: string, namespace?: string): Promise<T[]> => {
    const store = stores.get(plural);
    if (store === undefined) return [];
    return (await store.list(namespace === undefined ? {} : { namespace })).items as unknown as T[];
  };
  return {
    clusterRoles: async () => (await all<ClusterRole>('clusterroles')).filter((r) => !isBuiltinClusterRole(r.metadata.name ?? '')),
    clusterRoleBindings: async () => (await all<ClusterRoleBinding>('clusterrolebindings')).filter((b) => !isBuiltinClusterRoleBinding(b.metadata.name ?? '')),
    roles: (namespace) => all<Role>('roles', namespace),
    roleBindings: (namespace) => all<RoleBinding>('rolebindings', namespace),
  };
}
