/**
 * @module meta
 * ObjectMeta / ListMeta: types, wire schemas (zod) and the generic metadata rules of
 * `ValidateObjectMeta` / `ValidateObjectMetaUpdate`.
 */
import * as z from 'zod/mini';
import { fieldErrors, FieldPath, type FieldError } from './field-errors.js';
import { goStringSlice } from './go-format.js';
import {
  isQualifiedName,
  isValidLabelValue,
  TOTAL_ANNOTATION_SIZE_LIMIT,
  validateNamespaceName,
} from './validation.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  selfLink?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Any object with Kubernetes type and object metadata. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

const str = z.nullish(z.string());
const int = z.nullish(z.int());
const bool = z.nullish(z.boolean());
const stringMap = z.nullish(z.record(z.string(), z.nullable(z.string())));

const ownerReferenceSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  name: str,
  uid: str,
  controller: bool,
  blockOwnerDeletion: bool,
});

const managedFieldsEntrySchema = z.strictObject({
  manager: str,
  operation: str,
  apiVersion: str,
  time: str,
  fieldsType: str,
  fieldsV1: z.nullish(z.record(z.string(), z.unknown())),
  subresource: str,
});

/** Wire schema of ObjectMeta: unknown keys are reported, `null` means unset (as Go's decoder). */
export const objectMetaSchema = z.strictObject({
  name: str,
  generateName: str,
  namespace: str,
  selfLink: str,
  uid: str,
  resourceVersion: str,
  generation: int,
  creationTimestamp: str,
  deletionTimestamp: str,
  deletionGracePeriodSeconds: int,
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: z.nullish(z.array(ownerReferenceSchema)),
  finalizers: z.nullish(z.array(z.string())),
  managedFields: z.nullish(z.array(managedFieldsEntrySchema)),
});

/** A name validation function: `(name, prefix) => messages` (as `ValidateNameFunc`). */
export type NameValidator = (name: string, prefix: boolean) => string[];

export function validateLabels(labels: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) errs.push(fieldErrors.invalid(path, k, msg));
    for (const msg of isValidLabelValue(v)) errs.push(fieldErrors.invalid(path, v, msg));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldErrors.invalid(path, k, msg));
    total += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldErrors.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateOwnerReferences(refs: OwnerReference[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let controllers = 0;
  for (const ref of refs ?? []) {
    if (!ref.apiVersion) errs.push(fieldErrors.invalid(path.child('apiVersion'), ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(fieldErrors.invalid(path.child('kind'), ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(fieldErrors.invalid(path.child('name'), ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(fieldErrors.invalid(path.child('uid'), ref.uid ?? '', 'uid must not be empty'));
    if (ref.controller) controllers++;
  }
  if (controllers > 1) {
    errs.push(fieldErrors.invalidNoValue(path, 'Only one reference can have Controller set to true'));
  }
  return errs;
}

function validateFinalizers(finalizers: string[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const list = finalizers ?? [];
  for (const f of list) {
    for (const msg of isQualifiedName(f)) errs.push(fieldErrors.invalid(path, f, msg));
  }
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(
      fieldErrors.invalid(path, list, "finalizer orphan and foregroundDeletion cannot be both set"),
    );
  }
  return errs;
}

/** `ValidateObjectMeta` for a namespaced or cluster object. */
export function validateObjectMeta(
  meta: ObjectMeta,
  requiresNamespace: boolean,
  nameFn: NameValidator,
  path: FieldPath = FieldPath.root('metadata'),
): FieldError[] {
  const errs: FieldError[] = [];
  if (meta.generateName) {
    for (const msg of nameFn(meta.generateName, true)) {
      errs.push(fieldErrors.invalid(path.child('generateName'), meta.generateName, msg));
    }
  }
  if (!meta.name) {
    errs.push(fieldErrors.required(path.child('name'), 'name or generateName is required'));
  } else {
    for (const msg of nameFn(meta.name, false)) errs.push(fieldErrors.invalid(path.child('name'), meta.name, msg));
  }
  if (requiresNamespace) {
    if (!meta.namespace) errs.push(fieldErrors.required(path.child('namespace'), ''));
    else
      for (const msg of validateNamespaceName(meta.namespace, false)) {
        errs.push(fieldErrors.invalid(path.child('namespace'), meta.namespace, msg));
      }
  } else if (meta.namespace) {
    errs.push(fieldErrors.forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  if (meta.generation !== undefined && meta.generation < 0) {
    errs.push(fieldErrors.invalid(path.child('generation'), meta.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(meta.labels, path.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, path.child('finalizers')));
  return errs;
}

/** `ValidateObjectMetaUpdate`: identity fields are immutable; no new finalizers while deleting. */
export function validateObjectMetaUpdate(
  meta: ObjectMeta,
  old: ObjectMeta,
  path: FieldPath = FieldPath.root('metadata'),
): FieldError[] {
  const errs: FieldError[] = [];
  const immutable = (field: keyof ObjectMeta, now: string | undefined, before: string | undefined): void => {
    if ((now ?? '') !== (before ?? '')) {
      errs.push(fieldErrors.invalid(path.child(field), now ?? '', 'field is immutable'));
    }
  };
  immutable('name', meta.name, old.name);
  immutable('namespace', meta.namespace, old.namespace);
  immutable('uid', meta.uid, old.uid);
  immutable('creationTimestamp', meta.creationTimestamp, old.creationTimestamp);
  if (old.deletionTimestamp !== undefined) {
    const before = new Set(old.finalizers ?? []);
    const added = (meta.finalizers ?? []).filter((f) => !before.has(f));
    if (added.length > 0) {
      errs.push(
        fieldErrors.forbidden(
          path.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(added)}`,
        ),
      );
    }
  }
  errs.push(...validateLabels(meta.labels, path.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, path.child('finalizers')));
  return errs;
}

/** Canonical key order of ObjectMeta as the Go encoder emits it; unset fields omitted. */
const META_ORDER: readonly (keyof ObjectMeta)[] = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

export function canonicalMeta(meta: ObjectMeta): ObjectMeta {
  const out: Record<string, unknown> = {};
  for (const k of META_ORDER) {
    const v = meta[k];
    if (v === undefined || v === '' || v === 0) continue;
    // An empty managedFields list in a request means "clear them"; the registry resolves it.
    if (Array.isArray(v) && v.length === 0 && k !== 'managedFields') continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out as ObjectMeta;
}

/** Metadata with `resourceVersion` set at its canonical position; nothing else changes. */
export function withResourceVersion(meta: ObjectMeta, resourceVersion: string): ObjectMeta {
  const out: Record<string, unknown> = {};
  for (const k of META_ORDER) {
    if (k === 'resourceVersion') out[k] = resourceVersion;
    else if (meta[k] !== undefined) out[k] = meta[k];
  }
  for (const [k, v] of Object.entries(meta)) if (!(k in out) && v !== undefined) out[k] = v;
  return out as ObjectMeta;
}
