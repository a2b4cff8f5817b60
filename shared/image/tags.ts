/**
 * @module tags
 * Spec-tag generation rules (semantics §3.2–3.4): `tagRefChanged` and the generation
 * stamping done on create and update.
 */
import { deepEqual } from '../apimachinery/equality.js';
import type { ImageStreamSpec, TagReference } from './types.js';

/** §3.4: did the tag's reference change? `from.kind` is deliberately not compared. */
export function tagRefChanged(old: TagReference, next: TagReference, streamNamespace: string): boolean {
  const from = next.from;
  if (from === undefined || (!from.kind && !from.name)) return false;
  const oldFrom = old.from ?? {};
  const effectiveNs = (ns: string | undefined): string => ns || streamNamespace;
  if (effectiveNs(oldFrom.namespace) !== effectiveNs(from.namespace)) return true;
  if ((oldFrom.name ?? '') !== (from.name ?? '')) return true;
  if ((old.reference ?? false) !== (next.reference ?? false)) return true;
  if ((old.importPolicy?.importMode ?? '') !== (next.importPolicy?.importMode ?? '')) return true;
  return old.generation !== undefined && next.generation !== undefined && old.generation !== next.generation && next.generation === 0;
}

/** Stamps every spec tag with `generation` (create). */
export function setTagGenerations(spec: ImageStreamSpec, generation: number): ImageStreamSpec {
  if (!spec.tags) return spec;
  return { ...spec, tags: spec.tags.map((t) => ({ ...t, generation })) };
}

/**
 * §3.2 steps 5–7 for a main-resource update: protects spec-tag generations from clients,
 * decides whether the stream generation rises, and stamps new/changed tags.
 * Returns the new spec and the new stream generation.
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
  const changed = !deepEqual(normalizeForCompare(protectedSpec), normalizeForCompare(oldSpec));
  const generation = changed || oldGeneration === 0 ? oldGeneration + 1 : oldGeneration;
  // Step 7: new and changed tags get the (possibly new) stream generation.
  const tags = protectedTags.map((t) => {
    const old = oldTags.get(t.name);
    let g = t.generation;
    if (!old || tagRefChanged(old, t, namespace)) g = undefined;
    return g === undefined || g === 0 ? { ...t, generation } : t;
  });
  return { spec: { ...protectedSpec, ...(spec.tags ? { tags } : {}) }, generation };
}

/** Nil and empty collections compare equal (Go semantic equality). */
function normalizeForCompare(spec: ImageStreamSpec): unknown {
  return {
    lookupPolicy: { local: spec.lookupPolicy?.local ?? false },
    dockerImageRepository: spec.dockerImageRepository ?? '',
    tags: (spec.tags ?? []).map((t) => ({
      ...t,
      annotations: t.annotations && Object.keys(t.annotations).length > 0 ? t.annotations : undefined,
    })),
  };
}
