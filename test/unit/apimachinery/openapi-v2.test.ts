import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { ResourceRoute } from '../../../shared/api/routes.js';
import type { ResourceDefinition } from '../../../shared/apimachinery/resource.js';
import { metaV1Schemas, refWith, type OpenApiSchema } from '../../../shared/apimachinery/openapi.js';
import {
  ANY,
  BODY_PARAMETER,
  DOCUMENT,
  INFO,
  NAMED,
  NAMED_SCHEMAS,
  NON_BODY_PARAMETER,
  OPERATION,
  PARAMETER,
  PARAMETERS_ITEM,
  PATHS,
  PATH_ITEM,
  PATH_PARAMETER,
  ProtoWriter,
  QUERY_PARAMETER,
  RESPONSE,
  RESPONSES,
  RESPONSE_VALUE,
  SCHEMA,
  SCHEMA_ITEM,
  TYPE_ITEM,
  buildOpenApiV2Protobuf,
  toSwaggerSchema,
} from '../../../shared/apimachinery/openapi-v2.js';
import { ProtoMessage, decodeFields } from '../../helpers/protobuf.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

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
const NS = '/apis/example.com/v1/namespaces/{namespace}/widgets';
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
const routes: ResourceRoute[] = [
  r('GET', NS, 'list'),
  r('POST', NS, 'create'),
  r('GET', ONE, 'get'),
  r('PUT', ONE, 'update'),
  r('PATCH', ONE, 'patch'),
  r('DELETE', ONE, 'delete'),
  r('PATCH', `${ONE}/status`, 'patch', { subresource: 'status' }),
];

/** Decoded view of one ParametersItem. */
interface DecodedParameter {
  kind: 'query' | 'path' | 'body';
  in?: string;
  name?: string;
  type?: string;
  required?: boolean;
  schemaRef?: string;
}

function decodeParameter(item: ProtoMessage): DecodedParameter {
  const param = item.req(PARAMETERS_ITEM.parameter);
  const body = param.message(PARAMETER.bodyParameter);
  if (body) {
    return {
      kind: 'body',
      in: body.string(BODY_PARAMETER.in),
      name: body.string(BODY_PARAMETER.name),
      required: body.bool(BODY_PARAMETER.required),
      schemaRef: body.message(BODY_PARAMETER.schema)?.string(SCHEMA.ref),
    };
  }
  const nb = param.req(PARAMETER.nonBodyParameter);
  const q = nb.message(NON_BODY_PARAMETER.queryParameterSubSchema);
  if (q) return { kind: 'query', in: q.string(QUERY_PARAMETER.in), name: q.string(QUERY_PARAMETER.name), type: q.string(QUERY_PARAMETER.type) };
  const p = nb.req(NON_BODY_PARAMETER.pathParameterSubSchema);
  return {
    kind: 'path',
    in: p.string(PATH_PARAMETER.in),
    name: p.string(PATH_PARAMETER.name),
    type: p.string(PATH_PARAMETER.type),
    required: p.bool(PATH_PARAMETER.required),
  };
}

function decodeExtensions(msg: ProtoMessage, field: number): Record<string, string> {
  return Object.fromEntries(msg.messages(field).map((na) => [na.string(NAMED.name) ?? '', na.req(NAMED.value).string(ANY.yaml) ?? '']));
}

function pathItems(doc: ProtoMessage): Map<string, ProtoMessage> {
  return new Map(doc.req(DOCUMENT.paths).messages(PATHS.path).map((np) => [np.string(NAMED.name) ?? '', np.req(NAMED.value)]));
}

