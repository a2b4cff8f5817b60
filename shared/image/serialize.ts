/**
 * @module serialize
 * The exact v1 wire form (semantics §1.2, §1.4): key order of the Go encoder, `null` for
 * unset tag `annotations`/`generation`, for `items` of condition-only status tags and for
 * unset times; `spec`, `spec.lookupPolicy`, `status` and `status.dockerImageRepository`
 * always present; a tag or ID on either `dockerImageRepository` stripped (legacy clean-up).
 */
import { asRepository, exactReference, tryParseImageReference } from './image-reference.js';
import type { ImageStream, NamedTagEventList, ObjectReference, TagEvent, TagEventCondition, TagReference } from './types.js';

const OBJECT_REFERENCE_KEYS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'] as const;

function objectReferenceToWire(from: ObjectReference): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of OBJECT_REFERENCE_KEYS) if (from[k]) out[k] = from[k];
  return out;
}

export function tagToWire(t: TagReference): Record<string, unknown> {
  return {
    name: t.name,
    annotations: t.annotations && Object.keys(t.annotations).length > 0 ? t.annotations : null,
    ...(t.from !== undefined ? { from: objectReferenceToWire(t.from) } : {}),
    ...(t.reference ? { reference: true } : {}),
    generation: t.generation ?? null,
    importPolicy: {
      ...(t.importPolicy?.insecure ? { insecure: true } : {}),
      ...(t.importPolicy?.scheduled ? { scheduled: true } : {}),
      ...(t.importPolicy?.importMode ? { importMode: t.importPolicy.importMode } : {}),
    },
    referencePolicy: { type: t.referencePolicy?.type ?? '' },
  };
}

const eventToWire = (e: TagEvent): Record<string, unknown> => ({
  created: e.created || null,
  dockerImageReference: e.dockerImageReference ?? '',
  image: e.image ?? '',
  generation: e.generation ?? 0,
});

export const conditionToWire = (c: TagEventCondition): Record<string, unknown> => ({
  type: c.type ?? '',
  status: c.status ?? '',
  lastTransitionTime: c.lastTransitionTime || null,
  ...(c.reason ? { reason: c.reason } : {}),
  ...(c.message ? { message: c.message } : {}),
  generation: c.generation ?? 0,
});

function statusTagToWire(t: NamedTagEventList): Record<string, unknown> {
  return {
    tag: t.tag,
    items: t.items && t.items.length > 0 ? t.items.map(eventToWire) : null,
    ...(t.conditions && t.conditions.length > 0 ? { conditions: t.conditions.map(conditionToWire) } : {}),
  };
}

/** §1.4: a repository stored with a tag or ID by a very old server is emitted without it. */
export function stripTagAndId(repository: string): string {
  if (repository === '') return repository;
  const ref = tryParseImageReference(repository);
  if (ref === undefined || (ref.tag === '' && ref.id === '')) return repository;
  return exactReference(asRepository(ref));
}

export function imageStreamToWire(s: ImageStream): Record<string, unknown> {
  const status = s.status ?? {};
  const specRepo = stripTagAndId(s.spec.dockerImageRepository ?? '');
  return {
    kind: 'ImageStream',
    apiVersion: 'image.openshift.io/v1',
    metadata: s.metadata,
    spec: {
      lookupPolicy: { local: s.spec.lookupPolicy?.local ?? false },
      ...(specRepo ? { dockerImageRepository: specRepo } : {}),
      ...(s.spec.tags && s.spec.tags.length > 0 ? { tags: s.spec.tags.map(tagToWire) } : {}),
    },
    status: {
      dockerImageRepository: stripTagAndId(status.dockerImageRepository ?? ''),
      ...(status.publicDockerImageRepository ? { publicDockerImageRepository: status.publicDockerImageRepository } : {}),
      ...(status.tags && status.tags.length > 0 ? { tags: status.tags.map(statusTagToWire) } : {}),
    },
  };
}
