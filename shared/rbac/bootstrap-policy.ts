/**
 * @module bootstrap-policy
 * The built-in ClusterRoles and ClusterRoleBindings (Kubernetes' `bootstrappolicy` and
 * OpenShift's image rules, imagestream-semantics §12.1), restricted to the API groups this
 * server serves. They are defined here, evaluated by the authorizer straight from this
 * module, and served read-only through the RBAC endpoints (`kubectl get clusterrole edit`).
 *
 * - `cluster-admin`: everything; bound to the group `system:masters`.
 * - `admin` ⊇ `edit` ⊇ `view`: aggregated from the `system:aggregate-to-*` and
 *   `system:openshift:aggregate-to-*` roles (labels `rbac.authorization.k8s.io/aggregate-to-*`);
 *   user ClusterRoles carrying those labels extend them.
 * - `system:discovery`, `system:basic-user`, `system:public-info-viewer`: bound to
 *   `system:authenticated` (the last one also to `system:unauthenticated`).
 * - OpenShift registry roles: `system:image-puller`, `system:image-pusher`,
 *   `system:image-builder`, `system:image-pruner`, `registry-viewer`, `registry-editor`.
 * - This server's operations (`imagestreams.internal`): `imagestreamlookups` (a read of the
 *   namespace's streams) comes with `view`; `imagestreamprunes` (writes every stream) only
 *   with `system:image-pruner` or `cluster-admin`.
 */
import { createHash } from 'node:crypto';
import { effectiveClusterRoleRules } from './aggregation.js';
import { RBAC_GROUP } from './resource.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule } from './types.js';

const IMAGE_GROUP = 'image.openshift.io';
/** This server's own operations (`shared/image/extensions.ts`). */
const EXTENSIONS_GROUP = 'imagestreams.internal';
const AUTHORIZATION_GROUP = 'authorization.k8s.io';
const AUTHENTICATION_GROUP = 'authentication.k8s.io';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_WRITE = [...READ, ...WRITE];

export const AGGREGATE_TO_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
export const AGGREGATE_TO_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
export const AGGREGATE_TO_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
export const BOOTSTRAPPING_LABEL = 'kubernetes.io/bootstrapping';

/** The group whose members may do anything (never subject to RBAC; as upstream). */
export const SYSTEM_MASTERS = 'system:masters';
export const SYSTEM_AUTHENTICATED = 'system:authenticated';
export const SYSTEM_UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS_USER = 'system:anonymous';

const rule = (verbs: string[], groups: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups: groups, resources });
const urls = (verbs: string[], paths: string[]): PolicyRule => ({ verbs, nonResourceURLs: paths });

/** OpenShift's image resources (§12.1), written as the edit/admin aggregate grants them. */
const IMAGE_READ_WRITE = ['imagestreams', 'imagestreammappings', 'imagestreamtags', 'imagestreamimages', 'imagetags', 'imagestreams/secrets'];
const IMAGE_READ = ['imagestreams', 'imagestreammappings', 'imagestreamtags', 'imagestreamimages', 'imagetags', 'imagestreams/status'];

