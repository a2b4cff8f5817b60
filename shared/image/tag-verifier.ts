/**
 * @module tag-verifier
 * The cross-namespace tag check (semantics §12.2, rule R23): a new or changed spec tag whose
 * `from.namespace` names another namespace needs `get imagestreams/layers` on the source
 * stream for the requesting user. The questions are asked up front (`accessChecks`); the
 * answers arrive in the strategy context and are turned into errors here.
 */
import { fieldErrors, FieldPath, type FieldError } from '../apimachinery/field-errors.js';
import { goQuote } from '../apimachinery/go-format.js';
import { accessKey, type AccessCheck, type AccessDecision } from '../apimachinery/registry/strategy.js';
import { isNewOrChangedTag } from './generation.js';
import { IMAGE_GROUP } from './resource.js';
import { FROM_NAME_FORMAT, parseFromReference } from './tag-resolution.js';
import type { ImageStream, TagReference } from './types.js';

/** The access question for pulling from `<namespace>/<stream>`. */
export const layersAccessCheck = (namespace: string, name: string): AccessCheck => ({
  verb: 'get',
  group: IMAGE_GROUP,
  resource: 'imagestreams',
  subresource: 'layers',
  namespace,
  name,
});

interface CrossNamespaceTag {
  readonly tag: TagReference;
  /** The source stream, or undefined when `from.name` does not parse (R20 grammar). */
  readonly source: { namespace: string; name: string } | undefined;
}

/** New/changed spec tags whose `from.namespace` is set and differs from the stream's, in name order. */
function crossNamespaceTags(stream: ImageStream, old: ImageStream | undefined): CrossNamespaceTag[] {
  const streamNs = stream.metadata.namespace ?? '';
  const out: CrossNamespaceTag[] = [];
  for (const tag of stream.spec.tags ?? []) {
    const from = tag.from;
    if (from === undefined || !from.namespace || from.namespace === streamNs) continue;
    if (!isNewOrChangedTag(tag, old, streamNs)) continue;
    const parsed = parseFromReference(stream.metadata.name ?? '', from);
    out.push({ tag, source: parsed ? { namespace: from.namespace, name: parsed.stream } : undefined });
  }
  return out;
}

/** The access checks R23 needs: one per distinct source stream. */
export function tagAccessChecks(stream: ImageStream, old: ImageStream | undefined): AccessCheck[] {
  const checks = new Map<string, AccessCheck>();
  for (const { source } of crossNamespaceTags(stream, old)) {
    if (source === undefined) continue;
    const check = layersAccessCheck(source.namespace, source.name);
    checks.set(accessKey(check), check);
  }
  return [...checks.values()];
}

/**
 * R23 errors: Invalid `from.name` for a name outside the grammar, Forbidden `from` for every
 * tag whose source stream the user may not pull from. A missing answer counts as a denial.
 */
export function verifyTagAccess(
  stream: ImageStream,
  old: ImageStream | undefined,
  access: ReadonlyMap<string, AccessDecision>,
): FieldError[] {
  const errs: FieldError[] = [];
  for (const { tag, source } of crossNamespaceTags(stream, old)) {
    const fromPath = FieldPath.root('spec').child('tags').key(tag.name).child('from');
    if (source === undefined) {
      errs.push(fieldErrors.invalid(fromPath.child('name'), tag.from?.name ?? '', FROM_NAME_FORMAT));
      continue;
    }
    const decision = access.get(accessKey(layersAccessCheck(source.namespace, source.name)));
    if (decision?.allowed) continue;
    const detail = `${source.namespace}/${source.name}: ${goQuote(decision?.reason ?? '')} ${goQuote(decision?.evaluationError ?? '')}`;
    errs.push(fieldErrors.forbidden(fromPath, detail));
  }
  return errs;
}
