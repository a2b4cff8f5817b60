/**
 * @module serialize
 * The v1 wire form of a Secret (Go field order; `stringData` is write-only and never
 * rendered), its table columns (`kubectl get secrets`: Name, Type, Data, Age) and OpenAPI
 * component schemas.
 */
import { humanDuration, type TablePrinter } from '../../apimachinery/table.js';
import { META_V1, refWith, schemaRef, type OpenApiSchema } from '../../apimachinery/openapi.js';
import type { Secret } from './types.js';

export function secretToWire(s: Secret): Record<string, unknown> {
  return {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: s.metadata,
    ...(s.immutable !== undefined ? { immutable: s.immutable } : {}),
    ...(s.data && Object.keys(s.data).length > 0 ? { data: s.data } : {}),
    ...(s.type ? { type: s.type } : {}),
  };
}

export const secretTablePrinter: TablePrinter<Secret> = {
  columns: [
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
    { name: 'Type', type: 'string', format: '', description: 'Used to facilitate programmatic handling of secret data.', priority: 0 },
    { name: 'Data', type: 'string', format: '', description: 'Data contains the secret data.', priority: 0 },
    { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
  ],
  cells(s, now) {
    const created = s.metadata.creationTimestamp ? Date.parse(s.metadata.creationTimestamp) : NaN;
    return [s.metadata.name ?? '', s.type ?? '', Object.keys(s.data ?? {}).length, Number.isNaN(created) ? '<unknown>' : humanDuration(now.getTime() - created)];
  },
};

export const SECRET_SCHEMA = 'io.k8s.api.core.v1.Secret';
export const SECRET_LIST_SCHEMA = 'io.k8s.api.core.v1.SecretList';

export function secretSchemas(): Record<string, OpenApiSchema> {
  const str = (description: string): OpenApiSchema => ({ type: 'string', description });
  return {
    [SECRET_SCHEMA]: {
      description: 'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.',
      type: 'object',
      properties: {
        apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
        data: {
          type: 'object',
          description: 'Data contains the secret data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. The serialized form of the secret data is a base64 encoded string.',
          additionalProperties: { type: 'string', format: 'byte' },
        },
        immutable: { type: 'boolean', description: 'Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).' },
        kind: str('Kind is a string value representing the REST resource this object represents.'),
        metadata: refWith(`${META_V1}.ObjectMeta`, { default: {}, description: "Standard object's metadata." }),
        stringData: {
          type: 'object',
          description: 'stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience.',
          additionalProperties: { type: 'string', default: '' },
        },
        type: str('Used to facilitate programmatic handling of secret data.'),
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Secret', version: 'v1' }],
    },
    [SECRET_LIST_SCHEMA]: {
      description: 'SecretList is a list of Secret.',
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
        items: { type: 'array', description: 'Items is a list of secret objects.', items: refWith(SECRET_SCHEMA, { default: {} }) },
        kind: str('Kind is a string value representing the REST resource this object represents.'),
        metadata: { ...schemaRef(`${META_V1}.ListMeta`), default: {} } as OpenApiSchema,
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'SecretList', version: 'v1' }],
    },
  };
}
