/**
 * @module decorate
 * Computed status fields (semantics §5.1): `status.dockerImageRepository` is
 * `<IRH>/<namespace>/<name>` with an internal registry, else it mirrors
 * `spec.dockerImageRepository`; `status.publicDockerImageRepository` is
 * `<ERH>/<namespace>/<name>` or empty. Applied on create, main update and every read of
 * the main resource (GET, LIST, WATCH and write responses).
 */
import type { ImageConfig } from './config.js';
import { emptyReference, referenceString } from './image-reference.js';
import type { ImageStream, ImageStreamStatus } from './types.js';

/** A repository pull spec `<registry>/<namespace>/<name>` (empty when the name is). */
const repository = (registry: string, namespace: string, name: string): string =>
  referenceString({ ...emptyReference, registry, namespace, name });

/**
 * `namespaceDefaulting`: an empty namespace counts as `default` (update and read paths;
 * create computes before the namespace could be missing).
 */
export function dockerImageRepository(stream: ImageStream, config: ImageConfig, namespaceDefaulting = false): string {
  if (!config.internalRegistryHostname) return stream.spec.dockerImageRepository ?? '';
  const ns = stream.metadata.namespace || (namespaceDefaulting ? 'default' : '');
  return repository(config.internalRegistryHostname, ns, stream.metadata.name ?? '');
}

export function publicDockerImageRepository(stream: ImageStream, config: ImageConfig): string {
  if (!config.publicRegistryHostname) return '';
  return repository(config.publicRegistryHostname, stream.metadata.namespace ?? '', stream.metadata.name ?? '');
}

/** Status with both repository fields recomputed; other status fields kept. */
export function withRepositories(stream: ImageStream, config: ImageConfig, namespaceDefaulting = false): ImageStreamStatus {
  const publicRepo = publicDockerImageRepository(stream, config);
  const { publicDockerImageRepository: _p, dockerImageRepository: _d, ...rest } = stream.status ?? {};
  return {
    dockerImageRepository: dockerImageRepository(stream, config, namespaceDefaulting),
    ...(publicRepo ? { publicDockerImageRepository: publicRepo } : {}),
    ...rest,
  };
}

export function decorateImageStream(stream: ImageStream, config: ImageConfig): ImageStream {
  return { ...stream, status: withRepositories(stream, config, true) };
}
