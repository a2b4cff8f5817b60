/**
 * @module import-images
 * How import results are written to a stream (semantics §7.8, §5.3, §5.5), as a pure
 * function: the ImageStreamImport REST's `checkImportFailure` / `importSuccessful` /
 * `ensureSpecTag` over the stored stream, then "write only if something changed (or the
 * `dockerRepositoryCheck` annotation is missing), refreshing the annotation".
 *
 * - Failure: the tag's conditions become one `ImportSuccess=False` condition (reason and
 *   message of the failure, generation = stream generation + 1) unless an identical one
 *   (type, status, reason, message) exists; when newly recorded the spec tag's generation is
 *   set to 0, so the internal update stamps it (and the stream) with the next generation.
 *   History is never touched: a failed import keeps every event.
 * - Success: event {created: now, dockerImageReference by digest, image: digest, generation:
 *   next}. When the newest event differs in reference or image, or the spec tag is newer than
 *   the newest event (or absent), the spec tag is reset (from = the imported pull spec,
 *   generation 0, the import's importPolicy, referencePolicy kept) and the event added
 *   (§5.3: prepended, or updated in place). The importPolicy is always reset and conditions
 *   cleared.
 */
import { deepEqual } from '../apimachinery/equality.js';
import { addTagEvent, fromTagHistory, toTagHistory, type TagHistory } from '../image/tag-history.js';
import type { ImageStream, TagEvent, TagEventCondition, TagReference } from '../image/types.js';
import { DOCKER_REPOSITORY_CHECK_ANNOTATION, IMPORT_SUCCESS, type ImportTarget } from './planner.js';

/** The imported image as far as the stream is concerned. */
export interface ImportedImageRef {
  /** The image's identity: the manifest digest (the list's with PreserveOriginal, the child's with Legacy). */
  readonly digest: string;
  /** The most specific pull spec: the `from` registry and repository with `@digest`. */
  readonly dockerImageReference: string;
}

export type TagImportResult =
  | { readonly status: 'Success'; readonly image: ImportedImageRef }
  | { readonly status: 'Failure'; readonly reason: string; readonly message: string };

export interface AppliedImport {
  readonly stream: ImageStream;
  /** False when nothing needs writing (annotation present and no change). */
  readonly write: boolean;
}

const UNKNOWN_ERROR = 'unknown error prevented import';

function specTagMap(stream: ImageStream): Map<string, TagReference> {
  return new Map((stream.spec.tags ?? []).map((t) => [t.name, structuredClone(t)]));
}

function ensureSpecTag(tags: Map<string, TagReference>, target: ImportTarget, reset: boolean): TagReference {
  const existing = tags.get(target.tag);
  if (existing && !reset) return existing;
  const tag: TagReference = {
    ...(existing ?? { name: target.tag }),
    from: { kind: 'DockerImage', name: target.from },
    generation: 0,
    importPolicy: { ...target.importPolicy },
  };
  if (!existing?.referencePolicy?.type) tag.referencePolicy = { ...target.referencePolicy };
  tags.set(target.tag, tag);
  return tag;
}

function setConditions(history: TagHistory, tag: string, conditions: TagEventCondition[]): void {
  const list = history.get(tag) ?? { items: [] };
  if (conditions.length > 0) list.conditions = conditions;
  else delete list.conditions;
  history.set(tag, list);
}

const hasCondition = (history: TagHistory, tag: string, c: TagEventCondition): boolean =>
  (history.get(tag)?.conditions ?? []).some((e) => e.type === c.type && e.status === c.status && e.reason === c.reason && e.message === c.message);

function differentTagEvent(history: TagHistory, tag: string, next: TagEvent): boolean {
  const previous = history.get(tag)?.items[0];
  if (!previous) return true;
  return previous.dockerImageReference !== next.dockerImageReference || previous.image !== next.image;
}

function differentTagGeneration(history: TagHistory, specTag: TagReference | undefined): boolean {
  if (specTag?.generation === undefined) return true;
  const newest = history.get(specTag.name)?.items[0];
  if (!newest) return true;
  return specTag.generation > (newest.generation ?? 0);
}

/**
 * Applies per-target results to `stream` (the stored object the write will be based on).
 * `results[i]` belongs to `targets[i]`; `now` is RFC 3339 at second precision.
 */
export function applyImportResults(stream: ImageStream, targets: readonly ImportTarget[], results: readonly TagImportResult[], now: string): AppliedImport {
  const next = (stream.metadata.generation ?? 0) + 1;
  const history = toTagHistory(stream.status?.tags);
  const tags = specTagMap(stream);
  targets.forEach((target, i) => {
    const result = results[i];
    if (!result) return;
    if (result.status === 'Failure') {
      const condition: TagEventCondition = {
        type: IMPORT_SUCCESS,
        status: 'False',
        lastTransitionTime: now,
        reason: result.reason,
        message: result.message || UNKNOWN_ERROR,
        generation: next,
      };
      if (!hasCondition(history, target.tag, condition)) {
        setConditions(history, target.tag, [condition]);
        const spec = tags.get(target.tag);
        if (spec) spec.generation = 0;
      }
      ensureSpecTag(tags, target, false);
      return;
    }
    const event: TagEvent = { created: now, dockerImageReference: result.image.dockerImageReference, image: result.image.digest, generation: next };
    const existing = tags.get(target.tag);
    const changed = differentTagEvent(history, target.tag, event) || differentTagGeneration(history, existing);
    let spec = existing;
    if (changed || !existing) {
      spec = ensureSpecTag(tags, target, true);
      addTagEvent(history, target.tag, event);
    }
    spec!.importPolicy = { ...target.importPolicy };
    setConditions(history, target.tag, []);
  });

  const byName = (a: TagReference, b: TagReference): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const specTags = [...tags.values()].sort(byName);
  const statusTags = fromTagHistory(history);
  const { tags: _oldTags, ...statusRest } = stream.status ?? {};
  const updated: ImageStream = {
    ...stream,
    spec: { ...stream.spec, ...(specTags.length > 0 ? { tags: specTags } : {}) },
    status: { ...statusRest, ...(statusTags ? { tags: statusTags } : {}) },
  };
  const hasAnnotation = !!stream.metadata.annotations?.[DOCKER_REPOSITORY_CHECK_ANNOTATION];
  const changed = !deepEqual(comparable(stream), comparable(updated));
  if (hasAnnotation && !changed) return { stream, write: false };
  return {
    stream: { ...updated, metadata: { ...updated.metadata, annotations: { ...updated.metadata.annotations, [DOCKER_REPOSITORY_CHECK_ANNOTATION]: now } } },
    write: true,
  };
}

/** Spec and status in a form where unset and empty agree (the stored form drops empties). */
function comparable(s: ImageStream): unknown {
  return JSON.parse(
    JSON.stringify({ spec: s.spec, status: s.status ?? {} }, (_k, v: unknown) =>
      v === undefined || v === null || (Array.isArray(v) && v.length === 0) ? undefined : v,
    ),
  );
}
