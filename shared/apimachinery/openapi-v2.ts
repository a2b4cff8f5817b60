/**
 * @module openapi-v2
 * The `/openapi/v2` document as protobuf: a gnostic `openapi.v2.Document`
 * (google/gnostic-models `openapiv2/OpenAPIv2.proto`, package `openapi.v2`), which kubectl 1.27/1.28
 * read on every apply/create/replace to find out whether the server validates fields
 * (kube-api-conventions §1.6.4, §1.7). Served with content type
 * `application/com.github.proto-openapi.spec.v2.v1.0+protobuf`.
 *
 * The document holds `swagger: "2.0"`, `info`, one path per resource route path with its operations
 * (`operationId`, `consumes`, query and path parameters, responses, and the vendor extensions
 * `x-kubernetes-action` / `x-kubernetes-group-version-kind`), and — when the caller passes them —
 * Swagger 2.0 `definitions` converted from OpenAPI v3 component schemas, which let kubectl 1.27/1.28
 * compute strategic merge patches and `explain` from v2.
 *
 * The protobuf encoder is a minimal hand-written writer (varint, length-delimited, strings, bools).
 */
import { stringify as yamlStringify } from 'yaml';
import type { ResourceDefinition } from './resource.js';
import type { ResourceRoute } from '../api/routes.js';
import {
  COMPONENT_SCHEMA_PREFIX,
  DEFAULT_PARAMETER_DESCRIPTIONS,
  HTTP_TO_OPERATION,
  META_V1,
  PATCH_CONTENT_TYPES,
  operationIdentity,
  pathParameterNames,
  queryParameterNames,
  queryParameterType,
  type OpenApiSchema,
  type OperationMethod,
} from './openapi.js';

// ---------------------------------------------------------------------------------------------
// Protobuf writer.

/** Wire types (protobuf encoding spec). */
export const WIRE_VARINT = 0;
export const WIRE_LENGTH_DELIMITED = 2;

const utf8 = new TextEncoder();

/**
 * Appends protobuf fields to a byte buffer. Proto3 semantics: `string`/`bool` skip default values
 * (empty string, false) unless `always` is set; repeated fields are written by calling once per value.
 */
export class ProtoWriter {
  private readonly bytes: number[] = [];

