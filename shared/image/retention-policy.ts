/**
 * @module retention-policy
 * A per-stream history limit, beyond OpenShift (where history is kept until an administrator
 * prunes, §5.3, §11): the annotation
 *
 *     imagestreams.internal/keep-tag-revisions: "<N>"   (N ≥ 1)
 *
 * on an ImageStream keeps at most the newest N items of every status tag, plus older items
 * the stream's own spec tags pin (an ImageStreamImage source `[<stream>@]<id>`, or a
 * DockerImage pull spec `<registry>/<ns>/<stream>@<digest>` of this stream). Nothing else
 * differs from the history rules: conditions, tags without items and reference-only items
 * (no image) within the newest N are untouched. A missing, non-integer or < 1 value means no
 * policy (never an error: the annotation is the user's, as all annotations are).
 *
 * The importer applies it after every import it writes: `applyRetentionPolicy(stream)` on
 * the stream it is about to write (or has written) gives the stream to write instead; it is
 * the same object when the policy removes nothing, so "nothing changed" stays cheap to see.
 */
import { EXTENSIONS_GROUP } from './extensions.js';
import { addStreamReferences, PruneReferences } from './prune.js';
import type { ImageStream, NamedTagEventList } from './types.js';

export const KEEP_TAG_REVISIONS_ANNOTATION = `${EXTENSIONS_GROUP}/keep-tag-revisions`;

/** The stream's retention policy, or undefined when it has none (or an unusable one). */
export function retentionPolicyOf(stream: ImageStream): { keepTagRevisions: number } | undefined {
  const value = stream.metadata.annotations?.[KEEP_TAG_REVISIONS_ANNOTATION]?.trim();
  if (value === undefined || !/^\d{1,9}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 ? { keepTagRevisions: n } : undefined;
}

/** The stream with its history cut to its retention policy (the input itself when nothing is cut). */
export function applyRetentionPolicy(stream: ImageStream): ImageStream {
  const policy = retentionPolicyOf(stream);
  const statusTags = stream.status?.tags;
  if (policy === undefined || statusTags === undefined) return stream;
  if (!statusTags.some((t) => (t.items?.length ?? 0) > policy.keepTagRevisions)) return stream;
  const pins = new PruneReferences();
  addStreamReferences(pins, stream);
  const ns = stream.metadata.namespace ?? '';
  const name = stream.metadata.name ?? '';
  let changed = false;
  const tags = statusTags.map((list): NamedTagEventList => {
    const items = list.items ?? [];
    const kept = items.filter((item, rev) => rev < policy.keepTagRevisions || (!!item.image && pins.imageReferrers(ns, name, item.image).length > 0));
    if (kept.length === items.length) return list;
    changed = true;
    return { ...list, items: kept };
  });
  return changed ? { ...stream, status: { ...stream.status, tags } } : stream;
}
