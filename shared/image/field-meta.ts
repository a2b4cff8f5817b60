/**
 * @module field-meta
 * Merge semantics of the ImageStream's fields (openshift/api `image/v1/types.go` patch tags):
 * `spec.tags` merges by `name`, `status.tags` by `tag`; everything else follows the generic
 * rules (maps per key, other lists atomic).
 */
import { ATOMIC_LIST, OBJECT_META, SCALAR, STRING_MAP, struct, type FieldMeta } from '../apimachinery/field-meta.js';

const objectReference = struct({
  kind: SCALAR,
  namespace: SCALAR,
  name: SCALAR,
  uid: SCALAR,
  apiVersion: SCALAR,
  resourceVersion: SCALAR,
  fieldPath: SCALAR,
});

export const TAG_REFERENCE_FIELDS = struct({
  name: SCALAR,
  annotations: STRING_MAP,
  from: objectReference,
  reference: SCALAR,
  generation: SCALAR,
  importPolicy: struct({ insecure: SCALAR, scheduled: SCALAR, importMode: SCALAR }),
  referencePolicy: struct({ type: SCALAR }),
});

const namedTagEventList = struct({ tag: SCALAR, items: ATOMIC_LIST, conditions: ATOMIC_LIST });

export const IMAGE_STREAM_FIELDS: FieldMeta = struct({
  apiVersion: SCALAR,
  kind: SCALAR,
  metadata: OBJECT_META,
  spec: struct({
    lookupPolicy: struct({ local: SCALAR }),
    dockerImageRepository: SCALAR,
    tags: { kind: 'assoc-list', key: 'name', items: TAG_REFERENCE_FIELDS },
  }),
  status: struct({
    dockerImageRepository: SCALAR,
    publicDockerImageRepository: SCALAR,
    tags: { kind: 'assoc-list', key: 'tag', items: namedTagEventList },
  }),
});
