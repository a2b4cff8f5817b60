/**
 * @module image-stream-tag
 * The `imagestreamtags` view (semantics §6.4, §10; OAS `registry/imagestreamtag/{rest,strategy}.go`):
 * the ImageStreamTag built from a stream and a tag name (`newISTag`), the name grammar, the
 * istag strategy (prepare/validate for create and update) and the three writes expressed as
 * changes to the stream: set a spec tag (create/update), remove a tag's spec and whole status
 * history (delete). Pure: the caller reads the stream, passes it in, and writes the result
 * through the ImageStream internal strategy (§3.7), so every ImageStream rule still applies.
 * Failures are thrown as the exact upstream Status errors.
 */
import { deepEqual } from '../apimachinery/equality.js';
import { fieldErrors, FieldPath, type FieldError } from '../apimachinery/field-errors.js';
import { canonicalMeta, validateObjectMeta, validateObjectMetaUpdate, type ObjectMeta } from '../apimachinery/meta.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  notFound,
  type GroupResource,
} from '../apimachinery/status.js';
import { isValidPathSegmentName } from '../apimachinery/validation.js';
import type { ImageConfig } from './config.js';
import { canonicalCondition, defaultTagReference } from './defaults.js';
import type { ImageStreamTag, ImageStreamTagInput } from './istag-types.js';
import { DEFAULT_IMAGE_TAG, latestTaggedImage, resolveReferenceForTagEvent } from './reference-policy.js';
import { IMAGE_GROUP, imageStreamTagResource } from './resource.js';
import { streamLookupError } from './tag-resolution.js';
import type { ImageStream, TagEvent, TagReference } from './types.js';
import { INSECURE_REPOSITORY_ANNOTATION, validateTagReference, type ValidationOptions } from './validation.js';

export const IMAGE_STREAM_TAGS: GroupResource = { group: IMAGE_GROUP, resource: 'imagestreamtags' };
/** The singular resource upstream names in the AlreadyExists of a create. */
const IMAGE_STREAM_TAG_SINGULAR: GroupResource = { group: IMAGE_GROUP, resource: 'imagestreamtag' };

export const ISTAG_NAME_FORMAT_MESSAGE = 'ImageStreamTags must be retrieved with <name>:<tag>';
export const TAG_ANNOTATIONS_DETAIL = 'tag annotations must not be provided or must be equal to the object meta annotations';
export const ISTAG_UPDATE_FIELDS_DETAIL = 'may not update fields other than metadata.annotations';

/**
 * library-go `ParseImageStreamTagName`: exactly one `:`, both parts non-empty, no `@`. Any
 * failure is the 400 `ImageStreamTags must be retrieved with <name>:<tag>`.
 */
export function parseImageStreamTagName(name: string): { stream: string; tag: string } {
  const parts = name.split(':');
  if (name.includes('@') || parts.length !== 2 || parts[0] === '' || parts[1] === '') throw badRequest(ISTAG_NAME_FORMAT_MESSAGE);
  return { stream: parts[0]!, tag: parts[1]! };
}

/** library-go `SplitImageStreamTag` (create): split at the first `:`, an empty tag is `latest`; `ok` when there was a `:`. */
export function splitImageStreamTag(name: string): { stream: string; tag: string; ok: boolean } {
  const i = name.indexOf(':');
  if (i < 0) return { stream: name, tag: DEFAULT_IMAGE_TAG, ok: false };
  return { stream: name.slice(0, i), tag: name.slice(i + 1) || DEFAULT_IMAGE_TAG, ok: true };
}

export const joinImageStreamTag = (stream: string, tag: string): string => `${stream}:${tag}`;

/** The 400 of a stream name the store cannot look up (empty, `.`, `/`…), as upstream's key function. */
export function checkStreamName(stream: string): void {
  const err = streamLookupError(stream);
  if (err !== undefined) throw badRequest(err);
}

const specTagOf = (stream: ImageStream, tag: string): TagReference | undefined => stream.spec.tags?.find((t) => t.name === tag);

