/**
 * @module status-strategy
 * Rules for `PUT/PATCH …/imagestreams/{name}/status` (semantics §3.6): the spec's tags and
 * repository come from the stored object; lookupPolicy and metadata may change; the
 * generation never rises.
 */
import type { StatusStrategy } from '../apimachinery/registry/strategy.js';
import type { ImageStream } from './types.js';

export function imageStreamStatusStrategy(): StatusStrategy<ImageStream> {
  return {
    allowUnconditionalUpdate: false,

    prepareForUpdate(_ctx, obj, old) {
      const { tags: _t, dockerImageRepository: _d, ...keep } = obj.spec;
      return {
        ...obj,
        spec: {
          ...keep,
          ...(old.spec.dockerImageRepository ? { dockerImageRepository: old.spec.dockerImageRepository } : {}),
          ...(old.spec.tags ? { tags: old.spec.tags } : {}),
        },
      };
    },

    validateUpdate: () => [],
  };
}
