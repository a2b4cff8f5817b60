/**
 * @module defaults
 * Decoding-time defaulting and the canonical internal form of an ImageStream (semantics
 * §1.3–1.4): tags are a map keyed by name on the server, so duplicates collapse (last wins)
 * and come back sorted by name; `referencePolicy.type` defaults to `Source` and
 * `importPolicy.importMode` to the cluster default; unset/false/empty values are dropped
 * the way the stored (protobuf) form drops them; times are second-precision UTC.
 */
import { canonicalMeta } from '../apimachinery/meta.js';
import type { ImageConfig } from './config.js';
import type {
  ImageStream,
  ImageStreamInput,
  NamedTagEventList,
  ObjectReference,
  TagEvent,
  TagEventCondition,
  TagReference,
} from './types.js';

const byteCompare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Map semantics of a wire array: last element per key wins, keys in byte order. */
export function collapseByKey<E>(list: readonly E[] | undefined, keyOf: (e: E) => string): E[] | undefined {
  if (list === undefined) return undefined;
  const map = new Map<string, E>();
  for (const e of list) map.set(keyOf(e), e);
  return [...map.entries()].sort(([a], [b]) => byteCompare(a, b)).map(([, e]) => e);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** `metav1.Time` round trip: RFC 3339 in, UTC at second precision out. */
export function normalizeTime(t: string | undefined): string | undefined {
  if (t === undefined || t === '') return undefined;
  if (!RFC3339.test(t)) return t;
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) return t;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const OBJECT_REFERENCE_KEYS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'] as const;

/** An ObjectReference in Go field order without empty fields (`{}` stays `{}`: it is set). */
export function canonicalObjectReference(from: ObjectReference): ObjectReference {
  const out: ObjectReference = {};
  for (const k of OBJECT_REFERENCE_KEYS) {
    const v = from[k];
    if (v) out[k] = v;
  }
  return out;
}

function nonEmptyMap(m: Record<string, string> | undefined): Record<string, string> | undefined {
  return m !== undefined && Object.keys(m).length > 0 ? m : undefined;
}

/** §1.3 defaulting of one spec tag. */
export function defaultTagReference(tag: Partial<TagReference>, config: ImageConfig): TagReference {
  const out: TagReference = { name: tag.name ?? '' };
  const annotations = nonEmptyMap(tag.annotations);
  if (annotations) out.annotations = annotations;
  if (tag.from !== undefined) out.from = canonicalObjectReference(tag.from);
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

export function canonicalTagEvent(e: TagEvent): TagEvent {
  const created = normalizeTime(e.created);
  return {
    ...(created !== undefined ? { created } : {}),
    dockerImageReference: e.dockerImageReference ?? '',
    image: e.image ?? '',
    generation: e.generation ?? 0,
  };
}

export function canonicalCondition(c: TagEventCondition): TagEventCondition {
  const lastTransitionTime = normalizeTime(c.lastTransitionTime);
  return {
    type: c.type ?? '',
    status: c.status ?? '',
    ...(lastTransitionTime !== undefined ? { lastTransitionTime } : {}),
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
    generation: c.generation ?? 0,
  };
}

function canonicalStatusTag(t: NamedTagEventList): NamedTagEventList {
  const out: NamedTagEventList = { tag: t.tag ?? '' };
  if (t.items && t.items.length > 0) out.items = t.items.map(canonicalTagEvent);
  if (t.conditions && t.conditions.length > 0) out.conditions = t.conditions.map(canonicalCondition);
  return out;
}

/** Canonical ImageStream from a decoded body (or a stored object). */
export function normalizeImageStream(input: ImageStreamInput, config: ImageConfig): ImageStream {
  const spec = input.spec ?? {};
  const tags = collapseByKey(spec.tags, (t) => t.name ?? '')?.map((t) => defaultTagReference(t, config));
  const status = input.status;
  const statusTags = collapseByKey<NamedTagEventList>(status?.tags, (t) => t.tag ?? '')?.map(canonicalStatusTag);
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
