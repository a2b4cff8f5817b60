/**
 * @module secrets
 * The core v1 Secret resource module (`/api/v1/namespaces/{ns}/secrets`): pull secrets for
 * image imports, served through the generic machinery. Secret bodies are never logged; on AWS
 * the table they live in is encrypted with a customer-managed KMS key (docs/design.md).
 */
import { secretFromProtobuf } from '../../core/secret/protobuf.js';
import { secretSchemas, secretTablePrinter, secretToWire, SECRET_LIST_SCHEMA, SECRET_SCHEMA } from '../../core/secret/serialize.js';
import { secretStrategy } from '../../core/secret/strategy.js';
import { SECRET_FIELDS, secretResource, secretSchema, type Secret } from '../../core/secret/types.js';
import { metadataFields, type ResourceModule } from '../resource-module.js';

export const secretSelectableFields = (s: Secret): Record<string, string> => ({ ...metadataFields(s), type: s.type ?? '' });

export function secretModule(): ResourceModule<Secret> {
  return {
    def: secretResource,
    schema: secretSchema,
    strategy: secretStrategy,
    toWire: secretToWire,
    fromProtobuf: secretFromProtobuf,
    selectableFields: secretSelectableFields,
    fieldMeta: SECRET_FIELDS,
    table: secretTablePrinter,
    bookmarkObject: (resourceVersion, annotations) => ({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { resourceVersion, creationTimestamp: null, ...(annotations ? { annotations } : {}) },
    }),
    openapi: { schemas: secretSchemas(), objectSchema: SECRET_SCHEMA, listSchema: SECRET_LIST_SCHEMA },
  };
}
