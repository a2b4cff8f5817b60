/**
 * @module extensions
 * Operations this server offers beyond OpenShift, in their own API group
 * (`imagestreams.internal/v1`, so that `image.openshift.io` serves exactly upstream's kinds):
 *
 * - `ImageStreamPrune` (`imagestreamprunes`, cluster-scoped, create only): one run of the
 *   history prune of §11 (`oc adm prune images` for the streams); the response's `status`
 *   is the report. Dry run unless `spec.confirm`.
 * - `ImageStreamLookup` (`imagestreamlookups`, namespaced, create only): the
 *   `lookupPolicy.local` resolution of §9 for one image reference in the namespace.
 *
 * Both are reviews: nothing is stored under their names; a POST answers 201 with `status`.
 */
import * as z from 'zod/mini';
import { objectMetaSchema, type ObjectMeta } from '../apimachinery/meta.js';
import { EXTENSIONS_API_VERSION, imageStreamLookupResource, imageStreamPruneResource } from './resource.js';
import type { PrunedItem } from './prune.js';
import type { LookupReason } from './lookup-resolution.js';

export { EXTENSIONS_API_VERSION, EXTENSIONS_GROUP, EXTENSIONS_VERSION, imageStreamLookupResource, imageStreamPruneResource } from './resource.js';

export interface ImageStreamPruneSpec {
  /** Revisions per tag kept regardless of age (default 3). */
  keepTagRevisions?: number;
  /** Go duration; history and streams younger than this are kept (default `60m`). */
  keepYoungerThan?: string;
  /** Only the streams of this namespace (default: all namespaces). */
  namespace?: string;
  /** Apply the prune; without it the run is a dry run (as `--confirm`). */
  confirm?: boolean;
}

export interface PrunedStream {
  namespace: string;
  name: string;
  /** The stream's resourceVersion after the write (absent in a dry run). */
  resourceVersion?: string;
  deletedItems: PrunedItem[];
  deletedTags: string[];
}

export interface PruneFailure {
  namespace: string;
  name: string;
  message: string;
}

export interface ImageStreamPruneStatus {
  dryRun: boolean;
  /** `--keep-younger-than` reference time (RFC 3339). */
  startTime: string;
  deletedItemCount: number;
  updatedStreamCount: number;
  streams: PrunedStream[];
  failures: PruneFailure[];
}

export interface ImageStreamPrune {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: ImageStreamPruneSpec;
  status?: ImageStreamPruneStatus;
}

export interface ImageStreamLookupSpec {
  /** The image reference, as a container would name it (`mysql`, `php:7`). */
  image?: string;
  /** Every name is local (the `alpha.image.policy.openshift.io/resolve-names: "*"` annotation). */
  resolveNames?: boolean;
}

export interface ImageStreamLookupStatus {
  /** The pull spec the image policy gives the reference (the input when nothing matched). */
  image: string;
  resolved: boolean;
  reason: LookupReason;
  message: string;
}

export interface ImageStreamLookup {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: ImageStreamLookupSpec;
  status?: ImageStreamLookupStatus;
}

const str = z.nullish(z.string());

/** Request body of `POST imagestreamprunes` (`status` is accepted and ignored, as reviews do). */
export const imageStreamPruneSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: z.nullish(objectMetaSchema),
  spec: z.nullish(
    z.strictObject({
      keepTagRevisions: z.nullish(z.int()),
      keepYoungerThan: str,
      namespace: str,
      confirm: z.nullish(z.boolean()),
    }),
  ),
  status: z.nullish(z.record(z.string(), z.unknown())),
});

/** Request body of `POST imagestreamlookups`. */
export const imageStreamLookupSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: z.nullish(objectMetaSchema),
  spec: z.nullish(z.strictObject({ image: str, resolveNames: z.nullish(z.boolean()) })),
  status: z.nullish(z.record(z.string(), z.unknown())),
});

export const imageStreamPruneToWire = (p: ImageStreamPrune): Record<string, unknown> => ({
  kind: imageStreamPruneResource.kind,
  apiVersion: EXTENSIONS_API_VERSION,
  metadata: p.metadata,
  spec: p.spec,
  ...(p.status ? { status: p.status } : {}),
});

export const imageStreamLookupToWire = (l: ImageStreamLookup): Record<string, unknown> => ({
  kind: imageStreamLookupResource.kind,
  apiVersion: EXTENSIONS_API_VERSION,
  metadata: l.metadata,
  spec: l.spec,
  ...(l.status ? { status: l.status } : {}),
});
