/**
 * @module types
 * ImageStream (image.openshift.io/v1) wire types and their strict zod schemas.
 * `null` is accepted wherever Go's decoder accepts it and means "unset".
 */
import { z } from 'zod';
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

const str = z.string().nullish();
const int = z.number().int().nullish();
const bool = z.boolean().nullish();

const objectReferenceSchema = z.strictObject({
  kind: str,
  namespace: str,
  name: str,
  uid: str,
  apiVersion: str,
  resourceVersion: str,
  fieldPath: str,
});

const tagReferenceSchema = z.strictObject({
  name: str,
  annotations: z.record(z.string(), z.string().nullable()).nullish(),
  from: objectReferenceSchema.nullish(),
  reference: bool,
  generation: int,
  importPolicy: z.strictObject({ insecure: bool, scheduled: bool, importMode: str }).nullish(),
  referencePolicy: z.strictObject({ type: str }).nullish(),
});

const tagEventSchema = z.strictObject({
  created: str,
  dockerImageReference: str,
  image: str,
  generation: int,
});

const tagEventConditionSchema = z.strictObject({
  type: str,
  status: str,
  lastTransitionTime: str,
  reason: str,
  message: str,
  generation: int,
});

const namedTagEventListSchema = z.strictObject({
  tag: str,
  items: z.array(tagEventSchema).nullish(),
  conditions: z.array(tagEventConditionSchema).nullish(),
});

/** Wire schema of an ImageStream request body. */
export const imageStreamSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: objectMetaSchema.nullish(),
  spec: z
    .strictObject({
      lookupPolicy: z.strictObject({ local: bool }).nullish(),
      dockerImageRepository: str,
      tags: z.array(tagReferenceSchema).nullish(),
    })
    .nullish(),
  status: z
    .strictObject({
      dockerImageRepository: str,
      publicDockerImageRepository: str,
      tags: z.array(namedTagEventListSchema).nullish(),
    })
    .nullish(),
});

/** What the decoder returns after `null`s are stripped: a partial ImageStream. */
export type ImageStreamInput = Partial<Omit<ImageStream, 'metadata' | 'spec'>> & {
  metadata?: ObjectMeta;
  spec?: Partial<ImageStreamSpec> & { tags?: Partial<TagReference>[] };
};