describe('openapi-v2', () => {
  describe('ProtoWriter', () => {
    it('encodes varints in little-endian base-128 groups', () => {
      expect(hex(new ProtoWriter().varint(0).finish())).toBe('00');
      expect(hex(new ProtoWriter().varint(1).finish())).toBe('01');
      expect(hex(new ProtoWriter().varint(127).finish())).toBe('7f');
      expect(hex(new ProtoWriter().varint(300).finish())).toBe('ac02');
      expect(hex(new ProtoWriter().varint(2 ** 32).finish())).toBe('8080808010');
    });

    it('rejects negative or fractional varints', () => {
      expect(() => new ProtoWriter().varint(-1)).toThrow(RangeError);
      expect(() => new ProtoWriter().varint(1.5)).toThrow(RangeError);
    });

    it('writes strings as length-delimited fields and skips empty ones unless asked', () => {
      expect(hex(new ProtoWriter().string(1, 'hi').finish())).toBe('0a026869');
      expect(hex(new ProtoWriter().string(1, '').finish())).toBe('');
      expect(hex(new ProtoWriter().string(1, '', true).finish())).toBe('0a00');
      expect(hex(new ProtoWriter().string(2, 'é').finish())).toBe('1202c3a9');
    });

    it('writes bools as varints and skips false unless asked', () => {
      expect(hex(new ProtoWriter().bool(20, true).finish())).toBe('a00101');
      expect(hex(new ProtoWriter().bool(20, false).finish())).toBe('');
      expect(hex(new ProtoWriter().bool(2, false, true).finish())).toBe('1000');
    });

    it('nests messages with their length prefix and round-trips through the decoder', () => {
      const bytes = new ProtoWriter()
        .string(1, 'outer')
        .message(8, (w) => w.string(2, 'inner').bool(3, true))
        .strings(7, ['a', 'b'])
        .finish();
      const msg = new ProtoMessage(bytes);
      expect(msg.string(1)).toBe('outer');
      expect(msg.req(8).string(2)).toBe('inner');
      expect(msg.req(8).bool(3)).toBe(true);
      expect(msg.strings(7)).toEqual(['a', 'b']);
      expect(decodeFields(bytes).map((f) => f.field)).toEqual([1, 8, 7, 7]);
    });
  });

  describe('buildOpenApiV2Protobuf', () => {
    const bytes = buildOpenApiV2Protobuf({ resource: widgets, routes });
    const doc = new ProtoMessage(bytes);
    const items = pathItems(doc);

    it('writes swagger 2.0 and info', () => {
      expect(doc.string(DOCUMENT.swagger)).toBe('2.0');
      expect(doc.req(DOCUMENT.info).string(INFO.title)).toBe('Kubernetes');
      expect(doc.req(DOCUMENT.info).string(INFO.version)).toBe('example.com/v1');
    });

    it('has one path per resource route path', () => {
      expect([...items.keys()]).toEqual([NS, ONE, `${ONE}/status`]);
    });

    it('gives the PATCH operation the four patch media types in consumes', () => {
      const patch = items.get(ONE)?.req(PATH_ITEM.patch);
      expect(patch?.strings(OPERATION.consumes)).toEqual([
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/apply-patch+yaml',
      ]);
      expect(patch?.string(OPERATION.operationId)).toBe('patchExampleComV1NamespacedWidget');
    });

    it('gives the PATCH operation dryRun, fieldManager, fieldValidation and force as query parameters', () => {
      for (const path of [ONE, `${ONE}/status`]) {
        const patch = items.get(path)?.req(PATH_ITEM.patch);
        const params = (patch?.messages(OPERATION.parameters) ?? []).map(decodeParameter);
        expect(params).toEqual([
          { kind: 'query', in: 'query', name: 'dryRun', type: 'string' },
          { kind: 'query', in: 'query', name: 'fieldManager', type: 'string' },
          { kind: 'query', in: 'query', name: 'fieldValidation', type: 'string' },
          { kind: 'query', in: 'query', name: 'force', type: 'boolean' },
        ]);
      }
    });

    it('carries the x-kubernetes-action and x-kubernetes-group-version-kind extensions as YAML', () => {
      const patch = items.get(ONE)?.req(PATH_ITEM.patch);
      const ext = patch ? decodeExtensions(patch, OPERATION.vendorExtension) : {};
      expect(ext['x-kubernetes-group-version-kind']).toBe('group: example.com\nkind: Widget\nversion: v1\n');
      expect(parseYaml(ext['x-kubernetes-action'] ?? '')).toBe('patch');
      const post = items.get(NS)?.req(PATH_ITEM.post);
      expect(post && parseYaml(decodeExtensions(post, OPERATION.vendorExtension)['x-kubernetes-action'] ?? '')).toBe('post');
    });

    it('writes a 200 response with a description', () => {
      const patch = items.get(ONE)?.req(PATH_ITEM.patch);
      const codes = patch?.req(OPERATION.responses).messages(RESPONSES.responseCode) ?? [];
      const ok = codes.find((c) => c.string(NAMED.name) === '200');
      expect(ok?.req(NAMED.value).req(RESPONSE_VALUE.response).string(RESPONSE.description)).toBe('OK');
      // Without definitions, responses reference no schema.
      expect(ok?.req(NAMED.value).req(RESPONSE_VALUE.response).has(RESPONSE.schema)).toBe(false);
    });

    it('writes the other mutating operations with their query parameters', () => {
      const put = items.get(ONE)?.req(PATH_ITEM.put);
      expect((put?.messages(OPERATION.parameters) ?? []).map(decodeParameter).map((p) => p.name)).toEqual(['dryRun', 'fieldManager', 'fieldValidation']);
      const del = items.get(ONE)?.req(PATH_ITEM.delete);
      expect((del?.messages(OPERATION.parameters) ?? []).map(decodeParameter).map((p) => p.name)).toContain('propagationPolicy');
    });

    it('puts the path parameters and pretty on the path item', () => {
      const params = (items.get(ONE)?.messages(PATH_ITEM.parameters) ?? []).map(decodeParameter);
      expect(params).toEqual([
        { kind: 'path', in: 'path', name: 'name', type: 'string', required: true },
        { kind: 'path', in: 'path', name: 'namespace', type: 'string', required: true },
        { kind: 'query', in: 'query', name: 'pretty', type: 'string' },
      ]);
    });

    it('writes no definitions when none are given', () => {
      expect(doc.has(DOCUMENT.definitions)).toBe(false);
    });

    it('writes definitions, body parameters and response schemas when definitions are given', () => {
      const schemas: Record<string, OpenApiSchema> = {
        ...metaV1Schemas(),
        'com.example.v1.Widget': {
          type: 'object',
          properties: {
            metadata: refWith('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { description: 'meta', default: {} }),
            tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' },
          },
          'x-kubernetes-group-version-kind': [{ group: 'example.com', kind: 'Widget', version: 'v1' }],
        },
        'com.example.v1.WidgetList': { type: 'object' },
      };
      const full = new ProtoMessage(
        buildOpenApiV2Protobuf({ resource: widgets, routes, definitions: schemas, objectSchema: 'com.example.v1.Widget', listSchema: 'com.example.v1.WidgetList' }),
      );
      const defs = new Map(
        full.req(DOCUMENT.definitions).messages(NAMED_SCHEMAS.additionalProperties).map((ns) => [ns.string(NAMED.name) ?? '', ns.req(NAMED.value)]),
      );
      expect(defs.size).toBe(Object.keys(schemas).length);
      const widget = defs.get('com.example.v1.Widget');
      expect(widget?.req(SCHEMA.type).strings(TYPE_ITEM.value)).toEqual(['object']);
      const ext = widget ? decodeExtensions(widget, SCHEMA.vendorExtension) : {};
      expect(parseYaml(ext['x-kubernetes-group-version-kind'] ?? '')).toEqual([{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
      const props = new Map(
        widget?.req(SCHEMA.properties).messages(NAMED_SCHEMAS.additionalProperties).map((ns) => [ns.string(NAMED.name) ?? '', ns.req(NAMED.value)]) ?? [],
      );
      expect(props.get('metadata')?.string(SCHEMA.ref)).toBe('#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
      expect(props.get('metadata')?.string(SCHEMA.description)).toBe('meta');
      expect(parseYaml(decodeExtensions(props.get('tags') as ProtoMessage, SCHEMA.vendorExtension)['x-kubernetes-patch-strategy'] ?? '')).toBe('merge');

      const fullItems = pathItems(full);
      const patch = fullItems.get(ONE)?.req(PATH_ITEM.patch);
      const body = (patch?.messages(OPERATION.parameters) ?? []).map(decodeParameter).find((p) => p.kind === 'body');
      expect(body).toEqual({ kind: 'body', in: 'body', name: 'body', required: true, schemaRef: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' });
      const ok = patch?.req(OPERATION.responses).messages(RESPONSES.responseCode).find((c) => c.string(NAMED.name) === '200');
      expect(ok?.req(NAMED.value).req(RESPONSE_VALUE.response).req(RESPONSE.schema).req(SCHEMA_ITEM.schema).string(SCHEMA.ref)).toBe(
        '#/definitions/com.example.v1.Widget',
      );
    });
  });

  describe('toSwaggerSchema', () => {
    it('rebases refs to #/definitions/ and collapses single-ref allOf', () => {
      expect(
        toSwaggerSchema({
          type: 'object',
          properties: {
            a: refWith('x.A', { description: 'A', default: {} }),
            b: { type: 'array', items: refWith('x.B') },
            c: { type: 'object', additionalProperties: refWith('x.C') },
          },
        }),
      ).toEqual({
        type: 'object',
        properties: {
          a: { description: 'A', default: {}, $ref: '#/definitions/x.A' },
          b: { type: 'array', items: { $ref: '#/definitions/x.B' } },
          c: { type: 'object', additionalProperties: { $ref: '#/definitions/x.C' } },
        },
      });
    });
  });
});
