/**
 * The generic registry wired with the ImageStream strategies over an in-memory store, for
 * tests that go through create/update exactly as the API does (422 shape, ordering of
 * prepare/validate, references and access checks fetched by the registry).
 */
import { ResourceService, type Authorizer } from '../../../shared/apimachinery/registry/resource-service.js';
import { isStatusError, type Status } from '../../../shared/apimachinery/status.js';
import type { ImageConfig } from '../../../shared/image/config.js';
import { normalizeImageStream } from '../../../shared/image/defaults.js';
import { imageStreamResource } from '../../../shared/image/resource.js';
import { imageStreamStatusStrategy } from '../../../shared/image/status-strategy.js';
import { imageStreamStrategy } from '../../../shared/image/strategy.js';
import type { ImageStream, ImageStreamInput } from '../../../shared/image/types.js';
import { MemoryStore } from '../../../shared/storage/memory-store.js';
import { USER } from './helpers.js';

export const CLOCK = new Date('2026-11-26T21:08:37.123Z');

export function imageStreamService(config: Partial<ImageConfig> = {}, authorizer?: Authorizer) {
  const full: ImageConfig = { defaultImportMode: 'Legacy', ...config };
  const store = new MemoryStore<ImageStream>();
  let uid = 0;
  const service = new ResourceService<ImageStream>({
    def: imageStreamResource,
    strategy: imageStreamStrategy(full),
    statusStrategy: imageStreamStatusStrategy(full),
    store,
    clock: () => CLOCK,
    newUid: () => `uid-${++uid}`,
    randomSuffix: () => 'x7k2q',
    ...(authorizer ? { authorizer } : {}),
  });
  const body = (input: ImageStreamInput): ImageStream => input as ImageStream;
  return {
    service,
    store,
    create: (ns: string, input: ImageStreamInput) => service.create(ns, body(input), { user: USER }).then((r) => r.object),
    update: (ns: string, name: string, input: ImageStreamInput, subresource?: string) =>
      service.update(ns, name, body(input), { user: USER, ...(subresource ? { subresource } : {}) }).then((r) => r.object),
    get: (ns: string, name: string) => service.get(ns, name),
    normalize: (input: ImageStreamInput) => normalizeImageStream(input, full),
  };
}

/** The Status of a rejected promise. */
export async function statusOf(p: Promise<unknown>): Promise<Status> {
  try {
    await p;
  } catch (e) {
    if (isStatusError(e)) return e.status;
    throw e;
  }
  throw new Error('expected a StatusError');
}
