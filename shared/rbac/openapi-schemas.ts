/**
 * @module openapi-schemas
 * OpenAPI v3 component schemas of rbac.authorization.k8s.io/v1 (upstream
 * `io.k8s.api.rbac.v1.*` and the meta/v1 LabelSelector they use), with the GVK extensions
 * kubectl needs (kube-api-conventions §1.6.2).
 */
import { META_V1, refWith, typeMetaProperties, type OpenApiSchema } from '../apimachinery/openapi.js';
import { RBAC_GROUP, RBAC_VERSION } from './resource.js';

const PKG = 'io.k8s.api.rbac.v1';
export const rbacSchemaName = (kind: string): string => `${PKG}.${kind}`;

const str = (description: string, extra: OpenApiSchema = {}): OpenApiSchema => ({ type: 'string', description, ...extra });
const strings = (description: string): OpenApiSchema => ({
  type: 'array',
  description,
  items: { type: 'string', default: '' },
  'x-kubernetes-list-type': 'atomic',
});
const gvk = (kind: string) => [{ group: RBAC_GROUP, kind, version: RBAC_VERSION }];
const objectMeta = refWith(`${META_V1}.ObjectMeta`, { description: "Standard object's metadata.", default: {} });

function list(kind: string, plural: string): OpenApiSchema {
  return {
    description: `${kind}List is a collection of ${plural}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: typeMetaProperties().apiVersion ?? {},
      items: { type: 'array', description: `Items is a list of ${plural}`, items: refWith(rbacSchemaName(kind), { default: {} }) },
      kind: typeMetaProperties().kind ?? {},
      metadata: refWith(`${META_V1}.ListMeta`, { description: "Standard object's metadata.", default: {} }),
    },
    'x-kubernetes-group-version-kind': gvk(`${kind}List`),
  };
}

const rules = (owner: string): OpenApiSchema => ({
  type: 'array',
  description: `Rules holds all the PolicyRules for this ${owner}`,
  items: refWith(rbacSchemaName('PolicyRule'), { default: {} }),
  'x-kubernetes-list-type': 'atomic',
});

const subjects: OpenApiSchema = {
  type: 'array',
  description: 'Subjects holds references to the objects the role applies to.',
  items: refWith(rbacSchemaName('Subject'), { default: {} }),
  'x-kubernetes-list-type': 'atomic',
};

/** Every component schema of the RBAC group-version (meta/v1 ones come from `metaV1Schemas()`). */
export function rbacSchemas(): Record<string, OpenApiSchema> {
  const schemas: Record<string, OpenApiSchema> = {
    [rbacSchemaName('AggregationRule')]: {
      description: 'AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole',
      type: 'object',
      properties: {
        clusterRoleSelectors: {
          type: 'array',
          description:
            "ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules. If any of the selectors match, then the ClusterRole's permissions will be added",
          items: refWith(`${META_V1}.LabelSelector`, { default: {} }),
          'x-kubernetes-list-type': 'atomic',
        },
      },
    },
    [rbacSchemaName('ClusterRole')]: {
      description: 'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.',
      type: 'object',
      properties: {
        aggregationRule: refWith(rbacSchemaName('AggregationRule'), {
          description:
            'AggregationRule is an optional field that describes how to build the Rules for this ClusterRole. If AggregationRule is set, then the Rules are controller managed and direct changes to Rules will be stomped by the controller.',
        }),
        apiVersion: typeMetaProperties().apiVersion ?? {},
        kind: typeMetaProperties().kind ?? {},
        metadata: objectMeta,
        rules: rules('ClusterRole'),
      },
      'x-kubernetes-group-version-kind': gvk('ClusterRole'),
    },
    [rbacSchemaName('ClusterRoleBinding')]: {
      description:
        'ClusterRoleBinding references a ClusterRole, but not contain it.  It can reference a ClusterRole in the global namespace, and adds who information via Subject.',
      type: 'object',
      required: ['roleRef'],
      properties: {
        apiVersion: typeMetaProperties().apiVersion ?? {},
        kind: typeMetaProperties().kind ?? {},
        metadata: objectMeta,
        roleRef: refWith(rbacSchemaName('RoleRef'), {
          description:
            'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
          default: {},
        }),
        subjects,
      },
      'x-kubernetes-group-version-kind': gvk('ClusterRoleBinding'),
    },
    [rbacSchemaName('PolicyRule')]: {
      description:
        'PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.',
      type: 'object',
      required: ['verbs'],
      properties: {
        apiGroups: strings(
          'APIGroups is the name of the APIGroup that contains the resources.  If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed. "" represents the core API group and "*" represents all API groups.',
        ),
        nonResourceURLs: strings(
          'NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path Since non-resource URLs are not namespaced, this field is only applicable for ClusterRoles referenced from a ClusterRoleBinding. Rules can either apply to API resources (such as "pods" or "secrets") or non-resource URL paths (such as "/api"),  but not both.',
        ),
        resourceNames: strings('ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.'),
        resources: strings("Resources is a list of resources this rule applies to. '*' represents all resources."),
        verbs: strings("Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs."),
      },
    },
    [rbacSchemaName('Role')]: {
      description: 'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.',
      type: 'object',
      properties: {
        apiVersion: typeMetaProperties().apiVersion ?? {},
        kind: typeMetaProperties().kind ?? {},
        metadata: objectMeta,
        rules: rules('Role'),
      },
      'x-kubernetes-group-version-kind': gvk('Role'),
    },
    [rbacSchemaName('RoleBinding')]: {
      description:
        'RoleBinding references a role, but does not contain it.  It can reference a Role in the same namespace or a ClusterRole in the global namespace. It adds who information via Subjects and namespace information by which namespace it exists in.  RoleBindings in a given namespace only have effect in that namespace.',
      type: 'object',
      required: ['roleRef'],
      properties: {
        apiVersion: typeMetaProperties().apiVersion ?? {},
        kind: typeMetaProperties().kind ?? {},
        metadata: objectMeta,
        roleRef: refWith(rbacSchemaName('RoleRef'), {
          description:
            'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
          default: {},
        }),
        subjects,
      },
      'x-kubernetes-group-version-kind': gvk('RoleBinding'),
    },
    [rbacSchemaName('RoleRef')]: {
      description: 'RoleRef contains information that points to the role being used',
      type: 'object',
      required: ['apiGroup', 'kind', 'name'],
      properties: {
        apiGroup: str('APIGroup is the group for the resource being referenced', { default: '' }),
        kind: str('Kind is the type of resource being referenced', { default: '' }),
        name: str('Name is the name of resource being referenced', { default: '' }),
      },
      'x-kubernetes-map-type': 'atomic',
    },
    [rbacSchemaName('Subject')]: {
      description:
        'Subject contains a reference to the object or user identities a role binding applies to.  This can either hold a direct API object reference, or a value for non-objects such as user and group names.',
      type: 'object',
      required: ['kind', 'name'],
      properties: {
        apiGroup: str(
          'APIGroup holds the API group of the referenced subject. Defaults to "" for ServiceAccount subjects. Defaults to "rbac.authorization.k8s.io" for User and Group subjects.',
        ),
        kind: str(
          'Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount". If the Authorizer does not recognized the kind value, the Authorizer should report an error.',
          { default: '' },
        ),
        name: str('Name of the object being referenced.', { default: '' }),
        namespace: str(
          'Namespace of the referenced object.  If the object kind is non-namespace, such as "User" or "Group", and this value is not empty the Authorizer should report an error.',
        ),
      },
      'x-kubernetes-map-type': 'atomic',
    },
    [`${META_V1}.LabelSelector`]: {
      description:
        'A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects.',
      type: 'object',
      properties: {
        matchExpressions: {
          type: 'array',
          description: 'matchExpressions is a list of label selector requirements. The requirements are ANDed.',
          items: refWith(`${META_V1}.LabelSelectorRequirement`, { default: {} }),
          'x-kubernetes-list-type': 'atomic',
        },
        matchLabels: {
          type: 'object',
          description:
            'matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.',
          additionalProperties: { type: 'string', default: '' },
        },
      },
      'x-kubernetes-map-type': 'atomic',
    },
    [`${META_V1}.LabelSelectorRequirement`]: {
      description: 'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
      type: 'object',
      required: ['key', 'operator'],
      properties: {
        key: str('key is the label key that the selector applies to.', { default: '' }),
        operator: str("operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist.", { default: '' }),
        values: strings(
          'values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.',
        ),
      },
    },
    [rbacSchemaName('ClusterRoleBindingList')]: list('ClusterRoleBinding', 'ClusterRoleBindings'),
    [rbacSchemaName('ClusterRoleList')]: list('ClusterRole', 'ClusterRoles'),
    [rbacSchemaName('RoleBindingList')]: list('RoleBinding', 'RoleBindings'),
    [rbacSchemaName('RoleList')]: list('Role', 'Roles'),
  };
  return Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
