/**
 * @module routes
 * THE route table: every HTTP endpoint the server answers, as data. The CDK app turns each
 * row into an API Gateway method, the local gateway matches requests against the same rows,
 * and discovery lists a resource's verbs from them. A new endpoint is a new row.
 */

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
  /** Plural resource name. */
  readonly resource: string;
  readonly subresource?: string;
  /** `cluster` for the all-namespaces collection paths. */
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

const IS = '/apis/image.openshift.io/v1';
const NS = `${IS}/namespaces/{namespace}/imagestreams`;
const ONE = `${NS}/{name}`;

export const routes: readonly Route[] = [
  // Discovery, version, OpenAPI and the core endpoints kubectl probes.
  { kind: 'non-resource', method: 'GET', path: '/version', family: 'discovery', endpoint: 'version' },
  { kind: 'non-resource', method: 'GET', path: '/api', family: 'discovery', endpoint: 'api' },
  { kind: 'non-resource', method: 'GET', path: '/apis', family: 'discovery', endpoint: 'apis' },
  { kind: 'non-resource', method: 'GET', path: '/apis/image.openshift.io', family: 'discovery', endpoint: 'api-group' },
  { kind: 'non-resource', method: 'GET', path: IS, family: 'discovery', endpoint: 'api-group-version' },
  { kind: 'non-resource', method: 'GET', path: '/openapi/v2', family: 'discovery', endpoint: 'openapi-v2' },
  { kind: 'non-resource', method: 'GET', path: '/openapi/v3', family: 'discovery', endpoint: 'openapi-v3' },
  {
    kind: 'non-resource',
    method: 'GET',
    path: '/openapi/v3/apis/image.openshift.io/v1',
    family: 'discovery',
    endpoint: 'openapi-v3-group-version',
  },
  { kind: 'non-resource', method: 'GET', path: '/api/v1/namespaces/{namespace}', family: 'discovery', endpoint: 'core-namespace' },
  {
    kind: 'non-resource',
    method: 'GET',
    path: '/api/v1/namespaces/{namespace}/events',
    family: 'discovery',
    endpoint: 'core-events',
  },

  // ImageStreams across all namespaces.
  {
    kind: 'resource',
    method: 'GET',
    path: `${IS}/imagestreams`,
    family: 'watch',
    verb: 'list',
    resource: 'imagestreams',
    scope: 'cluster',
    streaming: true,
  },

  // ImageStreams in a namespace.
  {
    kind: 'resource',
    method: 'GET',
    path: NS,
    family: 'watch',
    verb: 'list',
    resource: 'imagestreams',
    scope: 'namespace',
    streaming: true,
  },
  { kind: 'resource', method: 'POST', path: NS, family: 'imagestreams', verb: 'create', resource: 'imagestreams', scope: 'namespace' },
  {
    kind: 'resource',
    method: 'DELETE',
    path: NS,
    family: 'imagestreams',
    verb: 'deletecollection',
    resource: 'imagestreams',
    scope: 'namespace',
  },
  { kind: 'resource', method: 'GET', path: ONE, family: 'imagestreams', verb: 'get', resource: 'imagestreams', scope: 'namespace' },
  { kind: 'resource', method: 'PUT', path: ONE, family: 'imagestreams', verb: 'update', resource: 'imagestreams', scope: 'namespace' },
  { kind: 'resource', method: 'PATCH', path: ONE, family: 'imagestreams', verb: 'patch', resource: 'imagestreams', scope: 'namespace' },
  { kind: 'resource', method: 'DELETE', path: ONE, family: 'imagestreams', verb: 'delete', resource: 'imagestreams', scope: 'namespace' },

  // The status subresource.
  {
    kind: 'resource',
    method: 'GET',
    path: `${ONE}/status`,
    family: 'imagestreams-status',
    verb: 'get',
    resource: 'imagestreams',
    subresource: 'status',
    scope: 'namespace',
  },
  {
    kind: 'resource',
    method: 'PUT',
    path: `${ONE}/status`,
    family: 'imagestreams-status',
    verb: 'update',
    resource: 'imagestreams',
    subresource: 'status',
    scope: 'namespace',
  },
  {
    kind: 'resource',
    method: 'PATCH',
    path: `${ONE}/status`,
    family: 'imagestreams-status',
    verb: 'patch',
    resource: 'imagestreams',
    subresource: 'status',
    scope: 'namespace',
  },

  // Deprecated /watch/ paths (kept because the API reference lists them).
  {
    kind: 'resource',
    method: 'GET',
    path: `${IS}/watch/imagestreams`,
    family: 'watch',
    verb: 'watch',
    resource: 'imagestreams',
    scope: 'cluster',
    streaming: true,
  },
  {
    kind: 'resource',
    method: 'GET',
    path: `${IS}/watch/namespaces/{namespace}/imagestreams`,
    family: 'watch',
    verb: 'watch',
    resource: 'imagestreams',
    scope: 'namespace',
    streaming: true,
  },
  {
    kind: 'resource',
    method: 'GET',
    path: `${IS}/watch/namespaces/{namespace}/imagestreams/{name}`,
    family: 'watch',
    verb: 'watch',
    resource: 'imagestreams',
    scope: 'namespace',
    streaming: true,
  },
];

/** Distinct route paths, in table order (API Gateway resources). */
export function routePaths(table: readonly Route[] = routes): string[] {
  return [...new Set(table.map((r) => r.path))];
}

/** Verbs served for a resource (or one of its subresources), sorted as discovery lists them. */
export function verbsFor(resource: string, subresource?: string, table: readonly Route[] = routes): string[] {
  const verbs = new Set<string>();
  for (const r of table) {
    if (r.kind === 'resource' && r.resource === resource && r.subresource === subresource) verbs.add(r.verb);
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
