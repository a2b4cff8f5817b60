/**
 * @module tag-resolution
 * Spec tags that point at other ImageStreamTags / ImageStreamImages (semantics §6, rules
 * R20–R22) and the status events new or changed spec tags produce (§6.3).
 *
 * `resolveTags` is pure: the referenced streams are looked up beforehand (see
 * `referencedStreamKeys`) and passed in. It returns the new status history and the
 * errors; the strategy keeps the history in `prepareFor*` and reports the errors from
 * `validate*` by running it again on the same inputs.
 */
import { fieldErrors, FieldPath, type FieldError } from '../apimachinery/field-errors.js';
import { goQuote } from '../apimachinery/go-format.js';
import { isValidPathSegmentName } from '../apimachinery/validation.js';
import { digestHex, exactReference, isDigest, tryParseImageReference } from './image-reference.js';
import { addTagEvent, fromTagHistory, toTagHistory, updateChangedTrackingTags, type TagHistory } from './tag-history.js';
import { isNewOrChangedTag } from './generation.js';
import type { ImageStream, NamedTagEventList, ObjectReference, TagEvent } from './types.js';

export const FROM_NAME_FORMAT = 'must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>';

/** `<stream>` and `<tag or id>` of an ImageStreamTag/ImageStreamImage `from` (§6.2), or undefined (R20). */
export function parseFromReference(streamName: string, from: ObjectReference): { stream: string; tagOrId: string } | undefined {
  let sep: string;
  switch (from.kind) {
    case 'ImageStreamTag':
      sep = ':';
      break;
    case 'ImageStreamImage':
      sep = '@';
      break;
    default:
      return undefined;
  }
  const parts = (from.name ?? '').split(sep);
  if (parts.length === 1) return { stream: streamName, tagOrId: parts[0] ?? '' };
  if (parts.length === 2) return { stream: parts[0] ?? '', tagOrId: parts[1] ?? '' };
  return undefined;
}

/** A `from` that resolves by import rather than by reference (DockerImage with a name). */
const isDockerImageRef = (from: ObjectReference): boolean => from.kind === 'DockerImage' && !!from.name;

/** `namespace/name` of the stream a tag's `from` refers to, when that is not `stream` itself. */
export function sourceStreamKey(stream: ImageStream, from: ObjectReference): { namespace: string; name: string } | undefined {
  if (isDockerImageRef(from)) return undefined;
  const parsed = parseFromReference(stream.metadata.name ?? '', from);
  if (parsed === undefined) return undefined;
  const streamNs = stream.metadata.namespace ?? '';
  const namespace = from.namespace || streamNs;
  if (namespace === streamNs && parsed.stream === (stream.metadata.name ?? '')) return undefined;
  return { namespace, name: parsed.stream };
}

/**
 * Why a source stream name cannot be looked up at all (the storage key rules: the lookup
 * fails with a BadRequest before reaching storage), or undefined when it can.
 */
export function streamLookupError(name: string): string | undefined {
  if (name === '') return 'Name parameter required.';
  const msgs = isValidPathSegmentName(name, false);
  return msgs.length > 0 ? `Name parameter invalid: ${goQuote(name)}: ${msgs.join(';')}` : undefined;
}

/** The other streams `resolveTags` will need: sources of new/changed tags (R21). */
export function referencedStreamKeys(stream: ImageStream, old: ImageStream | undefined): { namespace: string; name: string }[] {
  const keys = new Map<string, { namespace: string; name: string }>();
  for (const tag of stream.spec.tags ?? []) {
    if (tag.from === undefined || !isNewOrChangedTag(tag, old, stream.metadata.namespace ?? '')) continue;
    const key = sourceStreamKey(stream, tag.from);
    if (key && streamLookupError(key.name) === undefined) keys.set(`${key.namespace}/${key.name}`, key);
  }
  return [...keys.values()];
}

/** `imagestreamimage.image.openshift.io "<id>"`-style errors of an ImageStreamImage lookup (R22). */
export function resolveImageId(history: TagHistory, id: string, now: string): { event: TagEvent } | { error: string } {
  let match: TagEvent | undefined;
  const images = new Set<string>();
  for (const tag of [...history.keys()].sort()) {
    for (const item of history.get(tag)!.items) {
      const image = item.image ?? '';
      if (!digestOrImageMatch(image, id)) continue;
      match ??= item;
      images.add(image);
    }
  }
  if (images.size === 1 && match !== undefined) {
    return { event: { created: now, dockerImageReference: match.dockerImageReference ?? '', image: match.image ?? '', generation: 0 } };
  }
  const subject = `imagestreamimage.image.openshift.io ${goQuote(id)}`;
  if (images.size === 0) return { error: `${subject} not found` };
  const list = [...images].sort().join(', ');
  return { error: `Operation cannot be fulfilled on ${subject}: multiple images match the prefix ${goQuote(id)}: ${list}` };
}

/** An image matches an id when it starts with it, or its digest's hex part does. */
export function digestOrImageMatch(image: string, id: string): boolean {
  if (isDigest(image)) return digestHex(image).startsWith(id) || image.startsWith(id);
  return image.startsWith(id);
}

