/**
 * @module reference-policy
 * Pull specs handed out for a tag (semantics §8): `Source` gives the event's reference,
 * `Local` gives `<status.dockerImageRepository>@<image>` when both are known. Stored status
 * is never changed by the policy; ImageStreamTag reads, trigger resolution and the
 * lookupPolicy rewrite all go through these functions.
 */
import { exactReference, tryParseImageReference } from './image-reference.js';
import type { ImageStream, TagEvent, TagReference } from './types.js';

export const DEFAULT_IMAGE_TAG = 'latest';

const specTag = (stream: ImageStream, tag: string): TagReference | undefined => stream.spec.tags?.find((t) => t.name === tag);

/** The newest event of a status tag (`latest` when `tag` is empty), if any. */
export function latestTaggedImage(stream: ImageStream, tag: string): TagEvent | undefined {
  const name = tag || DEFAULT_IMAGE_TAG;
  return stream.status?.tags?.find((t) => t.tag === name)?.items?.[0];
}

/**
 * The pull spec for `event` under the reference policy of spec tag `tag` (status-only tags
 * behave as `Source`). `Local` falls back to the event's reference without a local
 * repository, without an image id, or when the local repository does not parse.
 */
export function resolveReferenceForTagEvent(stream: ImageStream, tag: string, event: TagEvent): string {
  const ref = specTag(stream, tag);
  return ref === undefined ? (event.dockerImageReference ?? '') : pullSpecForPolicy(stream, ref, event);
}

function pullSpecForPolicy(stream: ImageStream, ref: TagReference, event: TagEvent): string {
  const source = event.dockerImageReference ?? '';
  if (ref.referencePolicy?.type !== 'Local') return source;
  const local = stream.status?.dockerImageRepository ?? '';
  const image = event.image ?? '';
  if (local === '' || image === '') return source;
  const parsed = tryParseImageReference(local);
  if (parsed === undefined) return source;
  return exactReference({ ...parsed, tag: '', id: image });
}

/** The policy-resolved pull spec of a tag's newest event, or undefined when the tag has none. */
export function resolveLatestTaggedImage(stream: ImageStream, tag: string): string | undefined {
  const name = tag || DEFAULT_IMAGE_TAG;
  const latest = latestTaggedImage(stream, name);
  return latest === undefined ? undefined : resolveReferenceForTagEvent(stream, name, latest);
}

export type PullSpecResolution =
  | {
      readonly ok: true;
      readonly pullSpec: string;
      /** A newer spec generation is still being imported (only when `requireLatest` is false). */
      readonly hasNewer: boolean;
      /** The pull spec points at an imported or pushed image. */
      readonly hasStatus: boolean;
      /** Nothing was tagged yet; the pull spec is `<repository>:<tag>`. */
      readonly isTagEmpty: boolean;
    }
  | { readonly ok: false; readonly error: 'wait-for-pull-spec' | 'no-stream-repository' };

/**
 * The client-side resolution (library-go `resolvePullSpecForTag`): with `requireLatest`,
 * refuses a stale image while a non-`Source` DockerImage spec tag is newer than its status;
 * a `Source` DockerImage spec tag without status resolves to its `from.name`; a tag with
 * neither resolves to `<status.dockerImageRepository>:<tag>` (or the public repository with
 * `defaultExternal`).
 */
export function resolvePullSpecForTag(
  stream: ImageStream,
  tag: string,
  opts: { readonly defaultExternal?: boolean; readonly requireLatest?: boolean } = {},
): PullSpecResolution {
  const name = tag || DEFAULT_IMAGE_TAG;
  const newest = latestTaggedImage(stream, name);
  const spec = specTag(stream, name);
  const hasSpecTagRef = spec?.from?.kind === 'DockerImage' && spec.referencePolicy?.type === 'Source';
  let event: TagEvent | undefined;
  let hasNewer = false;
  if (newest !== undefined) {
    if (spec?.generation !== undefined && spec.generation > (newest.generation ?? 0)) {
      if (opts.requireLatest) {
        if (!hasSpecTagRef) return { ok: false, error: 'wait-for-pull-spec' };
      } else {
        event = newest;
        hasNewer = true;
      }
    } else {
      event = newest;
    }
  }
  if (event !== undefined) {
    const pullSpec = spec === undefined ? (event.dockerImageReference ?? '') : pullSpecForPolicy(stream, spec, event);
    return { ok: true, pullSpec, hasNewer, hasStatus: true, isTagEmpty: false };
  }
  if (hasSpecTagRef && spec?.from) {
    const pullSpec = pullSpecForPolicy(stream, spec, { dockerImageReference: spec.from.name ?? '' });
    return { ok: true, pullSpec, hasNewer, hasStatus: false, isTagEmpty: false };
  }
  const publicRepo = stream.status?.publicDockerImageRepository ?? '';
  const repository = opts.defaultExternal && publicRepo !== '' ? publicRepo : (stream.status?.dockerImageRepository ?? '');
  if (repository === '') return { ok: false, error: 'no-stream-repository' };
  return { ok: true, pullSpec: `${repository}:${name}`, hasNewer: false, hasStatus: false, isTagEmpty: true };
}
