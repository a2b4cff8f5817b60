/**
 * @module resource-module
 * Everything needed to serve one stored resource type through the generic machinery:
 * its definition, wire schema, strategies, wire form, selectable fields, merge semantics,
 * printer, bookmark object and OpenAPI schemas. The composition root turns each module into
 * a store, a ResourceService and a ResourceApi; discovery and OpenAPI are built from them.
 */
import type * as core from 'zod/v4/core';
import type { FieldMeta } from '../apimachinery/field-meta.js';
import type { KubeObject } from '../apimachinery/meta.js';
import type { OpenApiSchema } from '../apimachinery/openapi.js';
import type { ResourceStrategy, StatusStrategy } from '../apimachinery/registry/strategy.js';
import type { Admit } from '../apimachinery/registry/resource-service.js';
import type { ChangeLog, Store } from '../apimachinery/registry/store.js';
import type { Authorization } from '../auth/authorizer.js';
import type { ResourceDefinition } from '../apimachinery/resource.js';
import type { TablePrinter } from '../apimachinery/table.js';
import type { ApiRequest, ApiResponse } from './http.js';
import type { ResourceRoute } from './routes.js';

export interface ResourceModule<T extends KubeObject = KubeObject> {
  readonly def: ResourceDefinition;
  /** Strict wire schema of a request body. */
  readonly schema: core.$ZodType;
  readonly strategy: ResourceStrategy<T>;
  readonly statusStrategy?: StatusStrategy<T>;
  /**
   * Rules for server-side writers (controllers, views such as imagestreamtags, the importer):
   * spec and status written together. Served by `App.internalService`, never by a route.
   */
  readonly internalStrategy?: ResourceStrategy<T>;
  /** The exact wire form of one object (with kind and apiVersion). */
  readonly toWire: (obj: T) => Record<string, unknown>;
  /** A protobuf request body as its JSON form (core types, which kubectl sends as protobuf). */
  readonly fromProtobuf?: (body: Uint8Array) => unknown;
  /** Values of the fields a field selector may test (at least metadata.name/namespace). */
  readonly selectableFields: (obj: T) => Record<string, string>;
  readonly fieldMeta: FieldMeta;
  readonly table?: TablePrinter<T>;
  /** The object of a BOOKMARK event (an empty object of the kind with the resourceVersion). */
  readonly bookmarkObject: (resourceVersion: string, annotations?: Record<string, string>) => Record<string, unknown>;
  /** Wraps the type's store, e.g. to serve read-only built-in objects (the RBAC bootstrap policy). */
  readonly storeOverlay?: (store: Store<T> & ChangeLog<T>) => Store<T> & ChangeLog<T>;
  /** Admission needing the authorizer (RBAC escalation prevention), run by the registry after validation. */
  readonly admission?: (authorization: Authorization) => Admit<T>;
  readonly openapi: {
    /** Component schemas of the kind (meta/v1 schemas are added automatically). */
    readonly schemas: Readonly<Record<string, OpenApiSchema>>;
    readonly objectSchema: string;
    readonly listSchema: string;
    readonly parameterDescriptions?: Readonly<Record<string, string>>;
  };
}

/** The storage key (and revision domain) of a resource type: `secrets`, `imagestreams.image.openshift.io`. */
export function storageKeyOf(def: ResourceDefinition): string {
  return def.group === '' ? def.plural : `${def.plural}.${def.group}`;
}

/** Generic selectable fields: every type supports metadata.name and metadata.namespace. */
export const metadataFields = (obj: KubeObject): Record<string, string> => ({
  'metadata.name': obj.metadata.name ?? '',
  'metadata.namespace': obj.metadata.namespace ?? '',
});

/**
 * A resource served by its own handler instead of the generic store-backed one: views over
 * other resources (imagestreamtags) or create-only reviews (selfsubjectaccessreviews). Its
 * rows come from `resourceRoutes` with the verbs it serves.
 */
export interface VirtualModule {
  readonly def: ResourceDefinition;
  handle(route: ResourceRoute, req: ApiRequest): Promise<ApiResponse>;
  /** The kind's OpenAPI (as a stored module's); read only when the documents are built. */
  readonly openapi?: ResourceModule['openapi'];
}
