/**
 * @module decorate
 * Computed status fields (semantics §5.1), applied on every read of the main resource:
 * GET, LIST, WATCH and write responses all go through here.
 */
import type { ImageConfig } from './config.js';
import type { ImageStream, ImageStreamStatus } from './types.js';

export function dockerImageRepository(stream: ImageStream, config: ImageConfig, defaultNamespace = false): string {
  if (!config.internalRegistryHostname) return stream.spec.dockerImageRepository ?? '';
  const ns = stream.metadata.namespace || (defaultNamespace ? 'default' : '');
  return `${config.internalRegistryHostname}/${ns}/${stream.metadata.name ?? ''}`;
}

export function publicDockerImageRepository(stream: ImageStream, config: ImageConfig): string {
  if (!config.publicRegistryHostname) return '';
  return `${config.publicRegistryHostname}/${stream.metadata.namespace ?? ''}/${stream.metadata.name ?? ''}`;
}

/** Status with both repository fields recomputed; other status fields kept. */
export function withRepositories(stream: ImageStream, config: ImageConfig, defaultNamespace = false): ImageStreamStatus {
  const publicRepo = publicDockerImageRepository(stream, config);
  const { publicDockerImageRepository: _p, dockerImageRepository: _d, ...rest } = stream.status ?? {};
  return {
    dockerImageRepository: dockerImageRepository(stream, config, defaultNamespace),
    ...(publicRepo ? { publicDockerImageRepository: publicRepo } : {}),
    ...rest,
  };
}

export function decorateImageStream(stream: ImageStream, config: ImageConfig): ImageStream {
  return { ...stream, status: withRepositories(stream, config) };
}
