/**
 * @module routes
 * THE route table: every HTTP endpoint the server answers, as data. The CDK app turns each
 * row into an API Gateway method, the local gateway matches requests against the same rows,
 * and discovery and OpenAPI list a resource's verbs from them. Resource rows are generated
 * from each served resource's definition by one function, as Kubernetes' installer does.
 */
import { groupVersionOf, type ResourceDefinition } from '../apimachinery/resource.js';
import {
  imageStreamImageResource,
  imageStreamLookupResource,
  imageStreamPruneResource,
  imageStreamResource,
  imageStreamTagResource,
} from '../image/resource.js';
import { secretResource } from '../core/secret/resource.js';
import { REVIEW_RESOURCES } from '../auth/review-resources.js';
import { RBAC_RESOURCES } from '../rbac/resource.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Which Lambda function (handler module under `functions/`) serves a row. `watch` serves every
 * GET of a collection: API Gateway cannot route on `?watch=true`, so lists and watches share a
 * response-streaming function.
 */
export type RouteFamily = 'discovery' | 'imagestreams' | 'imagestreams-status' | 'watch';

/** Kubernetes verbs for resource rows; `endpoint` names a non-resource endpoint. */
export type ResourceVerb = 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'watch';

export type NonResourceEndpoint =
  | 'version'
  | 'api'
  | 'apis'
  | 'api-group'
  | 'api-group-version'
  | 'openapi-v2'
  | 'openapi-v3'
  | 'openapi-v3-group-version'
  | 'core-namespace'
  | 'core-events';

export interface ResourceRoute {
  readonly kind: 'resource';
  readonly method: HttpMethod;
  /** Path in API Gateway syntax, `{param}` for a path parameter. */
  readonly path: string;
  readonly family: RouteFamily;
  readonly verb: ResourceVerb;
  /** API group (`""` for core) and version of the resource. */
  readonly group: string;
  readonly version: string;
  /** Plural resource name. */
  readonly resource: string;
  readonly subresource?: string;
  /** `cluster` for paths without a namespace (all-namespaces collections, cluster-scoped resources). */
  readonly scope: 'namespace' | 'cluster';
  /** Responses are long-lived streams (watch). */
  readonly streaming?: boolean;
}

export interface NonResourceRoute {
  readonly kind: 'non-resource';
  readonly method: HttpMethod;
  readonly path: string;
  readonly family: RouteFamily;
  readonly endpoint: NonResourceEndpoint;
}

export type Route = ResourceRoute | NonResourceRoute;

/** How a served resource's rows map to route families. */
export interface ServedResourceRoutes {
  readonly def: ResourceDefinition;
  /** get, create, update, patch, delete, deletecollection. */
  readonly family: RouteFamily;
  /** list and watch (response streaming). */
  readonly collectionFamily: RouteFamily;
  /** The status subresource, when the resource has one. */
  readonly statusFamily?: RouteFamily;
  /** Only these verbs are served (default: all); e.g. `['create']` for access reviews. */
  readonly verbs?: readonly ResourceVerb[];
}

/** The API path prefix of a group-version: `/api/v1` or `/apis/<group>/<version>`. */
export const apiPrefix = (def: Pick<ResourceDefinition, 'group' | 'version'>): string =>
  def.group === '' ? `/api/${def.version}` : `/apis/${def.group}/${def.version}`;

/** The standard rows of a resource (the paths of the Kubernetes installer). */
export function resourceRoutes(spec: ServedResourceRoutes): ResourceRoute[] {
  const { def } = spec;
  const base = apiPrefix(def);
  const common = { kind: 'resource', group: def.group, version: def.version, resource: def.plural } as const;
  const rows: ResourceRoute[] = [];
  const row = (method: HttpMethod, path: string, verb: ResourceVerb, family: RouteFamily, scope: 'namespace' | 'cluster', extra: Partial<ResourceRoute> = {}) => {
    if (spec.verbs === undefined || spec.verbs.includes(verb)) rows.push({ ...common, method, path, verb, family, scope, ...extra });
  };
  const stream = { streaming: true } as const;
  const nsColl = def.namespaced ? `${base}/namespaces/{namespace}/${def.plural}` : `${base}/${def.plural}`;
  const scope = def.namespaced ? 'namespace' : 'cluster';
  if (def.namespaced) {
    row('GET', `${base}/${def.plural}`, 'list', spec.collectionFamily, 'cluster', stream);
  }
  row('GET', nsColl, 'list', spec.collectionFamily, scope, stream);
  row('POST', nsColl, 'create', spec.family, scope);
  row('DELETE', nsColl, 'deletecollection', spec.family, scope);
  const one = `${nsColl}/{name}`;
  row('GET', one, 'get', spec.family, scope);
  row('PUT', one, 'update', spec.family, scope);
  row('PATCH', one, 'patch', spec.family, scope);
  row('DELETE', one, 'delete', spec.family, scope);
  if (spec.statusFamily && def.subresources.includes('status')) {
    for (const [method, verb] of [
      ['GET', 'get'],
      ['PUT', 'update'],
      ['PATCH', 'patch'],
    ] as const) {
      row(method, `${one}/status`, verb, spec.statusFamily, scope, { subresource: 'status' });
    }
  }
  // Deprecated /watch/ paths (kept because the API references list them).
  const watchBase = `${base}/watch`;
  if (def.namespaced) row('GET', `${watchBase}/${def.plural}`, 'watch', spec.collectionFamily, 'cluster', stream);
  const watchColl = def.namespaced ? `${watchBase}/namespaces/{namespace}/${def.plural}` : `${watchBase}/${def.plural}`;
  row('GET', watchColl, 'watch', spec.collectionFamily, scope, stream);
  row('GET', `${watchColl}/{name}`, 'watch', spec.collectionFamily, scope, stream);
  return rows;
}

