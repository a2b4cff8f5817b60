/**
 * @module openapi-documents
 * The OpenAPI documents of everything served: one v3 document per group-version (the
 * resources of that group-version merged), the v3 root pointing at them by hash, and one
 * protobuf v2 document with every resource (kubectl 1.27/1.28).
 */
import {
  buildOpenApiV3GroupVersion,
  hashDocument,
  metaV1Schemas,
  openApiV3GroupVersionPath,
  openApiV3Root,
  type OpenApiSchema,
  type OpenApiV3Document,
} from '../apimachinery/openapi.js';
import { buildOpenApiV2Protobuf } from '../apimachinery/openapi-v2.js';
import { groupVersionOf } from '../apimachinery/resource.js';
import type { OpenApiDocuments } from './discovery-endpoints.js';
import type { ResourceModule } from './resource-module.js';
import type { ResourceRoute, Route } from './routes.js';

/** Content type of `/openapi/v2` (dotted `v2.v1.0`; the `@` form breaks the Go client). */
export const OPENAPI_V2_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

const TITLE = 'OpenShift ImageStream API';

function merge(docs: readonly OpenApiV3Document[]): OpenApiV3Document {
  const [first, ...rest] = docs;
  if (!first) throw new Error('openapi: no documents to merge');
  const out: OpenApiV3Document = structuredClone(first);
  for (const d of rest) {
    Object.assign(out.paths, d.paths);
    Object.assign(out.components.schemas, d.components.schemas);
  }
  out.components.schemas = Object.fromEntries(Object.entries(out.components.schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return out;
}

/** `modules`: the stored resource modules and the virtual ones that have OpenAPI (same shape). */
export function buildOpenApiDocuments(modules: readonly Pick<ResourceModule<never>, 'def' | 'openapi'>[], table: readonly Route[]): OpenApiDocuments {
  const resourceRoutes = table.filter((r): r is ResourceRoute => r.kind === 'resource');
  const byGv = new Map<string, OpenApiV3Document[]>();
  const paths = new Map<string, string>();
  for (const m of modules) {
    const doc = buildOpenApiV3GroupVersion({
      resource: m.def,
      routes: resourceRoutes,
      schemas: m.openapi.schemas,
      objectSchema: m.openapi.objectSchema,
      listSchema: m.openapi.listSchema,
      title: TITLE,
      ...(m.openapi.parameterDescriptions ? { parameterDescriptions: m.openapi.parameterDescriptions } : {}),
    });
    const gv = groupVersionOf(m.def);
    byGv.set(gv, [...(byGv.get(gv) ?? []), doc]);
    paths.set(gv, openApiV3GroupVersionPath(m.def));
  }
  const v3 = new Map<string, { json: string; hash: string }>();
  for (const [gv, docs] of byGv) {
    const json = JSON.stringify(merge(docs));
    v3.set(paths.get(gv)!, { json, hash: hashDocument(json) });
  }
  const definitions: Record<string, OpenApiSchema> = { ...metaV1Schemas() };
  for (const m of modules) Object.assign(definitions, m.openapi.schemas);
  const v2 = buildOpenApiV2Protobuf({
    title: TITLE,
    resources: modules.map((m) => ({
      resource: m.def,
      routes: resourceRoutes,
      objectSchema: m.openapi.objectSchema,
      listSchema: m.openapi.listSchema,
      ...(m.openapi.parameterDescriptions ? { parameterDescriptions: m.openapi.parameterDescriptions } : {}),
    })),
    definitions,
  });
  return {
    v3Root: openApiV3Root(Object.fromEntries([...v3].map(([path, d]) => [path, d.hash]))),
    v3,
    v2: Buffer.from(v2.buffer, v2.byteOffset, v2.byteLength),
    v2ContentType: OPENAPI_V2_CONTENT_TYPE,
  };
}