export interface ResolveInput {
  /** The stream as written, spec tag generations already assigned (§3.2); its status is the history to extend. */
  readonly stream: ImageStream;
  /** The stored stream on update; undefined on create (every tag is new). */
  readonly old: ImageStream | undefined;
  /** Other streams, keyed `namespace/name`; a missing key means not found. */
  readonly referenced: ReadonlyMap<string, { status?: ImageStream['status'] }>;
  /** Request time for new events. */
  readonly now: string;
  /** Internal registry hostname (IRH), if configured. */
  readonly internalRegistryHostname?: string;
  /** Only the errors are wanted: tracking (which cannot add errors) is skipped. */
  readonly errorsOnly?: boolean;
}

export interface ResolveResult {
  /** The new `status.tags`. */
  readonly tags: NamedTagEventList[] | undefined;
  /** R20–R22 errors (to be wrapped, §4.0). */
  readonly errors: FieldError[];
}

/**
 * §6.3 (`tagsChanged`): for each new or changed spec tag with a `from`, in tag-name order,
 * adds the event it produces; then applies tracking (§5.4).
 */
export function resolveTags(input: ResolveInput): ResolveResult {
  const { stream, old } = input;
  const history = toTagHistory(stream.status?.tags);
  const errors: FieldError[] = [];
  const streamNs = stream.metadata.namespace ?? '';
  const streamName = stream.metadata.name ?? '';
  const generation = stream.metadata.generation ?? 0;
  // Other streams' histories, copied once each (their events are never modified).
  const sources = new Map<string, TagHistory>();
  for (const tag of stream.spec.tags ?? []) {
    const from = tag.from;
    if (from === undefined || !isNewOrChangedTag(tag, old, streamNs)) continue;
    const fromName = (): FieldPath => FieldPath.root('spec').child('tags').key(tag.name).child('from', 'name');
    if (isDockerImageRef(from)) {
      if (tag.reference) {
        addTagEvent(history, tag.name, { created: input.now, dockerImageReference: from.name ?? '', image: '', generation });
      }
      continue;
    }
    const parsed = parseFromReference(streamName, from);
    if (parsed === undefined) {
      errors.push(fieldErrors.invalid(fromName(), from.name ?? '', FROM_NAME_FORMAT));
      continue;
    }
    const sourceNs = from.namespace || streamNs;
    const sameStream = sourceNs === streamNs && parsed.stream === streamName;
    let source: TagHistory = history;
    if (!sameStream) {
      const lookupError = streamLookupError(parsed.stream);
      if (lookupError !== undefined) {
        errors.push(fieldErrors.invalid(fromName(), from.name ?? '', `unable to retrieve image stream: ${lookupError}`));
        continue;
      }
      const key = `${sourceNs}/${parsed.stream}`;
      const other = input.referenced.get(key);
      if (other === undefined) {
        errors.push(fieldErrors.notFound(fromName(), from.name ?? ''));
        continue;
      }
      source = sources.get(key) ?? toTagHistory(other.status?.tags);
      sources.set(key, source);
    }
    let event: TagEvent | undefined;
    if (from.kind === 'ImageStreamImage') {
      const r = resolveImageId(source, parsed.tagOrId, input.now);
      if ('error' in r) {
        errors.push(fieldErrors.invalid(fromName(), from.name ?? '', `error generating tag event: ${r.error}`));
        continue;
      }
      event = r.event;
    } else {
      // The newest event itself: on a same-stream reference the generation (and a rewritten
      // reference) also land on the source tag's newest item, as upstream (§5.8).
      event = source.get(parsed.tagOrId || 'latest')?.items[0];
    }
    if (event === undefined) continue;
    // Events of other streams are copied before being adapted.
    if (!sameStream && from.kind !== 'ImageStreamImage') event = { ...event };
    event.generation = generation;
    if (!tag.reference) rewriteInternalReference(event, input, { namespace: sourceNs, name: parsed.stream });
    addTagEvent(history, tag.name, event);
  }
  if (input.errorsOnly) return { tags: undefined, errors };
  updateChangedTrackingTags(stream, history, old ? (old.status?.tags ?? []) : undefined);
  return { tags: fromTagHistory(history), errors };
}

/** §6.3 step 5: a pull spec into the source stream's internal repository moves to this stream. */
function rewriteInternalReference(event: TagEvent, input: ResolveInput, source: { namespace: string; name: string }): void {
  const irh = input.internalRegistryHostname;
  const ns = input.stream.metadata.namespace ?? '';
  const name = input.stream.metadata.name ?? '';
  // A generated name is not known yet; leave the reference pointing at the source.
  if (!irh || name === '') return;
  const ref = tryParseImageReference(event.dockerImageReference ?? '');
  if (ref === undefined || ref.registry !== irh || ref.namespace !== source.namespace || ref.name !== source.name) return;
  event.dockerImageReference = exactReference({ ...ref, namespace: ns, name });
}
