/**
 * @module openapi
 * Generic OpenAPI 3.0 documents for a served resource, shaped the way kubectl reads them
 * (kube-api-conventions §1.6):
 *
 * - `/openapi/v3` is a map from group-version path to the document URL with a content hash;
 * - `/openapi/v3/apis/<group>/<version>` has a path item per resource route, every operation
 *   carrying `operationId`, `x-kubernetes-action` and an OBJECT `x-kubernetes-group-version-kind`;
 *   PATCH operations list `fieldValidation` (server-side validation check) and the
 *   `application/strategic-merge-patch+json` request content (client-side apply check);
 * - `components.schemas` has the object schemas (the object kind carries the GVK as an ARRAY)
 *   and the meta/v1 schemas of {@link metaV1Schemas}.
 *
 * Nothing here is type-specific: the caller passes the resource definition, its routes and its
 * own component schemas.
 */
import { createHash } from 'node:crypto';
import type { ResourceDefinition } from './resource.js';
import type { HttpMethod, ResourceRoute } from '../api/routes.js';

// ---------------------------------------------------------------------------------------------
// Document types (the subset of OpenAPI 3.0 used by Kubernetes).

export type VendorExtensions = { [extension: `x-${string}`]: unknown };

export interface OpenApiSchema extends VendorExtensions {
  $ref?: string;
  allOf?: OpenApiSchema[];
  type?: string;
  format?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  uniqueItems?: boolean;
}

export interface OpenApiParameter {
  name: string;
  in: 'query' | 'path' | 'header';
  description?: string;
  required?: boolean;
  schema: OpenApiSchema;
}

export interface OpenApiMediaType {
  schema: OpenApiSchema;
}

export interface OpenApiRequestBody {
  content: Record<string, OpenApiMediaType>;
  required?: boolean;
}

export interface OpenApiResponse {
  description: string;
  content?: Record<string, OpenApiMediaType>;
}

export interface GroupVersionKind {
  group: string;
  kind: string;
  version: string;
}

export interface OpenApiOperation {
  tags?: string[];
  description?: string;
  operationId: string;
  parameters?: OpenApiParameter[];
  requestBody?: OpenApiRequestBody;
  responses: Record<string, OpenApiResponse>;
  'x-kubernetes-action': KubernetesAction;
  'x-kubernetes-group-version-kind': GroupVersionKind;
}

export type KubernetesAction = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist';

export type OperationMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

export interface OpenApiPathItem {
  get?: OpenApiOperation;
  put?: OpenApiOperation;
  post?: OpenApiOperation;
  delete?: OpenApiOperation;
  patch?: OpenApiOperation;
  parameters?: OpenApiParameter[];
}

export interface OpenApiSecurityScheme {
  type: string;
  name?: string;
  in?: string;
  description?: string;
}

export interface OpenApiV3Document {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, OpenApiPathItem>;
  components: {
    schemas: Record<string, OpenApiSchema>;
    securitySchemes?: Record<string, OpenApiSecurityScheme>;
  };
  security?: Record<string, string[]>[];
}

