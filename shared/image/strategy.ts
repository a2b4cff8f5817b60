/**
 * @module strategy
 * ImageStream rules for the generic registry (OpenShift's imagestream `Strategy`).
 *
 * Create (§2): status reset, generation 1, every spec tag at 1; then tag resolution and
 * tracking add status events. Main-resource update (§3.2): stored status kept, generation
 * raised only for spec changes, new/changed tags stamped and resolved. Upstream mutates
 * status inside `Validate`; here the mutation happens in `prepareFor*` and `validate*`
 * recomputes the same resolution (same inputs, same result) to report its errors, wrapped
 * in one `InternalError` cause (§4.0). Everything a rule needs (referenced streams, access
 * decisions, time) arrives in the context: no I/O here.
 *
 * `imageStreamInternalStrategy` is the variant used by server-side writers (imagestreamtags,
 * imports; §2.5, §3.7): the caller's status is kept instead of being reset or replaced.
 */
import type { FieldError } from '../apimachinery/field-errors.js';
import type { ResourceStrategy, StrategyContext } from '../apimachinery/registry/strategy.js';
import type { ImageConfig } from './config.js';
import { decorateImageStream, withRepositories } from './decorate.js';
import { normalizeImageStream } from './defaults.js';
import { setTagGenerations, updateSpecGenerations } from './generation.js';
import { registryAllowlist } from './registry-allowlist.js';
import { referencedStreamKeys, resolveTags } from './tag-resolution.js';
import { tagAccessChecks, verifyTagAccess } from './tag-verifier.js';
import type { ImageStream, ImageStreamStatus } from './types.js';
import { validateImageStream, validateImageStreamUpdate, wrapTagErrors, type ValidationOptions } from './validation.js';

const withNamespace = (obj: ImageStream, namespace: string): ImageStream =>
  obj.metadata.namespace ? obj : { ...obj, metadata: { ...obj.metadata, namespace } };

/** §5.6: status tags with neither events nor conditions are dropped. */
function collapseEmptyStatusTags(status: ImageStreamStatus | undefined): ImageStreamStatus {
  const tags = status?.tags?.filter((t) => (t.items?.length ?? 0) > 0 || (t.conditions?.length ?? 0) > 0);
  const { tags: _t, ...rest } = status ?? {};
  return tags && tags.length > 0 ? { ...rest, tags } : rest;
}

function imageStreamStrategyFor(config: ImageConfig, internal: boolean): ResourceStrategy<ImageStream> {
  const opts: ValidationOptions = {
    allowlist: registryAllowlist(config.allowedRegistriesForImport, config.internalRegistryHostname),
  };

  /** Tag resolution over `stream`, whose status is the history to extend (§6.3). */
  const resolve = (ctx: StrategyContext, stream: ImageStream, old: ImageStream | undefined, errorsOnly = false) =>
    resolveTags({
      stream,
      old,
      errorsOnly,
      referenced: ctx.referenced as ReadonlyMap<string, ImageStream>,
      now: ctx.now,
      ...(config.internalRegistryHostname ? { internalRegistryHostname: config.internalRegistryHostname } : {}),
    });

  /** `stream` with the status events from resolving its new/changed tags. */
  const withResolvedTags = (ctx: StrategyContext, stream: ImageStream, old: ImageStream | undefined): ImageStream => {
    const { tags } = resolve(ctx, stream, old);
    const { tags: _before, ...rest } = stream.status ?? {};
    return { ...stream, status: { ...rest, ...(tags ? { tags } : {}) } };
  };

  /**
   * §2.3 steps 2–4: cross-namespace verifier (R23) then tag resolution (R20–R22) errors,
   * resolved from the history the prepare step started from (`baseTags`), wrapped (§4.0).
   */
  const tagErrors = (
    ctx: StrategyContext,
    stream: ImageStream,
    old: ImageStream | undefined,
    baseTags: ImageStreamStatus['tags'],
  ): FieldError[] => {
    const base: ImageStream = { ...stream, status: { ...stream.status, tags: baseTags } };
    const errs = [...verifyTagAccess(stream, old, ctx.access), ...resolve(ctx, base, old, true).errors];
    return wrapTagErrors(stream.metadata.name ?? '', errs);
  };

  return {
    namespaced: true,
    allowCreateOnUpdate: false,
    allowUnconditionalUpdate: false,

    normalize: (input) => normalizeImageStream(input, config),

    references: (obj, old, namespace) => referencedStreamKeys(withNamespace(obj, namespace), old),

    accessChecks: (obj, old, namespace) => tagAccessChecks(withNamespace(obj, namespace), old),

    prepareForCreate(ctx, obj) {
      const stream: ImageStream = {
        ...obj,
        metadata: { ...obj.metadata, generation: 1 },
        spec: setTagGenerations(obj.spec, 1),
        status: internal ? { ...obj.status } : {},
      };
      stream.status = withRepositories(stream, config);
      return withResolvedTags(ctx, stream, undefined);
    },

    // The internal path keeps the caller's status, whose pre-resolution form is not known
    // here; resolving again over the result adds nothing new and reports the same errors.
    validate: (ctx, obj) => [
      ...tagErrors(ctx, obj, undefined, internal ? obj.status?.tags : undefined),
      ...validateImageStream(obj, opts),
    ],

    prepareForUpdate(ctx, obj, old) {
      const namespace = obj.metadata.namespace || ctx.namespace;
      const { spec, generation } = updateSpecGenerations(obj.spec, old.spec, old.metadata.generation ?? 0, namespace);
      const status = internal ? collapseEmptyStatusTags(obj.status) : { ...old.status };
      const stream: ImageStream = { ...obj, metadata: { ...obj.metadata, generation }, spec, status };
      stream.status = withRepositories(stream, config, true);
      return withResolvedTags(ctx, stream, old);
    },

    validateUpdate: (ctx, obj, old) => [
      ...tagErrors(ctx, obj, old, internal ? obj.status?.tags : old.status?.tags),
      ...validateImageStreamUpdate(obj, old, opts),
    ],

    decorate: (obj) => decorateImageStream(obj, config),
  };
}

/** The strategy of `POST/PUT/PATCH …/imagestreams[/{name}]` (§2, §3.2). */
export function imageStreamStrategy(config: ImageConfig): ResourceStrategy<ImageStream> {
  return imageStreamStrategyFor(config, false);
}

/**
 * The strategy of server-side writers (imagestreamtags, imagetags, imports; §2.5, §3.7):
 * as `imageStreamStrategy`, but the status the caller computed is persisted (empty status
 * tags are dropped on update, as upstream).
 */
export function imageStreamInternalStrategy(config: ImageConfig): ResourceStrategy<ImageStream> {
  return imageStreamStrategyFor(config, true);
}
