/**
 * @module view-openapi-schemas
 * OpenAPI v3 component schemas of the views (`ImageStreamTag`, `ImageStreamImage` and the
 * `Image` they embed; descriptions from openshift/api `image/v1/types.go`) and of the
 * `imagestreams.internal` operations. Each kind carries its GVK so that kubectl can `get -o
 * yaml`, `create -f`, `apply` (strategic merge) and `explain` them; the ImageStream schemas
 * they share (TagReference, TagEventCondition, …) are included so every document resolves.
 */
import { META_V1, refWith, typeMetaProperties, type OpenApiSchema } from '../apimachinery/openapi.js';
import { EXTENSIONS_GROUP, EXTENSIONS_VERSION, imageStreamLookupResource, imageStreamPruneResource } from './extensions.js';
import { imageStreamSchemas, OBJECT_REFERENCE_SCHEMA } from './openapi-schemas.js';
import { IMAGE_GROUP, IMAGE_VERSION, imageStreamImageResource, imageStreamTagResource } from './resource.js';

const PKG = 'com.github.openshift.api.image.v1';
export const IMAGE_STREAM_TAG_SCHEMA = `${PKG}.ImageStreamTag`;
export const IMAGE_STREAM_TAG_LIST_SCHEMA = `${PKG}.ImageStreamTagList`;
export const IMAGE_STREAM_IMAGE_SCHEMA = `${PKG}.ImageStreamImage`;
const IMAGE_SCHEMA = `${PKG}.Image`;
const IMAGE_LAYER_SCHEMA = `${PKG}.ImageLayer`;
const IMAGE_MANIFEST_SCHEMA = `${PKG}.ImageManifest`;
const TAG_REFERENCE_SCHEMA = `${PKG}.TagReference`;
const TAG_EVENT_CONDITION_SCHEMA = `${PKG}.TagEventCondition`;
const LOOKUP_POLICY_SCHEMA = `${PKG}.ImageLookupPolicy`;
const RAW_EXTENSION_SCHEMA = 'io.k8s.apimachinery.pkg.runtime.RawExtension';

const EXT_PKG = 'internal.imagestreams.v1';
export const IMAGE_STREAM_PRUNE_SCHEMA = `${EXT_PKG}.ImageStreamPrune`;
export const IMAGE_STREAM_LOOKUP_SCHEMA = `${EXT_PKG}.ImageStreamLookup`;

const COMPATIBILITY =
  'Compatibility level 1: Stable within a major release for a minimum of 12 months or 3 minor releases (whichever is longer).';

const str = (description: string): OpenApiSchema => ({ type: 'string', description });
const int = (description: string): OpenApiSchema => ({ type: 'integer', format: 'int64', description });
const bool = (description: string): OpenApiSchema => ({ type: 'boolean', description });
const metadata = (): OpenApiSchema =>
  refWith(`${META_V1}.ObjectMeta`, {
    description: 'metadata is the standard object\'s metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
    default: {},
  });
const gvk = (group: string, version: string, kind: string): OpenApiSchema['x-kubernetes-group-version-kind'] => [{ group, kind, version }];
const arrayOf = (schema: string, description: string): OpenApiSchema => ({ type: 'array', description, items: refWith(schema, { default: {} }) });

/** The ImageStream schemas the views reference. */
function shared(names: readonly string[]): Record<string, OpenApiSchema> {
  const all = imageStreamSchemas();
  return Object.fromEntries(names.map((n) => [n, all[n] ?? {}]));
}

