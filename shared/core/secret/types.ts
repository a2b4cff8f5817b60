/**
 * @module types
 * The core v1 Secret: wire type, strict schema, identity and field merge semantics.
 */
import * as z from 'zod/mini';
import { OBJECT_META, SCALAR, STRING_MAP, struct, type FieldMeta } from '../../apimachinery/field-meta.js';
import { objectMetaSchema, type ObjectMeta } from '../../apimachinery/meta.js';

export interface Secret {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  /** Base64 of arbitrary bytes, per key. */
  data?: Record<string, string>;
  /** Write-only plain-text values, merged into `data` on write and never stored or returned. */
  stringData?: Record<string, string>;
  type?: string;
  immutable?: boolean;
}


export { secretResource } from './resource.js';

export const SECRET_TYPES = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
} as const;

const stringMap = z.nullish(z.record(z.string(), z.nullable(z.string())));

/** Wire schema of a Secret request body. */
export const secretSchema = z.strictObject({
  apiVersion: z.nullish(z.string()),
  kind: z.nullish(z.string()),
  metadata: z.nullish(objectMetaSchema),
  data: stringMap,
  stringData: stringMap,
  type: z.nullish(z.string()),
  immutable: z.nullish(z.boolean()),
});

export const SECRET_FIELDS: FieldMeta = struct({
  apiVersion: SCALAR,
  kind: SCALAR,
  metadata: OBJECT_META,
  data: STRING_MAP,
  stringData: STRING_MAP,
  type: SCALAR,
  immutable: SCALAR,
});
