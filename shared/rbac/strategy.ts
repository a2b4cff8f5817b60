/**
 * @module strategy
 * The registry strategies of the four RBAC kinds (upstream `pkg/registry/rbac/<kind>/strategy.go`):
 * no status, no generation, unconditional updates allowed; validation
 * from `./validation.ts`; the role reference of a binding is immutable. Escalation
 * prevention needs the user's permissions and lives in the auth layer's admission.
 */
import type { ResourceStrategy } from '../apimachinery/registry/strategy.js';
import { normalizeRole, normalizeRoleBinding, type ClusterRole, type Role, type RoleBinding } from './types.js';
import { validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding, validateRoleRefUpdate } from './validation.js';

// Upstream also allows create-on-update; the generic registry does not implement it (PUT to a missing object is a 404).
const common = { allowCreateOnUpdate: false, allowUnconditionalUpdate: true } as const;

export const roleStrategy: ResourceStrategy<Role> = {
  ...common,
  namespaced: true,
  normalize: normalizeRole,
  prepareForCreate: (_ctx, obj) => obj,
  validate: (_ctx, obj) => validateRole(obj),
  prepareForUpdate: (_ctx, obj) => obj,
  validateUpdate: (_ctx, obj) => validateRole(obj),
};

export const clusterRoleStrategy: ResourceStrategy<ClusterRole> = {
  ...common,
  namespaced: false,
  normalize: normalizeRole,
  prepareForCreate: (_ctx, obj) => obj,
  validate: (_ctx, obj) => validateClusterRole(obj),
  prepareForUpdate: (_ctx, obj) => obj,
  validateUpdate: (_ctx, obj) => validateClusterRole(obj),
};

export const roleBindingStrategy: ResourceStrategy<RoleBinding> = {
  ...common,
  namespaced: true,
  normalize: normalizeRoleBinding,
  prepareForCreate: (_ctx, obj) => obj,
  validate: (_ctx, obj) => validateRoleBinding(obj),
  prepareForUpdate: (_ctx, obj) => obj,
  validateUpdate: (_ctx, obj, old) => [...validateRoleBinding(obj), ...validateRoleRefUpdate(obj, old)],
};

export const clusterRoleBindingStrategy: ResourceStrategy<RoleBinding> = {
  ...common,
  namespaced: false,
  normalize: normalizeRoleBinding,
  prepareForCreate: (_ctx, obj) => obj,
  validate: (_ctx, obj) => validateClusterRoleBinding(obj),
  prepareForUpdate: (_ctx, obj) => obj,
  validateUpdate: (_ctx, obj, old) => [...validateClusterRoleBinding(obj), ...validateRoleRefUpdate(obj, old)],
};
