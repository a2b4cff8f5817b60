import { describe, expect, it } from 'vitest';
import { applyRetentionPolicy, KEEP_TAG_REVISIONS_ANNOTATION, retentionPolicyOf } from '../../../shared/image/retention-policy.js';
import type { ImageStream, NamedTagEventList } from '../../../shared/image/types.js';
import { docker, event, history, isimage, stream, tag } from './helpers.js';

const d = (n: number): string => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
const revisions = (name: string, ...images: number[]): NamedTagEventList => history(name, ...images.map((n) => event(`quay.io/a/app@${d(n)}`, d(n))));

function app(annotation: string | undefined, status: NamedTagEventList[], tags = [tag('v1', docker('quay.io/a/app:v1'))]): ImageStream {
  return stream('app', { namespace: 'demo', tags, status, ...(annotation !== undefined ? { annotations: { [KEEP_TAG_REVISIONS_ANNOTATION]: annotation } } : {}) });
}

const images = (s: ImageStream): Record<string, number[]> =>
  Object.fromEntries((s.status?.tags ?? []).map((t) => [t.tag, (t.items ?? []).map((e) => parseInt((e.image ?? '').slice(7, 11), 16))]));

describe('retention-policy', () => {
  describe('retentionPolicyOf', () => {
    it.each([
      { value: '3', want: { keepTagRevisions: 3 } },
      { value: ' 1 ', want: { keepTagRevisions: 1 } },
      { value: '0', want: undefined },
      { value: '-2', want: undefined },
      { value: 'three', want: undefined },
      { value: '2.5', want: undefined },
      { value: undefined, want: undefined },
    ])('reads $value', ({ value, want }) => {
      expect(retentionPolicyOf(app(value, []))).toEqual(want);
    });
  });

  describe('applyRetentionPolicy', () => {
    it('keeps the newest N items of every tag', () => {
      const out = applyRetentionPolicy(app('2', [revisions('v1', 1, 2, 3, 4), revisions('v2', 5, 6), revisions('v3', 7)]));
      expect(images(out)).toEqual({ v1: [1, 2], v2: [5, 6], v3: [7] });
    });

    it('keeps older items the stream\'s own spec tags pin', () => {
      const s = app('1', [revisions('v1', 1, 2, 3, 4)], [tag('v1', docker('quay.io/a/app:v1')), tag('pin', isimage(d(3)))]);
      expect(images(applyRetentionPolicy(s))).toEqual({ v1: [1, 3] });
    });

    it('leaves conditions and condition-only tags alone', () => {
      const failed: NamedTagEventList = { tag: 'failed', conditions: [{ type: 'ImportSuccess', status: 'False', generation: 1 }] };
      const withCondition = { ...revisions('v1', 1, 2, 3), conditions: [{ type: 'ImportSuccess', status: 'False', generation: 2 }] };
      const out = applyRetentionPolicy(app('1', [failed, withCondition]));
      expect(out.status?.tags).toEqual([failed, { ...withCondition, items: withCondition.items!.slice(0, 1) }]);
    });

    it.each([
      { why: 'without a policy', s: app(undefined, [revisions('v1', 1, 2, 3, 4)]) },
      { why: 'with an unusable policy', s: app('0', [revisions('v1', 1, 2, 3, 4)]) },
      { why: 'when every history is short enough', s: app('4', [revisions('v1', 1, 2, 3, 4)]) },
      { why: 'when the older items are pinned', s: app('1', [revisions('v1', 1, 2)], [tag('pin', isimage(d(2)))]) },
    ])('returns the stream itself $why', ({ s }) => {
      expect(applyRetentionPolicy(s)).toBe(s);
    });
  });
});
