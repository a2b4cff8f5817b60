/**
 * @module validation
 * `ValidateImageStream` and friends: field rules with upstream paths, reasons and messages
 * (semantics §4). Pure functions returning FieldError lists.
 */
import { fieldErrors, FieldPath, type FieldError } from '../apimachinery/field-errors.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../apimachinery/meta.js';
import { isValidPathSegmentName } from '../apimachinery/validation.js';
import type { ImageStream, TagReference } from './types.js';

export const IMAGE_STREAM_NAME_FMT = '[a-z0-9]+(?:[._-][a-z0-9]+)*';
const IMAGE_STREAM_NAME_RE = new RegExp(`^${IMAGE_STREAM_NAME_FMT}$`);

/** R2–R4: path-segment rules, then the repository-name pattern. */
export function validateImageStreamName(name: string, prefix: boolean): string[] {
  const errs = isValidPathSegmentName(name, prefix);
  if (errs.length > 0) return errs;
  if (!IMAGE_STREAM_NAME_RE.test(name)) return [`must match ${JSON.stringify(IMAGE_STREAM_NAME_FMT)}`];
  return [];
}

const VALID_KINDS = "valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'";

function validateTagReference(tag: TagReference, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const from = tag.from;
  if (from !== undefined) {
    if (!from.name) errs.push(fieldErrors.required(path.child('from', 'name')));
    switch (from.kind) {
      case 'DockerImage':
        break;
      case 'ImageStreamImage':
      case 'ImageStreamTag':
        if (tag.importPolicy?.scheduled) {
          errs.push(
            fieldErrors.invalid(
              path.child('importPolicy', 'scheduled'),
              true,
              'only tags pointing to Docker repositories may be scheduled for background import',
            ),
          );
        }
        break;
      default:
        errs.push(fieldErrors.required(path.child('from', 'kind'), VALID_KINDS));
    }
  }
  const refType = tag.referencePolicy?.type ?? '';
  if (refType !== 'Source' && refType !== 'Local') {
    errs.push(fieldErrors.invalid(path.child('referencePolicy', 'type'), refType, 'valid values are "Source", "Local"'));
  }
  const mode = tag.importPolicy?.importMode ?? '';
  if (mode !== '' && mode !== 'Legacy' && mode !== 'PreserveOriginal') {
    errs.push(
      fieldErrors.invalid(
        path.child('importPolicy', 'importMode'),
        mode,
        "invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'",
      ),
    );
  }
  return errs;
}

/** Rules for create and main-resource update (R1–R18). */
export function validateImageStream(stream: ImageStream): FieldError[] {
  const meta = stream.metadata;
  const errs = validateObjectMeta(meta, true, validateImageStreamName);
  const name = meta.name ?? '';
  if ((meta.namespace ?? '').length + name.length + 1 > 255) {
    errs.push(fieldErrors.invalid(FieldPath.root('metadata').child('name'), name, "'namespace/name' cannot be longer than 255 characters"));
  }
  const tagsPath = FieldPath.root('spec').child('tags');
  for (const tag of stream.spec.tags ?? []) errs.push(...validateTagReference(tag, tagsPath.key(tag.name)));
  return errs;
}

export function validateImageStreamUpdate(stream: ImageStream, old: ImageStream): FieldError[] {
  return [...validateObjectMetaUpdate(stream.metadata, old.metadata), ...validateImageStream(stream)];
}
