/**
 * @module istag-types
 * The views of a stream served by `imagestreamtags` and `imagestreamimages` (semantics §6.4,
 * §10): `ImageStreamTag`, `ImageStreamImage` and the `Image` they embed — types, strict zod
 * schemas of a request body, and the exact v1 wire form (openshift/api `image/v1/types.go`
 * field order; `tag` is `null` when unset, `conditions` omitted when empty).
 *
 * This server keeps no `images.image.openshift.io` objects, so the embedded `Image` is what
 * upstream hands out when it has only the image name (its list path): `metadata.name` = the
 * digest, `dockerImageReference` = the policy-resolved pull spec, and the empty Docker
 * metadata the v1 conversion renders for an image without any.
 */
import * as z from 'zod/mini';
import { ATOMIC_LIST, OBJECT_META, SCALAR, struct, type FieldMeta } from '../apimachinery/field-meta.js';
import { objectMetaSchema, type ListMeta, type ObjectMeta } from '../apimachinery/meta.js';
import { TAG_REFERENCE_FIELDS } from './field-meta.js';
import { conditionToWire, tagToWire } from './serialize.js';
import { tagEventConditionSchema, tagReferenceSchema, type ImageLookupPolicy, type TagEventCondition, type TagReference } from './types.js';

/** An image as the views embed it. */
export interface Image {
  /** `name` is the image digest; `creationTimestamp` and `annotations` when known. */
  metadata: ObjectMeta;
  /** The pull spec (for ImageStreamTags: after the tag's reference policy, §8). */
  dockerImageReference?: string;
}

export interface ImageStreamTag {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  /** The spec tag of that name, if the stream has one. */
  tag?: TagReference;
  /** The newest event's generation. */
  generation?: number;
  lookupPolicy?: ImageLookupPolicy;
  conditions?: TagEventCondition[];
  image?: Image;
}

export interface ImageStreamTagList {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: ImageStreamTag[];
}

export interface ImageStreamImage {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  image: Image;
}

const str = z.nullish(z.string());
const int = z.nullish(z.int());

const imageLayerSchema = z.strictObject({ name: str, size: int, mediaType: str });

const imageManifestSchema = z.strictObject({
  digest: str,
  mediaType: str,
  manifestSize: int,
  architecture: str,
  os: str,
  variant: str,
});

/** An embedded Image (accepted so that a GET → edit → PUT round trip decodes; the server ignores it). */
const imageSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: z.nullish(objectMetaSchema),
  dockerImageReference: str,
  dockerImageMetadata: z.nullish(z.record(z.string(), z.unknown())),
  dockerImageMetadataVersion: str,
  dockerImageManifest: str,
  dockerImageLayers: z.nullish(z.array(imageLayerSchema)),
  signatures: z.nullish(z.array(z.record(z.string(), z.unknown()))),
  dockerImageSignatures: z.nullish(z.array(z.string())),
  dockerImageManifestMediaType: str,
  dockerImageConfig: str,
  dockerImageManifests: z.nullish(z.array(imageManifestSchema)),
});

/** Wire schema of an ImageStreamTag request body (POST, PUT, and a patched object). */
export const imageStreamTagSchema = z.strictObject({
  apiVersion: str,
  kind: str,
  metadata: z.nullish(objectMetaSchema),
  tag: z.nullish(tagReferenceSchema),
  generation: int,
  lookupPolicy: z.nullish(z.strictObject({ local: z.nullish(z.boolean()) })),
  conditions: z.nullish(z.array(tagEventConditionSchema)),
  image: z.nullish(imageSchema),
});

/** Merge semantics of an ImageStreamTag's fields (strategic merge patch). */
export const IMAGE_STREAM_TAG_FIELDS: FieldMeta = struct({
  apiVersion: SCALAR,
  kind: SCALAR,
  metadata: OBJECT_META,
  tag: TAG_REFERENCE_FIELDS,
  generation: SCALAR,
  lookupPolicy: struct({ local: SCALAR }),
  conditions: ATOMIC_LIST,
  image: SCALAR,
});

/** What the decoder returns after `null`s are stripped. */
export type ImageStreamTagInput = Partial<Omit<ImageStreamTag, 'metadata' | 'tag'>> & {
  metadata?: ObjectMeta;
  tag?: Partial<TagReference>;
};

/**
 * What upstream's v1 conversion renders for an image without Docker metadata; a fresh object
 * each time, since a rendered view can be patched and decoded in place.
 */
const emptyDockerImageMetadata = (): Record<string, unknown> => ({ kind: 'DockerImage', apiVersion: '1.0', Id: '', Created: null, ContainerConfig: {} });

/** ObjectMeta fields the Go encoder emits after `creationTimestamp`. */
const AFTER_CREATION = new Set(['deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields']);

/** Canonical ObjectMeta with `creationTimestamp` always present (`null` when unset), as Go renders a zero time. */
function metaWithTimestamp(meta: ObjectMeta): Record<string, unknown> {
  if (meta.creationTimestamp !== undefined) return { ...meta };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (AFTER_CREATION.has(k) && !('creationTimestamp' in out)) out['creationTimestamp'] = null;
    out[k] = v;
  }
  if (!('creationTimestamp' in out)) out['creationTimestamp'] = null;
  return out;
}

export function imageToWire(image: Image | undefined): Record<string, unknown> {
  const ref = image?.dockerImageReference ?? '';
  return {
    metadata: metaWithTimestamp(image?.metadata ?? {}),
    ...(ref ? { dockerImageReference: ref } : {}),
    dockerImageMetadata: emptyDockerImageMetadata(),
    dockerImageMetadataVersion: '1.0',
    dockerImageLayers: null,
  };
}

export function imageStreamTagToWire(ist: ImageStreamTag): Record<string, unknown> {
  const conditions = ist.conditions ?? [];
  return {
    kind: 'ImageStreamTag',
    apiVersion: 'image.openshift.io/v1',
    metadata: metaWithTimestamp(ist.metadata),
    tag: ist.tag ? tagToWire(ist.tag) : null,
    generation: ist.generation ?? 0,
    lookupPolicy: { local: ist.lookupPolicy?.local ?? false },
    ...(conditions.length > 0 ? { conditions: conditions.map(conditionToWire) } : {}),
    image: imageToWire(ist.image),
  };
}

export function imageStreamImageToWire(isi: ImageStreamImage): Record<string, unknown> {
  return {
    kind: 'ImageStreamImage',
    apiVersion: 'image.openshift.io/v1',
    metadata: metaWithTimestamp(isi.metadata),
    image: imageToWire(isi.image),
  };
}