/**
 * `newISTag`: the ImageStreamTag of `tag`. Without an image on the newest event it is not
 * found (undefined), unless `allowEmptyEvent` (writes answer with the tag they set even
 * before anything was imported; the time is then the stream's creation).
 * `metadata.annotations` are the spec tag's; labels, uid and resourceVersion are the stream's;
 * `image.dockerImageReference` is the pull spec after the tag's reference policy (§8).
 */
export function imageStreamTagOf(stream: ImageStream, tag: string, opts: { allowEmptyEvent?: boolean } = {}): ImageStreamTag | undefined {
  let event: TagEvent | undefined = latestTaggedImage(stream, tag);
  if (event === undefined || !event.image) {
    if (!opts.allowEmptyEvent) return undefined;
    event = { ...(stream.metadata.creationTimestamp ? { created: stream.metadata.creationTimestamp } : {}) };
  }
  const spec = specTagOf(stream, tag);
  const meta = stream.metadata;
  const metadata = canonicalMeta({
    name: joinImageStreamTag(meta.name ?? '', tag),
    namespace: meta.namespace,
    uid: meta.uid,
    resourceVersion: meta.resourceVersion,
    creationTimestamp: event.created,
    labels: meta.labels,
    annotations: spec?.annotations,
  });
  const conditions = stream.status?.tags?.find((t) => t.tag === tag)?.conditions;
  return {
    kind: imageStreamTagResource.kind,
    apiVersion: 'image.openshift.io/v1',
    metadata,
    ...(spec ? { tag: spec } : {}),
    generation: event.generation ?? 0,
    lookupPolicy: { local: stream.spec.lookupPolicy?.local ?? false },
    ...(conditions && conditions.length > 0 ? { conditions } : {}),
    image: {
      metadata: event.image ? { name: event.image } : {},
      dockerImageReference: resolveReferenceForTagEvent(stream, tag, event),
    },
  };
}

/** The list view: every status tag of the stream whose newest event has an image, by tag name. */
export function imageStreamTagsOf(stream: ImageStream): ImageStreamTag[] {
  const tags = (stream.status?.tags ?? []).map((t) => t.tag).sort();
  return tags.map((t) => imageStreamTagOf(stream, t)).filter((ist): ist is ImageStreamTag => ist !== undefined);
}

