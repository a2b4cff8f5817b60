/**
 * @module patch
 * PATCH bodies: the media type selects the patch type; JSON patch (RFC 6902, via
 * fast-json-patch), JSON merge patch (RFC 7386: `mergePatch`, copy-on-write so a small patch of
 * a large object costs what it touches; the json-merge-patch library is its test oracle) and
 * strategic merge patch are applied to the current object's JSON. Server-side apply is handled separately.
 * Errors carry the apiserver's codes: malformed documents 400, failing operations 422,
 * more than 10000 operations 413.
 */
import fastJsonPatch from 'fast-json-patch';
import type { FieldMeta } from './field-meta.js';
import { parseMediaType } from './negotiation.js';
import { badRequest, requestEntityTooLarge, StatusError, unsupportedMediaType } from './status.js';
import { PatchError, strategicMergePatch } from './strategic-merge-patch.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_MEDIA_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The order the apiserver lists them in its 415 message. */
const ACCEPTED = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
  'application/strategic-merge-patch+json',
];

export const MAX_JSON_PATCH_OPERATIONS = 10_000;

export function patchTypeOf(contentType: string | undefined): PatchType {
  const mt = contentType === undefined ? undefined : parseMediaType(contentType);
  const type = mt ? PATCH_MEDIA_TYPES[`${mt.type}/${mt.subtype}`] : undefined;
  if (type === undefined) throw unsupportedMediaType(ACCEPTED);
  return type;
}

/** 422 for a patch that is well-formed but cannot be applied (RFC 6902 `test` failed, path missing…). */
const rejected = (): StatusError =>
  new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'the server rejected our request due to an error in our request',
    reason: 'Invalid',
    details: {},
    code: 422,
  });

const OP_FIELDS = new Set(['op', 'path', 'value', 'from']);

/** Unknown keys in JSON patch operations (`[0].valu`), reported like unknown object fields. */
export function jsonPatchUnknownFields(ops: unknown): string[] {
  if (!Array.isArray(ops)) return [];
  const out: string[] = [];
  ops.forEach((op, i) => {
    if (op !== null && typeof op === 'object') for (const k of Object.keys(op)) if (!OP_FIELDS.has(k)) out.push(`[${i}].${k}`);
  });
  return out;
}

function parsePatchDocument(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding patch: ${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const serialize = (v: unknown): unknown =>
  v !== null && v !== undefined && typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON: () => unknown }).toJSON() : v;

/**
 * RFC 7386 merge patch exactly as json-merge-patch's `apply`, but copy-on-write: the
 * objects the patch changes are copied, everything else is shared with `target` (which is
 * left unchanged), so a patch to a large object costs what it touches.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  patch = serialize(patch);
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const original = serialize(target);
  // (Named as in the library: its errors, e.g. on a `hasOwnProperty` key, read the same.)
  target = original === null || typeof original !== 'object' || Array.isArray(original) ? {} : { ...(original as Record<string, unknown>) };
  type Target = Record<string, unknown> & { hasOwnProperty(k: string): boolean };
  const p = patch as Record<string, unknown>;
  for (const key of Object.keys(p)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') return target;
    if (p[key] === null) {
      // eslint-disable-next-line no-prototype-builtins -- as the library calls it
      if ((target as Target).hasOwnProperty(key)) delete (target as Target)[key];
    } else {
      (target as Target)[key] = mergePatch((target as Target)[key], p[key]);
    }
  }
  return target;
}

/**
 * Applies a non-apply patch to `current` (the object's JSON as a client would GET it) and
 * returns the patched JSON value. Does not decode or validate the result.
 */
export function applyPatch(type: Exclude<PatchType, 'apply'>, current: unknown, body: string, meta: FieldMeta): unknown {
  if (type === 'merge') {
    const patch = parsePatchDocument(body, 'merge patch');
    return mergePatch(current, patch);
  }
  const doc = structuredClone(current);
  switch (type) {
    case 'json': {
      const ops = parsePatchDocument(body, 'json patch');
      if (!Array.isArray(ops) || ops.some((o) => o === null || typeof o !== 'object' || Array.isArray(o))) {
        throw badRequest('error decoding patch: json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      }
      if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
        throw requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
      }
      try {
        return fastJsonPatch.applyPatch(doc, ops as fastJsonPatch.Operation[], true, true, true).newDocument;
      } catch {
        // Validation errors (JsonPatchError) and operations the library cannot carry out on this
        // document (a `move` of a value into its own child throws a TypeError) alike: the patch
        // does not apply, as upstream's "doc is missing path".
        throw rejected();
      }
    }
    case 'strategic': {
      const patch = parsePatchDocument(body, 'strategic merge patch');
      try {
        return strategicMergePatch(doc, patch, meta);
      } catch (e) {
        if (e instanceof PatchError) throw badRequest(e.message);
        throw e;
      }
    }
  }
}
