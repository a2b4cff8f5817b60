/**
 * @module validation
 * `ValidateImageStream` and friends (semantics §4.1, rules R1–R19): field rules with the
 * upstream paths, reasons and messages, plus the wrapping of tag-resolution errors into one
 * `InternalError` cause (§4.0). Pure functions returning FieldError lists; map-keyed
 * collections (spec and status tags) are visited in tag-name order.
 */
import { aggregateMessage, fieldErrors, FieldPath, type FieldError } from '../apimachinery/field-errors.js';
import { goQuote } from '../apimachinery/go-format.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../apimachinery/meta.js';
import { isValidPathSegmentName } from '../apimachinery/validation.js';
import { specTagIndex } from './tag-index.js';
import { emptyReference, NAME_TOTAL_LENGTH_MAX, parseImageReference } from './image-reference.js';
import { transportFor, type RegistryAllowlist } from './registry-allowlist.js';
import type { ImageStream, TagReference } from './types.js';

export const IMAGE_STREAM_NAME_FMT = '[a-z0-9]+(?:[._-][a-z0-9]+)*';
const IMAGE_STREAM_NAME_RE = new RegExp(`^${IMAGE_STREAM_NAME_FMT}$`);

/** The annotation that makes every pull spec of a stream "insecure" for the allow-list. */
export const INSECURE_REPOSITORY_ANNOTATION = 'openshift.io/image.insecureRepository';

export const VALID_KINDS_DETAIL = "valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'";
export const SCHEDULED_DETAIL = 'only tags pointing to Docker repositories may be scheduled for background import';
export const REFERENCE_POLICY_DETAIL = 'valid values are "Source", "Local"';
export const IMPORT_MODE_DETAIL = "invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'";

export interface ValidationOptions {
  /** The registry allow-list; undefined allows every registry. */
  readonly allowlist?: RegistryAllowlist | undefined;
}

/** R2–R4: path-segment rules first; the repository-name pattern only when those pass. */
export function validateImageStreamName(name: string, prefix: boolean): string[] {
  const errs = isValidPathSegmentName(name, prefix);
  if (errs.length > 0) return errs;
  if (!IMAGE_STREAM_NAME_RE.test(name)) return [`must match ${goQuote(IMAGE_STREAM_NAME_FMT)}`];
  return [];
}

export const isRepositoryInsecure = (stream: ImageStream): boolean =>
  stream.metadata.annotations?.[INSECURE_REPOSITORY_ANNOTATION] === 'true';

/** R13–R18 for one spec tag (`ValidateImageStreamTagReference`). */
export function validateTagReference(
  tag: TagReference,
  path: FieldPath,
  insecureRepository: boolean,
  opts: ValidationOptions = {},
): FieldError[] {
  const errs: FieldError[] = [];
  const from = tag.from;
  if (from !== undefined) {
    const name = from.name ?? '';
    if (name === '') errs.push(fieldErrors.required(path.child('from', 'name')));
    switch (from.kind) {
      case 'DockerImage': {
        const parsed = parseImageReference(name);
        if (!parsed.ok && name !== '') {
          errs.push(fieldErrors.invalid(path.child('from', 'name'), name, parsed.error));
        } else if (opts.allowlist) {
          const ref = parsed.ok ? parsed.ref : emptyReference;
          const denied = opts.allowlist.admit(ref, transportFor(!!tag.importPolicy?.insecure || insecureRepository));
          if (denied !== undefined) errs.push(fieldErrors.forbidden(path.child('from', 'name'), denied));
        }
        break;
      }
      case 'ImageStreamImage':
      case 'ImageStreamTag':
        if (tag.importPolicy?.scheduled) {
          errs.push(fieldErrors.invalid(path.child('importPolicy', 'scheduled'), true, SCHEDULED_DETAIL));
        }
        break;
      default:
        errs.push(fieldErrors.required(path.child('from', 'kind'), VALID_KINDS_DETAIL));
    }
  }
  const refType = tag.referencePolicy?.type ?? '';
  if (refType !== 'Source' && refType !== 'Local') {
    errs.push(fieldErrors.invalid(path.child('referencePolicy', 'type'), refType, REFERENCE_POLICY_DETAIL));
  }
  const mode = tag.importPolicy?.importMode ?? '';
  if (mode !== '' && mode !== 'Legacy' && mode !== 'PreserveOriginal') {
    errs.push(fieldErrors.invalid(path.child('importPolicy', 'importMode'), mode, IMPORT_MODE_DETAIL));
  }
  return errs;
}

