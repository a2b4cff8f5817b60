/**
 * @module discovery-endpoints
 * Non-resource endpoints: `/version`, `/api`, `/apis`, group and group-version documents,
 * OpenAPI v2/v3, and the two core paths kubectl probes (`/api/v1/namespaces/{ns}` and its
 * events). Content negotiation follows kube-api-conventions §1.
 */
import { createHash } from 'node:crypto';
import {
  AGGREGATED_CONTENT_TYPE,
  aggregatedDiscovery,
  legacyApiVersions,
  legacyGroup,
  legacyGroupList,
  legacyResourceList,
  versionInfo,
  type ServedResource,
} from '../apimachinery/discovery.js';
import { negotiateDiscovery, parseAccept } from '../apimachinery/negotiation.js';
import { notAcceptable, notFound } from '../apimachinery/status.js';
import { isDNS1123Label } from '../apimachinery/validation.js';
import { firstQuery, type ApiRequest, type ApiResponse } from './http.js';
import { jsonResponse, pageNotFound } from './render.js';
import type { NonResourceRoute } from './routes.js';

export interface OpenApiDocuments {
  /** `/openapi/v3` body. */
  readonly v3Root: object;
  /** Group-version documents keyed by their path without the leading slash (`apis/g/v`). */
  readonly v3: ReadonlyMap<string, { readonly json: string; readonly hash: string }>;
  /** `/openapi/v2` protobuf body. */
  readonly v2: Buffer;
  readonly v2ContentType: string;
}

export interface DiscoveryDeps {
  readonly resources: readonly ServedResource[];
  readonly openapi: OpenApiDocuments;
}

const etagOf = (body: string): string => `"${createHash('sha512').update(body).digest('hex').toUpperCase()}"`;

function discoveryDocument(req: ApiRequest, deps: DiscoveryDeps, core: boolean): ApiResponse {
  const format = negotiateDiscovery(req.headers['accept']);
  if (format === 'legacy') {
    return jsonResponse(200, core ? legacyApiVersions(deps.resources) : legacyGroupList(deps.resources));
  }
  const body = JSON.stringify(aggregatedDiscovery(deps.resources, format, core));
  const etag = etagOf(body);
  const headers = { 'Content-Type': AGGREGATED_CONTENT_TYPE(format), Vary: 'Accept', ETag: etag, 'Cache-Control': 'public' };
  if (req.headers['if-none-match'] === etag) return { statusCode: 304, headers, body: '' };
  return { statusCode: 200, headers, body };
}

function openApiV3GroupVersion(req: ApiRequest, deps: DiscoveryDeps, key: string): ApiResponse {
  const doc = deps.openapi.v3.get(key);
  if (!doc) return pageNotFound();
  const hash = firstQuery(req, 'hash');
  const base = `/openapi/v3/${key}`;
  if (hash !== undefined && hash !== doc.hash) {
    return { statusCode: 301, headers: { Location: `${base}?hash=${doc.hash}`, 'Content-Type': 'text/plain' }, body: '' };
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ETag: `"${doc.hash}"`, Vary: 'Accept' };
  if (hash !== undefined) {
    headers['Cache-Control'] = 'public, immutable';
    headers['Expires'] = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
  }
  return { statusCode: 200, headers, body: doc.json };
}

function openApiV2(req: ApiRequest, deps: DiscoveryDeps): ApiResponse {
  const clauses = parseAccept(req.headers['accept']);
  const wantsProtobuf = clauses.some((c) => c.subtype.includes('protobuf'));
  if (!wantsProtobuf) throw notAcceptable([deps.openapi.v2ContentType]);
  return { statusCode: 200, headers: { 'Content-Type': deps.openapi.v2ContentType }, body: deps.openapi.v2 };
}

/** A namespace exists when its name is valid: this server keeps no namespace objects. */
function namespaceObject(name: string): object {
  const uid = createHash('sha1').update(`namespace/${name}`).digest('hex');
  return {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: {
      name,
      uid: `${uid.slice(0, 8)}-${uid.slice(8, 12)}-5${uid.slice(13, 16)}-8${uid.slice(17, 20)}-${uid.slice(20, 32)}`,
      resourceVersion: '1',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { 'kubernetes.io/metadata.name': name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function handleDiscoveryRoute(route: NonResourceRoute, req: ApiRequest, deps: DiscoveryDeps): ApiResponse {
  switch (route.endpoint) {
    case 'version':
      return jsonResponse(200, versionInfo());
    case 'api':
      return discoveryDocument(req, deps, true);
    case 'apis':
      return discoveryDocument(req, deps, false);
    case 'api-group': {
      const group = route.path.split('/')[2] ?? '';
      const doc = legacyGroup(deps.resources, group);
      return doc ? jsonResponse(200, doc) : pageNotFound();
    }
    case 'api-group-version': {
      const parts = route.path.split('/');
      const [group, version] = parts[1] === 'api' ? ['', parts[2] ?? ''] : [parts[2] ?? '', parts[3] ?? ''];
      const doc = legacyResourceList(deps.resources, group, version);
      return doc ? jsonResponse(200, doc) : pageNotFound();
    }
    case 'openapi-v2':
      return openApiV2(req, deps);
    case 'openapi-v3':
      return jsonResponse(200, deps.openapi.v3Root);
    case 'openapi-v3-group-version':
      return openApiV3GroupVersion(req, deps, route.path.replace(/^\/openapi\/v3\//, ''));
    case 'core-namespace': {
      const ns = req.params['namespace'] ?? '';
      if (isDNS1123Label(ns).length > 0) throw notFound({ group: '', resource: 'namespaces' }, ns);
      return jsonResponse(200, namespaceObject(ns));
    }
    case 'core-events':
      return jsonResponse(200, { kind: 'EventList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] });
  }
}
