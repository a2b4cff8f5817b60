/**
 * @module field-meta
 * The merge semantics of a resource's fields — what OpenAPI's `x-kubernetes-patch-strategy`,
 * `x-kubernetes-patch-merge-key` and `x-kubernetes-list-type` say: which objects are structs
 * (known fields) or maps (free keys), which lists are atomic, sets of primitives, or
 * associative lists keyed by a field. Strategic merge patch and server-side apply both read it.
 */

export type FieldMeta =
  /** An object with known fields; `fields` not listed here are treated as atomic values. */
  | { readonly kind: 'struct'; readonly fields: Readonly<Record<string, FieldMeta>> }
  /** An object with arbitrary keys whose values all follow `values`. */
  | { readonly kind: 'map'; readonly values: FieldMeta }
  /** A list replaced as a whole. */
  | { readonly kind: 'atomic-list' }
  /** A list of primitives merged as a set (e.g. finalizers). */
  | { readonly kind: 'set' }
  /** A list of objects merged by the value of `key` (e.g. spec.tags by name). */
  | { readonly kind: 'assoc-list'; readonly key: string; readonly items: FieldMeta }
  /** A leaf value (string, number, bool) or an unknown subtree treated atomically. */
  | { readonly kind: 'scalar' };

export const SCALAR: FieldMeta = { kind: 'scalar' };
export const ATOMIC_LIST: FieldMeta = { kind: 'atomic-list' };
export const STRING_MAP: FieldMeta = { kind: 'map', values: SCALAR };

export const struct = (fields: Record<string, FieldMeta>): FieldMeta => ({ kind: 'struct', fields });

/** ObjectMeta as apimachinery declares it. */
export const OBJECT_META: FieldMeta = struct({
  name: SCALAR,
  generateName: SCALAR,
  namespace: SCALAR,
  selfLink: SCALAR,
  uid: SCALAR,
  resourceVersion: SCALAR,
  generation: SCALAR,
  creationTimestamp: SCALAR,
  deletionTimestamp: SCALAR,
  deletionGracePeriodSeconds: SCALAR,
  labels: STRING_MAP,
  annotations: STRING_MAP,
  ownerReferences: {
    kind: 'assoc-list',
    key: 'uid',
    items: struct({ apiVersion: SCALAR, kind: SCALAR, name: SCALAR, uid: SCALAR, controller: SCALAR, blockOwnerDeletion: SCALAR }),
  },
  finalizers: { kind: 'set' },
  managedFields: ATOMIC_LIST,
});

/** The meta of a struct's child field (scalar when unknown). */
export function childMeta(meta: FieldMeta, field: string): FieldMeta {
  if (meta.kind === 'struct') return meta.fields[field] ?? SCALAR;
  if (meta.kind === 'map') return meta.values;
  return SCALAR;
}
