/**
 * @module prune
 * Pruning of status history (semantics §11; oc `pkg/cli/admin/prune/imageprune/prune.go`,
 * `pruneImageStream` / `pruneImageStreamTag`). Pure: the caller lists the streams, builds the
 * references from them, prunes one stream at a time and writes the result.
 *
 * Per stream: a stream created within keep-younger-than is left alone. For each status tag,
 * walking its history newest → oldest (revision 0 is the current image):
 *  1. keep an item created within keep-younger-than;
 *  2. keep revision 0 if the ImageStreamTag `<ns>/<stream>:<tag>` is referenced;
 *  3. drop an item whose image no longer exists (this server keeps no Image objects: an item
 *     without an image, as `reference: true` tags record, counts as missing — as upstream,
 *     where the empty image is never found);
 *  4. keep the first keep-tag-revisions items;
 *  5. keep an item whose `<ns>/<stream>@<image>` is referenced;
 *  6. drop it.
 * Then every status tag without items is removed, conditions and all — but the stream is
 * written only when an item was dropped.
 *
 * References. Upstream's referrers are pods, controllers and builds; this server has none of
 * those, so the referrers are the image streams themselves: every spec tag (ImageStreamTag
 * `[<stream>:]<tag>` and ImageStreamImage `[<stream>@]<id>` sources, and DockerImage pull specs)
 * and every status item of the *other* streams (their pull specs). A pull spec counts, as in
 * upstream's `analyzeImageReference`, only when it has a registry, a namespace and a one-segment
 * name: with a digest it references `<ns>/<name>@<digest>`, otherwise `<ns>/<name>:<tag|latest>`
 * (the registry is ignored, so a matching name elsewhere may keep an image — never the reverse).
 * An ImageStreamImage id may be a prefix (rule R22 matching).
 */
import { tryParseImageReference } from './image-reference.js';
import { DEFAULT_IMAGE_TAG } from './reference-policy.js';
import { digestOrImageMatch, parseFromReference } from './tag-resolution.js';
import type { ImageStream, NamedTagEventList, TagEvent } from './types.js';

export const DEFAULT_KEEP_TAG_REVISIONS = 3;
export const DEFAULT_KEEP_YOUNGER_THAN_MS = 60 * 60 * 1000;

const streamKey = (s: ImageStream): string => `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`;

/** Who uses which ImageStreamTags and ImageStreamImages (built once per prune run). */
export class PruneReferences {
  /** `<ns>/<stream>:<tag>` → referrers. */
  readonly #tags = new Map<string, string[]>();
  /** `<ns>/<stream>` → image id (digest or prefix) → referrers with the stream they belong to. */
  readonly #images = new Map<string, Map<string, { referrer: string; owner: string }[]>>();

  /** Records that `referrer` uses ImageStreamTag `<namespace>/<stream>:<tag>`. */
  addTag(namespace: string, stream: string, tag: string, referrer: string): void {
    const key = `${namespace}/${stream}:${tag || DEFAULT_IMAGE_TAG}`;
    this.#tags.set(key, [...(this.#tags.get(key) ?? []), referrer]);
  }

  /**
   * Records that `referrer` uses ImageStreamImage `<namespace>/<stream>@<id>`; `owner`
   * (`<ns>/<name>` of a stream) marks references that must not protect that stream's own
   * history (its status items).
   */
  addImage(namespace: string, stream: string, id: string, referrer: string, owner = ''): void {
    const key = `${namespace}/${stream}`;
    const ids = this.#images.get(key) ?? new Map<string, { referrer: string; owner: string }[]>();
    ids.set(id, [...(ids.get(id) ?? []), { referrer, owner }]);
    this.#images.set(key, ids);
  }

  /**
   * A pull spec used by `referrer`: counts only with registry, namespace and a one-segment
   * name; a digest makes it an ImageStreamImage reference, else an ImageStreamTag one.
   */
  addPullSpec(pullSpec: string, referrer: string, owner = ''): void {
    const ref = tryParseImageReference(pullSpec);
    if (ref === undefined || ref.registry === '' || ref.namespace === '' || ref.name.includes('/')) return;
    if (ref.id !== '') this.addImage(ref.namespace, ref.name, ref.id, referrer, owner);
    else this.addTag(ref.namespace, ref.name, ref.tag, referrer);
  }

  tagReferrers(namespace: string, stream: string, tag: string): string[] {
    return this.#tags.get(`${namespace}/${stream}:${tag}`) ?? [];
  }

  /** Referrers of `image` in `<namespace>/<stream>`, except the stream's own status items. */
  imageReferrers(namespace: string, stream: string, image: string): string[] {
    const owner = `${namespace}/${stream}`;
    const out: string[] = [];
    for (const [id, refs] of this.#images.get(owner) ?? []) {
      if (!digestOrImageMatch(image, id)) continue;
      for (const r of refs) if (r.owner !== owner) out.push(r.referrer);
    }
    return out;
  }
}