/** A decoded body in canonical form (v1 defaulting of the embedded spec tag, §1.3). */
export function normalizeImageStreamTag(input: ImageStreamTagInput, config: ImageConfig): ImageStreamTag {
  const { managedFields: _dropped, ...meta } = input.metadata ?? {};
  return {
    kind: imageStreamTagResource.kind,
    apiVersion: 'image.openshift.io/v1',
    metadata: canonicalMeta(meta),
    ...(input.tag ? { tag: defaultTagReference(input.tag, config) } : {}),
    generation: input.generation ?? 0,
    lookupPolicy: { local: input.lookupPolicy?.local ?? false },
    ...(input.conditions && input.conditions.length > 0 ? { conditions: input.conditions.map(canonicalCondition) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// The istag strategy (OAS `imagestreamtag/strategy.go`, VAL `ValidateImageStreamTag*`).

/** `PrepareForCreate`: the spec tag is named after the tag part; conditions and image are dropped. */
export function prepareImageStreamTagForCreate(ist: ImageStreamTag): ImageStreamTag {
  const { conditions: _c, image: _i, ...rest } = ist;
  if (rest.tag === undefined || rest.tag.name !== '') return rest;
  return { ...rest, tag: { ...rest.tag, name: splitImageStreamTag(ist.metadata.name ?? '').tag } };
}

/** `PrepareForUpdate`: the spec tag's annotations follow the object's; conditions and image are the old ones. */
export function prepareImageStreamTagForUpdate(ist: ImageStreamTag, old: ImageStreamTag): ImageStreamTag {
  const { conditions: _c, image: _i, ...rest } = ist;
  const annotations = ist.metadata.annotations;
  const tag = rest.tag === undefined ? undefined : withAnnotations(rest.tag, annotations);
  return {
    ...rest,
    ...(tag ? { tag } : {}),
    ...(old.conditions ? { conditions: old.conditions } : {}),
    ...(old.image ? { image: old.image } : {}),
  };
}

function withAnnotations(tag: TagReference, annotations: Record<string, string> | undefined): TagReference {
  const { annotations: _a, ...rest } = tag;
  return annotations && Object.keys(annotations).length > 0 ? { ...rest, annotations } : rest;
}

const nonEmpty = (m: Record<string, string> | undefined): Record<string, string> => m ?? {};

/** The spec-tag rules shared by create and update: R13–R18 under `tag.`, and `tag.annotations`. */
function validateIstagTag(ist: ImageStreamTag, opts: ValidationOptions): FieldError[] {
  if (ist.tag === undefined) return [];
  const insecure = ist.metadata.annotations?.[INSECURE_REPOSITORY_ANNOTATION] === 'true';
  const errs = validateTagReference(ist.tag, FieldPath.root('tag'), insecure, opts);
  if (ist.tag.annotations !== undefined && !deepEqual(nonEmpty(ist.tag.annotations), nonEmpty(ist.metadata.annotations))) {
    errs.push(fieldErrors.invalid(FieldPath.root('tag').child('annotations'), '<map>', TAG_ANNOTATIONS_DETAIL));
  }
  return errs;
}

/** `ValidateImageStreamTagWithWhitelister` (create). */
export function validateImageStreamTag(ist: ImageStreamTag, opts: ValidationOptions = {}): FieldError[] {
  return [...validateObjectMeta(ist.metadata, true, isValidPathSegmentName), ...validateIstagTag(ist, opts)];
}

/** Metadata without the fields an istag update may change (annotations) or never carries (managedFields). */
const comparableMeta = (m: ObjectMeta): ObjectMeta => {
  const { annotations: _a, managedFields: _m, ...rest } = m;
  return canonicalMeta(rest);
};

/**
 * Update: the generic metadata rules (`validateCommonFields`), then
 * `ValidateImageStreamTagUpdateWithWhitelister` — the old DockerImage source stays allowed,
 * and nothing but the tag and the annotations may change.
 */
export function validateImageStreamTagUpdate(ist: ImageStreamTag, old: ImageStreamTag, opts: ValidationOptions = {}): FieldError[] {
  let allowlist = opts.allowlist;
  if (allowlist && old.tag?.from?.kind === 'DockerImage') {
    allowlist = allowlist.copy();
    allowlist.allowRepository(old.tag.from.name ?? '');
  }
  const errs = [
    ...validateObjectMeta(ist.metadata, true, isValidPathSegmentName),
    ...validateObjectMetaUpdate(ist.metadata, old.metadata),
    ...validateObjectMetaUpdate(ist.metadata, old.metadata),
    ...validateIstagTag(ist, { allowlist }),
  ];
  const same =
    deepEqual(comparableMeta(ist.metadata), comparableMeta(old.metadata)) &&
    deepEqual(ist.conditions ?? [], old.conditions ?? []) &&
    deepEqual(ist.image ?? {}, old.image ?? {});
  if (!same) errs.push(fieldErrors.invalid('metadata', '', ISTAG_UPDATE_FIELDS_DETAIL));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Writes, as changes to the stream.

const istagKind = { group: IMAGE_GROUP, kind: imageStreamTagResource.kind };

/** The generic `checkName` of a PUT/PATCH: the body names the object of the URL, in its namespace. */
function checkBodyName(ist: ImageStreamTag, name: string, namespace: string): void {
  const objName = ist.metadata.name ?? '';
  if (objName !== name) throw badRequest(`the name of the object (${objName}) does not match the name on the URL (${name})`);
  const objNs = ist.metadata.namespace;
  if (objNs && objNs !== namespace) {
    throw badRequest(`the namespace of the object (${objNs}) does not match the namespace on the request (${namespace})`);
  }
}

/** `rest.BeforeCreate`'s namespace rule: empty takes the request's, another is a 400. */
function inNamespace(ist: ImageStreamTag, namespace: string): ImageStreamTag {
  const ns = ist.metadata.namespace;
  if (ns && ns !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  return ns ? ist : { ...ist, metadata: canonicalMeta({ ...ist.metadata, namespace }) };
}

/** A new, empty stream named `name` (written through the internal create path, §2.5). */
export const emptyImageStream = (namespace: string, name: string): ImageStream => ({
  kind: 'ImageStream',
  apiVersion: 'image.openshift.io/v1',
  metadata: { name, namespace },
  spec: { lookupPolicy: { local: false } },
});

/** `stream` with spec tag `tag` set to `ref` (named after the key, as the internal map form does). */
function withSpecTag(stream: ImageStream, tag: string, ref: TagReference): ImageStream {
  const others = (stream.spec.tags ?? []).filter((t) => t.name !== tag);
  const tags = [...others, { ...ref, name: tag }].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ...stream, spec: { ...stream.spec, tags } };
}

export interface IstagCreate {
  /** The ImageStreamTag as created (namespace set, prepared, validated). */
  readonly ist: ImageStreamTag;
  readonly streamName: string;
  readonly tag: string;
}

/**
 * `POST imagestreamtags`, before the stream is read: the namespace rule, `PrepareForCreate`,
 * validation (422 ImageStreamTag), then the name split and the stream name check (400). A name
 * without `:` is a 500 upstream (a plain error from the REST create); here it is the 400 it
 * should be, with upstream's message: bad input never answers 5xx.
 */
export function prepareImageStreamTagCreate(body: ImageStreamTag, namespace: string, validation: ValidationOptions = {}): IstagCreate {
  let ist = inNamespace(body, namespace);
  if (!ist.metadata.name && ist.metadata.generateName) ist = { ...ist, metadata: canonicalMeta({ ...ist.metadata, name: ist.metadata.generateName }) };
  ist = prepareImageStreamTagForCreate(ist);
  const errs = validateImageStreamTag(ist, validation);
  if (errs.length > 0) throw invalid(istagKind, ist.metadata.name ?? '', errs);
  const name = ist.metadata.name ?? '';
  const { stream: streamName, tag, ok } = splitImageStreamTag(name);
  if (!ok) throw badRequest(`"${name}" must be of the form <stream_name>:<tag>`);
  checkStreamName(streamName);
  return { ist, streamName, tag };
}

export interface IstagCreatePlan {
  /** The stream to write: new (`create`) or the current one with the tag set. */
  readonly stream: ImageStream;
  readonly create: boolean;
  readonly streamName: string;
  readonly tag: string;
}

/**
 * `POST imagestreamtags` against the stream as read (`current`, undefined when missing): 409
 * when the spec tag exists; else the spec tag (if given) is set on the stream, which is new
 * when missing.
 */
export function planImageStreamTagCreate(prepared: IstagCreate, namespace: string, current: ImageStream | undefined): IstagCreatePlan {
  const { ist, streamName, tag } = prepared;
  const target = current ?? emptyImageStream(namespace, streamName);
  if (specTagOf(target, tag) !== undefined) throw alreadyExists(IMAGE_STREAM_TAG_SINGULAR, ist.metadata.name ?? '');
  return { stream: ist.tag ? withSpecTag(target, tag, ist.tag) : target, create: current === undefined, streamName, tag };
}

export interface IstagUpdatePlan extends IstagCreatePlan {
  /** The spec tag did not exist before (the response is 201). */
  readonly created: boolean;
  /** No resourceVersion was given: a conflicting write may be retried on the newer stream. */
  readonly unconditional: boolean;
}

/**
 * `PUT`/`PATCH imagestreamtags/<stream>:<tag>` against the stream as read (`current`,
 * undefined when missing). `updated(old)` gives the new ImageStreamTag from the synthetic old
 * one (a PUT body, or the old one patched). resourceVersion preconditions are the stream's
 * (409 when stale, 404 when the stream is missing); without one the write is unconditional.
 * Then create or update rules of the istag strategy, and the spec tag set from `tag` (or the
 * existing spec tag) with the object's annotations; 400 when there is neither.
 */
export function planImageStreamTagUpdate(input: {
  readonly name: string;
  readonly namespace: string;
  readonly current: ImageStream | undefined;
  readonly updated: (old: ImageStreamTag) => ImageStreamTag;
  readonly validation?: ValidationOptions;
}): IstagUpdatePlan {
  const { name, namespace } = input;
  const { stream: streamName, tag } = parseImageStreamTagName(name);
  checkStreamName(streamName);
  const create = input.current === undefined;
  const stream = input.current ?? emptyImageStream(namespace, streamName);
  const old = imageStreamTagOf(stream, tag, { allowEmptyEvent: true })!;
  let ist = input.updated(old);
  checkBodyName(ist, name, namespace);
  const streamRv = stream.metadata.resourceVersion ?? '';
  const givenRv = ist.metadata.resourceVersion ?? '';
  const unconditional = givenRv === '';
  if (unconditional) {
    ist = { ...ist, metadata: canonicalMeta({ ...ist.metadata, resourceVersion: streamRv }) };
  } else if (streamRv === '') {
    throw notFound(IMAGE_STREAM_TAGS, name);
  } else if (givenRv !== streamRv) {
    throw conflict(IMAGE_STREAM_TAGS, ist.metadata.name ?? '', `another caller has updated the resource version to ${streamRv}`);
  }
  // Labels are the stream's; clients that do not send them keep them (upstream 3.6 compatibility).
  if (stream.metadata.labels && Object.keys(stream.metadata.labels).length > 0 && !ist.metadata.labels) {
    ist = { ...ist, metadata: canonicalMeta({ ...ist.metadata, labels: stream.metadata.labels }) };
  }
  ist = inNamespace(ist, namespace);
  if (create) {
    ist = prepareImageStreamTagForCreate(ist);
    const errs = validateImageStreamTag(ist, input.validation);
    if (errs.length > 0) throw invalid(istagKind, ist.metadata.name ?? '', errs);
  } else {
    ist = prepareImageStreamTagForUpdate(ist, old);
    ist = {
      ...ist,
      metadata: canonicalMeta({
        ...ist.metadata,
        uid: ist.metadata.uid || old.metadata.uid,
        creationTimestamp: old.metadata.creationTimestamp ?? ist.metadata.creationTimestamp,
        generation: old.metadata.generation,
      }),
    };
    const errs = validateImageStreamTagUpdate(ist, old, input.validation);
    if (errs.length > 0) throw invalid(istagKind, ist.metadata.name ?? '', errs);
  }
  const existing = specTagOf(stream, tag);
  if (existing === undefined && ist.tag === undefined) {
    throw badRequest(`imagestreamtag ${tag} is not a spec tag in imagestream ${namespace}/${streamName}, cannot be updated`);
  }
  const ref = withAnnotations(ist.tag ?? existing!, ist.metadata.annotations);
  return { stream: withSpecTag(stream, tag, ref), create, streamName, tag, created: existing === undefined, unconditional };
}

/**
 * `DELETE imagestreamtags/<stream>:<tag>` (§10) against the current stream: the uid
 * precondition is the stream's; the spec tag and the whole status history (with conditions)
 * are removed; 404 when neither existed.
 */
export function planImageStreamTagDelete(input: { readonly name: string; readonly current: ImageStream; readonly uid?: string }): ImageStream {
  const { tag } = parseImageStreamTagName(input.name);
  const stream = input.current;
  if (input.uid !== undefined && input.uid !== stream.metadata.uid) {
    throw conflict(IMAGE_STREAM_TAGS, input.name, 'the UID precondition was not met');
  }
  const specTags = stream.spec.tags ?? [];
  const statusTags = stream.status?.tags ?? [];
  const spec = specTags.filter((t) => t.name !== tag);
  const status = statusTags.filter((t) => t.tag !== tag);
  if (spec.length === specTags.length && status.length === statusTags.length) throw notFound(IMAGE_STREAM_TAGS, input.name);
  const { tags: _s, ...specRest } = stream.spec;
  const { tags: _t, ...statusRest } = stream.status ?? {};
  return {
    ...stream,
    spec: { ...specRest, ...(spec.length > 0 ? { tags: spec } : {}) },
    status: { ...statusRest, ...(status.length > 0 ? { tags: status } : {}) },
  };
}
