/**
 * @module serialize
 * The exact v1 wire form (semantics §1.2): key order of the Go encoder, `null` for unset
 * tag `annotations`/`generation` and for `items` of condition-only status tags, `spec` and
 * `status.dockerImageRepository` always present.
 */
import type { ImageStream, NamedTagEventList, TagReference } from './types.js';

function tagToWire(t: TagReference): Record<string, unknown> {
  return {
    name: t.name,
    annotations: t.annotations ?? null,
    ...(t.from !== undefined ? { from: t.from } : {}),
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

function statusTagToWire(t: NamedTagEventList): Record<string, unknown> {
  return {
    tag: t.tag,
    items: t.items ?? null,
    ...(t.conditions && t.conditions.length > 0 ? { conditions: t.conditions } : {}),
  };
}

export function imageStreamToWire(s: ImageStream): Record<string, unknown> {
  const status = s.status ?? {};
  return {
    kind: 'ImageStream',
    apiVersion: 'image.openshift.io/v1',
    metadata: s.metadata,
    spec: {
      lookupPolicy: { local: s.spec.lookupPolicy?.local ?? false },
      ...(s.spec.dockerImageRepository ? { dockerImageRepository: s.spec.dockerImageRepository } : {}),
      ...(s.spec.tags && s.spec.tags.length > 0 ? { tags: s.spec.tags.map(tagToWire) } : {}),
    },
    status: {
      dockerImageRepository: status.dockerImageRepository ?? '',
      ...(status.publicDockerImageRepository ? { publicDockerImageRepository: status.publicDockerImageRepository } : {}),
      ...(status.tags && status.tags.length > 0 ? { tags: status.tags.map(statusTagToWire) } : {}),
    },
  };
}