/** The `/openapi/v3` discovery document. */
export interface OpenApiV3Root {
  paths: Record<string, { serverRelativeURL: string }>;
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

export const COMPONENT_SCHEMA_PREFIX = '#/components/schemas/';

/** The four PATCH request media types (kube-api-conventions §4.4). */
export const PATCH_CONTENT_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

export const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** `{"$ref": "#/components/schemas/<name>"}`. */
export const schemaRef = (name: string): OpenApiSchema => ({ $ref: `${COMPONENT_SCHEMA_PREFIX}${name}` });

/**
 * A reference with sibling keys. Like upstream, the `$ref` goes into `allOf` whenever the
 * schema also has a description, default or extension (a bare `$ref` must stand alone).
 */
export function refWith(name: string, siblings: Omit<OpenApiSchema, '$ref' | 'allOf'> = {}): OpenApiSchema {
  if (Object.keys(siblings).length === 0) return schemaRef(name);
  return { ...siblings, allOf: [schemaRef(name)] };
}

/** Uppercase hex SHA-512 of a serialized document (the `hash=` of `/openapi/v3` and the ETag). */
export function hashDocument(json: string): string {
  return createHash('sha512').update(json, 'utf8').digest('hex').toUpperCase();
}

/** Path key of a group-version in `/openapi/v3`: `api/v1` for core, `apis/<group>/<version>` otherwise. */
export function openApiV3GroupVersionPath(d: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return d.group === '' ? `api/${d.version}` : `apis/${d.group}/${d.version}`;
}

/**
 * The `/openapi/v3` document: for each group-version path (no leading slash) the URL of its
 * document with the content hash, e.g.
 * `{"paths":{"apis/image.openshift.io/v1":{"serverRelativeURL":"/openapi/v3/apis/image.openshift.io/v1?hash=…"}}}`.
 */
export function openApiV3Root(groupVersionPaths: Readonly<Record<string, string>>): OpenApiV3Root {
  const paths: OpenApiV3Root['paths'] = {};
  for (const [gvPath, hash] of Object.entries(groupVersionPaths)) {
    const key = gvPath.replace(/^\/+/, '');
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}

/** Every `$ref` in a value (documents, schemas), in document order. */
export function collectRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

/** `$ref`s of a document that do not name one of its `components.schemas` (expected: none). */
export function unresolvedRefs(doc: Pick<OpenApiV3Document, 'components'> & object): string[] {
  const known = new Set(Object.keys(doc.components.schemas));
  return collectRefs(doc).filter((ref) => !ref.startsWith(COMPONENT_SCHEMA_PREFIX) || !known.has(ref.slice(COMPONENT_SCHEMA_PREFIX.length)));
}

const sortedRecord = <T>(record: Readonly<Record<string, T>>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

// ---------------------------------------------------------------------------------------------
// meta/v1 component schemas.

const API_VERSION_DESCRIPTION =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DESCRIPTION =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

/** Standard `apiVersion` and `kind` properties. */
export function typeMetaProperties(): Record<string, OpenApiSchema> {
  return {
    apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
    kind: { type: 'string', description: KIND_DESCRIPTION },
  };
}

const str = (description: string): OpenApiSchema => ({ type: 'string', description });
const int64 = (description: string): OpenApiSchema => ({ type: 'integer', format: 'int64', description });
const int32 = (description: string): OpenApiSchema => ({ type: 'integer', format: 'int32', description });
const bool = (description: string): OpenApiSchema => ({ type: 'boolean', description });
const stringMap = (description: string): OpenApiSchema => ({
  type: 'object',
  additionalProperties: { type: 'string', default: '' },
  description,
});

/**
 * The `io.k8s.apimachinery.pkg.apis.meta.v1.*` schemas every Kubernetes-style group-version
 * document references: ObjectMeta, ListMeta, ManagedFieldsEntry, OwnerReference, Time, FieldsV1,
 * Status, StatusDetails, StatusCause, DeleteOptions, Preconditions, Patch and WatchEvent.
 * A fresh object each call (callers may extend it).
 */
export function metaV1Schemas(): Record<string, OpenApiSchema> {
  const m = (name: string): string => `${META_V1}.${name}`;
  return {
    [m('DeleteOptions')]: {
      description: 'DeleteOptions may be provided when deleting an API object.',
      type: 'object',
      properties: {
        ...typeMetaProperties(),
        dryRun: {
          description:
            'When present, indicates that modifications should not be persisted. The only accepted value is "All", which processes every dry-run stage; unknown values are an error.',
          type: 'array',
          items: { type: 'string', default: '' },
          'x-kubernetes-list-type': 'atomic',
        },
        gracePeriodSeconds: int64(
          'The duration in seconds before the object should be deleted. Must be non-negative; zero means delete immediately. When unset the default grace period of the type is used.',
        ),
        orphanDependents: bool(
          'Deprecated in favour of propagationPolicy. Whether the dependent objects should be orphaned; true adds the "orphan" finalizer, false lets the garbage collector delete them. Only one of this field and propagationPolicy may be set.',
        ),
        preconditions: refWith(m('Preconditions'), {
          description: 'Must be fulfilled before a deletion is carried out. If not possible, a 409 Conflict status will be returned.',
        }),
        propagationPolicy: str(
          'Whether and how garbage collection is performed: "Orphan" orphans the dependents, "Background" deletes them in the background, "Foreground" deletes them before the owner. Only one of this field and orphanDependents may be set.',
        ),
      },
    },
    [m('FieldsV1')]: {
      description:
        'FieldsV1 stores a set of fields in a data structure like a trie, in JSON format. Each key is ".<field name>", "v:<value>", "k:<keys>" or "i:<index>"; the empty key "." marks the field itself.',
      type: 'object',
    },
    [m('ListMeta')]: {
      description: 'ListMeta describes metadata that synthetic resources must have, including lists and various status objects.',
      type: 'object',
      properties: {
        continue: str(
          'continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available. The value is opaque; pass it as the continue parameter of the next list call.',
        ),
        remainingItemCount: int64(
          'remainingItemCount is the number of subsequent items in the list which are not included in this list response. It is only an estimate and may be absent.',
        ),
        resourceVersion: str(
          "String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed. Clients must treat it as opaque.",
        ),
        selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
      },
    },
    [m('ManagedFieldsEntry')]: {
      description:
        'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
      type: 'object',
      properties: {
        apiVersion: str('APIVersion defines the version of this resource that this field set applies to, in the form "group/version".'),
        fieldsType: str('FieldsType is the discriminator for the different fields format and version. The only valid value is "FieldsV1".'),
        fieldsV1: refWith(m('FieldsV1'), { description: 'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.' }),
        manager: str('Manager is an identifier of the workflow managing these fields.'),
        operation: str(
          "Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values are 'Apply' and 'Update'.",
        ),
        subresource: str(
          'Subresource is the name of the subresource used to update that object, or empty if the object was updated through the main resource.',
        ),
        time: refWith(m('Time'), {
          description:
            'Time is the timestamp of when the ManagedFields entry was added. It is updated when a field is added or the manager changes a value of an owned field.',
        }),
      },
    },
    [m('ObjectMeta')]: {
      description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
      type: 'object',
      properties: {
        annotations: stringMap(
          'Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations',
        ),
        creationTimestamp: refWith(m('Time'), {
          description:
            'CreationTimestamp is a timestamp representing the server time when this object was created. Set by the system; read-only. Null for lists.',
        }),
        deletionGracePeriodSeconds: int64(
          'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. Read-only.',
        ),
        deletionTimestamp: refWith(m('Time'), {
          description:
            'DeletionTimestamp is the RFC 3339 date and time at which this resource will be deleted. Set by the server when a graceful deletion is requested by the user; read-only.',
        }),
        finalizers: {
          description:
            'Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list.',
          type: 'array',
          items: { type: 'string', default: '' },
          'x-kubernetes-list-type': 'set',
          'x-kubernetes-patch-strategy': 'merge',
        },
        generateName: str(
          'GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.',
        ),
        generation: int64('A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.'),
        labels: stringMap(
          'Map of string keys and values that can be used to organize and categorize (scope and select) objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels',
        ),
        managedFields: {
          description:
            'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically should not need to set or understand this field.',
          type: 'array',
          items: refWith(m('ManagedFieldsEntry'), { default: {} }),
          'x-kubernetes-list-type': 'atomic',
        },
        name: str(
          'Name must be unique within a namespace. It is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
        ),
        namespace: str(
          'Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the "default" namespace. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces',
        ),
        ownerReferences: {
          description:
            'List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected.',
          type: 'array',
          items: refWith(m('OwnerReference'), { default: {} }),
          'x-kubernetes-list-map-keys': ['uid'],
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-patch-merge-key': 'uid',
          'x-kubernetes-patch-strategy': 'merge',
        },
        resourceVersion: str(
          'An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. Populated by the system. Read-only.',
        ),
        selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
        uid: str(
          'UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations. Populated by the system. Read-only.',
        ),
      },
    },
    [m('OwnerReference')]: {
      description:
        'OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.',
      type: 'object',
      required: ['apiVersion', 'kind', 'name', 'uid'],
      properties: {
        apiVersion: { type: 'string', default: '', description: 'API version of the referent.' },
        blockOwnerDeletion: bool(
          'If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.',
        ),
        controller: bool('If true, this reference points to the managing controller.'),
        kind: { type: 'string', default: '', description: 'Kind of the referent.' },
        name: { type: 'string', default: '', description: 'Name of the referent.' },
        uid: { type: 'string', default: '', description: 'UID of the referent.' },
      },
      'x-kubernetes-map-type': 'atomic',
    },
    [m('Patch')]: {
      description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
      type: 'object',
    },
    [m('Preconditions')]: {
      description: 'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.',
      type: 'object',
      properties: {
        resourceVersion: str('Specifies the target ResourceVersion'),
        uid: str('Specifies the target UID.'),
      },
    },
    [m('Status')]: {
      description: 'Status is a return value for calls that do not return other objects.',
      type: 'object',
      properties: {
        apiVersion: { type: 'string', description: API_VERSION_DESCRIPTION },
        code: int32('Suggested HTTP return code for this status, 0 if not set.'),
        details: refWith(m('StatusDetails'), {
          description:
            'Extended data associated with the reason. Each reason may define its own extended details. This field is optional and the data returned is not guaranteed to conform to any schema except that defined by the reason type.',
        }),
        kind: { type: 'string', description: KIND_DESCRIPTION },
        message: str('A human-readable description of the status of this operation.'),
        metadata: refWith(m('ListMeta'), {
          description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
          default: {},
        }),
        reason: str(
          'A machine-readable description of why this operation is in the "Failure" status. If this value is empty there is no information available.',
        ),
        status: str('Status of the operation. One of: "Success" or "Failure".'),
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
    },
    [m('StatusCause')]: {
      description: 'StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.',
      type: 'object',
      properties: {
        field: str(
          'The field of the resource that has caused this error, as named by its JSON serialization. May include dot and postfix notation for nested attributes, e.g. "items[0].name".',
        ),
        message: str('A human-readable description of the cause of the error. This field may be presented as-is to a reader.'),
        reason: str('A machine-readable description of the cause of the error. If this value is empty there is no information available.'),
      },
    },
    [m('StatusDetails')]: {
      description:
        'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response. The Reason field of a Status object defines what attributes will be set.',
      type: 'object',
      properties: {
        causes: {
          description: 'The Causes array includes more details associated with the StatusReason failure.',
          type: 'array',
          items: refWith(m('StatusCause'), { default: {} }),
          'x-kubernetes-list-type': 'atomic',
        },
        group: str('The group attribute of the resource associated with the status StatusReason.'),
        kind: str('The kind attribute of the resource associated with the status StatusReason.'),
        name: str('The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).'),
        retryAfterSeconds: int32('If specified, the time in seconds before the operation should be retried.'),
        uid: str('UID of the resource (when there is a single resource which can be described).'),
      },
    },
    [m('Time')]: {
      description:
        'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON. It is serialized as an RFC 3339 date-time string with second precision.',
      type: 'string',
      format: 'date-time',
    },
    [m('WatchEvent')]: {
      description: 'Event represents a single event to a watched resource.',
      type: 'object',
      required: ['type', 'object'],
      properties: {
        object: {
          description:
            'Object is: the object of the event (ADDED, MODIFIED), the state of the object immediately before deletion (DELETED), an error Status (ERROR), or an object carrying only the resourceVersion (BOOKMARK).',
          type: 'object',
        },
        type: { type: 'string', default: '', description: 'The type of the event: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.' },
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Parameters.

/** Query/path parameter descriptions (short restatements of the apiserver's). Callers may override. */
export const DEFAULT_PARAMETER_DESCRIPTIONS: Readonly<Record<string, string>> = {
  allowWatchBookmarks:
    'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Ignored if this is not a watch.',
  continue:
    'The continue option should be set when retrieving more results from the server, with the value returned in the metadata.continue field of the previous page. An expired token results in a 410 Gone error.',
  dryRun:
    'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed. Any other value is an error.',
  fieldManager:
    'fieldManager is a name associated with the actor or entity that is making these changes. It must be at most 128 printable characters. Required for apply requests (application/apply-patch), optional otherwise.',
  fieldSelector: 'A selector to restrict the list of returned objects by their fields. Defaults to everything.',
  fieldValidation:
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: Ignore, Warn (the default) and Strict.',
  force:
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.',
  gracePeriodSeconds:
    'The duration in seconds before the object should be deleted. Value must be a non-negative integer; zero means delete immediately. If unset, the default grace period for the type is used.',
  labelSelector: 'A selector to restrict the list of returned objects by their labels. Defaults to everything.',
  limit:
    'limit is a maximum number of responses to return for a list call. If more items exist, the server sets the continue field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.',
  name: 'name of the resource',
  namespace: 'object name and auth scope, such as for teams and projects',
  orphanDependents:
    'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. Either this field or PropagationPolicy may be set, but not both.',
  pretty:
    "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).",
  propagationPolicy:
    "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'. Either this field or OrphanDependents may be set, but not both.",
  resourceVersion:
    'resourceVersion sets a constraint on what resource versions a request may be served from. Defaults to unset (most recent). See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.',
  resourceVersionMatch:
    'resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set.',
  sendInitialEvents:
    '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection, followed by a bookmark event annotated "k8s.io/initial-events-end".',
  timeoutSeconds: 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.',
  watch:
    'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.',
};

type ParameterType = 'string' | 'boolean' | 'integer';

const QUERY_PARAMETER_TYPES: Readonly<Record<string, ParameterType>> = {
  allowWatchBookmarks: 'boolean',
  continue: 'string',
  dryRun: 'string',
  fieldManager: 'string',
  fieldSelector: 'string',
  fieldValidation: 'string',
  force: 'boolean',
  gracePeriodSeconds: 'integer',
  labelSelector: 'string',
  limit: 'integer',
  orphanDependents: 'boolean',
  pretty: 'string',
  propagationPolicy: 'string',
  resourceVersion: 'string',
  resourceVersionMatch: 'string',
  sendInitialEvents: 'boolean',
  timeoutSeconds: 'integer',
  watch: 'boolean',
};

/** Query parameters by request kind (kube-api-conventions §4.0, §5.1, §7). Alphabetical, like upstream. */
export const LIST_QUERY_PARAMETERS = [
  'allowWatchBookmarks',
  'continue',
  'fieldSelector',
  'labelSelector',
  'limit',
  'resourceVersion',
  'resourceVersionMatch',
  'sendInitialEvents',
  'timeoutSeconds',
  'watch',
] as const;
export const WRITE_QUERY_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation'] as const;
export const PATCH_QUERY_PARAMETERS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'] as const;
export const DELETE_QUERY_PARAMETERS = ['dryRun', 'gracePeriodSeconds', 'orphanDependents', 'propagationPolicy'] as const;
export const DELETE_COLLECTION_QUERY_PARAMETERS = [
  'continue',
  'dryRun',
  'fieldSelector',
  'gracePeriodSeconds',
  'labelSelector',
  'limit',
  'orphanDependents',
  'propagationPolicy',
  'resourceVersion',
  'resourceVersionMatch',
  'sendInitialEvents',
  'timeoutSeconds',
] as const;

/** Query parameter names of one route (excluding `pretty`, which is on every path item). */
export function queryParameterNames(route: Pick<ResourceRoute, 'method' | 'verb'>): readonly string[] {
  switch (route.verb) {
    case 'list':
    case 'watch':
      return LIST_QUERY_PARAMETERS;
    case 'create':
    case 'update':
      return WRITE_QUERY_PARAMETERS;
    case 'patch':
      return PATCH_QUERY_PARAMETERS;
    case 'delete':
      return DELETE_QUERY_PARAMETERS;
    case 'deletecollection':
      return DELETE_COLLECTION_QUERY_PARAMETERS;
    case 'get':
      return [];
  }
}

/** The type of a known query parameter (`string` when unknown). */
export const queryParameterType = (name: string): ParameterType => QUERY_PARAMETER_TYPES[name] ?? 'string';

/** `{namespace}`, `{name}` … of a route path, in order. */
export const pathParameterNames = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');

// ---------------------------------------------------------------------------------------------
// Operations.

/** `image.openshift.io` → `ImageOpenshiftIo`, `` (core) → `Core`; `v1` → `V1`. */
const camel = (s: string): string =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p !== '')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');

const article = (kind: string): string => (/^[AEIOU]/i.test(kind) ? 'an' : 'a');

export const HTTP_TO_OPERATION: Readonly<Record<HttpMethod, OperationMethod>> = {
  GET: 'get',
  POST: 'post',
  PUT: 'put',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** What one route means, as used in ids, descriptions and `x-kubernetes-action`. */
export interface OperationIdentity {
  operationId: string;
  action: KubernetesAction;
  description: string;
}

/**
 * Upstream-style operation identity for a resource route, e.g.
 * `patchImageOpenshiftIoV1NamespacedImageStreamStatus` / `patch` /
 * `partially update status of the specified ImageStream`.
 */
export function operationIdentity(def: ResourceDefinition, route: ResourceRoute): OperationIdentity {
  const prefix = `${camel(def.group === '' ? 'core' : def.group)}${camel(def.version)}`;
  const namespaced = def.namespaced && route.scope === 'namespace';
  const allNamespaces = def.namespaced && route.scope === 'cluster';
  const ns = namespaced ? 'Namespaced' : '';
  const sub = route.subresource ? camel(route.subresource) : '';
  const subText = route.subresource ? `${route.subresource} of ` : '';
  const kind = def.kind;
  const named = route.path.endsWith('}');
  const forAll = allNamespaces ? 'ForAllNamespaces' : '';
  switch (route.verb) {
    case 'get':
      return { operationId: `read${prefix}${ns}${kind}${sub}`, action: 'get', description: `read ${subText}the specified ${kind}` };
    case 'list':
      return { operationId: `list${prefix}${ns}${kind}${forAll}`, action: 'list', description: `list or watch objects of kind ${kind}` };
    case 'create':
      return { operationId: `create${prefix}${ns}${kind}${sub}`, action: 'post', description: `create ${article(kind)} ${kind}` };
    case 'update':
      return { operationId: `replace${prefix}${ns}${kind}${sub}`, action: 'put', description: `replace ${subText}the specified ${kind}` };
    case 'patch':
      return {
        operationId: `patch${prefix}${ns}${kind}${sub}`,
        action: 'patch',
        description: `partially update ${subText}the specified ${kind}`,
      };
    case 'delete':
      return { operationId: `delete${prefix}${ns}${kind}${sub}`, action: 'delete', description: `delete ${article(kind)} ${kind}` };
    case 'deletecollection':
      return { operationId: `delete${prefix}Collection${ns}${kind}`, action: 'deletecollection', description: `delete collection of ${kind}` };
    case 'watch':
      return named
        ? {
            operationId: `watch${prefix}${ns}${kind}`,
            action: 'watch',
            description: `watch changes to an object of kind ${kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
          }
        : {
            operationId: `watch${prefix}${ns}${kind}List${forAll}`,
            action: 'watchlist',
            description: `watch individual changes to a list of ${kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
          };
  }
}

// ---------------------------------------------------------------------------------------------
// The group-version document.

export interface OpenApiV3GroupVersionInput {
  /** The served resource. */
  readonly resource: ResourceDefinition;
  /** Its routes; rows for other resources are ignored. */
  readonly routes: readonly ResourceRoute[];
  /** Type-specific component schemas; merged over {@link metaV1Schemas} (same names win). */
  readonly schemas: Readonly<Record<string, OpenApiSchema>>;
  /** Component name of the object schema, e.g. `com.github.openshift.api.image.v1.ImageStream`. */
  readonly objectSchema: string;
  /** Component name of the list schema. */
  readonly listSchema: string;
  /** `info.title` / `info.version` (defaults: `Kubernetes` / the group-version). */
  readonly title?: string;
  readonly infoVersion?: string;
  /** Parameter descriptions overriding {@link DEFAULT_PARAMETER_DESCRIPTIONS}. */
  readonly parameterDescriptions?: Readonly<Record<string, string>>;
  /** Response media types of non-streaming operations (default JSON and YAML). */
  readonly produces?: readonly string[];
}

const DEFAULT_PRODUCES = ['application/json', 'application/yaml'] as const;
const WATCH_PRODUCES = ['application/json', 'application/json;stream=watch'] as const;

function content(schema: OpenApiSchema, types: readonly string[]): Record<string, OpenApiMediaType> {
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

/**
 * Builds the OpenAPI 3.0.0 document of one group-version serving `input.resource`: one path item
 * per route path (keys exactly the route paths), operations per route, path parameters and
 * `pretty` on the path item, and the component schemas.
 */
export function buildOpenApiV3GroupVersion(input: OpenApiV3GroupVersionInput): OpenApiV3Document {
  const def = input.resource;
  const gvk: GroupVersionKind = { group: def.group, kind: def.kind, version: def.version };
  const descriptions: Record<string, string> = {
    ...DEFAULT_PARAMETER_DESCRIPTIONS,
    name: `name of the ${def.kind}`,
    ...input.parameterDescriptions,
  };
  const produces = input.produces ?? DEFAULT_PRODUCES;
  const schemas = sortedRecord({ ...metaV1Schemas(), ...input.schemas });
  for (const name of [input.objectSchema, input.listSchema]) {
    if (!(name in schemas)) throw new Error(`openapi: schema ${name} is not among the component schemas`);
  }

  const objectRef = schemaRef(input.objectSchema);
  const listRef = schemaRef(input.listSchema);
  const statusRef = schemaRef(`${META_V1}.Status`);
  const parameter = (name: string, where: 'query' | 'path'): OpenApiParameter => {
    const type = where === 'path' ? 'string' : queryParameterType(name);
    const schema: OpenApiSchema = { type };
    if (name === 'dryRun' || name === 'fieldManager' || where === 'path') schema.uniqueItems = true;
    const description = descriptions[name] ?? '';
    return { name, in: where, ...(description ? { description } : {}), ...(where === 'path' ? { required: true } : {}), schema };
  };
  const ok = (schema: OpenApiSchema, types: readonly string[] = produces): OpenApiResponse => ({ description: 'OK', content: content(schema, types) });
  const created = (schema: OpenApiSchema): OpenApiResponse => ({ description: 'Created', content: content(schema, produces) });
  const accepted = (schema: OpenApiSchema): OpenApiResponse => ({ description: 'Accepted', content: content(schema, produces) });
  const unauthorized: OpenApiResponse = { description: 'Unauthorized' };

  const groupCamel = camel(def.group === '' ? 'core' : def.group);
  const tag = `${groupCamel.charAt(0).toLowerCase()}${groupCamel.slice(1)}_${def.version}`;
  const paths: Record<string, OpenApiPathItem> = {};
  for (const route of input.routes) {
    if (route.kind !== 'resource' || route.resource !== def.plural || route.group !== def.group) continue;
    const item = (paths[route.path] ??= {
      parameters: [...pathParameterNames(route.path).reverse().map((p) => parameter(p, 'path')), parameter('pretty', 'query')],
    });
    const id = operationIdentity(def, route);
    const op: OpenApiOperation = {
      tags: [tag],
      description: id.description,
      operationId: id.operationId,
      parameters: queryParameterNames(route).map((p) => parameter(p, 'query')),
      responses: {},
      'x-kubernetes-action': id.action,
      'x-kubernetes-group-version-kind': { ...gvk },
    };
    switch (route.verb) {
      case 'get':
        op.responses = { '200': ok(objectRef), '401': unauthorized };
        break;
      case 'list':
        op.responses = { '200': ok(listRef, [...new Set([...produces, ...WATCH_PRODUCES])]), '401': unauthorized };
        break;
      case 'watch':
        op.responses = { '200': ok(schemaRef(`${META_V1}.WatchEvent`), WATCH_PRODUCES), '401': unauthorized };
        break;
      case 'create':
        op.requestBody = { content: content(objectRef, ['*/*']), required: true };
        op.responses = { '200': ok(objectRef), '201': created(objectRef), '202': accepted(objectRef), '401': unauthorized };
        break;
      case 'update':
        op.requestBody = { content: content(objectRef, ['*/*']), required: true };
        op.responses = { '200': ok(objectRef), '201': created(objectRef), '401': unauthorized };
        break;
      case 'patch':
        op.requestBody = { content: content(schemaRef(`${META_V1}.Patch`), PATCH_CONTENT_TYPES), required: true };
        op.responses = { '200': ok(objectRef), '201': created(objectRef), '401': unauthorized };
        break;
      case 'delete':
        op.requestBody = { content: content(schemaRef(`${META_V1}.DeleteOptions`), ['*/*']) };
        op.responses = { '200': ok(statusRef), '202': accepted(statusRef), '401': unauthorized };
        break;
      case 'deletecollection':
        op.requestBody = { content: content(schemaRef(`${META_V1}.DeleteOptions`), ['*/*']) };
        op.responses = { '200': ok(statusRef), '401': unauthorized };
        break;
    }
    const method = HTTP_TO_OPERATION[route.method];
    if (item[method]) throw new Error(`openapi: two routes for ${route.method} ${route.path}`);
    item[method] = op;
  }

  return {
    openapi: '3.0.0',
    info: { title: input.title ?? 'Kubernetes', version: input.infoVersion ?? `${def.group}/${def.version}` },
    paths,
    components: {
      schemas,
      securitySchemes: {
        BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' },
      },
    },
    security: [{ BearerToken: [] }],
  };
}
