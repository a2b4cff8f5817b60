import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ResourceRoute } from '../../../shared/api/routes.js';
import type { ResourceDefinition } from '../../../shared/apimachinery/resource.js';
import {
  PATCH_CONTENT_TYPES,
  buildOpenApiV3GroupVersion,
  collectRefs,
  hashDocument,
  metaV1Schemas,
  openApiV3GroupVersionPath,
  openApiV3Root,
  operationIdentity,
  refWith,
  unresolvedRefs,
  type OpenApiOperation,
  type OpenApiSchema,
  type OpenApiV3Document,
} from '../../../shared/apimachinery/openapi.js';

// A made-up resource so the generic builder is exercised without any ImageStream knowledge.
const widgets: ResourceDefinition = {
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  listKind: 'WidgetList',
  plural: 'widgets',
  singular: 'widget',
  shortNames: [],
  categories: [],
  namespaced: true,
  subresources: ['status'],
};

const GV = '/apis/example.com/v1';
const NS = `${GV}/namespaces/{namespace}/widgets`;
const ONE = `${NS}/{name}`;
const r = (method: ResourceRoute['method'], path: string, verb: ResourceRoute['verb'], extra: Partial<ResourceRoute> = {}): ResourceRoute => ({
  kind: 'resource',
  group: 'example.com',
  version: 'v1',
  method,
  path,
  family: 'imagestreams',
  verb,
  resource: 'widgets',
  scope: 'namespace',
  ...extra,
});

const widgetRoutes: ResourceRoute[] = [
  r('GET', `${GV}/widgets`, 'list', { scope: 'cluster' }),
  r('GET', NS, 'list'),
  r('POST', NS, 'create'),
  r('DELETE', NS, 'deletecollection'),
  r('GET', ONE, 'get'),
  r('PUT', ONE, 'update'),
  r('PATCH', ONE, 'patch'),
  r('DELETE', ONE, 'delete'),
  r('GET', `${ONE}/status`, 'get', { subresource: 'status' }),
  r('PUT', `${ONE}/status`, 'update', { subresource: 'status' }),
  r('PATCH', `${ONE}/status`, 'patch', { subresource: 'status' }),
  r('GET', `${GV}/watch/namespaces/{namespace}/widgets/{name}`, 'watch', { streaming: true }),
  r('GET', `${GV}/watch/widgets`, 'watch', { scope: 'cluster', streaming: true }),
  // Another resource's row must be ignored.
  { ...r('GET', `${GV}/namespaces/{namespace}/gadgets`, 'list'), resource: 'gadgets' },
];