  /** Unsigned varint (non-negative safe integers). */
  varint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
    let v = value;
    while (v > 0x7f) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
    return this;
  }

  /** Field key: `(field << 3) | wireType`. */
  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  /** Length-delimited raw bytes. */
  bytesField(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  string(field: number, value: string | undefined, always = false): this {
    if (value === undefined || (value === '' && !always)) return this;
    return this.bytesField(field, utf8.encode(value));
  }

  /** One entry per value (a `repeated string`). */
  strings(field: number, values: readonly string[] | undefined): this {
    for (const v of values ?? []) this.string(field, v, true);
    return this;
  }

  bool(field: number, value: boolean | undefined, always = false): this {
    if (value === undefined || (!value && !always)) return this;
    return this.tag(field, WIRE_VARINT).varint(value ? 1 : 0);
  }

  /** A nested message, written by `build` into a fresh writer. Empty messages are still emitted. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytesField(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

// ---------------------------------------------------------------------------------------------
// Field numbers, verified against gnostic openapiv2/OpenAPIv2.proto.

/** message Document */
export const DOCUMENT = {
  swagger: 1, // string swagger = 1;
  info: 2, // Info info = 2;
  paths: 8, // Paths paths = 8;
  definitions: 9, // Definitions definitions = 9;
} as const;

/** message Info */
export const INFO = {
  title: 1, // string title = 1;
  version: 2, // string version = 2;
} as const;

/** message Paths */
export const PATHS = {
  path: 2, // repeated NamedPathItem path = 2;
} as const;

/** message NamedPathItem (also NamedSchema, NamedAny, NamedResponseValue: name = 1, value = 2) */
export const NAMED = {
  name: 1, // string name = 1;
  value: 2, // <T> value = 2;
} as const;

/** message PathItem */
export const PATH_ITEM: Readonly<Record<OperationMethod | 'parameters', number>> = {
  get: 2, // Operation get = 2;
  put: 3, // Operation put = 3;
  post: 4, // Operation post = 4;
  delete: 5, // Operation delete = 5;
  patch: 8, // Operation patch = 8;
  parameters: 9, // repeated ParametersItem parameters = 9;
};

/** message Operation */
export const OPERATION = {
  tags: 1, // repeated string tags = 1;
  description: 3, // string description = 3;
  operationId: 5, // string operation_id = 5;
  produces: 6, // repeated string produces = 6;
  consumes: 7, // repeated string consumes = 7;
  parameters: 8, // repeated ParametersItem parameters = 8;
  responses: 9, // Responses responses = 9;
  schemes: 10, // repeated string schemes = 10;
  vendorExtension: 13, // repeated NamedAny vendor_extension = 13;
} as const;

/** message ParametersItem { oneof { Parameter parameter = 1; JsonReference json_reference = 2; } } */
export const PARAMETERS_ITEM = { parameter: 1 } as const;

/** message Parameter { oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; } } */
export const PARAMETER = { bodyParameter: 1, nonBodyParameter: 2 } as const;

/** message NonBodyParameter { oneof { … query_parameter_sub_schema = 3; path_parameter_sub_schema = 4; } } */
export const NON_BODY_PARAMETER = { queryParameterSubSchema: 3, pathParameterSubSchema: 4 } as const;

/** message QueryParameterSubSchema */
export const QUERY_PARAMETER = {
  required: 1, // bool required = 1;
  in: 2, // string in = 2;
  description: 3, // string description = 3;
  name: 4, // string name = 4;
  type: 6, // string type = 6;
  uniqueItems: 20, // bool unique_items = 20;
} as const;

/** message PathParameterSubSchema (note: `type` is 5 here, not 6) */
export const PATH_PARAMETER = {
  required: 1, // bool required = 1;
  in: 2, // string in = 2;
  description: 3, // string description = 3;
  name: 4, // string name = 4;
  type: 5, // string type = 5;
  uniqueItems: 19, // bool unique_items = 19;
} as const;

/** message BodyParameter */
export const BODY_PARAMETER = {
  description: 1, // string description = 1;
  name: 2, // string name = 2;
  in: 3, // string in = 3;
  required: 4, // bool required = 4;
  schema: 5, // Schema schema = 5;
} as const;

/** message Responses */
export const RESPONSES = {
  responseCode: 1, // repeated NamedResponseValue response_code = 1;
} as const;

/** message ResponseValue { oneof { Response response = 1; JsonReference json_reference = 2; } } */
export const RESPONSE_VALUE = { response: 1 } as const;

/** message Response */
export const RESPONSE = {
  description: 1, // string description = 1;
  schema: 2, // SchemaItem schema = 2;
} as const;

/** message SchemaItem { oneof { Schema schema = 1; FileSchema file_schema = 2; } } */
export const SCHEMA_ITEM = { schema: 1 } as const;

/** message Any */
export const ANY = {
  yaml: 2, // string yaml = 2;
} as const;

/** message Definitions / Properties: repeated NamedSchema additional_properties = 1; */
export const NAMED_SCHEMAS = { additionalProperties: 1 } as const;

/** message Schema */
export const SCHEMA = {
  ref: 1, // string _ref = 1;
  format: 2, // string format = 2;
  description: 4, // string description = 4;
  required: 19, // repeated string required = 19;
  additionalProperties: 21, // AdditionalPropertiesItem additional_properties = 21;
  type: 22, // TypeItem type = 22;
  items: 23, // ItemsItem items = 23;
  properties: 25, // Properties properties = 25;
  vendorExtension: 31, // repeated NamedAny vendor_extension = 31;
} as const;

/** message AdditionalPropertiesItem { oneof { Schema schema = 1; bool boolean = 2; } } */
export const ADDITIONAL_PROPERTIES_ITEM = { schema: 1, boolean: 2 } as const;

/** message TypeItem { repeated string value = 1; } */
export const TYPE_ITEM = { value: 1 } as const;

/** message ItemsItem { repeated Schema schema = 1; } */
export const ITEMS_ITEM = { schema: 1 } as const;

// ---------------------------------------------------------------------------------------------
// Document building.

export const DEFINITIONS_PREFIX = '#/definitions/';

/** YAML text of a vendor-extension value, as gnostic stores it (`Any.yaml`). */
export const extensionYaml = (value: unknown): string => yamlStringify(value, { lineWidth: 0 });

function writeVendorExtension(w: ProtoWriter, field: number, name: string, value: unknown): void {
  w.message(field, (na) => {
    na.string(NAMED.name, name);
    na.message(NAMED.value, (any) => any.string(ANY.yaml, extensionYaml(value), true));
  });
}

/**
 * Converts an OpenAPI v3 component schema to its Swagger 2.0 form: `#/components/schemas/` refs
 * become `#/definitions/`, and an `allOf` holding a single reference collapses to a `$ref` next to
 * its siblings (as upstream's v2 documents have it).
 */
export function toSwaggerSchema(schema: OpenApiSchema): OpenApiSchema {
  const out: OpenApiSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'allOf' && Array.isArray(value) && value.length === 1 && typeof (value[0] as OpenApiSchema).$ref === 'string') {
      out.$ref = rebase((value[0] as OpenApiSchema).$ref ?? '');
    } else if (key === '$ref' && typeof value === 'string') {
      out.$ref = rebase(value);
    } else if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, OpenApiSchema>).map(([k, v]) => [k, toSwaggerSchema(v)]));
    } else if ((key === 'items' || key === 'additionalProperties') && value && typeof value === 'object') {
      out[key] = toSwaggerSchema(value as OpenApiSchema);
    } else if (key === 'allOf' && Array.isArray(value)) {
      out.allOf = (value as OpenApiSchema[]).map(toSwaggerSchema);
    } else {
      (out as Record<string, unknown>)[key] = value;
    }
  }
  return out;
}