/** Every resource this server stores, with the functions that serve it. */
export const SERVED_RESOURCES: readonly ServedResourceRoutes[] = [
  { def: imageStreamResource, family: 'imagestreams', collectionFamily: 'watch', statusFamily: 'imagestreams-status' },
  // Core v1 Secrets (pull secrets for image imports): CRUD with the non-streaming family.
  { def: secretResource, family: 'imagestreams', collectionFamily: 'watch' },
  // Views of streams served by their own handlers (shared/api/modules/image-stream-{tags,images}.ts).
  // imagestreamtags: upstream's storage is a Getter+Updater, so the installer routes PATCH too.
  {
    def: imageStreamTagResource,
    family: 'imagestreams',
    collectionFamily: 'watch',
    verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'],
  },
  { def: imageStreamImageResource, family: 'imagestreams', collectionFamily: 'watch', verbs: ['get'] },
  // This server's operations (imagestreams.internal): create-only reviews.
  { def: imageStreamPruneResource, family: 'imagestreams', collectionFamily: 'watch', verbs: ['create'] },
  { def: imageStreamLookupResource, family: 'imagestreams', collectionFamily: 'watch', verbs: ['create'] },
  // RBAC (rbac.authorization.k8s.io/v1: roles, clusterroles, rolebindings, clusterrolebindings), stored.
  ...RBAC_RESOURCES.map((def) => ({ def, family: 'imagestreams', collectionFamily: 'watch' }) as const),
  // Access and identity reviews (kubectl auth can-i / whoami): create-only, served by their own handlers.
  ...REVIEW_RESOURCES.map((def) => ({ def, family: 'imagestreams', collectionFamily: 'watch', verbs: ['create'] }) as const),
];

const nonResource = (path: string, endpoint: NonResourceEndpoint): NonResourceRoute => ({
  kind: 'non-resource',
  method: 'GET',
  path,
  family: 'discovery',
  endpoint,
});

/** Discovery and OpenAPI rows for the served group-versions. */
function discoveryRoutes(served: readonly ServedResourceRoutes[]): NonResourceRoute[] {
  const rows: NonResourceRoute[] = [
    nonResource('/version', 'version'),
    nonResource('/api', 'api'),
    nonResource('/apis', 'apis'),
    nonResource('/openapi/v2', 'openapi-v2'),
    nonResource('/openapi/v3', 'openapi-v3'),
  ];
  const groups = new Set<string>();
  const groupVersions = new Set<string>();
  for (const { def } of served) {
    if (def.group !== '' && !groups.has(def.group)) {
      groups.add(def.group);
      rows.push(nonResource(`/apis/${def.group}`, 'api-group'));
    }
    const gv = groupVersionOf(def);
    if (!groupVersions.has(gv)) {
      groupVersions.add(gv);
      rows.push(nonResource(apiPrefix(def), 'api-group-version'));
      rows.push(nonResource(`/openapi/v3${apiPrefix(def)}`, 'openapi-v3-group-version'));
    }
  }
  // Core paths kubectl probes even though namespaces are not served (conventions §1.8).
  rows.push(nonResource('/api/v1/namespaces/{namespace}', 'core-namespace'));
  rows.push(nonResource('/api/v1/namespaces/{namespace}/events', 'core-events'));
  return rows;
}

export const routes: readonly Route[] = [...discoveryRoutes(SERVED_RESOURCES), ...SERVED_RESOURCES.flatMap(resourceRoutes)];

/** Distinct route paths, in table order (API Gateway resources). */
export function routePaths(table: readonly Route[] = routes): string[] {
  return [...new Set(table.map((r) => r.path))];
}

/** Verbs served for a resource (or one of its subresources), sorted as discovery lists them. */
export function verbsFor(group: string, resource: string, subresource?: string, table: readonly Route[] = routes): string[] {
  const verbs = new Set<string>();
  for (const r of table) {
    if (r.kind === 'resource' && r.group === group && r.resource === resource && r.subresource === subresource) verbs.add(r.verb);
  }
  return [...verbs].sort();
}

/** The Lambda entry module (relative to the repository root) of each route family. */
export const FAMILY_ENTRIES: Readonly<Record<RouteFamily, string>> = {
  discovery: 'functions/http/discovery.ts',
  imagestreams: 'functions/http/imagestreams.ts',
  'imagestreams-status': 'functions/http/imagestreams-status.ts',
  watch: 'functions/http/watch.ts',
};
