/**
 * @module bench-fixtures
 * Realistic ImageStreams of any size for the performance suite, which measures create and
 * update of an N-tag stream through the strategy alone (`imageStreamStrategy`). The mix
 * follows what clusters carry: mostly imported DockerImage tags (some scheduled, some by
 * digest), reference tags, and tags tracking other tags of the same stream; stored streams
 * carry a few history entries per tag.
 */
import type { StrategyContext } from '../apimachinery/registry/strategy.js';
import type { ImageStream, NamedTagEventList, TagReference } from './types.js';

export interface BenchStreamOptions {
  readonly namespace?: string;
  readonly name?: string;
  /** History entries per status tag of a stored stream (default 3). */
  readonly historyDepth?: number;
}

const hex64 = (seed: number): string => {
  let s = '';
  let x = (seed * 2654435761) >>> 0;
  while (s.length < 64) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += x.toString(16).padStart(8, '0');
  }
  return s.slice(0, 64);
};

const digest = (seed: number): string => `sha256:${hex64(seed)}`;
const tagName = (i: number): string => `v${Math.floor(i / 10)}.${i % 10}`;

/** Spec tag `i` of an N-tag stream (70 % imported, 15 % reference, 15 % tracking). */
function specTag(i: number, registry: string): TagReference {
  const name = tagName(i);
  switch (i % 7) {
    case 5:
      return {
        name,
        annotations: { description: `reference tag ${name}` },
        from: { kind: 'DockerImage', name: `${registry}/library/app@${digest(i)}` },
        reference: true,
        importPolicy: { importMode: 'Legacy' },
        referencePolicy: { type: 'Source' },
      };
    case 6:
      return {
        name,
        from: { kind: 'ImageStreamTag', name: tagName(i - 1) },
        importPolicy: { importMode: 'Legacy' },
        referencePolicy: { type: 'Local' },
      };
    default:
      return {
        name,
        annotations: { 'openshift.io/display-name': `App ${name}`, tags: 'builder,app' },
        from: { kind: 'DockerImage', name: `${registry}/library/app:${name}` },
        importPolicy: { ...(i % 3 === 0 ? { scheduled: true } : {}), importMode: i % 4 === 0 ? 'PreserveOriginal' : 'Legacy' },
        referencePolicy: { type: i % 2 === 0 ? 'Source' : 'Local' },
      };
  }
}

/** A create request body: `n` spec tags, no status. */
export function benchImageStream(n: number, opts: BenchStreamOptions = {}): ImageStream {
  const namespace = opts.namespace ?? 'bench';
  const tags = Array.from({ length: n }, (_, i) => specTag(i, 'quay.io'));
  tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: {
      name: opts.name ?? 'app',
      namespace,
      labels: { app: 'bench', tier: 'backend' },
      annotations: { 'openshift.io/display-name': 'Benchmark stream' },
    },
    spec: { lookupPolicy: { local: true }, tags },
  };
}

/** The stored form after create and a few imports: generations set, `historyDepth` events per tag. */
export function benchStoredImageStream(n: number, opts: BenchStreamOptions = {}): ImageStream {
  const body = benchImageStream(n, opts);
  const depth = opts.historyDepth ?? 3;
  const generation = 4;
  const statusTags: NamedTagEventList[] = (body.spec.tags ?? []).map((t, i) => ({
    tag: t.name,
    items: Array.from({ length: depth }, (_, k) => ({
      created: `2025-01-0${1 + (k % 9)}T10:00:0${k % 10}Z`,
      dockerImageReference: `quay.io/library/app@${digest(i * 100 + k)}`,
      image: digest(i * 100 + k),
      generation: Math.max(1, generation - k),
    })),
  }));
  return {
    ...body,
    metadata: {
      ...body.metadata,
      uid: '6f1c7a8e-8a33-4a4c-9a4f-3d7b0f0b2c11',
      resourceVersion: '1042',
      generation,
      creationTimestamp: '2025-01-01T10:00:00Z',
    },
    spec: { ...body.spec, tags: (body.spec.tags ?? []).map((t) => ({ ...t, generation: 2 })) },
    status: { dockerImageRepository: '', tags: statusTags },
  };
}

/** Another image for the same repository: a new digest, or a `-next` tag. */
const repoint = (pullSpec: string, seed: number): string => {
  const at = pullSpec.indexOf('@');
  return at >= 0 ? `${pullSpec.slice(0, at)}@${digest(seed + 10_000)}` : `${pullSpec}-next`;
};

/**
 * A PUT body for `stored`: every tenth tag re-pointed, one re-import request
 * (`generation: 0`), one new tag, label change; everything else sent back unchanged.
 */
export function benchUpdatedImageStream(stored: ImageStream): ImageStream {
  const tags = (stored.spec.tags ?? []).map((t, i): TagReference => {
    if (i === 1) return { ...t, generation: 0 };
    if (i % 10 === 0 && t.from?.kind === 'DockerImage') return { ...t, from: { ...t.from, name: repoint(t.from.name ?? '', i) } };
    return t;
  });
  tags.push({
    name: 'zz-new',
    from: { kind: 'DockerImage', name: 'registry.example.com/team/app:new' },
    importPolicy: { importMode: 'Legacy' },
    referencePolicy: { type: 'Source' },
  });
  const { status: _status, ...rest } = stored;
  return { ...rest, metadata: { ...stored.metadata, labels: { ...stored.metadata.labels, rev: '2' } }, spec: { ...stored.spec, tags } };
}

/** A strategy context with nothing referenced and every access allowed. */
export function benchContext(namespace = 'bench', now = '2025-02-01T12:00:00Z'): StrategyContext {
  return { now, namespace, referenced: new Map(), access: new Map(), user: { name: 'bench', groups: ['system:authenticated'] } };
}
