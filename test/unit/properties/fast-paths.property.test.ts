/**
 * The hand-written fast paths checked against the code they stand in for, on random input:
 * - the typed decoder's direct walk (`fastDecode`) against zod's `safeParse` + `stripNulls`:
 *   whenever it answers, the value (key order included) and what is left of the input are
 *   the same; when the input is not plainly valid it must give up and leave the input as it was;
 * - the copy-on-write merge patch against the json-merge-patch library (RFC 7386), which
 *   stays as the test oracle: same result, and the target is never changed;
 * - the duplicate-key pre-check: it may only skip the scan of text that has no duplicates.
 */
import fc from 'fast-check';
import jsonMergePatch from 'json-merge-patch';
import { safeParse } from 'zod/mini';
import type * as core from 'zod/v4/core';
import { describe, expect, it } from 'vitest';
import { stripNulls } from '../../../shared/apimachinery/decode.js';
import { fastDecode } from '../../../shared/apimachinery/fast-decode.js';
import { findDuplicateKeys, mayHaveDuplicateKeys } from '../../../shared/apimachinery/json-body.js';
import { mergePatch } from '../../../shared/apimachinery/patch.js';
import { secretSchema } from '../../../shared/core/secret/types.js';
import { benchImageStream, benchStoredImageStream } from '../../../shared/image/bench-fixtures.js';
import { imageStreamTagSchema } from '../../../shared/image/istag-types.js';
import { imageStreamSchema } from '../../../shared/image/types.js';
import { roleBindingSchema, roleSchema } from '../../../shared/rbac/types.js';
import { mutate, STREAM } from '../../helpers/bad-input.js';
import { fuzzParams } from '../../helpers/fuzz.js';

const params = fuzzParams(1500);

const stored = benchStoredImageStream(2);
const BASES: [string, core.$ZodType, unknown][] = [
  ['ImageStream', imageStreamSchema, STREAM],
  ['ImageStream (bench create)', imageStreamSchema, benchImageStream(3)],
  [
    'ImageStream (stored, managedFields)',
    imageStreamSchema,
    {
      ...stored,
      metadata: {
        ...stored.metadata,
        finalizers: ['a'],
        ownerReferences: [{ apiVersion: 'v1', kind: 'X', uid: 'u', name: 'n', controller: true }],
        managedFields: [{ manager: 'm', operation: 'Update', apiVersion: 'v1', time: '2026-11-27T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:a': {} } } } }],
      },
    },
  ],
  ['ImageStreamTag', imageStreamTagSchema, { apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamTag', metadata: { name: 'a:b' }, tag: { name: 'b', from: { kind: 'DockerImage', name: 'x/y:z' } } }],
  ['Secret', secretSchema, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { a: 'YQ==' }, stringData: { b: 'c' } }],
  ['Role', roleSchema, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] }],
  ['RoleBinding', roleBindingSchema, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }] }],
];

/** Every path into a JSON value. */
function pathsOf(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...pathsOf(x, [...prefix, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...prefix, k]));
  return out;
}

const odd = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom<unknown>(null, 1.5, -0, 2 ** 60, '', true, [], {}, [null], { a: null }, JSON.parse('{"__proto__":1}'), { constructor: { a: 1 } }),
);

/** A base object with up to three random changes (set, delete, extra key), as JSON would give it. */
const input = fc.constantFrom(...BASES).chain(([name, schema, base]) => {
  const paths = pathsOf(base).filter((p) => p.length > 0);
  const change = fc.tuple(fc.constantFrom(...paths), fc.constantFrom('set', 'delete', 'extra'), odd);
  return fc.array(change, { maxLength: 3 }).map((changes) => {
    let v: unknown = base;
    for (const [p, how, value] of changes) {
      try {
        v = mutate(v, p, how as 'set', value);
      } catch {
        // The path no longer exists after an earlier change.
      }
    }
    return { name, schema, text: JSON.stringify(v) };
  });
});

describe('fast paths agree with what they stand in for', () => {
  it('fastDecode: same value and same leftovers as zod + stripNulls, or it gives up untouched', () => {
    let fast = 0;
    fc.assert(
      fc.property(input, ({ schema, text }) => {
        const raw = JSON.parse(text) as unknown;
        const out = fastDecode(schema, raw);
        if (out === undefined) {
          expect(JSON.stringify(raw)).toBe(text);
          return;
        }
        fast++;
        const viaZod = JSON.parse(text) as unknown;
        const parsed = safeParse(schema, viaZod);
        expect(parsed.success).toBe(true);
        expect(JSON.stringify(out.value)).toBe(JSON.stringify(stripNulls(parsed.data)));
        expect(JSON.stringify(raw)).toBe(JSON.stringify(viaZod));
      }),
      params,
    );
    // The property is only worth something if the fast path answers often.
    expect(fast).toBeGreaterThan(params.numRuns / 10);
  });

  it('mergePatch: the same result as json-merge-patch, without changing the target', () => {
    const doc = fc.oneof(fc.constantFrom<unknown>(STREAM, benchImageStream(2)), fc.jsonValue({ maxDepth: 3 }));
    const patch = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom<unknown>({ metadata: { labels: { a: null, b: 'c' } } }, { spec: { tags: null } }, { spec: { lookupPolicy: { local: true } } }, { a: { b: { c: null } } }),
    );
    fc.assert(
      fc.property(doc, patch, (target, p) => {
        const before = JSON.stringify(target);
        let expected: string;
        try {
          expected = JSON.stringify(jsonMergePatch.apply(structuredClone(target), structuredClone(p)));
        } catch (e) {
          expect(() => mergePatch(target, p)).toThrow((e as Error).message);
          return;
        }
        expect(JSON.stringify(mergePatch(target, p))).toBe(expected);
        expect(JSON.stringify(target)).toBe(before);
      }),
      params,
    );
  });

  it('mayHaveDuplicateKeys: never skips text that has duplicate keys', () => {
    const withDup = fc
      .tuple(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), fc.constantFrom('', ' ', '\n  '))
      .map(([v, k, x, ws]) => {
        const key = JSON.stringify(k);
        return `{${key}${ws}:${JSON.stringify(x)},"body":${JSON.stringify(v) ?? 'null'},${key}:${JSON.stringify(v) ?? 'null'}}`;
      });
    const plain = fc.oneof(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'), fc.constantFrom(JSON.stringify(STREAM), JSON.stringify(STREAM, null, 2)));
    fc.assert(
      fc.property(fc.oneof(withDup, plain), (text) => {
        const hasDuplicates = findDuplicateKeys(text).length > 0;
        if (hasDuplicates) expect(mayHaveDuplicateKeys(text, JSON.parse(text))).toBe(true);
      }),
      params,
    );
  });
});