const rebase = (ref: string): string =>
  ref.startsWith(COMPONENT_SCHEMA_PREFIX) ? `${DEFINITIONS_PREFIX}${ref.slice(COMPONENT_SCHEMA_PREFIX.length)}` : ref;

/** Writes a (Swagger 2.0 form) schema into an `openapi.v2.Schema` message. */
function writeSchema(w: ProtoWriter, s: OpenApiSchema): void {
  w.string(SCHEMA.ref, s.$ref);
  w.string(SCHEMA.format, s.format);
  w.string(SCHEMA.description, s.description);
  w.strings(SCHEMA.required, s.required);
  if (typeof s.additionalProperties === 'boolean') {
    const b = s.additionalProperties;
    w.message(SCHEMA.additionalProperties, (ap) => ap.bool(ADDITIONAL_PROPERTIES_ITEM.boolean, b, true));
  } else if (s.additionalProperties) {
    const ap = s.additionalProperties;
    w.message(SCHEMA.additionalProperties, (api) => api.message(ADDITIONAL_PROPERTIES_ITEM.schema, (x) => writeSchema(x, ap)));
  }
  if (s.type) {
    const type = s.type;
    w.message(SCHEMA.type, (t) => t.string(TYPE_ITEM.value, type, true));
  }
  if (s.items) {
    const items = s.items;
    w.message(SCHEMA.items, (it) => it.message(ITEMS_ITEM.schema, (x) => writeSchema(x, items)));
  }
  if (s.properties) {
    const props = s.properties;
    w.message(SCHEMA.properties, (p) => {
      for (const [name, sub] of Object.entries(props)) {
        p.message(NAMED_SCHEMAS.additionalProperties, (ns) => {
          ns.string(NAMED.name, name, true);
          ns.message(NAMED.value, (x) => writeSchema(x, sub));
        });
      }
    });
  }
  for (const [key, value] of Object.entries(s)) {
    if (key.startsWith('x-')) writeVendorExtension(w, SCHEMA.vendorExtension, key, value);
  }
}