/** Adds the references of one stream's spec tags (and, with `status`, of its status items). */
export function addStreamReferences(refs: PruneReferences, stream: ImageStream, opts: { status?: boolean } = {}): void {
  const ns = stream.metadata.namespace ?? '';
  const name = stream.metadata.name ?? '';
  for (const tag of stream.spec.tags ?? []) {
    const from = tag.from;
    if (from === undefined) continue;
    const referrer = `imagestream ${ns}/${name} spec tag ${tag.name}`;
    if (from.kind === 'DockerImage') {
      refs.addPullSpec(from.name ?? '', referrer);
      continue;
    }
    const parsed = parseFromReference(name, from);
    if (parsed === undefined || parsed.stream === '' || (parsed.tagOrId === '' && from.kind === 'ImageStreamImage')) continue;
    const sourceNs = from.namespace || ns;
    if (from.kind === 'ImageStreamTag') refs.addTag(sourceNs, parsed.stream, parsed.tagOrId, referrer);
    else refs.addImage(sourceNs, parsed.stream, parsed.tagOrId, referrer);
  }
  if (!opts.status) return;
  for (const list of stream.status?.tags ?? []) {
    for (const item of list.items ?? []) {
      refs.addPullSpec(item.dockerImageReference ?? '', `imagestream ${ns}/${name} status tag ${list.tag}`, streamKey(stream));
    }
  }
}

/** The references every stream of `streams` makes (spec tags, and status items for other streams). */
export function collectReferences(streams: Iterable<ImageStream>): PruneReferences {
  const refs = new PruneReferences();
  for (const s of streams) addStreamReferences(refs, s, { status: true });
  return refs;
}

export interface PruneOptions {
  /** The time the age rules are measured from. */
  readonly now: Date;
  /** Revisions per tag kept regardless of age (`--keep-tag-revisions`, default 3). */
  readonly keepTagRevisions: number;
  /** Items and streams younger than this are kept (`--keep-younger-than`, default 60m). */
  readonly keepYoungerThanMs: number;
  readonly references: PruneReferences;
  /** Whether an item's image still exists (rule 3); default: the item names an image. */
  readonly imageExists?: (image: string) => boolean;
}

/** One history item removed by a prune. */
export interface PrunedItem {
  readonly tag: string;
  /** Its index in the tag's history before the prune (0 = the current image). */
  readonly revision: number;
  readonly image: string;
  readonly dockerImageReference: string;
  readonly created?: string;
}

export interface StreamPruneResult {
  /** The pruned stream (the input itself when nothing is removed). */
  readonly stream: ImageStream;
  readonly deletedItems: readonly PrunedItem[];
  /** Status tags removed because they were left without items. */
  readonly deletedTags: readonly string[];
  /** Why the stream was not looked at, if it was not. */
  readonly skipped?: 'younger-than-keep-younger-than';
}

const time = (t: string | undefined): number => {
  const ms = t ? Date.parse(t) : Number.NaN;
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
};

/** §11 for one stream: the stream with the prunable history removed, and what was removed. */
export function pruneImageStream(stream: ImageStream, opts: PruneOptions): StreamPruneResult {
  const cutoff = opts.now.getTime() - opts.keepYoungerThanMs;
  if (time(stream.metadata.creationTimestamp) > cutoff) {
    return { stream, deletedItems: [], deletedTags: [], skipped: 'younger-than-keep-younger-than' };
  }
  const ns = stream.metadata.namespace ?? '';
  const name = stream.metadata.name ?? '';
  const exists = opts.imageExists ?? ((image: string) => image !== '');
  const deletedItems: PrunedItem[] = [];
  const tags: NamedTagEventList[] = [];
  const deletedTags: string[] = [];
  for (const list of stream.status?.tags ?? []) {
    const kept: TagEvent[] = [];
    (list.items ?? []).forEach((item, rev) => {
      const image = item.image ?? '';
      const keep =
        time(item.created) > cutoff ||
        (rev === 0 && opts.references.tagReferrers(ns, name, list.tag).length > 0) ||
        (exists(image) && (rev < opts.keepTagRevisions || opts.references.imageReferrers(ns, name, image).length > 0));
      if (keep) {
        kept.push(item);
        return;
      }
      deletedItems.push({
        tag: list.tag,
        revision: rev,
        image,
        dockerImageReference: item.dockerImageReference ?? '',
        ...(item.created ? { created: item.created } : {}),
      });
    });
    if (kept.length === 0) deletedTags.push(list.tag);
    else tags.push({ ...list, items: kept });
  }
  if (deletedItems.length === 0) return { stream, deletedItems, deletedTags: [] };
  const { tags: _t, ...statusRest } = stream.status ?? {};
  return {
    stream: { ...stream, status: { ...statusRest, ...(tags.length > 0 ? { tags } : {}) } },
    deletedItems,
    deletedTags,
  };
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Go's `time.ParseDuration` (`60m`, `1h30m`, `1.5h`, `0`) in milliseconds; undefined when it
 * does not parse. A leading `-` gives a negative duration (callers reject it).
 */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s !== '') {
    const m = part.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    s = s.slice(m[0].length);
  }
  return sign * total;
}