/** R8–R11 for `spec.dockerImageRepository` (only when set). */
function validateDockerImageRepository(stream: ImageStream, insecureRepository: boolean, opts: ValidationOptions): FieldError[] {
  const repo = stream.spec.dockerImageRepository ?? '';
  if (repo === '') return [];
  const path = FieldPath.root('spec').child('dockerImageRepository');
  const parsed = parseImageReference(repo);
  if (!parsed.ok) return [fieldErrors.invalid(path, repo, parsed.error)];
  const errs: FieldError[] = [];
  if (parsed.ref.tag !== '') errs.push(fieldErrors.invalid(path, repo, 'the repository name may not contain a tag'));
  if (parsed.ref.id !== '') errs.push(fieldErrors.invalid(path, repo, 'the repository name may not contain an ID'));
  if (errs.length === 0 && opts.allowlist) {
    const denied = opts.allowlist.admit(parsed.ref, transportFor(insecureRepository));
    if (denied !== undefined) errs.push(fieldErrors.forbidden(path, denied));
  }
  return errs;
}

const statusItemPath = (tag: string, i: number): FieldPath =>
  FieldPath.root('status').child('tags').key(tag).child('items').index(i).child('dockerImageReference');

/** R19 over every status event. */
function validateStatusTags(stream: ImageStream, insecureRepository: boolean, opts: ValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  for (const list of stream.status?.tags ?? []) {
    (list.items ?? []).forEach((event, i) => {
      const path = statusItemPath(list.tag, i);
      const ref = event.dockerImageReference ?? '';
      if (ref === '') {
        errs.push(fieldErrors.required(path));
        return;
      }
      const parsed = parseImageReference(ref);
      if (!parsed.ok) {
        errs.push(fieldErrors.invalid(path, ref, parsed.error));
        return;
      }
      if (!opts.allowlist) return;
      const tagInsecure = !!specTagIndex(stream.spec).get(list.tag)?.importPolicy?.insecure;
      const denied = opts.allowlist.admit(parsed.ref, transportFor(tagInsecure || insecureRepository));
      if (denied !== undefined) errs.push(fieldErrors.forbidden(path, denied));
    });
  }
  return errs;
}

/** R1–R19: rules for create and main-resource update (`ValidateImageStreamWithWhitelister`). */
export function validateImageStream(stream: ImageStream, opts: ValidationOptions = {}): FieldError[] {
  const meta = stream.metadata;
  const errs = validateObjectMeta(meta, true, validateImageStreamName);
  const name = meta.name ?? '';
  if (Buffer.byteLength(`${meta.namespace ?? ''}/${name}`) > NAME_TOTAL_LENGTH_MAX) {
    errs.push(
      fieldErrors.invalid(
        FieldPath.root('metadata').child('name'),
        name,
        `'namespace/name' cannot be longer than ${NAME_TOTAL_LENGTH_MAX} characters`,
      ),
    );
  }
  const insecure = isRepositoryInsecure(stream);
  errs.push(...validateDockerImageRepository(stream, insecure, opts));
  const tagsPath = FieldPath.root('spec').child('tags');
  for (const tag of stream.spec.tags ?? []) errs.push(...validateTagReference(tag, tagsPath.key(tag.name), insecure, opts));
  errs.push(...validateStatusTags(stream, insecure, opts));
  return errs;
}

/** Every pull spec of the stored spec (repository and DockerImage tags). */
function specPullSpecs(stream: ImageStream): string[] {
  const out: string[] = [];
  if (stream.spec.dockerImageRepository) out.push(stream.spec.dockerImageRepository);
  for (const tag of stream.spec.tags ?? []) if (tag.from?.kind === 'DockerImage') out.push(tag.from.name ?? '');
  return out;
}

