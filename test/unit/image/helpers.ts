/**
 * Builders shared by the ImageStream unit tests: canonical (already normalized) streams,
 * tags and strategy contexts.
 */
import type { AccessDecision, StrategyContext } from '../../../shared/apimachinery/registry/strategy.js';
import type { ImageStream, NamedTagEventList, ObjectReference, TagEvent, TagReference } from '../../../shared/image/types.js';

export const NOW = '2026-11-26T21:08:37Z';
export const DIGEST_A = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const DIGEST_B = 'sha256:293aa25bf219f3e47472281b7e68c09bb6f315c2adf7f86a7302b85bdaa63db3';
export const DIGEST_C = 'sha256:3c87c572822935df60f0f5d3665bd376841a7fcfeb806b5f212de6a00e9a7b25';

/** A defaulted spec tag (referencePolicy Source, importMode Legacy). */
export function tag(name: string, from?: ObjectReference, extra: Partial<TagReference> = {}): TagReference {
  return {
    name,
    ...(from ? { from } : {}),
    importPolicy: { importMode: 'Legacy' },
    referencePolicy: { type: 'Source' },
    ...extra,
  };
}

export const docker = (name: string, extra: Partial<ObjectReference> = {}): ObjectReference => ({ kind: 'DockerImage', name, ...extra });
export const istag = (name: string, namespace?: string): ObjectReference => ({
  kind: 'ImageStreamTag',
  ...(namespace ? { namespace } : {}),
  name,
});
export const isimage = (name: string, namespace?: string): ObjectReference => ({
  kind: 'ImageStreamImage',
  ...(namespace ? { namespace } : {}),
  name,
});

export const event = (dockerImageReference: string, image = '', generation = 1, created = '2026-01-01T00:00:00Z'): TagEvent => ({
  created,
  dockerImageReference,
  image,
  generation,
});

export const history = (tagName: string, ...items: TagEvent[]): NamedTagEventList => ({ tag: tagName, ...(items.length ? { items } : {}) });

export interface StreamOptions {
  namespace?: string;
  tags?: TagReference[];
  status?: NamedTagEventList[];
  generation?: number;
  dockerImageRepository?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  statusRepository?: string;
}

/** A canonical stream (`spec.tags` and `status.tags` sorted as the normalizer leaves them). */
export function stream(name: string, opts: StreamOptions = {}): ImageStream {
  const byName = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    kind: 'ImageStream',
    apiVersion: 'image.openshift.io/v1',
    metadata: {
      name,
      namespace: opts.namespace ?? 'ns',
      ...(opts.generation !== undefined ? { generation: opts.generation } : {}),
      ...(opts.labels ? { labels: opts.labels } : {}),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: {
      lookupPolicy: { local: false },
      ...(opts.dockerImageRepository ? { dockerImageRepository: opts.dockerImageRepository } : {}),
      ...(opts.tags?.length ? { tags: [...opts.tags].sort(byName<TagReference>((t) => t.name)) } : {}),
    },
    status: {
      dockerImageRepository: opts.statusRepository ?? '',
      ...(opts.status?.length ? { tags: [...opts.status].sort(byName<NamedTagEventList>((t) => t.tag)) } : {}),
    },
  };
}

export const USER = { name: 'alice', groups: ['system:authenticated'] };

export function context(over: Partial<StrategyContext> = {}): StrategyContext {
  return { now: NOW, namespace: 'ns', referenced: new Map(), access: new Map<string, AccessDecision>(), user: USER, ...over };
}

/** `referenced` map for streams keyed by their namespace/name. */
export const referenced = (...streams: ImageStream[]): Map<string, ImageStream> =>
  new Map(streams.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));

/** `field` of each error, as the black-box corpus compares them. */
export const fields = (errs: readonly { field: string }[]): string[] => errs.map((e) => e.field);