/** One served resource of a v2 document. */
export interface OpenApiV2Resource {
  readonly resource: ResourceDefinition;
  /** Its routes; rows for other resources are ignored. */
  readonly routes: readonly ResourceRoute[];
  readonly objectSchema?: string;
  readonly listSchema?: string;
  /** Parameter descriptions overriding the defaults of the v3 builder. */
  readonly parameterDescriptions?: Readonly<Record<string, string>>;
}

export interface OpenApiV2ProtobufInput {
  /** The served resource (single-resource form). */
  readonly resource?: ResourceDefinition;
  /** Its routes; rows for other resources are ignored. */
  readonly routes?: readonly ResourceRoute[];
  /** Several served resources in one document (takes precedence over `resource`). */
  readonly resources?: readonly OpenApiV2Resource[];
  /** `info.title` / `info.version` (defaults: `Kubernetes` / the group-version). */
  readonly title?: string;
  readonly infoVersion?: string;
  /** Parameter descriptions overriding the defaults of the v3 builder. */
  readonly parameterDescriptions?: Readonly<Record<string, string>>;
  /**
   * OpenAPI v3 component schemas to publish as `definitions` (converted with {@link toSwaggerSchema});
   * when given, bodies and responses reference `objectSchema` / `listSchema` and the meta/v1 types,
   * which must then be among them.
   */
  readonly definitions?: Readonly<Record<string, OpenApiSchema>>;
  readonly objectSchema?: string;
  readonly listSchema?: string;
  /** Response media types (default JSON and YAML). */
  readonly produces?: readonly string[];
}

interface V2Parameter {
  where: 'query' | 'path' | 'body';
  name: string;
  type?: string;
  description?: string;
  required?: boolean;
  uniqueItems?: boolean;
  schemaRef?: string;
}

function writeParameter(w: ProtoWriter, field: number, p: V2Parameter): void {
  w.message(field, (item) =>
    item.message(PARAMETERS_ITEM.parameter, (param) => {
      if (p.where === 'body') {
        param.message(PARAMETER.bodyParameter, (b) => {
          b.string(BODY_PARAMETER.description, p.description);
          b.string(BODY_PARAMETER.name, p.name);
          b.string(BODY_PARAMETER.in, 'body');
          b.bool(BODY_PARAMETER.required, p.required);
          if (p.schemaRef) {
            const ref = p.schemaRef;
            b.message(BODY_PARAMETER.schema, (s) => s.string(SCHEMA.ref, ref));
          }
        });
        return;
      }
      param.message(PARAMETER.nonBodyParameter, (nb) => {
        if (p.where === 'path') {
          nb.message(NON_BODY_PARAMETER.pathParameterSubSchema, (s) => {
            s.bool(PATH_PARAMETER.required, true);
            s.string(PATH_PARAMETER.in, 'path');
            s.string(PATH_PARAMETER.description, p.description);
            s.string(PATH_PARAMETER.name, p.name);
            s.string(PATH_PARAMETER.type, p.type ?? 'string');
            s.bool(PATH_PARAMETER.uniqueItems, p.uniqueItems);
          });
        } else {
          nb.message(NON_BODY_PARAMETER.queryParameterSubSchema, (s) => {
            s.bool(QUERY_PARAMETER.required, p.required);
            s.string(QUERY_PARAMETER.in, 'query');
            s.string(QUERY_PARAMETER.description, p.description);
            s.string(QUERY_PARAMETER.name, p.name);
            s.string(QUERY_PARAMETER.type, p.type ?? 'string');
            s.bool(QUERY_PARAMETER.uniqueItems, p.uniqueItems);
          });
        }
      });
    }),
  );
}

