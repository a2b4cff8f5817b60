/**
 * @module field-meta
 * Merge semantics of the RBAC kinds (`rbac/v1/types.go`): every list is atomic
 * (`+listType=atomic`), role references and subjects are atomic maps.
 */
import { ATOMIC_LIST, OBJECT_META, SCALAR, struct, type FieldMeta } from '../apimachinery/field-meta.js';

const typeMeta = { apiVersion: SCALAR, kind: SCALAR, metadata: OBJECT_META };

export const ROLE_FIELDS: FieldMeta = struct({ ...typeMeta, rules: ATOMIC_LIST, aggregationRule: struct({ clusterRoleSelectors: ATOMIC_LIST }) });

export const ROLE_BINDING_FIELDS: FieldMeta = struct({ ...typeMeta, subjects: ATOMIC_LIST, roleRef: SCALAR });