const widgetSchemas: Record<string, OpenApiSchema> = {
  'com.example.v1.Widget': {
    type: 'object',
    properties: { metadata: refWith('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { default: {} }) },
    'x-kubernetes-group-version-kind': [{ group: 'example.com', kind: 'Widget', version: 'v1' }],
  },
  'com.example.v1.WidgetList': {
    type: 'object',
    properties: { items: { type: 'array', items: refWith('com.example.v1.Widget', { default: {} }) } },
  },
};

function build(overrides: Partial<Parameters<typeof buildOpenApiV3GroupVersion>[0]> = {}): OpenApiV3Document {
  return buildOpenApiV3GroupVersion({
    resource: widgets,
    routes: widgetRoutes,
    schemas: widgetSchemas,
    objectSchema: 'com.example.v1.Widget',
    listSchema: 'com.example.v1.WidgetList',
    ...overrides,
  });
}

const paramNames = (op: OpenApiOperation | undefined): string[] => (op?.parameters ?? []).map((p) => p.name);

describe('openapi', () => {
  describe('buildOpenApiV3GroupVersion', () => {
    const doc = build();

    it('declares OpenAPI 3.0.0 with info', () => {
      expect(doc.openapi).toBe('3.0.0');
      expect(doc.info.title).toBe('Kubernetes');
      expect(doc.info.version).toBe('example.com/v1');
    });

    it('has one path item per route path, keyed exactly by the route path, when routes of other resources are mixed in', () => {
      expect(Object.keys(doc.paths)).toEqual([
        `${GV}/widgets`,
        NS,
        ONE,
        `${ONE}/status`,
        `${GV}/watch/namespaces/{namespace}/widgets/{name}`,
        `${GV}/watch/widgets`,
      ]);
    });

    it('gives the PATCH operation the fieldValidation query parameter, the SMP content key and the GVK object', () => {
      for (const path of [ONE, `${ONE}/status`]) {
        const patch = doc.paths[path]?.patch;
        expect(patch).toBeDefined();
        expect(patch?.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
        expect(Object.keys(patch?.requestBody?.content ?? {})).toEqual([...PATCH_CONTENT_TYPES]);
        expect(patch?.requestBody?.content['application/strategic-merge-patch+json']?.schema).toEqual({
          $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
        });
        expect(patch?.['x-kubernetes-group-version-kind']).toEqual({ group: 'example.com', kind: 'Widget', version: 'v1' });
        expect(patch?.['x-kubernetes-action']).toBe('patch');
        expect(paramNames(patch)).toEqual(['dryRun', 'fieldManager', 'fieldValidation', 'force']);
        expect(patch?.parameters?.find((p) => p.name === 'force')?.schema.type).toBe('boolean');
      }
    });

    it('puts dryRun, fieldManager and fieldValidation on POST and PUT', () => {
      expect(paramNames(doc.paths[NS]?.post)).toEqual(['dryRun', 'fieldManager', 'fieldValidation']);
      expect(paramNames(doc.paths[ONE]?.put)).toEqual(['dryRun', 'fieldManager', 'fieldValidation']);
      expect(doc.paths[NS]?.post?.requestBody?.content['*/*']?.schema).toEqual({ $ref: '#/components/schemas/com.example.v1.Widget' });
      expect(Object.keys(doc.paths[NS]?.post?.responses ?? {})).toEqual(['200', '201', '202', '401']);
    });

    it('puts the list parameters on list GETs and returns the list schema', () => {
      const list = doc.paths[NS]?.get;
      expect(paramNames(list)).toEqual([
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
      ]);
      expect(list?.responses['200']?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/com.example.v1.WidgetList' });
      expect(list?.['x-kubernetes-action']).toBe('list');
    });

    it('puts the delete parameters on DELETE and answers with Status', () => {
      const del = doc.paths[ONE]?.delete;
      expect(paramNames(del)).toEqual(['dryRun', 'gracePeriodSeconds', 'orphanDependents', 'propagationPolicy']);
      expect(del?.responses['200']?.content?.['application/json']?.schema).toEqual({
        $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Status',
      });
      expect(doc.paths[NS]?.delete?.['x-kubernetes-action']).toBe('deletecollection');
    });

    it('puts path parameters and pretty on every path item', () => {
      for (const [path, item] of Object.entries(doc.paths)) {
        const names = (item.parameters ?? []).map((p) => p.name);
        expect(names).toContain('pretty');
        for (const m of path.matchAll(/\{(\w+)\}/g)) {
          expect(item.parameters).toContainEqual(expect.objectContaining({ name: m[1], in: 'path', required: true }));
        }
      }
      expect(doc.paths[ONE]?.parameters?.find((p) => p.name === 'name')?.description).toBe('name of the Widget');
    });

    it('gives every operation an operationId, an action and the GVK object', () => {
      const ids = new Set<string>();
      for (const item of Object.values(doc.paths)) {
        for (const op of [item.get, item.put, item.post, item.delete, item.patch]) {
          if (!op) continue;
          expect(op.operationId).toMatch(/^[a-z]+ExampleComV1/);
          expect(ids.has(op.operationId)).toBe(false);
          ids.add(op.operationId);
          expect(op['x-kubernetes-group-version-kind']).toEqual({ group: 'example.com', kind: 'Widget', version: 'v1' });
        }
      }
      expect(ids).toContain('patchExampleComV1NamespacedWidgetStatus');
      expect(ids).toContain('listExampleComV1WidgetForAllNamespaces');
      expect(ids).toContain('watchExampleComV1WidgetListForAllNamespaces');
    });

    it('resolves every $ref to a component schema', () => {
      expect(collectRefs(doc).length).toBeGreaterThan(20);
      expect(unresolvedRefs(doc)).toEqual([]);
    });

    it('includes the meta/v1 schemas alongside the given ones', () => {
      expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining([...Object.keys(metaV1Schemas()), ...Object.keys(widgetSchemas)]));
    });

    it('uses caller parameter descriptions when given', () => {
      const custom = build({ parameterDescriptions: { fieldValidation: 'custom text' } });
      expect(custom.paths[ONE]?.patch?.parameters?.find((p) => p.name === 'fieldValidation')?.description).toBe('custom text');
    });

    it('throws when the object schema is not among the components', () => {
      expect(() => build({ objectSchema: 'com.example.v1.Missing' })).toThrow(/Missing/);
    });
  });

  describe('operationIdentity', () => {
    it('marks the named watch as watch and the collection watch as watchlist', () => {
      const named = widgetRoutes.find((x) => x.verb === 'watch' && x.path.endsWith('{name}'));
      const all = widgetRoutes.find((x) => x.verb === 'watch' && x.scope === 'cluster');
      expect(named && operationIdentity(widgets, named).action).toBe('watch');
      expect(all && operationIdentity(widgets, all).action).toBe('watchlist');
    });

    it('describes create with the right article', () => {
      const create = widgetRoutes.find((x) => x.verb === 'create');
      expect(create && operationIdentity({ ...widgets, kind: 'ImageStream' }, create).description).toBe('create an ImageStream');
    });
  });

  describe('metaV1Schemas', () => {
    const schemas = metaV1Schemas();
    const meta = (n: string): OpenApiSchema | undefined => schemas[`io.k8s.apimachinery.pkg.apis.meta.v1.${n}`];

    it('contains the standard apimachinery schemas', () => {
      for (const n of [
        'ObjectMeta',
        'ListMeta',
        'ManagedFieldsEntry',
        'OwnerReference',
        'Time',
        'FieldsV1',
        'Status',
        'StatusDetails',
        'StatusCause',
        'DeleteOptions',
        'Preconditions',
        'Patch',
        'WatchEvent',
      ]) {
        expect(meta(n)?.description, n).toBeTruthy();
      }
    });

    it('sets the merge key uid on ownerReferences and the merge strategy on finalizers', () => {
      const props = meta('ObjectMeta')?.properties ?? {};
      expect(props.ownerReferences?.['x-kubernetes-patch-merge-key']).toBe('uid');
      expect(props.ownerReferences?.['x-kubernetes-patch-strategy']).toBe('merge');
      expect(props.finalizers?.['x-kubernetes-patch-strategy']).toBe('merge');
      expect(props.finalizers?.['x-kubernetes-patch-merge-key']).toBeUndefined();
    });

    it('wraps references that have siblings in allOf', () => {
      const created = meta('ObjectMeta')?.properties?.creationTimestamp;
      expect(created?.$ref).toBeUndefined();
      expect(created?.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time' }]);
      expect(meta('Time')).toMatchObject({ type: 'string', format: 'date-time' });
    });

    it('references only schemas of the same set', () => {
      expect(unresolvedRefs({ components: { schemas } })).toEqual([]);
    });

    it('returns a fresh object each call', () => {
      expect(metaV1Schemas()).not.toBe(schemas);
      expect(metaV1Schemas()).toEqual(schemas);
    });
  });

  describe('refWith', () => {
    it('returns a bare $ref when there are no siblings', () => {
      expect(refWith('a.B')).toEqual({ $ref: '#/components/schemas/a.B' });
    });

    it('wraps the $ref in allOf when there are siblings', () => {
      expect(refWith('a.B', { description: 'd', default: {} })).toEqual({ description: 'd', default: {}, allOf: [{ $ref: '#/components/schemas/a.B' }] });
    });
  });

  describe('openApiV3Root', () => {
    it('maps each group-version path to its document URL with the hash', () => {
      expect(openApiV3Root({ 'apis/example.com/v1': 'ABC' })).toEqual({
        paths: { 'apis/example.com/v1': { serverRelativeURL: '/openapi/v3/apis/example.com/v1?hash=ABC' } },
      });
    });

    it('drops a leading slash from the key', () => {
      expect(Object.keys(openApiV3Root({ '/api/v1': 'X' }).paths)).toEqual(['api/v1']);
    });
  });

  describe('openApiV3GroupVersionPath', () => {
    it('uses apis/<group>/<version>, or api/<version> for the core group', () => {
      expect(openApiV3GroupVersionPath(widgets)).toBe('apis/example.com/v1');
      expect(openApiV3GroupVersionPath({ group: '', version: 'v1' })).toBe('api/v1');
    });
  });

  describe('hashDocument', () => {
    it('returns the uppercase hex SHA-512 of the text', () => {
      const h = hashDocument('{"a":1}');
      expect(h).toMatch(/^[0-9A-F]{128}$/);
      expect(h).toBe(createHash('sha512').update('{"a":1}').digest('hex').toUpperCase());
    });
  });
});