/** A deterministic UUID (v5 layout) for a built-in object. */
export function builtinUid(kind: string, name: string): string {
  const h = createHash('sha1').update(`rbac-bootstrap/${kind}/${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const BUILTIN_CREATION_TIMESTAMP = '2026-01-01T00:00:00Z';

const meta = (kind: string, name: string, labels: Record<string, string> = {}) => ({
  name,
  uid: builtinUid(kind, name),
  creationTimestamp: BUILTIN_CREATION_TIMESTAMP,
  labels: { [BOOTSTRAPPING_LABEL]: 'rbac-defaults', ...labels },
  annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
});

const role = (name: string, rules: PolicyRule[], labels: Record<string, string> = {}): ClusterRole => ({
  metadata: meta('ClusterRole', name, labels),
  rules,
});

const aggregated = (name: string, selectorLabel: string, labels: Record<string, string> = {}): ClusterRole => ({
  metadata: meta('ClusterRole', name, labels),
  aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [selectorLabel]: 'true' } }] },
});

function clusterRoles(): ClusterRole[] {
  const roles: ClusterRole[] = [
    role('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    aggregated('admin', AGGREGATE_TO_ADMIN),
    aggregated('edit', AGGREGATE_TO_EDIT, { [AGGREGATE_TO_ADMIN]: 'true' }),
    aggregated('view', AGGREGATE_TO_VIEW, { [AGGREGATE_TO_EDIT]: 'true' }),
    role(
      'system:aggregate-to-admin',
      [rule(['create'], [AUTHORIZATION_GROUP], ['localsubjectaccessreviews']), rule(READ_WRITE, [RBAC_GROUP], ['roles', 'rolebindings'])],
      { [AGGREGATE_TO_ADMIN]: 'true' },
    ),
    role('system:aggregate-to-edit', [rule(READ, [''], ['secrets']), rule(WRITE, [''], ['secrets', 'events'])], { [AGGREGATE_TO_EDIT]: 'true' }),
    role('system:aggregate-to-view', [rule(READ, [''], ['events']), rule(READ, [''], ['namespaces'])], { [AGGREGATE_TO_VIEW]: 'true' }),
    role(
      'system:openshift:aggregate-to-admin',
      [
        rule(READ_WRITE, [IMAGE_GROUP], IMAGE_READ_WRITE),
        rule(['create'], [IMAGE_GROUP], ['imagestreamimports']),
        rule(['get', 'update'], [IMAGE_GROUP], ['imagestreams/layers']),
        rule(READ, [IMAGE_GROUP], ['imagestreams/status']),
      ],
      { [AGGREGATE_TO_ADMIN]: 'true' },
    ),
    role(
      'system:openshift:aggregate-to-edit',
      [
        rule(READ_WRITE, [IMAGE_GROUP], IMAGE_READ_WRITE),
        rule(['create'], [IMAGE_GROUP], ['imagestreamimports']),
        rule(['get', 'update'], [IMAGE_GROUP], ['imagestreams/layers']),
        rule(READ, [IMAGE_GROUP], ['imagestreams/status']),
      ],
      { [AGGREGATE_TO_EDIT]: 'true' },
    ),
    role('system:openshift:aggregate-to-view', [rule(READ, [IMAGE_GROUP], IMAGE_READ), rule(['create'], [EXTENSIONS_GROUP], ['imagestreamlookups'])], {
      [AGGREGATE_TO_VIEW]: 'true',
    }),
    role('system:basic-user', [
      rule(['create'], [AUTHORIZATION_GROUP], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], [AUTHENTICATION_GROUP], ['selfsubjectreviews']),
    ]),
    role('system:discovery', [
      urls(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/', '/openapi', '/openapi/*', '/api', '/api/*', '/apis', '/apis/*']),
    ]),
    role('system:public-info-viewer', [urls(['get'], ['/livez', '/readyz', '/healthz', '/version', '/version/'])]),
    role('system:image-puller', [rule(['get'], [IMAGE_GROUP], ['imagestreams/layers'])]),
    role('system:image-pusher', [rule(['get', 'update'], [IMAGE_GROUP], ['imagestreams/layers'])]),
    role('system:image-builder', [rule(['get', 'update'], [IMAGE_GROUP], ['imagestreams/layers']), rule(['create'], [IMAGE_GROUP], ['imagestreams'])]),
    role('system:image-pruner', [rule(['create'], [EXTENSIONS_GROUP], ['imagestreamprunes']), rule(READ, [IMAGE_GROUP], ['imagestreams'])]),
    role('registry-viewer', [rule(READ, [IMAGE_GROUP], IMAGE_READ), rule(['get'], [IMAGE_GROUP], ['imagestreams/layers'])]),
    role('registry-editor', [
      rule(READ_WRITE, [IMAGE_GROUP], IMAGE_READ_WRITE),
      rule(['create'], [IMAGE_GROUP], ['imagestreamimports']),
      rule(['get', 'update'], [IMAGE_GROUP], ['imagestreams/layers']),
      rule(READ, [IMAGE_GROUP], ['imagestreams/status']),
    ]),
  ];
  // The aggregated roles carry the rules the aggregation controller would have written.
  const effective = effectiveClusterRoleRules(roles);
  return roles
    .map((r) => (r.aggregationRule ? { ...r, rules: effective.get(r.metadata.name ?? '') ?? [] } : r))
    .sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
}

const binding = (name: string, groups: string[]): ClusterRoleBinding => ({
  metadata: meta('ClusterRoleBinding', name),
  subjects: groups.map((g) => ({ kind: 'Group', apiGroup: RBAC_GROUP, name: g })),
  roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
});

function clusterRoleBindings(): ClusterRoleBinding[] {
  return [
    binding('cluster-admin', [SYSTEM_MASTERS]),
    binding('system:basic-user', [SYSTEM_AUTHENTICATED]),
    binding('system:discovery', [SYSTEM_AUTHENTICATED]),
    binding('system:public-info-viewer', [SYSTEM_AUTHENTICATED, SYSTEM_UNAUTHENTICATED]),
  ];
}

/** The built-in ClusterRoles, sorted by name (rules of aggregated roles filled in). */
export const BUILTIN_CLUSTER_ROLES: readonly ClusterRole[] = clusterRoles();
/** The built-in ClusterRoleBindings, sorted by name. */
export const BUILTIN_CLUSTER_ROLE_BINDINGS: readonly ClusterRoleBinding[] = clusterRoleBindings();

export const isBuiltinClusterRole = (name: string): boolean => BUILTIN_CLUSTER_ROLES.some((r) => r.metadata.name === name);
export const isBuiltinClusterRoleBinding = (name: string): boolean => BUILTIN_CLUSTER_ROLE_BINDINGS.some((b) => b.metadata.name === name);
