/**
 * @module rbac
 * The RBAC resource modules (rbac.authorization.k8s.io/v1): Role, ClusterRole, RoleBinding,
 * ClusterRoleBinding, served by the generic machinery. Writes go through escalation
 * prevention (`shared/auth/rbac-admission.ts`); the built-in ClusterRoles and
 * ClusterRoleBindings (`shared/rbac/bootstrap-policy.ts`) are served read-only alongside the
 * stored ones.
 */
import type { KubeObject } from '../../apimachinery/meta.js';
import { withResourceVersion } from '../../apimachinery/meta.js';
import { forbidden } from '../../apimachinery/status.js';
import type { ResourceDefinition } from '../../apimachinery/resource.js';
import { bindingAdmission, roleAdmission } from '../../auth/rbac-admission.js';
import { BUILTIN_CLUSTER_ROLE_BINDINGS, BUILTIN_CLUSTER_ROLES } from '../../rbac/bootstrap-policy.js';
import { ROLE_BINDING_FIELDS, ROLE_FIELDS } from '../../rbac/field-meta.js';
import { roleBindingFromProtobuf, roleFromProtobuf } from '../../rbac/protobuf.js';
import { rbacSchemaName, rbacSchemas } from '../../rbac/openapi-schemas.js';
import { clusterRoleBindingResource, clusterRoleResource, RBAC_API_VERSION, roleBindingResource, roleResource } from '../../rbac/resource.js';
import { clusterRoleBindingStrategy, clusterRoleStrategy, roleBindingStrategy, roleStrategy } from '../../rbac/strategy.js';
import { roleBindingPrinter, rolePrinter } from '../../rbac/table-printer.js';
import {
  clusterRoleSchema,
  roleBindingSchema,
  roleBindingToWire,
  roleSchema,
  roleToWire,
  type ClusterRole,
  type RoleBinding,
} from '../../rbac/types.js';
import { ReadOnlyOverlayStore } from '../../storage/overlay-store.js';
import { metadataFields, type ResourceModule } from '../resource-module.js';

/** The resourceVersion the built-in objects carry (they never change). */
export const BUILTIN_RESOURCE_VERSION = '1';

const bookmark = (kind: string, extra: Record<string, unknown>) => (resourceVersion: string, annotations?: Record<string, string>) => ({
  kind,
  apiVersion: RBAC_API_VERSION,
  metadata: { resourceVersion, creationTimestamp: null, ...(annotations ? { annotations } : {}) },
  ...extra,
});

const openapi = (kind: string) => ({ schemas: rbacSchemas(), objectSchema: rbacSchemaName(kind), listSchema: rbacSchemaName(`${kind}List`) });

/** Built-in objects served read-only: writes to them are refused with 403. */
function builtinOverlay<T extends KubeObject>(def: ResourceDefinition, objects: readonly T[]) {
  const fixed = objects.map((o) => ({ ...o, metadata: withResourceVersion(o.metadata, BUILTIN_RESOURCE_VERSION) }));
  return (store: ConstructorParameters<typeof ReadOnlyOverlayStore<T>>[0]) =>
    new ReadOnlyOverlayStore<T>(store, fixed, (key) =>
      forbidden({ group: def.group, resource: def.plural }, key.name, 'this object is part of the built-in policy of this server and cannot be changed'),
    );
}

export function roleModule(): ResourceModule<ClusterRole> {
  return {
    def: roleResource,
    schema: roleSchema,
    strategy: roleStrategy,
    toWire: roleToWire('Role'),
    fromProtobuf: roleFromProtobuf,
    selectableFields: metadataFields,
    fieldMeta: ROLE_FIELDS,
    table: rolePrinter,
    bookmarkObject: bookmark('Role', { rules: null }),
    admission: (authz) => roleAdmission('roles', authz),
    openapi: openapi('Role'),
  };
}

export function clusterRoleModule(): ResourceModule<ClusterRole> {
  return {
    def: clusterRoleResource,
    schema: clusterRoleSchema,
    strategy: clusterRoleStrategy,
    toWire: roleToWire('ClusterRole'),
    fromProtobuf: roleFromProtobuf,
    selectableFields: metadataFields,
    fieldMeta: ROLE_FIELDS,
    table: rolePrinter,
    bookmarkObject: bookmark('ClusterRole', { rules: null }),
    storeOverlay: builtinOverlay(clusterRoleResource, BUILTIN_CLUSTER_ROLES),
    admission: (authz) => roleAdmission('clusterroles', authz),
    openapi: openapi('ClusterRole'),
  };
}

export function roleBindingModule(): ResourceModule<RoleBinding> {
  return {
    def: roleBindingResource,
    schema: roleBindingSchema,
    strategy: roleBindingStrategy,
    toWire: roleBindingToWire('RoleBinding'),
    fromProtobuf: roleBindingFromProtobuf,
    selectableFields: metadataFields,
    fieldMeta: ROLE_BINDING_FIELDS,
    table: roleBindingPrinter,
    bookmarkObject: bookmark('RoleBinding', { roleRef: { apiGroup: '', kind: '', name: '' } }),
    admission: (authz) => bindingAdmission('rolebindings', authz),
    openapi: openapi('RoleBinding'),
  };
}

export function clusterRoleBindingModule(): ResourceModule<RoleBinding> {
  return {
    def: clusterRoleBindingResource,
    schema: roleBindingSchema,
    strategy: clusterRoleBindingStrategy,
    toWire: roleBindingToWire('ClusterRoleBinding'),
    fromProtobuf: roleBindingFromProtobuf,
    selectableFields: metadataFields,
    fieldMeta: ROLE_BINDING_FIELDS,
    table: roleBindingPrinter,
    bookmarkObject: bookmark('ClusterRoleBinding', { roleRef: { apiGroup: '', kind: '', name: '' } }),
    storeOverlay: builtinOverlay(clusterRoleBindingResource, BUILTIN_CLUSTER_ROLE_BINDINGS),
    admission: (authz) => bindingAdmission('clusterrolebindings', authz),
    openapi: openapi('ClusterRoleBinding'),
  };
}

/** The four RBAC modules, for `resourceModules`. */
export function rbacModules(): ResourceModule<never>[] {
  return [roleModule(), clusterRoleModule(), roleBindingModule(), clusterRoleBindingModule()] as unknown as ResourceModule<never>[];
}
