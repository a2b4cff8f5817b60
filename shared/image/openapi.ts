/**
 * @module openapi
 * The OpenAPI documents served for image.openshift.io/v1 (kube-api-conventions §1.6, §1.7):
 * `/openapi/v3` (root), `/openapi/v3/apis/image.openshift.io/v1` (JSON + hash) and `/openapi/v2`
 * (gnostic protobuf). Computed once per process from the generic builders, the ImageStream resource
 * definition, its rows of the route table and the ImageStream component schemas.
 */
import { routes as routeTable, type ResourceRoute, type Route } from '../api/routes.js';
import {
  buildOpenApiV3GroupVersion,
  hashDocument,
  metaV1Schemas,
  openApiV3GroupVersionPath,
  openApiV3Root,
  type OpenApiV3Root,
} from '../apimachinery/openapi.js';
import { buildOpenApiV2Protobuf } from '../apimachinery/openapi-v2.js';
import { imageStreamResource } from './resource.js';
import {
  IMAGE_STREAM_LIST_SCHEMA,
  IMAGE_STREAM_SCHEMA,
  imageStreamParameterDescriptions,
  imageStreamSchemas,
} from './openapi-schemas.js';

/** Content type of `/openapi/v2` (dotted `v2.v1.0`; the `@` form breaks the Go client). */
export const OPENAPI_V2_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export interface ImageStreamOpenApi {
  /** `/openapi/v3` body. */
  readonly v3Root: OpenApiV3Root;
  /** `/openapi/v3/apis/image.openshift.io/v1`: the serialized document and its uppercase hex SHA-512. */
  readonly v3GroupVersion: { readonly path: string; readonly json: string; readonly hash: string };
  /** `/openapi/v2` body (gnostic `openapi.v2.Document` protobuf). */
  readonly v2: Buffer;
}

const TITLE = 'OpenShift ImageStream API';

let memo: ImageStreamOpenApi | undefined;

/** The image.openshift.io/v1 OpenAPI documents (memoized; `table` is for tests). */
export function imageStreamOpenApi(table: readonly Route[] = routeTable): ImageStreamOpenApi {
  if (memo && table === routeTable) return memo;
  const resourceRoutes = table.filter((r): r is ResourceRoute => r.kind === 'resource' && r.resource === imageStreamResource.plural);
  const schemas = imageStreamSchemas();
  const parameterDescriptions = imageStreamParameterDescriptions();
  const document = buildOpenApiV3GroupVersion({
    resource: imageStreamResource,
    routes: resourceRoutes,
    schemas,
    objectSchema: IMAGE_STREAM_SCHEMA,
    listSchema: IMAGE_STREAM_LIST_SCHEMA,
    title: TITLE,
    parameterDescriptions,
  });
  const json = JSON.stringify(document);
  const hash = hashDocument(json);
  const path = openApiV3GroupVersionPath(imageStreamResource);
  const v2 = buildOpenApiV2Protobuf({
    resource: imageStreamResource,
    routes: resourceRoutes,
    title: TITLE,
    parameterDescriptions,
    definitions: { ...metaV1Schemas(), ...schemas },
    objectSchema: IMAGE_STREAM_SCHEMA,
    listSchema: IMAGE_STREAM_LIST_SCHEMA,
  });
  const result: ImageStreamOpenApi = {
    v3Root: openApiV3Root({ [path]: hash }),
    v3GroupVersion: { path, json, hash },
    v2: Buffer.from(v2.buffer, v2.byteOffset, v2.byteLength),
  };
  if (table === routeTable) memo = result;
  return result;
}
