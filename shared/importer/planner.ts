/**
 * @module planner
 * Which tags of a stream need an import (semantics §7.1, §7.2), as pure functions of the
 * stream — the decisions of OpenShift's ImageStreamController and of the scheduled import
 * controller's "pretend the scheduled tags are one generation ahead".
 *
 * A spec tag is importable iff `from.kind` is `DockerImage` and `reference` is false. Its
 * observed generation is the larger of its newest event's generation and the generation of
 * its first `ImportSuccess` condition (0 without status). A stream needs an import when the
 * `openshift.io/image.dockerRepositoryCheck` annotation is missing and it has importable tags,
 * or when an importable tag's generation is newer than what status records (so setting a tag's
 * generation to 0 — which the API turns into the new stream generation — re-imports it).
 * Repository imports (`spec.dockerImageRepository`) are not planned here.
 */
import type { ImageStream, TagReference } from '../image/types.js';

export const DOCKER_REPOSITORY_CHECK_ANNOTATION = 'openshift.io/image.dockerRepositoryCheck';
export const PREFER_ARCH_ANNOTATION = 'importer.image.openshift.io/prefer-arch';
export const PREFER_OS_ANNOTATION = 'importer.image.openshift.io/prefer-os';
export const IMPORT_SUCCESS = 'ImportSuccess';

export type ImportMode = 'Legacy' | 'PreserveOriginal';

/** One image to import into one tag (an ImageStreamImport `spec.images[]` entry). */
export interface ImportTarget {
  /** The spec tag (`to.name`). */
  readonly tag: string;
  /** The pull spec (`from.name`). */
  readonly from: string;
  readonly importPolicy: { readonly insecure?: boolean; readonly scheduled?: boolean; readonly importMode: ImportMode };
  readonly referencePolicy: { readonly type?: string };
  readonly preferArch?: string;
  readonly preferOs?: string;
}

export interface ImportPlan {
  readonly targets: readonly ImportTarget[];
  /** Why the stream is imported. */
  readonly reason: 'annotation' | 'generation' | 'scheduled';
}

export const isImportable = (tag: TagReference): boolean => tag.from?.kind === 'DockerImage' && !tag.reference && !!tag.from.name;

/** The generation status records for `tag` (§7.1). */
export function observedGeneration(stream: ImageStream, tag: string): number {
  const list = stream.status?.tags?.find((t) => t.tag === tag);
  if (!list) return 0;
  let latest = list.items?.[0]?.generation ?? 0;
  const condition = list.conditions?.find((c) => c.type === IMPORT_SUCCESS);
  if (condition && (condition.generation ?? 0) > latest) latest = condition.generation ?? 0;
  return latest;
}

/** `tagNeedsImport(stream, tag, importWhenGenerationNil=true)`. */
export function tagNeedsImport(stream: ImageStream, tag: TagReference): boolean {
  if (!isImportable(tag)) return false;
  if (tag.generation === undefined) return true;
  return tag.generation > observedGeneration(stream, tag.name);
}

const isDigestReference = (from: string): boolean => /@[a-z0-9]+:[a-f0-9]+$/i.test(from);

/**
 * §7.2: a scheduled tag is re-imported on every visit, except a digest reference already
 * imported at the current spec generation (it cannot change).
 */
export function isScheduledTag(stream: ImageStream, tag: TagReference): boolean {
  if (!isImportable(tag) || !tag.importPolicy?.scheduled) return false;
  if (isDigestReference(tag.from?.name ?? '') && (tag.generation ?? 0) <= observedGeneration(stream, tag.name)) return false;
  return true;
}

/** Whether the scheduled import controller keeps visiting this stream. */
export const hasScheduledTags = (stream: ImageStream): boolean => (stream.spec.tags ?? []).some((t) => isScheduledTag(stream, t));

export function targetOf(tag: TagReference, defaultImportMode: ImportMode): ImportTarget {
  const mode = tag.importPolicy?.importMode;
  const arch = tag.annotations?.[PREFER_ARCH_ANNOTATION];
  const os = tag.annotations?.[PREFER_OS_ANNOTATION];
  return {
    tag: tag.name,
    from: tag.from?.name ?? '',
    importPolicy: {
      ...(tag.importPolicy?.insecure ? { insecure: true } : {}),
      ...(tag.importPolicy?.scheduled ? { scheduled: true } : {}),
      importMode: mode === 'PreserveOriginal' || mode === 'Legacy' ? mode : defaultImportMode,
    },
    referencePolicy: { type: tag.referencePolicy?.type || 'Source' },
    ...(arch ? { preferArch: arch } : {}),
    ...(os ? { preferOs: os } : {}),
  };
}

export interface PlanOptions {
  /** A scheduled visit: the scheduled tags are treated as one generation ahead (§7.2). */
  readonly scheduled?: boolean;
  readonly defaultImportMode?: ImportMode;
}

/** The import a stream needs now, or undefined. Deleted streams need none. */
export function planImport(stream: ImageStream, opts: PlanOptions = {}): ImportPlan | undefined {
  if (stream.metadata.deletionTimestamp) return undefined;
  const mode = opts.defaultImportMode ?? 'Legacy';
  const tags = stream.spec.tags ?? [];
  const next = (stream.metadata.generation ?? 0) + 1;
  const effective = opts.scheduled ? tags.map((t) => (isScheduledTag(stream, t) ? { ...t, generation: next } : t)) : tags;
  const targets = effective.filter((t) => tagNeedsImport(stream, t)).map((t) => targetOf(t, mode));
  if (targets.length === 0) return undefined;
  const annotation = stream.metadata.annotations?.[DOCKER_REPOSITORY_CHECK_ANNOTATION];
  const generationDriven = tags.some((t) => tagNeedsImport(stream, t));
  const reason = !annotation ? 'annotation' : generationDriven ? 'generation' : 'scheduled';
  return { targets, reason };
}

/** The import-relevant identity of a target, to tell whether a spec tag changed meanwhile. */
export const sameTarget = (a: ImportTarget, b: ImportTarget): boolean =>
  a.tag === b.tag &&
  a.from === b.from &&
  a.importPolicy.importMode === b.importPolicy.importMode &&
  !!a.importPolicy.insecure === !!b.importPolicy.insecure &&
  (a.preferArch ?? '') === (b.preferArch ?? '') &&
  (a.preferOs ?? '') === (b.preferOs ?? '');