/**
 * Encodes the gnostic `openapi.v2.Document` for one resource: every resource route path with its
 * operations. PATCH operations consume the four patch media types and take the query parameters
 * `dryRun`, `fieldManager`, `fieldValidation` and `force`; every operation carries
 * `x-kubernetes-action` and `x-kubernetes-group-version-kind` (YAML `group: …\nkind: …\nversion: …\n`).
 */
export function buildOpenApiV2Protobuf(input: OpenApiV2ProtobufInput): Uint8Array {
  const resources: readonly OpenApiV2Resource[] =
    input.resources ??
    (input.resource
      ? [
          {
            resource: input.resource,
            routes: input.routes ?? [],
            ...(input.objectSchema ? { objectSchema: input.objectSchema } : {}),
            ...(input.listSchema ? { listSchema: input.listSchema } : {}),
          },
        ]
      : []);
  const first = resources[0]?.resource;
  const produces = input.produces ?? ['application/json', 'application/yaml'];
  const definitions = input.definitions
    ? Object.fromEntries(
        Object.entries(input.definitions)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]) => [k, toSwaggerSchema(v)] as const),
      )
    : undefined;
  const defRef = (name: string | undefined): string | undefined =>
    definitions && name !== undefined && name in definitions ? `${DEFINITIONS_PREFIX}${name}` : undefined;
  const statusRef = defRef(`${META_V1}.Status`);
  const groupVersion = first === undefined ? 'v1' : first.group === '' ? first.version : `${first.group}/${first.version}`;

  const doc = new ProtoWriter();
  doc.string(DOCUMENT.swagger, '2.0');
  doc.message(DOCUMENT.info, (info) => {
    info.string(INFO.title, input.title ?? 'Kubernetes');
    info.string(INFO.version, input.infoVersion ?? groupVersion);
  });
  doc.message(DOCUMENT.paths, (paths) => {
   for (const res of resources) {
    const def = res.resource;
    const descriptions: Record<string, string> = {
      ...DEFAULT_PARAMETER_DESCRIPTIONS,
      name: `name of the ${def.kind}`,
      ...input.parameterDescriptions,
      ...res.parameterDescriptions,
    };
    const objectRef = defRef(res.objectSchema);
    const listRef = defRef(res.listSchema);
    const gvkYaml = extensionYaml({ group: def.group, kind: def.kind, version: def.version });
    // Group the routes by path, keeping table order.
    const byPath = new Map<string, ResourceRoute[]>();
    for (const r of res.routes) {
      if (r.kind !== 'resource' || r.resource !== def.plural || r.group !== def.group) continue;
      const list = byPath.get(r.path) ?? [];
      list.push(r);
      byPath.set(r.path, list);
    }
    const query = (name: string): V2Parameter => ({
      where: 'query',
      name,
      type: queryParameterType(name),
      description: descriptions[name],
      uniqueItems: name === 'dryRun' || name === 'fieldManager',
    });
    for (const [path, pathRoutes] of byPath) {
      paths.message(PATHS.path, (named) => {
        named.string(NAMED.name, path, true);
        named.message(NAMED.value, (item) => {
          // Operations in PathItem field order (protobuf readers accept any order).
          const ordered = [...pathRoutes].sort((a, b) => PATH_ITEM[HTTP_TO_OPERATION[a.method]] - PATH_ITEM[HTTP_TO_OPERATION[b.method]]);
          for (const route of ordered) {
            const id = operationIdentity(def, route);
            const params: V2Parameter[] = queryParameterNames(route).map(query);
            let consumes: readonly string[] = [];
            let bodyRef: string | undefined;
            let responses: [string, string, string | undefined][] = [['200', 'OK', objectRef]];
            switch (route.verb) {
              case 'list':
                responses = [['200', 'OK', listRef]];
                break;
              case 'watch':
                responses = [['200', 'OK', defRef(`${META_V1}.WatchEvent`)]];
                break;
              case 'create':
                consumes = ['*/*'];
                bodyRef = objectRef;
                responses = [
                  ['200', 'OK', objectRef],
                  ['201', 'Created', objectRef],
                  ['202', 'Accepted', objectRef],
                ];
                break;
              case 'update':
                consumes = ['*/*'];
                bodyRef = objectRef;
                responses = [
                  ['200', 'OK', objectRef],
                  ['201', 'Created', objectRef],
                ];
                break;
              case 'patch':
                consumes = PATCH_CONTENT_TYPES;
                bodyRef = defRef(`${META_V1}.Patch`);
                responses = [
                  ['200', 'OK', objectRef],
                  ['201', 'Created', objectRef],
                ];
                break;
              case 'delete':
                consumes = ['*/*'];
                bodyRef = defRef(`${META_V1}.DeleteOptions`);
                responses = [
                  ['200', 'OK', statusRef],
                  ['202', 'Accepted', statusRef],
                ];
                break;
              case 'deletecollection':
                consumes = ['*/*'];
                bodyRef = defRef(`${META_V1}.DeleteOptions`);
                responses = [['200', 'OK', statusRef]];
                break;
              case 'get':
                break;
            }
            if (bodyRef) params.unshift({ where: 'body', name: 'body', required: route.verb !== 'delete' && route.verb !== 'deletecollection', schemaRef: bodyRef });
            const isWatch = route.verb === 'watch';
            item.message(PATH_ITEM[HTTP_TO_OPERATION[route.method]], (op) => {
              op.string(OPERATION.description, id.description);
              op.string(OPERATION.operationId, id.operationId);
              op.strings(OPERATION.produces, isWatch ? ['application/json', 'application/json;stream=watch'] : produces);
              op.strings(OPERATION.consumes, consumes);
              for (const p of params) writeParameter(op, OPERATION.parameters, p);
              op.message(OPERATION.responses, (rs) => {
                for (const [code, description, ref] of [...responses, ['401', 'Unauthorized', undefined] as [string, string, undefined]]) {
                  rs.message(RESPONSES.responseCode, (nrv) => {
                    nrv.string(NAMED.name, code, true);
                    nrv.message(NAMED.value, (rv) =>
                      rv.message(RESPONSE_VALUE.response, (resp) => {
                        resp.string(RESPONSE.description, description, true);
                        if (ref) resp.message(RESPONSE.schema, (si) => si.message(SCHEMA_ITEM.schema, (s) => s.string(SCHEMA.ref, ref)));
                      }),
                    );
                  });
                }
              });
              op.strings(OPERATION.schemes, ['https']);
              writeVendorExtension(op, OPERATION.vendorExtension, 'x-kubernetes-action', id.action);
              op.message(OPERATION.vendorExtension, (na) => {
                na.string(NAMED.name, 'x-kubernetes-group-version-kind');
                na.message(NAMED.value, (any) => any.string(ANY.yaml, gvkYaml, true));
              });
            });
          }
          // Path parameters (innermost first, like upstream) and `pretty`, shared by the operations.
          for (const name of pathParameterNames(path).reverse()) {
            writeParameter(item, PATH_ITEM.parameters, { where: 'path', name, description: descriptions[name], uniqueItems: true });
          }
          writeParameter(item, PATH_ITEM.parameters, query('pretty'));
        });
      });
    }
   }
  });
  if (definitions) {
    doc.message(DOCUMENT.definitions, (defs) => {
      for (const [name, schema] of Object.entries(definitions)) {
        defs.message(NAMED_SCHEMAS.additionalProperties, (ns) => {
          ns.string(NAMED.name, name, true);
          ns.message(NAMED.value, (s) => writeSchema(s, schema));
        });
      }
    });
  }
  return doc.finish();
}
