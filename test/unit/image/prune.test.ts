import { describe, expect, it } from 'vitest';
import { collectReferences, parseGoDuration, pruneImageStream, PruneReferences, type PruneOptions } from '../../../shared/image/prune.js';
import type { ImageStream, NamedTagEventList, TagEvent } from '../../../shared/image/types.js';
import { docker, history, isimage, istag, stream, tag } from './helpers.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const HOUR = 3_600_000;
/** A distinct digest per number (its hex part starts with the number). */
const d = (n: number): string => `sha256:${n.toString(16).padStart(4, '0').repeat(16)}`;
/** An item `hoursAgo` old for image `n`. */
const item = (n: number, hoursAgo: number, ref = `quay.io/a/app@${d(n)}`): TagEvent => ({
  created: new Date(NOW.getTime() - hoursAgo * HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  dockerImageReference: ref,
  image: d(n),
  generation: 1,
});

/** Tag `name` with `count` revisions, newest first: image `base + i`, `start + i` hours old. */
const longHistory = (name: string, base: number, count: number, start = 2): NamedTagEventList =>
  history(name, ...Array.from({ length: count }, (_, i) => item(base + i, start + i)));

function app(status: NamedTagEventList[], extra: Partial<Parameters<typeof stream>[1]> = {}, created = '2026-01-01T00:00:00Z'): ImageStream {
  const s = stream('app', { namespace: 'demo', tags: [tag('v1', docker('quay.io/a/app:v1'))], status, ...extra });
  return { ...s, metadata: { ...s.metadata, creationTimestamp: created } };
}

const opts = (over: Partial<PruneOptions> = {}): PruneOptions => ({
  now: NOW,
  keepTagRevisions: 3,
  keepYoungerThanMs: HOUR,
  references: new PruneReferences(),
  ...over,
});

/** Surviving images per tag, by image number. */
const survivors = (s: ImageStream): Record<string, number[]> =>
  Object.fromEntries((s.status?.tags ?? []).map((t) => [t.tag, (t.items ?? []).map((e) => parseInt((e.image ?? '').slice(7, 11) || '-1', 16))]));

describe('prune', () => {
  describe('pruneImageStream', () => {
    it.each([
      { rule: '§11.4 keep-tag-revisions=3 keeps revisions 0-2 of a long history', o: {}, want: { v1: [100, 101, 102] } },
      { rule: '§11.4 keep-tag-revisions=0 keeps nothing old', o: { keepTagRevisions: 0 }, want: {} },
      { rule: '§11.4 keep-tag-revisions larger than the history keeps all', o: { keepTagRevisions: 50 }, want: { v1: Array.from({ length: 12 }, (_, i) => 100 + i) } },
      { rule: '§11.1 keep-younger-than keeps every item younger (5.5h)', o: { keepTagRevisions: 0, keepYoungerThanMs: 5.5 * HOUR }, want: { v1: [100, 101, 102, 103] } },
      { rule: '§11.1 an item exactly keep-younger-than old is not younger', o: { keepTagRevisions: 0, keepYoungerThanMs: 5 * HOUR }, want: { v1: [100, 101, 102] } },
      { rule: '§11.1+4 both rules: younger items and the first revisions', o: { keepTagRevisions: 2, keepYoungerThanMs: 4.5 * HOUR }, want: { v1: [100, 101, 102] } },
    ])('$rule', ({ o, want }) => {
      const result = pruneImageStream(app([longHistory('v1', 100, 12)]), opts(o));
      expect(survivors(result.stream)).toEqual(want);
    });

    it('reports every removed item with its revision, and the tags left empty', () => {
      const result = pruneImageStream(app([longHistory('v1', 100, 5), longHistory('old', 200, 2, 30)]), opts({ keepTagRevisions: 0 }));
      expect(result.deletedItems.map((i) => `${i.tag}#${i.revision}`)).toEqual(['old#0', 'old#1', 'v1#0', 'v1#1', 'v1#2', 'v1#3', 'v1#4']);
      expect(result.deletedItems[2]).toEqual({ tag: 'v1', revision: 0, image: d(100), dockerImageReference: `quay.io/a/app@${d(100)}`, created: '2026-11-26T10:00:00Z' });
      expect(result.deletedTags).toEqual(['old', 'v1']);
      expect(result.stream.status).toEqual({ dockerImageRepository: '' });
    });

    it('leaves a stream younger than keep-younger-than alone', () => {
      const s = app([longHistory('v1', 100, 12)], {}, '2026-11-26T11:30:00Z');
      const result = pruneImageStream(s, opts({ keepTagRevisions: 0 }));
      expect(result).toEqual({ stream: s, deletedItems: [], deletedTags: [], skipped: 'younger-than-keep-younger-than' });
    });

    it('returns the stream itself when nothing is removed', () => {
      const s = app([longHistory('v1', 100, 3)]);
      expect(pruneImageStream(s, opts()).stream).toBe(s);
    });

    it('drops items without an image (reference tags) once old, even the current one (§11.3)', () => {
      const s = app([history('ref', item(1, 3, 'quay.io/a/app:ref'), item(2, 4, 'quay.io/a/app:old'))].map((t) => ({ ...t, items: t.items!.map((e) => ({ ...e, image: '' })) })));
      const result = pruneImageStream(s, opts());
      expect(result.deletedItems.map((i) => i.revision)).toEqual([0, 1]);
      expect(result.deletedTags).toEqual(['ref']);
    });

    it('removes condition-only tags with the rest, but only when something was pruned', () => {
      const failed: NamedTagEventList = { tag: 'failed', conditions: [{ type: 'ImportSuccess', status: 'False', generation: 1 }] };
      expect(survivors(pruneImageStream(app([longHistory('v1', 100, 3), failed]), opts()).stream)).toEqual({ failed: [], v1: [100, 101, 102] });
      expect(survivors(pruneImageStream(app([longHistory('v1', 100, 5), failed]), opts()).stream)).toEqual({ v1: [100, 101, 102] });
    });

    describe('references', () => {
      const other = (over: Partial<Parameters<typeof stream>[1]>) => stream('other', { namespace: 'demo', ...over });
      const run = (...streams: ImageStream[]) => {
        const target = app([longHistory('v1', 100, 8), longHistory('v2', 300, 2, 10)]);
        return survivors(pruneImageStream(target, opts({ keepTagRevisions: 0, references: collectReferences([target, ...streams]) })).stream);
      };

      it.each([
        { rule: '§11.2 an ImageStreamTag spec reference keeps revision 0', s: other({ tags: [tag('copy', istag('app:v1'))] }), want: { v1: [100] } },
        { rule: '§11.2 an ImageStreamTag of another namespace', s: stream('x', { namespace: 'ops', tags: [tag('copy', istag('app:v2', 'demo'))] }), want: { v2: [300] } },
        { rule: '§11.5 an ImageStreamImage spec reference keeps that image', s: other({ tags: [tag('pin', isimage(`app@${d(105)}`))] }), want: { v1: [105] } },
        { rule: '§11.5 an ImageStreamImage hex prefix (R22)', s: other({ tags: [tag('pin', isimage(`app@${d(103).slice(7, 15)}`))] }), want: { v1: [103] } },
        { rule: '§11.5 an ImageStreamImage prefix (R22)', s: other({ tags: [tag('pin', isimage(`app@${d(106).slice(0, 11)}`))] }), want: { v1: [106] } },
        { rule: '§11.5 a DockerImage pull spec with a digest', s: other({ tags: [tag('pin', docker(`registry:5000/demo/app@${d(104)}`))] }), want: { v1: [104] } },
        { rule: '§11.2 a DockerImage pull spec with a tag', s: other({ tags: [tag('pin', docker('registry:5000/demo/app:v2'))] }), want: { v2: [300] } },
        { rule: '§11.5 another stream\'s status pull spec', s: other({ status: [history('x', item(107, 50, `registry:5000/demo/app@${d(107)}`))] }), want: { v1: [107] } },
        { rule: 'a pull spec without a registry does not count', s: other({ tags: [tag('pin', docker(`demo/app@${d(104)}`))] }), want: {} },
        { rule: 'a pull spec with a nested name does not count', s: other({ tags: [tag('pin', docker(`registry:5000/demo/app/x@${d(104)}`))] }), want: {} },
        { rule: 'another namespace\'s reference does not count', s: other({ tags: [tag('pin', isimage(`app@${d(105)}`, 'ops'))] }), want: {} },
      ])('$rule', ({ s, want }) => {
        expect(run(s)).toEqual(want);
      });

      it('counts the stream\'s own spec tags (pins) but not its own status', () => {
        const target = app([longHistory('v1', 100, 8)], {
          tags: [tag('v1', docker('quay.io/a/app:v1')), tag('pin', isimage(d(103)))],
        });
        target.status!.tags!.push(history('self', item(150, 40, `registry:5000/demo/app@${d(104)}`)));
        const result = pruneImageStream(target, opts({ keepTagRevisions: 0, references: collectReferences([target]) }));
        expect(survivors(result.stream)).toEqual({ v1: [103] });
      });

      it('keeps a referenced current revision even when it is only a reference item', () => {
        const target = app([history('ref', { ...item(1, 5, 'quay.io/a/app:ref'), image: '' })]);
        const refs = collectReferences([target, other({ tags: [tag('copy', istag('app:ref'))] })]);
        expect(survivors(pruneImageStream(target, opts({ references: refs })).stream)).toEqual({ ref: [-1] });
      });
    });
  });

  describe('PruneReferences', () => {
    describe('addPullSpec', () => {
      it.each([
        { spec: `quay.io/demo/app@${d(1)}`, tags: [], images: [d(1)] },
        { spec: 'quay.io/demo/app', tags: ['latest'], images: [] },
        { spec: 'quay.io/demo/app:v1', tags: ['v1'], images: [] },
        { spec: 'demo/app:v1', tags: [], images: [] },
        { spec: 'not a reference', tags: [], images: [] },
      ])('$spec', ({ spec, tags, images }) => {
        const refs = new PruneReferences();
        refs.addPullSpec(spec, 'me');
        expect(['latest', 'v1'].filter((t) => refs.tagReferrers('demo', 'app', t).length > 0)).toEqual(tags);
        expect([d(1)].filter((i) => refs.imageReferrers('demo', 'app', i).length > 0)).toEqual(images);
      });
    });
  });

  describe('parseGoDuration', () => {
    it.each([
      { text: '60m', want: 3_600_000 },
      { text: '1h30m', want: 5_400_000 },
      { text: '1.5h', want: 5_400_000 },
      { text: '90s', want: 90_000 },
      { text: '250ms', want: 250 },
      { text: '0', want: 0 },
      { text: '-5m', want: -300_000 },
      { text: '', want: undefined },
      { text: '60', want: undefined },
      { text: '1d', want: undefined },
      { text: 'm', want: undefined },
    ])('$text', ({ text, want }) => {
      expect(parseGoDuration(text)).toBe(want);
    });
  });
});
