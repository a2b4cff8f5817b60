/**
 * @module status-strategy
 * Rules for `PUT/PATCH …/imagestreams/{name}/status` (semantics §3.6): `spec.tags` and
 * `spec.dockerImageRepository` come from the stored object, `spec.lookupPolicy` and metadata
 * may change, the generation never rises, status is taken as sent (no resolution, no
 * tracking, no repository recomputation) except that newest events at generation 0 get an
 * observed generation. Validation: new status pull specs must parse and be allowed.
 */
import type { StatusStrategy } from '../apimachinery/registry/strategy.js';
import { DEFAULT_IMAGE_CONFIG, type ImageConfig } from './config.js';
import { specTagIndex } from './tag-index.js';
import { registryAllowlist } from './registry-allowlist.js';
import type { ImageStream, NamedTagEventList, TagEvent } from './types.js';
import { validateImageStreamStatusUpdate, type ValidationOptions } from './validation.js';

/** Upstream's `tagEventChanged`: a different image or reference, or an older generation. */
const tagEventChanged = (old: TagEvent, next: TagEvent): boolean =>
  (old.image ?? '') !== (next.image ?? '') ||
  (old.dockerImageReference ?? '') !== (next.dockerImageReference ?? '') ||
  (old.generation ?? 0) > (next.generation ?? 0);

/**
 * §3.6 observed-generation fill (`updateObservedGenerationForStatusUpdate`): a newest event
 * at generation 0 gets the stream generation when it did not change the tag (or the tag
 * had no history), else the spec tag's generation (stream generation without one).
 */
export function fillObservedGenerations(stream: ImageStream, old: ImageStream): NamedTagEventList[] | undefined {
  const generation = stream.metadata.generation ?? 0;
  const oldNewest = new Map((old.status?.tags ?? []).map((t) => [t.tag, t.items?.[0]]));
  return stream.status?.tags?.map((list) => {
    const newest = list.items?.[0];
    if (newest === undefined || (newest.generation ?? 0) !== 0) return list;
    const older = oldNewest.get(list.tag);
    let observed = generation;
    if (older !== undefined && tagEventChanged(older, newest)) {
      observed = specTagIndex(stream.spec).get(list.tag)?.generation ?? generation;
    }
    return { ...list, items: [{ ...newest, generation: observed }, ...(list.items ?? []).slice(1)] };
  });
}

export function imageStreamStatusStrategy(config: ImageConfig = DEFAULT_IMAGE_CONFIG): StatusStrategy<ImageStream> {
  const opts: ValidationOptions = {
    allowlist: registryAllowlist(config.allowedRegistriesForImport, config.internalRegistryHostname),
  };
  return {
    allowUnconditionalUpdate: false,

    prepareForUpdate(_ctx, obj, old) {
      const { tags: _t, dockerImageRepository: _d, ...keep } = obj.spec;
      const stream: ImageStream = {
        ...obj,
        spec: {
          ...keep,
          ...(old.spec.dockerImageRepository ? { dockerImageRepository: old.spec.dockerImageRepository } : {}),
          ...(old.spec.tags ? { tags: old.spec.tags } : {}),
        },
      };
      if (!stream.status?.tags) return stream;
      return { ...stream, status: { ...stream.status, tags: fillObservedGenerations(stream, old) ?? [] } };
    },

    validateUpdate: (_ctx, obj, old) => validateImageStreamStatusUpdate(obj, old, opts),
  };
}
