/**
 * @module image-stream-image
 * The `imagestreamimages` view (semantics §6.4; OAS `registry/imagestreamimage/rest.go`): an
 * image of a stream's status history by `<stream>@<id>`, where `<id>` is a digest or a
 * prefix of it (or of its hex part, rule R22). Pure: the caller passes the stream read.
 *
 * Upstream matches against the stream's layers index (history images and their manifest-list
 * children) and keeps an arbitrary one of several prefix matches; without Image objects this
 * server matches the history images only, prefers an exact match, and answers an ambiguous
 * prefix with the 409 of upstream's earlier `ResolveImageID` (`multiple images match the
 * prefix …`) rather than picking one at random.
 */
import { badRequest, conflict, notFound, type GroupResource } from '../apimachinery/status.js';
import type { ImageStreamImage } from './istag-types.js';
import { IMAGE_GROUP, imageStreamImageResource } from './resource.js';
import { digestOrImageMatch } from './tag-resolution.js';
import type { ImageStream, TagEvent } from './types.js';

/** The singular resource upstream names in its errors. */
const IMAGE_STREAM_IMAGE: GroupResource = { group: IMAGE_GROUP, resource: 'imagestreamimage' };

export const ISIMAGE_NAME_FORMAT_MESSAGE = 'ImageStreamImages must be retrieved with <name>@<id>';

/** library-go `ParseImageStreamImageName`: exactly one `@`, both parts non-empty; else the 400. */
export function parseImageStreamImageName(name: string): { stream: string; id: string } {
  const parts = name.split('@');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') throw badRequest(ISIMAGE_NAME_FORMAT_MESSAGE);
  return { stream: parts[0]!, id: parts[1]! };
}

export const joinImageStreamImage = (stream: string, id: string): string => `${stream}@${id}`;

/** Every history event of the stream, newest first within each tag, tags in name order. */
function historyEvents(stream: ImageStream): TagEvent[] {
  const tags = [...(stream.status?.tags ?? [])].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  return tags.flatMap((t) => t.items ?? []);
}

/**
 * The image `id` names in the stream's history: an exact match, else the one image whose
 * digest (or its hex part) starts with `id`. 404 when none, 409 when several.
 */
export function findStreamImage(stream: ImageStream, name: string, id: string): { image: string; events: TagEvent[] } {
  const events = historyEvents(stream);
  const images = new Set(events.map((e) => e.image ?? '').filter((image) => image !== '' && digestOrImageMatch(image, id)));
  const image = images.has(id) ? id : images.size === 1 ? [...images][0]! : undefined;
  if (image === undefined) {
    if (images.size === 0) throw notFound(IMAGE_STREAM_IMAGE, name);
    throw conflict(IMAGE_STREAM_IMAGE, id, `multiple images match the prefix "${id}": ${[...images].sort().join(', ')}`);
  }
  return { image, events: events.filter((e) => e.image === image) };
}

/**
 * `GET imagestreamimages/<stream>@<id>`: the ImageStreamImage named as requested, with the
 * stream's annotations; the image's time and pull spec are those of its earliest history
 * event (when the image entered the stream).
 */
export function imageStreamImageOf(stream: ImageStream, name: string): ImageStreamImage {
  const { id } = parseImageStreamImageName(name);
  const { image, events } = findStreamImage(stream, name, id);
  const time = (e: TagEvent): number => {
    const ms = Date.parse(e.created ?? '');
    return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
  };
  const earliest = events.reduce<TagEvent | undefined>((best, e) => (best === undefined || time(e) < time(best) ? e : best), undefined);
  const created = earliest?.created;
  const annotations = stream.metadata.annotations;
  return {
    kind: imageStreamImageResource.kind,
    apiVersion: 'image.openshift.io/v1',
    metadata: {
      name,
      namespace: stream.metadata.namespace ?? '',
      ...(created ? { creationTimestamp: created } : {}),
      ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    image: {
      metadata: { name: image, ...(created ? { creationTimestamp: created } : {}) },
      dockerImageReference: earliest?.dockerImageReference ?? '',
    },
  };
}
