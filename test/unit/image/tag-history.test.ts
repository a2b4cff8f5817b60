import { describe, expect, it } from 'vitest';
import {
  addTagEvent,
  fromTagHistory,
  toTagHistory,
  trackedTag,
  updateChangedTrackingTags,
  updateTrackingTags,
} from '../../../shared/image/tag-history.js';
import type { NamedTagEventList, TagEvent, TagReference } from '../../../shared/image/types.js';
import { event, history, istag, stream, tag } from './helpers.js';

const cond = { type: 'ImportSuccess', status: 'False', reason: 'NotFound', message: 'gone', generation: 1 };

describe('tag-history', () => {
  describe('addTagEvent', () => {
    const A = event('ref', 'image', 1, '2026-01-01T00:00:00Z');
    it.each<{ name: string; before: NamedTagEventList[]; next: TagEvent; changed: boolean; after: NamedTagEventList[] }>([
      {
        name: '§5.3 absent tag: history becomes [new]',
        before: [],
        next: A,
        changed: true,
        after: [history('latest', A)],
      },
      {
        name: '§5.3 empty tag: history becomes [new] and conditions are dropped',
        before: [{ tag: 'latest', conditions: [cond] }],
        next: A,
        changed: true,
        after: [history('latest', A)],
      },
      {
        name: '§5.3 same reference, image and generation: no change, conditions kept',
        before: [{ tag: 'latest', items: [A], conditions: [cond] }],
        next: { ...A, created: '2026-02-02T00:00:00Z' },
        changed: false,
        after: [{ tag: 'latest', items: [A], conditions: [cond] }],
      },
      {
        name: '§5.3 same reference and image, new generation: generation updated in place, created kept',
        before: [{ tag: 'latest', items: [A], conditions: [cond] }],
        next: event('ref', 'image', 7, '2026-02-02T00:00:00Z'),
        changed: true,
        after: [history('latest', event('ref', 'image', 7, '2026-01-01T00:00:00Z'))],
      },
      {
        name: '§5.3 same reference, different image: image and generation overwritten in place',
        before: [history('latest', A)],
        next: event('ref', 'newimage', 2, '2026-02-02T00:00:00Z'),
        changed: true,
        after: [history('latest', event('ref', 'newimage', 2, '2026-01-01T00:00:00Z'))],
      },
      {
        name: '§5.3 same image, different reference: reference overwritten in place',
        before: [history('latest', A)],
        next: event('newref', 'image', 2, '2026-02-02T00:00:00Z'),
        changed: true,
        after: [history('latest', event('newref', 'image', 2, '2026-01-01T00:00:00Z'))],
      },
      {
        name: '§5.3 both differ: new event prepended, conditions cleared',
        before: [{ tag: 'latest', items: [A], conditions: [cond] }],
        next: event('newref', 'newimage', 2),
        changed: true,
        after: [history('latest', event('newref', 'newimage', 2), A)],
      },
      {
        name: '§5.3 only the newest item is compared (A, B, A is possible)',
        before: [history('latest', event('b', 'B'), event('a', 'A'))],
        next: event('a', 'A'),
        changed: true,
        after: [history('latest', event('a', 'A'), event('b', 'B'), event('a', 'A'))],
      },
    ])('$name', ({ before, next, changed, after }) => {
      const h = toTagHistory(before);
      expect(addTagEvent(h, 'latest', next)).toBe(changed);
      expect(fromTagHistory(h) ?? []).toEqual(after);
    });

    it('keeps every entry: no history cap (§5.3)', () => {
      const h = toTagHistory([]);
      for (let i = 0; i < 500; i++) addTagEvent(h, 'latest', event(`r${i}`, `i${i}`));
      expect(h.get('latest')?.items).toHaveLength(500);
    });

    it('does not alias the added event (§5.3)', () => {
      const h = toTagHistory([]);
      const e = event('r', 'i');
      addTagEvent(h, 'latest', e);
      e.image = 'changed';
      expect(h.get('latest')?.items[0]?.image).toBe('i');
    });
  });

  describe('toTagHistory / fromTagHistory', () => {
    it('round-trips sorted by tag, with items unset for condition-only tags (§1.2, §1.4)', () => {
      const h = toTagHistory([history('b', event('x')), { tag: 'a', conditions: [cond] }]);
      h.set('0', { items: [] });
      expect(fromTagHistory(h)).toEqual([{ tag: '0' }, { tag: 'a', conditions: [cond] }, history('b', event('x'))]);
    });

    it('copies the events (§5.3 works on a copy)', () => {
      const input = [history('a', event('x'))];
      toTagHistory(input).get('a')!.items[0]!.image = 'changed';
      expect(input[0]?.items?.[0]?.image).toBe('');
    });
  });

  describe('trackedTag', () => {
    const s = stream('ruby', { namespace: 'ns' });
    it.each([
      { rule: '§5.4 <tag> follows this stream', from: istag('2.0'), want: '2.0' },
      { rule: '§5.4 <thisStream>:<tag>', from: istag('ruby:2.0'), want: '2.0' },
      { rule: '§5.4 <thisStream>: means latest', from: istag('ruby:'), want: 'latest' },
      { rule: '§5.4 explicit own namespace', from: istag('2.0', 'ns'), want: '2.0' },
      { rule: '§5.4 other stream does not track', from: istag('otherstream:2.0'), want: undefined },
      { rule: '§5.4 other namespace does not track', from: istag('2.0', 'other'), want: undefined },
      { rule: '§5.4 ImageStreamImage does not track', from: { kind: 'ImageStreamImage', name: '2.0' }, want: undefined },
      { rule: '§5.4 DockerImage does not track', from: { kind: 'DockerImage', name: '2.0' }, want: undefined },
      { rule: '§5.4 no from', from: undefined, want: undefined },
    ])('returns $want for $from.name ($rule)', ({ from, want }) => {
      expect(trackedTag(s, from)).toBe(want);
    });
  });

  describe('updateTrackingTags', () => {
    const NEW = event('ns/ruby@newid', 'newid');
    const build = (specTags: TagReference[]) =>
      stream('ruby', { tags: specTags, status: [history('2.0', event('ns/ruby@id', 'id')), history('3.0', event('ns/ruby@id', 'id'))] });

    it.each([
      { name: '§5.4 one tracking tag, one not', specTags: [tag('latest', istag('2.0')), tag('other')], updated: ['latest'] },
      {
        name: '§5.4 several tracking tags',
        specTags: [tag('latest1', istag('2.0')), tag('latest2', istag('ruby:2.0')), tag('other1'), tag('other2', istag('3.0'))],
        updated: ['latest1', 'latest2'],
      },
      { name: '§5.4 stream name in from.name', specTags: [tag('latest', istag('ruby:2.0'))], updated: ['latest'] },
      { name: '§5.4 other stream named', specTags: [tag('latest', istag('otherstream:2.0'))], updated: [] },
      { name: '§5.4 other namespace', specTags: [tag('latest', istag('2.0', 'other'))], updated: [] },
    ])('$name', ({ specTags, updated }) => {
      const s = build(specTags);
      const h = toTagHistory(s.status?.tags);
      expect(updateTrackingTags(s, h, '2.0', NEW)).toBe(updated.length);
      for (const t of updated) expect(h.get(t)?.items[0]).toEqual(NEW);
    });

    it('does not count a follower that already has the event (§5.4 same rules as §5.3)', () => {
      const s = build([tag('latest', istag('2.0'))]);
      const h = toTagHistory([...(s.status?.tags ?? []), history('latest', event('ns/ruby@id', 'id'))]);
      expect(updateTrackingTags(s, h, '2.0', event('ns/ruby@id', 'id'))).toBe(0);
    });
  });

  describe('updateChangedTrackingTags', () => {
    it('propagates only tags whose newest event changed against the stored status (§3.5)', () => {
      const s = stream('is', { tags: [tag('a', istag('src')), tag('b', istag('other'))] });
      const old = [history('src', event('r1', 'i1')), history('other', event('o', 'io'))];
      const h = toTagHistory([history('src', event('r2', 'i2'), event('r1', 'i1')), history('other', event('o', 'io'))]);
      expect(updateChangedTrackingTags(s, h, old)).toBe(1);
      expect(h.get('a')?.items).toEqual([event('r2', 'i2')]);
      expect(h.has('b')).toBe(false);
    });

    it('treats every tag with events as changed on create (§5.4)', () => {
      const s = stream('is', { tags: [tag('a', istag('src'))] });
      const h = toTagHistory([history('src', event('r1', 'i1'))]);
      expect(updateChangedTrackingTags(s, h, undefined)).toBe(1);
      expect(h.get('a')?.items).toEqual([event('r1', 'i1')]);
    });

    it('propagates one level per pass (§5.4)', () => {
      const s = stream('is', { tags: [tag('a', istag('src')), tag('b', istag('a'))] });
      const h = toTagHistory([history('src', event('r1', 'i1'))]);
      updateChangedTrackingTags(s, h, []);
      expect(h.get('a')?.items).toEqual([event('r1', 'i1')]);
      expect(h.has('b')).toBe(false);
    });

    it('does not propagate a deleted history (§3.5 tagsChanged)', () => {
      const s = stream('is', { tags: [tag('a', istag('src'))] });
      const h = toTagHistory([{ tag: 'src' }]);
      expect(updateChangedTrackingTags(s, h, [history('src', event('r', 'i'))])).toBe(0);
    });
  });
});
