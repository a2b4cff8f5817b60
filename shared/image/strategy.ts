/**
 * @module strategy
 * ImageStream rules for the generic registry (OpenShift's imagestream `Strategy`):
 * create resets status and stamps generation 1; a main-resource update keeps the stored
 * status, raises the generation only for spec changes and stamps new/changed tags.
 */
import type { ResourceStrategy } from '../apimachinery/registry/strategy.js';
import type { ImageConfig } from './config.js';
import { decorateImageStream, withRepositories } from './decorate.js';
import { normalizeImageStream } from './defaults.js';
import { setTagGenerations, updateSpecGenerations } from './tags.js';
import type { ImageStream } from './types.js';
import { validateImageStream, validateImageStreamUpdate } from './validation.js';

export function imageStreamStrategy(config: ImageConfig): ResourceStrategy<ImageStream> {
  return {
    namespaced: true,
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: false,

    normalize: (input) => normalizeImageStream(input, config),

    prepareForCreate(_ctx, obj) {
      const stream: ImageStream = {
        ...obj,
        metadata: { ...obj.metadata, generation: 1 },
        spec: setTagGenerations(obj.spec, 1),
        status: {},
      };
      return { ...stream, status: withRepositories(stream, config) };
    },

    validate: (_ctx, obj) => validateImageStream(obj),

    prepareForUpdate(ctx, obj, old) {
      const { spec, generation } = updateSpecGenerations(obj.spec, old.spec, old.metadata.generation ?? 0, ctx.namespace);
      const stream: ImageStream = { ...obj, metadata: { ...obj.metadata, generation }, spec, status: old.status ?? {} };
      return { ...stream, status: withRepositories(stream, config, true) };
    },

    validateUpdate: (_ctx, obj, old) => validateImageStreamUpdate(obj, old),

    decorate: (obj) => decorateImageStream(obj, config),
  };
}
