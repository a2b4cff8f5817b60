/**
 * @module tag-history
 * Tag event histories (semantics §5.3) and tracking tags (§5.4).
 *
 * A `TagHistory` is the server's internal map form of `status.tags` (keyed by tag name). It
 * is a working copy: `addTagEvent` and the tracking functions update it in place, the way
 * upstream mutates the stream it is validating. `toTagHistory` copies a status (events
 * included), `fromTagHistory` renders it back as the wire array, sorted by tag name.
 */
import type { ImageStream, NamedTagEventList, TagEvent, TagEventCondition } from './types.js';

export interface TagEventList {
  items: TagEvent[];
  conditions?: TagEventCondition[];
}

export type TagHistory = Map<string, TagEventList>;

const byteCompare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A mutable deep copy of `status.tags`. */
export function toTagHistory(tags: readonly NamedTagEventList[] | undefined): TagHistory {
  const out: TagHistory = new Map();
  for (const t of tags ?? []) {
    const list: TagEventList = { items: (t.items ?? []).map((e) => ({ ...e })) };
    if (t.conditions && t.conditions.length > 0) list.conditions = t.conditions.map((c) => ({ ...c }));
    out.set(t.tag, list);
  }
  return out;
}

/** The wire array, sorted by tag name; empty lists keep `items` unset (rendered `null`). */
export function fromTagHistory(history: TagHistory): NamedTagEventList[] | undefined {
  if (history.size === 0) return undefined;
  return [...history.keys()].sort(byteCompare).map((tag) => {
    const list = history.get(tag)!;
    const out: NamedTagEventList = { tag };
    if (list.items.length > 0) out.items = list.items;
    if (list.conditions && list.conditions.length > 0) out.conditions = list.conditions;
    return out;
  });
}

const sameEvent = (a: TagEvent, b: TagEvent): boolean =>
  a.created === b.created &&
  (a.dockerImageReference ?? '') === (b.dockerImageReference ?? '') &&
  (a.image ?? '') === (b.image ?? '') &&
  (a.generation ?? 0) === (b.generation ?? 0);

/**
 * §5.3 (`AddTagEventToImageStream`): compares `next` with the newest item only. Returns
 * true when the history changed. In-place updates keep the newest item's `created`; every
 * change clears the tag's conditions; there is no length cap.
 */
export function addTagEvent(history: TagHistory, tag: string, next: TagEvent): boolean {
  const list = history.get(tag);
  const previous = list?.items[0];
  if (list === undefined || previous === undefined) {
    history.set(tag, { items: [{ ...next }] });
    return true;
  }
  const sameRef = (previous.dockerImageReference ?? '') === (next.dockerImageReference ?? '');
  const sameImage = (previous.image ?? '') === (next.image ?? '');
  const sameGen = (previous.generation ?? 0) === (next.generation ?? 0);
  if (sameRef && sameImage && sameGen) return false;
  if (!sameRef && !sameImage) {
    history.set(tag, { items: [{ ...next }, ...list.items] });
    return true;
  }
  if (sameRef) previous.image = next.image ?? '';
  else previous.dockerImageReference = next.dockerImageReference ?? '';
  previous.generation = next.generation ?? 0;
  delete list.conditions;
  return true;
}

/** The `<tag>` a spec tag follows when it tracks a tag of its own stream (§5.4), if any. */
export function trackedTag(stream: ImageStream, from: TagEventFrom | undefined): string | undefined {
  if (from === undefined || from.kind !== 'ImageStreamTag') return undefined;
  const streamNs = stream.metadata.namespace ?? '';
  if ((from.namespace || streamNs) !== streamNs) return undefined;
  const name = from.name ?? '';
  const colon = name.indexOf(':');
  if (colon < 0) return name;
  if (name.slice(0, colon) !== (stream.metadata.name ?? '')) return undefined;
  return name.slice(colon + 1) || 'latest';
}

interface TagEventFrom {
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/**
 * §5.4 (`UpdateTrackingTags`): every spec tag of `stream` that follows `updatedTag` gets
 * `event`. Returns how many histories changed.
 */
export function updateTrackingTags(stream: ImageStream, history: TagHistory, updatedTag: string, event: TagEvent): number {
  let changed = 0;
  for (const spec of stream.spec.tags ?? []) {
    if (trackedTag(stream, spec.from) !== updatedTag) continue;
    if (addTagEvent(history, spec.name, event)) changed++;
  }
  return changed;
}

/**
 * §3.5/§5.4 (`updateChangedTrackingTags`): for every status tag whose newest event differs
 * from the stored status tags `oldTags` (all tags with events on create: undefined), propagates that
 * event to the tags following it. One level: propagated events are not propagated again
 * in the same pass. Tags are visited in name order.
 */
export function updateChangedTrackingTags(
  stream: ImageStream,
  history: TagHistory,
  oldTags: readonly NamedTagEventList[] | undefined,
): number {
  const oldNewestByTag = oldTags === undefined ? undefined : new Map(oldTags.map((t) => [t.tag, t.items?.[0]]));
  const changedEvents: [string, TagEvent][] = [];
  for (const tag of [...history.keys()].sort(byteCompare)) {
    const newest = history.get(tag)?.items[0];
    if (newest === undefined) continue;
    if (oldNewestByTag !== undefined) {
      const oldNewest = oldNewestByTag.get(tag);
      if (oldNewest !== undefined && sameEvent(oldNewest, newest)) continue;
    }
    changedEvents.push([tag, { ...newest }]);
  }
  if (changedEvents.length === 0) return 0;
  // The spec tags following each tag, in spec order (what updateTrackingTags finds by a scan).
  const followers = new Map<string, string[]>();
  for (const spec of stream.spec.tags ?? []) {
    const followed = trackedTag(stream, spec.from);
    if (followed === undefined) continue;
    const list = followers.get(followed);
    if (list === undefined) followers.set(followed, [spec.name]);
    else list.push(spec.name);
  }
  let changes = 0;
  for (const [tag, event] of changedEvents) {
    for (const name of followers.get(tag) ?? []) if (addTagEvent(history, name, event)) changes++;
  }
  return changes;
}
