/**
 * @module types
 * ImageStream (image.openshift.io/v1) wire types and their strict zod schemas.
 * `null` is accepted wherever Go's decoder accepts it and means "unset".
 */
import * as z from 'zod/mini';
import { objectMetaSchema, type ListMeta, type ObjectMeta } from '../apimachinery/meta.js';

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface TagImportPolicy {
  insecure?: boolean;
  scheduled?: boolean;
  importMode?: string;
}

export interface TagReferencePolicy {
  type?: string;
}

export interface TagReference {
  name: string;
  annotations?: Record<string, string>;
  from?: ObjectReference;
  reference?: boolean;
  generation?: number;
  importPolicy?: TagImportPolicy;
  referencePolicy?: TagReferencePolicy;
}

export interface ImageLookupPolicy {
  local?: boolean;
}

export interface ImageStreamSpec {
  lookupPolicy?: ImageLookupPolicy;
  dockerImageRepository?: string;
  tags?: TagReference[];
}

export interface TagEvent {
  created?: string;
  dockerImageReference?: string;
  image?: string;
  generation?: number;
}

export interface TagEventCondition {
  type?: string;
  status?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
  generation?: number;
}

export interface NamedTagEventList {
  tag: string;
  items?: TagEvent[];
  conditions?: TagEventCondition[];
}

export interface ImageStreamStatus {
  dockerImageRepository?: string;
  publicDockerImageRepository?: string;
  tags?: NamedTagEventList[];
}

export interface ImageStream {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: ImageStreamSpec;
  status?: ImageStreamStatus;
}

export interface ImageStreamList {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: ImageStream[];
}

const str = z.nullish(z.string());
const int = z.nullish(z.int());
const bool = z.nullish(z.boolean());

const objectReferenceSchema = z.strictObject({
  kind: str,
  namespace: str,
  name: str,
  uid: str,
  apiVersion: str,
  resourceVersion: str,
  fieldPath: str,
});

export const tagReferenceSchema = z.strictObject({
  name: str,
  annotations: z.nullish(z.record(z.string(), z.nullable(z.string()))),
  from: z.nullish(objectReferenceSchema),
  reference: bool,
  generation: int,
  importPolicy: z.nullish(z.strictObject({ insecure: bool, scheduled: bool, importMode: str })),
  referencePolicy: z.nullish(z.strictObject({ type: str })),
});

const tagEventSchema = z.strictObject({
  created: str,
  dockerImageReference: str,
  image: str,
  generation: int,
});

export const tagEventConditionSchema = z.strictObject({
  type: str,
  status: str,
  lastTransitionTime: str,
  reason: str,
  message: str,
  generation: int,
});

const namedTagEventListSchema = z.strictObject({
  tag: str,
  items: z.nullish(z.array(tagEventSchema)),
  conditions: z.nullish(z.array(tagEventConditionSchema)),
});

/** Wire schema of an ImageStream request body. */
export const imageStreamSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: z.nullish(objectMetaSchema),
  spec: z.nullish(
    z.strictObject({
      lookupPolicy: z.nullish(z.strictObject({ local: bool })),
      dockerImageRepository: str,
      tags: z.nullish(z.array(tagReferenceSchema)),
    }),
  ),
  status: z.nullish(
    z.strictObject({
      dockerImageRepository: str,
      publicDockerImageRepository: str,
      tags: z.nullish(z.array(namedTagEventListSchema)),
    }),
  ),
});

/** What the decoder returns after `null`s are stripped: a partial ImageStream. */
export type ImageStreamInput = Partial<Omit<ImageStream, 'metadata' | 'spec'>> & {
  metadata?: ObjectMeta;
  spec?: Partial<ImageStreamSpec> & { tags?: Partial<TagReference>[] };
};