function imageSchemas(): Record<string, OpenApiSchema> {
  return {
    [IMAGE_SCHEMA]: {
      description: [
        'Image is an immutable representation of a container image and metadata at a point in time. Images are named by taking a hash of their contents (metadata and content) and any change in format, content, or metadata results in a new name. The images resource is primarily for use by cluster administrators and integrations like the cluster image registry - end users instead access images via the imagestreamtags or imagestreamimages resources. While image metadata is stored in the API, any integration that implements the container image registry API must provide its own storage for the raw manifest data, image config, and layer contents.',
        COMPATIBILITY,
      ].join('\n\n'),
      type: 'object',
      properties: {
        ...typeMetaProperties(),
        dockerImageConfig: str('dockerImageConfig is a JSON blob that the runtime uses to set up the container. This is a part of manifest schema v2. Will not be set when the image represents a manifest list.'),
        dockerImageLayers: arrayOf(IMAGE_LAYER_SCHEMA, 'dockerImageLayers represents the layers in the image. May not be set if the image does not define that data or if the image represents a manifest list.'),
        dockerImageManifest: str('dockerImageManifest is the raw JSON of the manifest'),
        dockerImageManifestMediaType: str('dockerImageManifestMediaType specifies the mediaType of manifest. This is a part of manifest schema v2.'),
        dockerImageManifests: arrayOf(IMAGE_MANIFEST_SCHEMA, 'dockerImageManifests holds information about sub-manifests when the image represents a manifest list. When this field is present, no DockerImageLayers should be specified.'),
        dockerImageMetadata: refWith(RAW_EXTENSION_SCHEMA, { description: 'dockerImageMetadata contains metadata about this image' }),
        dockerImageMetadataVersion: str('dockerImageMetadataVersion conveys the version of the object, which if empty defaults to "1.0"'),
        dockerImageReference: str('dockerImageReference is the string that can be used to pull this image.'),
        dockerImageSignatures: {
          type: 'array',
          description: 'dockerImageSignatures provides the signatures as opaque blobs. This is a part of manifest schema v1.',
          items: { type: 'string', format: 'byte' },
        },
        metadata: metadata(),
        signatures: { type: 'array', description: 'signatures holds all signatures of the image.', items: { type: 'object' } },
      },
    },
    [IMAGE_LAYER_SCHEMA]: {
      description: 'ImageLayer represents a single layer of the image. Some images may have multiple layers. Some may have none.',
      type: 'object',
      properties: {
        mediaType: str('mediaType of the referenced object.'),
        name: str('name of the layer as defined by the underlying store.'),
        size: int('size of the layer in bytes as defined by the underlying store.'),
      },
    },
    [IMAGE_MANIFEST_SCHEMA]: {
      description: 'ImageManifest represents sub-manifests of a manifest list. The Digest field points to a regular Image object.',
      type: 'object',
      properties: {
        architecture: str('architecture specifies the supported CPU architecture, for example `amd64` or `ppc64le`.'),
        digest: str('digest is the unique identifier for the manifest. It refers to an Image object.'),
        manifestSize: int('manifestSize represents the size of the raw object contents, in bytes.'),
        mediaType: str('mediaType defines the type of the manifest, possible values are application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json or application/vnd.docker.distribution.manifest.v1+json.'),
        os: str('os specifies the operating system, for example `linux`.'),
        variant: str('variant is an optional field repreenting a variant of the CPU, for example v6 to specify a particular CPU variant of the ARM CPU.'),
      },
    },
    [RAW_EXTENSION_SCHEMA]: {
      description: 'RawExtension is used to hold extensions in external versions.',
      type: 'object',
    },
  };
}