/** Every status pull spec with its paths and whether it is checked as insecure. */
function statusPullSpecs(stream: ImageStream): Map<string, { path: FieldPath; insecure: boolean }[]> {
  const insecure = isRepositoryInsecure(stream);
  const out = new Map<string, { path: FieldPath; insecure: boolean }[]>();
  for (const list of stream.status?.tags ?? []) {
    const tagInsecure = !!specTagIndex(stream.spec).get(list.tag)?.importPolicy?.insecure;
    (list.items ?? []).forEach((event, i) => {
      const ref = event.dockerImageReference ?? '';
      const entries = out.get(ref) ?? [];
      entries.push({ path: statusItemPath(list.tag, i), insecure: insecure || tagInsecure });
      out.set(ref, entries);
    });
  }
  return out;
}

const GENERIC_META_FIELDS = /^metadata\.(labels|annotations|ownerReferences)/;

/**
 * The metadata-update rules of the type's own update validation (upstream's core
 * `ValidateObjectMetaUpdate`): immutable identity fields and no new finalizers while
 * deleting. Label, annotation and owner rules are left to the generic checks (they run once
 * there and once more in `validateImageStream`, as upstream).
 */
export function validateMetadataUpdate(stream: ImageStream, old: ImageStream): FieldError[] {
  return validateObjectMetaUpdate(stream.metadata, old.metadata).filter(
    (e) => !GENERIC_META_FIELDS.test(e.field) && !(e.field.startsWith('metadata.finalizers') && e.type !== 'FieldValueForbidden'),
  );
}

/**
 * Main-resource update: immutable metadata, then R1–R19 with the stored stream's pull specs
 * allowed again (`ValidateImageStreamUpdateWithWhitelister`).
 */
export function validateImageStreamUpdate(stream: ImageStream, old: ImageStream, opts: ValidationOptions = {}): FieldError[] {
  let allowlist = opts.allowlist;
  if (allowlist) {
    allowlist = allowlist.copy();
    for (const spec of specPullSpecs(old)) allowlist.allowRepository(spec);
    for (const spec of statusPullSpecs(old).keys()) allowlist.allowRepository(spec);
  }
  return [...validateMetadataUpdate(stream, old), ...validateImageStream(stream, { allowlist })];
}

/**
 * `/status` update (§3.6): every status pull spec not already in the stored status must
 * parse (Invalid, even when empty) and pass the allow-list (Forbidden), reported at every
 * path carrying it.
 */
export function validateImageStreamStatusUpdate(stream: ImageStream, old: ImageStream, opts: ValidationOptions = {}): FieldError[] {
  const errs = validateMetadataUpdate(stream, old);
  const oldRefs = statusPullSpecs(old);
  const insecureRepository = isRepositoryInsecure(stream);
  for (const [ref, paths] of statusPullSpecs(stream)) {
    if (oldRefs.has(ref)) continue;
    const parsed = parseImageReference(ref);
    if (!parsed.ok) {
      for (const p of paths) errs.push(fieldErrors.invalid(p.path, ref, parsed.error));
      continue;
    }
    if (!opts.allowlist) continue;
    const insecure = insecureRepository || paths.some((p) => p.insecure);
    const denied = opts.allowlist.admit(parsed.ref, transportFor(insecure));
    if (denied !== undefined) for (const p of paths) errs.push(fieldErrors.forbidden(p.path, denied));
  }
  return errs;
}

/**
 * §4.0: tag-verifier and tag-resolution errors, aggregated into the message of an inner
 * `imagestreams "<name>" is invalid` error, become one `InternalError` cause at `[]`.
 */
export function wrapTagErrors(name: string, errors: readonly FieldError[]): FieldError[] {
  if (errors.length === 0) return [];
  return [fieldErrors.internal('[]', `imagestreams ${goQuote(name)} is invalid: ${aggregateMessage(errors)}`)];
}
