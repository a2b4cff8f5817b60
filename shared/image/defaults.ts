/**
 * @module defaults
 * Decoding-time defaulting and canonical form of an ImageStream (semantics §1.3–1.4):
 * tags are a map keyed by name on the server, so duplicates collapse (last wins) and
 * output is sorted by name; `referencePolicy.type` defaults to `Source` and
 * `importPolicy.importMode` to the cluster default.
 */
import { canonicalMeta } from '../apimachinery/meta.js';
import type { ImageConfig } from './config.js';
import type { ImageStream, ImageStreamInput, NamedTagEventList, TagReference } from './types.js';

const byteCompare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function collapse<E>(list: readonly E[] | undefined, keyOf: (e: E) => string): E[] | undefined {
  if (list === undefined) return undefined;
  const map = new Map<string, E>();
  for (const e of list) map.set(keyOf(e), e);
  return [...map.entries()].sort(([a], [b]) => byteCompare(a, b)).map(([, e]) => e);
}

function defaultTag(tag: Partial<TagReference>, config: ImageConfig): TagReference {
  const out: TagReference = { name: tag.name ?? '' };
  if (tag.annotations !== undefined) out.annotations = tag.annotations;
  if (tag.from !== undefined) out.from = tag.from;
  if (tag.reference) out.reference = true;
  if (tag.generation !== undefined) out.generation = tag.generation;
  out.importPolicy = {
    ...(tag.importPolicy?.insecure ? { insecure: true } : {}),
    ...(tag.importPolicy?.scheduled ? { scheduled: true } : {}),
    importMode: tag.importPolicy?.importMode || config.defaultImportMode,
  };
  out.referencePolicy = { type: tag.referencePolicy?.type || 'Source' };
  return out;
}

/** Canonical ImageStream from a decoded body (or a stored object). */
export function normalizeImageStream(input: ImageStreamInput, config: ImageConfig): ImageStream {
  const spec = input.spec ?? {};
  const tags = collapse(spec.tags, (t) => t.name ?? '')?.map((t) => defaultTag(t, config));
  const status = input.status;
  const statusTags = collapse<NamedTagEventList>(status?.tags as NamedTagEventList[] | undefined, (t) => t.tag ?? '');
  const out: ImageStream = {
    kind: 'ImageStream',
    apiVersion: 'image.openshift.io/v1',
    metadata: canonicalMeta(input.metadata ?? {}),
    spec: {
      lookupPolicy: { local: spec.lookupPolicy?.local ?? false },
      ...(spec.dockerImageRepository ? { dockerImageRepository: spec.dockerImageRepository } : {}),
      ...(tags && tags.length > 0 ? { tags } : {}),
    },
  };
  if (status !== undefined) {
    out.status = {
      dockerImageRepository: status.dockerImageRepository ?? '',
      ...(status.publicDockerImageRepository ? { publicDockerImageRepository: status.publicDockerImageRepository } : {}),
      ...(statusTags && statusTags.length > 0 ? { tags: statusTags } : {}),
    };
  }
  return out;
}