/** ImageStreamTag, ImageStreamTagList and what they reference. */
export function imageStreamTagSchemas(): Record<string, OpenApiSchema> {
  return {
    ...shared([TAG_REFERENCE_SCHEMA, `${PKG}.TagImportPolicy`, `${PKG}.TagReferencePolicy`, OBJECT_REFERENCE_SCHEMA, TAG_EVENT_CONDITION_SCHEMA, LOOKUP_POLICY_SCHEMA]),
    ...imageSchemas(),
    [IMAGE_STREAM_TAG_SCHEMA]: {
      description: [
        'ImageStreamTag represents an Image that is retrieved by tag name from an ImageStream. Use this resource to interact with the tags and images in an image stream by tag, or to see the image details for a particular tag. The image associated with this resource is the most recently successfully tagged, imported, or pushed image (as described in the image stream status.tags.items list for this tag). If an import is in progress or has failed the previous image will be shown. Deleting an image stream tag clears both the status and spec fields of an image stream. If no image can be retrieved for a given tag, a not found error will be returned.',
        COMPATIBILITY,
      ].join('\n\n'),
      type: 'object',
      properties: {
        ...typeMetaProperties(),
        conditions: arrayOf(TAG_EVENT_CONDITION_SCHEMA, 'conditions is an array of conditions that apply to the image stream tag.'),
        generation: int('generation is the current generation of the tagged image - if tag is provided and this value is not equal to the tag generation, a user has requested an import that has not completed, or conditions will be filled out indicating any error.'),
        image: refWith(IMAGE_SCHEMA, { description: 'image associated with the ImageStream and tag.', default: {} }),
        lookupPolicy: refWith(LOOKUP_POLICY_SCHEMA, { description: 'lookupPolicy indicates whether this tag will handle image references in this namespace.', default: {} }),
        metadata: metadata(),
        tag: refWith(TAG_REFERENCE_SCHEMA, { description: 'tag is the spec tag associated with this image stream tag, and it may be null if only pushes have occurred to this image stream.' }),
      },
      'x-kubernetes-group-version-kind': gvk(IMAGE_GROUP, IMAGE_VERSION, imageStreamTagResource.kind),
    },
    [IMAGE_STREAM_TAG_LIST_SCHEMA]: {
      description: ['ImageStreamTagList is a list of ImageStreamTag objects.', COMPATIBILITY].join('\n\n'),
      type: 'object',
      required: ['items'],
      properties: {
        ...typeMetaProperties(),
        items: arrayOf(IMAGE_STREAM_TAG_SCHEMA, 'Items is the list of image stream tags'),
        metadata: refWith(`${META_V1}.ListMeta`, {
          description: 'metadata is the standard list\'s metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
          default: {},
        }),
      },
      'x-kubernetes-group-version-kind': gvk(IMAGE_GROUP, IMAGE_VERSION, imageStreamTagResource.listKind),
    },
  };
}

/** ImageStreamImage and the Image it embeds. */
export function imageStreamImageSchemas(): Record<string, OpenApiSchema> {
  return {
    ...imageSchemas(),
    [IMAGE_STREAM_IMAGE_SCHEMA]: {
      description: [
        'ImageStreamImage represents an Image that is retrieved by image name from an ImageStream. User interfaces and regular users can use this resource to access the metadata details of a tagged image in the image stream history for viewing, since Image resources are not directly accessible to end users. A not found error will be returned if no such image is referenced by a tag within the ImageStream. Images are created when spec tags are set on an image stream that represent an image in an external registry, when pushing to the integrated registry, or when tagging an existing image from one image stream to another. The name of an image stream image is in the form "<STREAM>@<DIGEST>", where the digest is the content addressible identifier for the image (sha256:xxxxx...). You can use ImageStreamImages as the from.kind of an image stream spec tag to reference an image exactly. The only operations supported on the imagestreamimage endpoint are retrieving the image.',
        COMPATIBILITY,
      ].join('\n\n'),
      type: 'object',
      properties: {
        ...typeMetaProperties(),
        image: refWith(IMAGE_SCHEMA, { description: 'image associated with the ImageStream and image name.', default: {} }),
        metadata: metadata(),
      },
      'x-kubernetes-group-version-kind': gvk(IMAGE_GROUP, IMAGE_VERSION, imageStreamImageResource.kind),
    },
  };
}

const prunedItemSchema = (): OpenApiSchema => ({
  type: 'object',
  description: 'A history item the prune removed (or would remove).',
  properties: {
    created: str('When the item was recorded.'),
    dockerImageReference: str('The pull spec the item recorded.'),
    image: str('The image digest of the item (empty for reference-only items).'),
    revision: int('The index of the item in its tag history before the prune (0 = the current image).'),
    tag: str('The status tag.'),
  },
});

