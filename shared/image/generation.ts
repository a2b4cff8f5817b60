/**
 * @module generation
 * Stream and spec-tag generations (semantics §2.2, §3.2–3.4): `tagRefChanged`, the stamping
 * done on create, and the protection/bump/stamp sequence of a main-resource update.
 */
import { deepEqual } from '../apimachinery/equality.js';
import { specTagIndex } from './tag-index.js';
import type { ImageStream, ImageStreamSpec, TagReference } from './types.js';

/**
 * §3.4 (`tagRefChanged`): did the tag's reference change? `from.kind` is deliberately not
 * compared; an empty `from.namespace` means the stream's own namespace on both sides.
 */
export function tagRefChanged(old: TagReference, next: TagReference, streamNamespace: string, compareGenerations = true): boolean {
  const from = next.from;
  if (from === undefined || (!from.kind && !from.name)) return false;
  const oldFrom = old.from ?? {};
  if ((oldFrom.namespace || streamNamespace) !== (from.namespace || streamNamespace)) return true;
  if ((oldFrom.name ?? '') !== (from.name ?? '')) return true;
  if ((old.reference ?? false) !== (next.reference ?? false)) return true;
  if ((old.importPolicy?.importMode ?? '') !== (next.importPolicy?.importMode ?? '')) return true;
  if (!compareGenerations) return false;
  return old.generation !== undefined && next.generation !== undefined && old.generation !== next.generation && next.generation === 0;
}

/**
 * §3.5: a spec tag is re-resolved and re-authorized only when it is new or its reference
 * changed. Evaluated on the prepared object, whose tag generations are never 0, so the
 * generation clause of `tagRefChanged` cannot fire here (and is not evaluated).
 */
export function isNewOrChangedTag(tag: TagReference, old: ImageStream | undefined, streamNamespace: string): boolean {
  const oldTag = old === undefined ? undefined : specTagIndex(old.spec).get(tag.name);
  if (oldTag === undefined) return true;
  return tagRefChanged(oldTag, tag, streamNamespace, false);
}

/** §2.2: every spec tag gets `generation` (client values are discarded). */
export function setTagGenerations(spec: ImageStreamSpec, generation: number): ImageStreamSpec {
  if (!spec.tags) return spec;
  return { ...spec, tags: spec.tags.map((t) => ({ ...t, generation })) };
}

/**
 * §3.2 steps 5–7 for a main-resource update: protects spec-tag generations from clients
 * (only 0 is accepted), raises the stream generation for spec changes (or a legacy 0), and
 * stamps new/changed tags and tags left at 0/null with the new stream generation.
 */
export function updateSpecGenerations(
  spec: ImageStreamSpec,
  oldSpec: ImageStreamSpec,
  oldGeneration: number,
  namespace: string,
): { spec: ImageStreamSpec; generation: number } {
  const oldTags = new Map((oldSpec.tags ?? []).map((t) => [t.name, t]));
  // Step 5: clients may only reset a tag's generation to 0.
  const protectedTags = (spec.tags ?? []).map((t): TagReference => {
    if (t.generation === 0) return t;
    const old = oldTags.get(t.name);
    if (!old) return t;
    const { generation: _drop, ...rest } = t;
    return old.generation === undefined ? rest : { ...rest, generation: old.generation };
  });
  const protectedSpec: ImageStreamSpec = { ...spec, ...(spec.tags ? { tags: protectedTags } : {}) };
  // Step 6: any spec change (or a legacy generation 0) raises the stream generation.
  const changed = !sameSpec(protectedSpec, oldSpec);
  const generation = changed || oldGeneration === 0 ? oldGeneration + 1 : oldGeneration;
  // Step 7: new and changed tags, and tags at 0 or null, get the (possibly new) stream generation.
  const tags = protectedTags.map((t) => {
    const old = oldTags.get(t.name);
    const g = !old || tagRefChanged(old, t, namespace) ? undefined : t.generation;
    return g === undefined || g === 0 ? { ...t, generation } : t;
  });
  return { spec: { ...protectedSpec, ...(spec.tags ? { tags } : {}) }, generation };
}

/** Semantic equality of two specs as upstream: nil and empty maps compare equal, unset means zero. */
export function sameSpec(a: ImageStreamSpec, b: ImageStreamSpec): boolean {
  if ((a.lookupPolicy?.local ?? false) !== (b.lookupPolicy?.local ?? false)) return false;
  if ((a.dockerImageRepository ?? '') !== (b.dockerImageRepository ?? '')) return false;
  const ta = a.tags ?? [];
  const tb = b.tags ?? [];
  if (ta.length !== tb.length) return false;
  for (let i = 0; i < ta.length; i++) if (!sameTag(ta[i]!, tb[i]!)) return false;
  return true;
}

function sameTag(a: TagReference, b: TagReference): boolean {
  return (
    a.name === b.name &&
    (a.reference ?? false) === (b.reference ?? false) &&
    a.generation === b.generation &&
    (a.importPolicy?.insecure ?? false) === (b.importPolicy?.insecure ?? false) &&
    (a.importPolicy?.scheduled ?? false) === (b.importPolicy?.scheduled ?? false) &&
    (a.importPolicy?.importMode ?? '') === (b.importPolicy?.importMode ?? '') &&
    (a.referencePolicy?.type ?? '') === (b.referencePolicy?.type ?? '') &&
    (a.from === undefined) === (b.from === undefined) &&
    deepEqual(a.from ?? {}, b.from ?? {}) &&
    deepEqual(nonEmpty(a.annotations), nonEmpty(b.annotations))
  );
}

const nonEmpty = (m: Record<string, string> | undefined): Record<string, string> => m ?? {};
