import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { routes, type ResourceRoute } from '../../../shared/api/routes.js';
import { hashDocument, unresolvedRefs, type OpenApiSchema, type OpenApiV3Document } from '../../../shared/apimachinery/openapi.js';
import { ANY, DOCUMENT, NAMED, NAMED_SCHEMAS, OPERATION, PATHS, PATH_ITEM, SCHEMA } from '../../../shared/apimachinery/openapi-v2.js';
import { IMAGE_STREAM_LIST_SCHEMA, IMAGE_STREAM_SCHEMA, imageStreamDescriptions, imageStreamSchemas } from '../../../shared/image/openapi-schemas.js';
import { imageStreamModule } from '../../../shared/api/modules/image-streams.js';
import { buildOpenApiDocuments } from '../../../shared/api/openapi-documents.js';
import { ProtoMessage } from '../../helpers/protobuf.js';

const PKG = 'com.github.openshift.api.image.v1';
const TIME_REF = [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time' }];
const ONE = '/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams/{name}';
const GVK = { group: 'image.openshift.io', kind: 'ImageStream', version: 'v1' };

describe('openapi-schemas', () => {
  describe('imageStreamSchemas', () => {
    const schemas = imageStreamSchemas();
    const s = (name: string): OpenApiSchema => schemas[`${PKG}.${name}`] ?? {};

    it('defines the ImageStream schemas and ObjectReference', () => {
      expect(Object.keys(schemas).sort()).toEqual(
        [
          'ImageStream',
          'ImageStreamList',
          'ImageStreamSpec',
          'ImageStreamStatus',
          'ImageLookupPolicy',
          'TagReference',
          'TagImportPolicy',
          'TagReferencePolicy',
          'NamedTagEventList',
          'TagEvent',
          'TagEventCondition',
        ]
          .map((n) => `${PKG}.${n}`)
          .concat('io.k8s.api.core.v1.ObjectReference')
          .sort(),
      );
    });

    it('carries the GVK array on ImageStream and ImageStreamList', () => {
      expect(s('ImageStream')['x-kubernetes-group-version-kind']).toEqual([GVK]);
      expect(s('ImageStreamList')['x-kubernetes-group-version-kind']).toEqual([{ ...GVK, kind: 'ImageStreamList' }]);
    });

    it('merges spec.tags by name and status.tags by tag', () => {
      const specTags = s('ImageStreamSpec').properties?.tags;
      expect(specTags).toMatchObject({ type: 'array', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
      expect(specTags?.items?.allOf).toEqual([{ $ref: `#/components/schemas/${PKG}.TagReference` }]);
      const statusTags = s('ImageStreamStatus').properties?.tags;
      expect(statusTags).toMatchObject({ type: 'array', 'x-kubernetes-patch-merge-key': 'tag', 'x-kubernetes-patch-strategy': 'merge' });
      expect(statusTags?.items?.allOf).toEqual([{ $ref: `#/components/schemas/${PKG}.NamedTagEventList` }]);
    });

    it('types generation as int64, times as Time references and annotations as a string map', () => {
      expect(s('TagReference').properties?.generation).toMatchObject({ type: 'integer', format: 'int64' });
      expect(s('TagEvent').properties?.generation).toMatchObject({ type: 'integer', format: 'int64' });
      expect(s('TagEventCondition').properties?.generation).toMatchObject({ type: 'integer', format: 'int64' });
      expect(s('TagEvent').properties?.created?.allOf).toEqual(TIME_REF);
      expect(s('TagEventCondition').properties?.lastTransitionTime?.allOf).toEqual(TIME_REF);
      expect(s('TagReference').properties?.annotations).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
      expect(s('TagReference').properties?.from?.allOf).toEqual([{ $ref: '#/components/schemas/io.k8s.api.core.v1.ObjectReference' }]);
      expect(s('ImageStream').properties?.metadata?.allOf).toEqual([
        { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
      ]);
    });

    it('takes the required lists from the API reference', () => {
      expect(s('TagReference').required).toEqual(['name']);
      expect(s('ImageLookupPolicy').required).toEqual(['local']);
      expect(s('TagReferencePolicy').required).toEqual(['type']);
      expect(s('ImageStreamStatus').required).toEqual(['dockerImageRepository']);
      expect(s('NamedTagEventList').required).toEqual(['tag', 'items']);
      expect(s('TagEventCondition').required).toEqual(['type', 'status', 'generation']);
      expect(s('TagEvent').required).toEqual(['created', 'dockerImageReference', 'image', 'generation']);
      expect(s('ImageStream').required).toBeUndefined();
    });

    it('uses the descriptions of the API reference verbatim', () => {
      expect(s('ImageStream').description).toBe(imageStreamDescriptions['']?.description);
      expect(s('TagImportPolicy').description).toBe('TagImportPolicy controls how images related to this tag will be imported.');
      expect(s('TagImportPolicy').properties?.importMode?.description).toBe('ImportMode describes how to import an image manifest.');
      expect(s('NamedTagEventList').properties?.items?.description).toBe('Standard object’s metadata.');
      for (const [name, schema] of Object.entries(schemas)) {
        expect(schema.description, name).toBeTruthy();
        for (const [prop, sub] of Object.entries(schema.properties ?? {})) expect(sub.description, `${name}.${prop}`).toBeTruthy();
      }
    });
  });

  describe('descriptions.json', () => {
    it('has the sections and parameters of the API reference', () => {
      expect(imageStreamDescriptions['.spec.tags[].importPolicy']?.properties.scheduled?.type).toBe('boolean');
      expect(imageStreamDescriptions.parameters.fieldValidation).toMatch(/^fieldValidation instructs the server/);
      expect(imageStreamDescriptions.parameters.dryRun).toMatch(/^When present, indicates that modifications should not be persisted/);
    });

  });
});

describe('openapi', () => {
  describe('buildOpenApiDocuments (ImageStream module)', () => {
    const docs = buildOpenApiDocuments([imageStreamModule({ defaultImportMode: 'Legacy' }) as never], routes);
    const gv = docs.v3.get('apis/image.openshift.io/v1')!;
    const api = { v3Root: docs.v3Root, v3GroupVersion: gv, v2: docs.v2 };
    const doc = JSON.parse(api.v3GroupVersion.json) as OpenApiV3Document;

    it('points the root at the group-version document with its hash', () => {
      expect(api.v3GroupVersion.hash).toBe(hashDocument(api.v3GroupVersion.json));
      expect(api.v3Root).toEqual({
        paths: { 'apis/image.openshift.io/v1': { serverRelativeURL: `/openapi/v3/apis/image.openshift.io/v1?hash=${api.v3GroupVersion.hash}` } },
      });
    });

    it('has a path for every imagestreams route and nothing else', () => {
      const expected = [
        ...new Set(routes.filter((r): r is ResourceRoute => r.kind === 'resource' && r.resource === 'imagestreams').map((r) => r.path)),
      ];
      expect(Object.keys(doc.paths).sort()).toEqual(expected.sort());
      expect(Object.keys(doc.paths)).toContain(ONE);
    });

    it('gives every PATCH operation fieldValidation, the SMP content key and the GVK object', () => {
      const patches = Object.values(doc.paths).flatMap((item) => (item.patch ? [item.patch] : []));
      expect(patches).toHaveLength(2);
      for (const patch of patches) {
        expect(patch.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
        expect(patch.requestBody?.content).toHaveProperty(['application/strategic-merge-patch+json']);
        expect(patch['x-kubernetes-group-version-kind']).toEqual(GVK);
      }
    });

    it('uses the API reference descriptions for parameters', () => {
      const fv = doc.paths[ONE]?.patch?.parameters?.find((p) => p.name === 'fieldValidation');
      expect(fv?.description).toBe(imageStreamDescriptions.parameters.fieldValidation);
      expect(doc.paths[ONE]?.parameters?.find((p) => p.name === 'name')?.description).toBe('name of the ImageStream');
    });

    it('resolves every $ref and includes the object, list and meta schemas', () => {
      expect(unresolvedRefs(doc)).toEqual([]);
      expect(doc.components.schemas[IMAGE_STREAM_SCHEMA]?.['x-kubernetes-group-version-kind']).toEqual([GVK]);
      expect(doc.components.schemas).toHaveProperty([IMAGE_STREAM_LIST_SCHEMA]);
      expect(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']?.properties?.ownerReferences?.['x-kubernetes-patch-merge-key']).toBe(
        'uid',
      );
    });

    it('encodes /openapi/v2 with the ImageStream patch operation and definitions', () => {
      const v2 = new ProtoMessage(new Uint8Array(api.v2));
      expect(v2.string(DOCUMENT.swagger)).toBe('2.0');
      const items = new Map(v2.req(DOCUMENT.paths).messages(PATHS.path).map((np) => [np.string(NAMED.name), np.req(NAMED.value)]));
      const patch = items.get(ONE)?.req(PATH_ITEM.patch);
      expect(patch?.strings(OPERATION.consumes)).toContain('application/strategic-merge-patch+json');
      const ext = Object.fromEntries((patch?.messages(OPERATION.vendorExtension) ?? []).map((na) => [na.string(NAMED.name), na.req(NAMED.value).string(ANY.yaml)]));
      expect(ext['x-kubernetes-group-version-kind']).toBe('group: image.openshift.io\nkind: ImageStream\nversion: v1\n');

      const defs = new Map(
        v2.req(DOCUMENT.definitions).messages(NAMED_SCHEMAS.additionalProperties).map((ns) => [ns.string(NAMED.name), ns.req(NAMED.value)]),
      );
      const is = defs.get(IMAGE_STREAM_SCHEMA);
      const isExt = Object.fromEntries((is?.messages(SCHEMA.vendorExtension) ?? []).map((na) => [na.string(NAMED.name), na.req(NAMED.value).string(ANY.yaml)]));
      expect(parseYaml(isExt['x-kubernetes-group-version-kind'] ?? '')).toEqual([GVK]);
    });
  });
});
