/**
 * @module tag-index
 * Spec tags by name: the wire form is an array, the rules look tags up by name (the
 * server's internal form is a map). Computed once per tags array.
 */
import type { ImageStreamSpec, TagReference } from './types.js';

/** Spec tags by name, computed once per tags array. */
const tagIndexes = new WeakMap<readonly TagReference[], ReadonlyMap<string, TagReference>>();

export function specTagIndex(spec: ImageStreamSpec): ReadonlyMap<string, TagReference> {
  const tags = spec.tags;
  if (tags === undefined) return new Map();
  let index = tagIndexes.get(tags);
  if (index === undefined) {
    index = new Map(tags.map((t) => [t.name, t]));
    tagIndexes.set(tags, index);
  }
  return index;
}
