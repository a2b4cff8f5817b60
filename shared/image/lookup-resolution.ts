/**
 * @module lookup-resolution
 * `lookupPolicy.local` (semantics §9; apiserver-library-go `admission/imagepolicy/imagepolicy.go`,
 * `resolveImageReference` / `resolveImageStreamTag`, with the default resolution rules, which
 * rewrite local names only): how OpenShift's image policy rewrites an image reference of a
 * pod, build or controller in namespace N.
 *
 * - A reference with a digest is never rewritten; neither is one with a registry or a
 *   namespace (a *full* reference), unless `resolveNames` (the
 *   `alpha.image.policy.openshift.io/resolve-names: "*"` annotation) makes every name local.
 * - A local name `<name>[:<tag>]` (tag default `latest`) is looked up as the ImageStreamTag
 *   `N/<name>:<tag>`:
 *   - it exists (the newest event has an image) and the stream has `lookupPolicy.local` (or
 *     `resolveNames`): rewritten to the repository of the tag's pull spec — after its
 *     referencePolicy (§8: `Local` → the stream's internal repository, `Source` → the original
 *     location) — pinned by digest: `<registry>/<namespace>/<name>@<digest>`;
 *   - it does not, but the stream exists with `lookupPolicy.local` (or `resolveNames`) and a
 *     `status.dockerImageRepository`: rewritten to `<status.dockerImageRepository>:<tag>`;
 *   - otherwise left as it is.
 *
 * Pure: `localLookupTarget` says which stream is needed; the caller reads it (decorated, so
 * `status.dockerImageRepository` is current) and passes it to `resolveLocalImageReference`.
 */
import { exactReference, parseImageReference, tryParseImageReference } from './image-reference.js';
import { imageStreamTagOf } from './image-stream-tag.js';
import { DEFAULT_IMAGE_TAG } from './reference-policy.js';
import { streamLookupError } from './tag-resolution.js';
import type { ImageStream } from './types.js';

/** The annotation that makes every image reference of an object resolve as a local name. */
export const RESOLVE_NAMES_ANNOTATION = 'alpha.image.policy.openshift.io/resolve-names';

export interface LookupOptions {
  /** Treat every reference as a local name (`resolve-names: "*"` on the object). */
  readonly resolveNames?: boolean;
}

/** Why a reference was (not) rewritten. */
export type LookupReason =
  /** Rewritten to the digest of the ImageStreamTag's image. */
  | 'ImageStreamTag'
  /** Rewritten to the stream's repository: the tag has no image yet. */
  | 'ImageStream'
  | 'InvalidReference'
  | 'ReferenceByDigest'
  | 'NotLocalName'
  | 'ImageStreamNotFound'
  | 'LocalLookupDisabled'
  | 'TagNotFound';

export interface LookupResult {
  /** The rewritten pull spec, or the input unchanged. */
  readonly image: string;
  readonly resolved: boolean;
  readonly reason: LookupReason;
  readonly message: string;
}

/** The ImageStreamTag a reference is looked up as, or undefined when it is not a local name. */
export function localLookupTarget(image: string, opts: LookupOptions = {}): { stream: string; tag: string } | undefined {
  const ref = tryParseImageReference(image);
  if (ref === undefined || ref.id !== '') return undefined;
  const local = opts.resolveNames || (ref.registry === '' && ref.namespace === '' && ref.name !== '');
  if (!local || streamLookupError(ref.name) !== undefined) return undefined;
  return { stream: ref.name, tag: ref.tag || DEFAULT_IMAGE_TAG };
}

const unchanged = (image: string, reason: LookupReason, message: string): LookupResult => ({ image, resolved: false, reason, message });

/**
 * The pull spec OpenShift's image policy gives `image` in the stream's namespace. `stream`
 * is the stream `localLookupTarget` named (undefined when it does not exist).
 */
export function resolveLocalImageReference(image: string, stream: ImageStream | undefined, opts: LookupOptions = {}): LookupResult {
  const parsed = parseImageReference(image);
  if (!parsed.ok) return unchanged(image, 'InvalidReference', parsed.error);
  if (parsed.ref.id !== '') return unchanged(image, 'ReferenceByDigest', 'references by digest are not rewritten');
  const target = localLookupTarget(image, opts);
  if (target === undefined) return unchanged(image, 'NotLocalName', 'only names without a registry and a namespace are resolved locally');
  const istag = `${target.stream}:${target.tag}`;
  if (stream === undefined || (stream.metadata.name ?? '') !== target.stream) {
    return unchanged(image, 'ImageStreamNotFound', `image stream ${target.stream} does not exist`);
  }
  const allowed = opts.resolveNames === true || stream.spec.lookupPolicy?.local === true;
  const tagged = imageStreamTagOf(stream, target.tag);
  if (tagged === undefined) {
    const repository = stream.status?.dockerImageRepository ?? '';
    const repo = repository === '' ? undefined : tryParseImageReference(repository);
    if (!allowed) return unchanged(image, 'LocalLookupDisabled', `image stream ${target.stream} does not allow local references`);
    if (repo === undefined) return unchanged(image, 'TagNotFound', `image stream tag ${istag} has no image and the stream has no repository`);
    return { image: exactReference({ ...repo, tag: target.tag, id: '' }), resolved: true, reason: 'ImageStream', message: `image stream tag ${istag} has no image yet` };
  }
  if (!allowed) return unchanged(image, 'LocalLookupDisabled', `image stream ${target.stream} does not allow local references`);
  const pullSpec = tagged.image?.dockerImageReference ?? '';
  const ref = tryParseImageReference(pullSpec);
  if (ref === undefined) return unchanged(image, 'InvalidReference', `image reference ${pullSpec} could not be parsed`);
  return {
    image: exactReference({ ...ref, tag: '', id: tagged.image?.metadata.name ?? '' }),
    resolved: true,
    reason: 'ImageStreamTag',
    message: `resolved through image stream tag ${istag}`,
  };
}