/** ImageStreamPrune (`imagestreams.internal/v1`). */
export function imageStreamPruneSchemas(): Record<string, OpenApiSchema> {
  return {
    [IMAGE_STREAM_PRUNE_SCHEMA]: {
      description:
        'ImageStreamPrune runs one prune of image stream history (the tag revisions of oc adm prune images): items older than keepYoungerThan beyond the newest keepTagRevisions of each tag are removed unless another image stream references them; tags left without items are removed. A dry run unless spec.confirm is true. The status of the response is the report. Nothing is stored.',
      type: 'object',
      properties: {
        ...typeMetaProperties(),
        metadata: metadata(),
        spec: {
          type: 'object',
          description: 'What to prune.',
          properties: {
            confirm: bool('Apply the prune. Without it nothing is changed and the report says what would be removed.'),
            keepTagRevisions: int('The number of revisions per tag kept regardless of age. Default 3.'),
            keepYoungerThan: str('A Go duration (e.g. 60m, 24h): history items and image streams younger than this are kept. Default 60m.'),
            namespace: str('Prune only the image streams of this namespace. Default: all namespaces.'),
          },
        },
        status: {
          type: 'object',
          description: 'The report of the run.',
          properties: {
            deletedItemCount: int('History items removed (or to be removed, in a dry run).'),
            dryRun: bool('Nothing was changed.'),
            failures: {
              type: 'array',
              description: 'Image streams that could not be pruned.',
              items: { type: 'object', properties: { message: str('Why.'), name: str('Image stream name.'), namespace: str('Image stream namespace.') } },
            },
            startTime: str('The time the ages are measured from (RFC 3339).'),
            streams: {
              type: 'array',
              description: 'The image streams with history removed.',
              items: {
                type: 'object',
                properties: {
                  deletedItems: { type: 'array', description: 'Removed history items.', items: prunedItemSchema() },
                  deletedTags: { type: 'array', description: 'Status tags removed because they were left without items.', items: { type: 'string' } },
                  name: str('Image stream name.'),
                  namespace: str('Image stream namespace.'),
                  resourceVersion: str('The image stream resourceVersion after the write.'),
                },
              },
            },
            updatedStreamCount: int('Image streams written (or to be written, in a dry run).'),
          },
        },
      },
      'x-kubernetes-group-version-kind': gvk(EXTENSIONS_GROUP, EXTENSIONS_VERSION, imageStreamPruneResource.kind),
    },
  };
}

/** ImageStreamLookup (`imagestreams.internal/v1`). */
export function imageStreamLookupSchemas(): Record<string, OpenApiSchema> {
  return {
    [IMAGE_STREAM_LOOKUP_SCHEMA]: {
      description:
        "ImageStreamLookup resolves an image reference the way OpenShift's image policy rewrites the images of pods, builds and controllers in a namespace (lookupPolicy.local): a local name such as mysql or php:7 becomes the pull spec of the image stream tag it names, after its referencePolicy and pinned by digest. The response's status carries the result; nothing is stored.",
      type: 'object',
      properties: {
        ...typeMetaProperties(),
        metadata: metadata(),
        spec: {
          type: 'object',
          description: 'What to resolve.',
          properties: {
            image: str('The image reference, as a container names it.'),
            resolveNames: bool('Treat every reference as a local name, as the alpha.image.policy.openshift.io/resolve-names: "*" annotation does.'),
          },
        },
        status: {
          type: 'object',
          description: 'The result.',
          properties: {
            image: str('The pull spec the image policy gives the reference; the reference itself when it is not rewritten.'),
            message: str('A human-readable explanation.'),
            reason: str('ImageStreamTag or ImageStream when rewritten; otherwise why not: InvalidReference, ReferenceByDigest, NotLocalName, ImageStreamNotFound, LocalLookupDisabled, TagNotFound.'),
            resolved: bool('The reference was rewritten.'),
          },
        },
      },
      'x-kubernetes-group-version-kind': gvk(EXTENSIONS_GROUP, EXTENSIONS_VERSION, imageStreamLookupResource.kind),
    },
  };
}
