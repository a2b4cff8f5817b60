import { describe, expect, it } from 'vitest';
import { errorString } from '../../../shared/apimachinery/field-errors.js';
import { toTagHistory } from '../../../shared/image/tag-history.js';
import {
  digestOrImageMatch,
  parseFromReference,
  referencedStreamKeys,
  resolveImageId,
  resolveTags,
  type ResolveInput,
} from '../../../shared/image/tag-resolution.js';
import type { ImageStream, NamedTagEventList } from '../../../shared/image/types.js';
import { DIGEST_A, DIGEST_B, DIGEST_C, NOW, docker, event, history, isimage, istag, referenced, stream, tag } from './helpers.js';

const REG = 'registry:5000/ns/stream';
const FORMAT = 'must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>';

/** A stream at generation `gen` whose tags all carry that generation (as after prepare). */
function prepared(tags: ReturnType<typeof tag>[], status: NamedTagEventList[] = [], gen = 1): ImageStream {
  return { ...stream('stream', { tags: tags.map((t) => ({ ...t, generation: gen })), status }), metadata: { name: 'stream', namespace: 'ns', generation: gen } };
}

const run = (input: Partial<ResolveInput> & { stream: ImageStream }) =>
  resolveTags({ old: undefined, referenced: new Map(), now: NOW, ...input });

const refsOf = (tags: NamedTagEventList[] | undefined) =>
  Object.fromEntries((tags ?? []).map((t) => [t.tag, (t.items ?? []).map((e) => [e.dockerImageReference, e.image])]));

describe('tag-resolution', () => {
  describe('parseFromReference', () => {
    it.each([
      { rule: '§6.2 ImageStreamTag <tag>', from: istag('t'), want: { stream: 'self', tagOrId: 't' } },
      { rule: '§6.2 ImageStreamTag <stream>:<tag>', from: istag('s:t'), want: { stream: 's', tagOrId: 't' } },
      { rule: '§6.2 ImageStreamTag empty tag', from: istag('s:'), want: { stream: 's', tagOrId: '' } },
      { rule: 'R20 ImageStreamTag with two colons', from: istag('a:b:c'), want: undefined },
      { rule: '§6.2 ImageStreamImage <id>', from: isimage(DIGEST_A), want: { stream: 'self', tagOrId: DIGEST_A } },
      { rule: '§6.2 ImageStreamImage <stream>@<id>', from: isimage(`s@${DIGEST_A}`), want: { stream: 's', tagOrId: DIGEST_A } },
      { rule: 'R20 ImageStreamImage with two @', from: isimage('a@b@c'), want: undefined },
      { rule: 'R20 DockerImage kind', from: docker('x'), want: undefined },
      { rule: 'R20 empty kind', from: { name: 'x' }, want: undefined },
    ])('parses $from.name ($rule)', ({ from, want }) => {
      expect(parseFromReference('self', from)).toEqual(want);
    });
  });

  describe('digestOrImageMatch', () => {
    it.each([
      { rule: 'R22 full image', image: DIGEST_A, id: DIGEST_A, want: true },
      { rule: 'R22 digest prefix', image: DIGEST_A, id: 'sha256:e3b0', want: true },
      { rule: 'R22 hex prefix', image: DIGEST_A, id: 'e3b0c4', want: true },
      { rule: 'R22 no match', image: DIGEST_A, id: '293a', want: false },
      { rule: 'R22 non-digest image prefix', image: 'mytag', id: 'my', want: true },
    ])('returns $want for $id ($rule)', ({ image, id, want }) => {
      expect(digestOrImageMatch(image, id)).toBe(want);
    });
  });

  describe('resolveImageId', () => {
    const h = toTagHistory([
      history('tag1', event(`repo@${DIGEST_A}`, DIGEST_A), event(`repo@${DIGEST_B}`, DIGEST_B)),
      history('tag2', event(`other@${DIGEST_A}`, DIGEST_A), event('repo:mytag', 'mytag'), event('repo:mytag2', 'mytag2')),
    ]);

    it.each([
      { rule: 'R22 hex prefix resolves', id: 'e3b0', want: { event: { created: NOW, dockerImageReference: `repo@${DIGEST_A}`, image: DIGEST_A, generation: 0 } } },
      { rule: 'R22 full digest in a later tag/position', id: DIGEST_B, want: { event: { created: NOW, dockerImageReference: `repo@${DIGEST_B}`, image: DIGEST_B, generation: 0 } } },
      { rule: 'R22 not found', id: DIGEST_C, want: { error: `imagestreamimage.image.openshift.io "${DIGEST_C}" not found` } },
      {
        rule: 'R22 several images match the prefix',
        id: 'mytag',
        want: {
          error: 'Operation cannot be fulfilled on imagestreamimage.image.openshift.io "mytag": multiple images match the prefix "mytag": mytag, mytag2',
        },
      },
    ])('$rule', ({ id, want }) => {
      expect(resolveImageId(h, id, NOW)).toEqual(want);
    });
  });

  describe('referencedStreamKeys', () => {
    it.each([
      { rule: 'R21 other stream in the namespace', t: tag('a', istag('other:latest')), keys: [{ namespace: 'ns', name: 'other' }] },
      { rule: 'R21 other namespace', t: tag('a', istag('other:latest', 'far')), keys: [{ namespace: 'far', name: 'other' }] },
      { rule: 'R21 ImageStreamImage source', t: tag('a', isimage(`other@${DIGEST_A}`)), keys: [{ namespace: 'ns', name: 'other' }] },
      { rule: '§6.1 same stream needs no lookup', t: tag('a', istag('latest')), keys: [] },
      { rule: '§6.1 same stream by name needs no lookup', t: tag('a', istag('stream:latest')), keys: [] },
      { rule: '§6.1 own stream in another namespace is another stream', t: tag('a', istag('stream:latest', 'far')), keys: [{ namespace: 'far', name: 'stream' }] },
      { rule: '§6.3 DockerImage needs no lookup', t: tag('a', docker('x:y')), keys: [] },
      { rule: 'R20 bad grammar needs no lookup', t: tag('a', istag('a:b:c')), keys: [] },
      { rule: 'R21 an empty stream name cannot be looked up', t: tag('a', istag(':latest')), keys: [] },
    ])('$rule', ({ t, keys }) => {
      expect(referencedStreamKeys(stream('stream', { tags: [t] }), undefined)).toEqual(keys);
    });

    it('skips unchanged tags on update (§3.5)', () => {
      const t = tag('a', istag('other:latest'), { generation: 3 });
      expect(referencedStreamKeys(stream('stream', { tags: [{ ...t, generation: 0 }] }), stream('stream', { tags: [t] }))).toEqual([]);
    });
  });

  describe('resolveTags', () => {
    // §6.3; scenarios follow strategy_test.go#TestTagsChanged.
    it('adds an event for a new reference tag, keeping other history (§6.3 step 1, §13.11)', () => {
      const s = prepared([tag('t1', docker(`${REG}:t1`), { reference: true })], [history('t2', event(`${REG}@${DIGEST_A}`, DIGEST_A))]);
      const out = run({ stream: s });
      expect(out.errors).toEqual([]);
      expect(out.tags).toEqual([
        history('t1', { created: NOW, dockerImageReference: `${REG}:t1`, image: '', generation: 1 }),
        history('t2', event(`${REG}@${DIGEST_A}`, DIGEST_A)),
      ]);
    });

    it.each([
      { rule: '§6.3 empty tag ignored', tags: [tag('t1')] },
      { rule: '§6.3 DockerImage without reference waits for import', tags: [tag('t1', docker('t2'))] },
      { rule: 'R13/R20 DockerImage with empty name: no event', tags: [tag('t1', { kind: 'DockerImage' })], errors: [`spec.tags[t1].from.name: Invalid value: "": ${FORMAT}`] },
    ])('produces no event: $rule', ({ tags, errors }) => {
      const out = run({ stream: prepared(tags) });
      expect(out.tags).toBeUndefined();
      expect(out.errors.map(errorString)).toEqual(errors ?? []);
    });

    it('keeps the reference verbatim (not normalised) (§6.3 step 1)', () => {
      const out = run({ stream: prepared([tag('t', docker(`docker.io/busybox@${DIGEST_A}`), { reference: true })]) });
      expect(refsOf(out.tags)).toEqual({ t: [[`docker.io/busybox@${DIGEST_A}`, '']] });
    });

    it('does not touch unchanged tags on update (§3.5 no-op)', () => {
      const tags = [tag('t1', docker('v1image1')), tag('t2', docker(`@${DIGEST_A}`))];
      const status = [history('t1', event(`${REG}:v1image1`, 'v1image1')), history('t2', event(`${REG}@${DIGEST_A}`, DIGEST_A))];
      const s = prepared(tags, status, 2);
      const out = run({ stream: s, old: prepared(tags, status, 2) });
      expect(out.tags).toEqual(s.status?.tags);
    });

    it('re-resolves tags whose reference changed and copies into new tags (§6.3, TestTagsChanged "new tag copies existing history")', () => {
      const old = prepared(
        [tag('t1', docker('t1')), tag('t3', docker(`@${DIGEST_A}`))],
        [history('t1', event(`${REG}:v1image1`, 'v1image1')), history('t3', event(`${REG}@${DIGEST_A}`, DIGEST_A))],
      );
      const s = prepared(
        [
          tag('t1', docker(`${REG}:v1image1`), { reference: true }),
          tag('t2', docker(`${REG}:v1image1`), { reference: true }),
          tag('t3', docker(`@${DIGEST_A}`), { reference: true }),
        ],
        old.status?.tags,
        2,
      );
      const out = run({ stream: s, old });
      expect(refsOf(out.tags)).toEqual({
        t1: [[`${REG}:v1image1`, '']],
        t2: [[`${REG}:v1image1`, '']],
        t3: [
          [`@${DIGEST_A}`, ''],
          [`${REG}@${DIGEST_A}`, DIGEST_A],
        ],
      });
    });

    it('copies the newest event of a tag in the same stream (§6.3 step 3, created copied)', () => {
      const src = event(`${REG}@${DIGEST_A}`, DIGEST_A, 1, '2020-02-02T02:02:02Z');
      const out = run({ stream: prepared([tag('t1', istag('stream:other'))], [history('other', src)], 3) });
      expect(out.tags).toEqual([
        // §5.8: the same-stream source's newest event takes the generation too.
        history('other', { ...src, generation: 3 }),
        history('t1', { ...src, generation: 3 }),
      ]);
    });

    it('resolves ImageStreamImage in the same stream and applies tracking (TestTagsChanged "referenced tag should react")', () => {
      const old = prepared(
        [tag('t1', istag('stream:other')), tag('t2', istag('stream:t1'))],
        [
          history('other', event(`${REG}@${DIGEST_B}`, DIGEST_B), event(`${REG}@${DIGEST_A}`, DIGEST_A)),
          history('t1', event(`${REG}@${DIGEST_B}`, DIGEST_B)),
          history('t2', event(`${REG}@${DIGEST_B}`, DIGEST_B)),
        ],
      );
      const s = prepared([tag('t1', isimage(`stream@${DIGEST_A}`)), tag('t2', istag('stream:t1'))], old.status?.tags, 2);
      const out = run({ stream: s, old });
      expect(out.errors).toEqual([]);
      expect(refsOf(out.tags)).toEqual({
        other: [
          [`${REG}@${DIGEST_B}`, DIGEST_B],
          [`${REG}@${DIGEST_A}`, DIGEST_A],
        ],
        t1: [
          [`${REG}@${DIGEST_A}`, DIGEST_A],
          [`${REG}@${DIGEST_B}`, DIGEST_B],
        ],
        t2: [
          [`${REG}@${DIGEST_A}`, DIGEST_A],
          [`${REG}@${DIGEST_B}`, DIGEST_B],
        ],
      });
      expect(out.tags?.find((t) => t.tag === 't1')?.items?.[0]).toEqual({ created: NOW, dockerImageReference: `${REG}@${DIGEST_A}`, image: DIGEST_A, generation: 2 });
    });

    it('matches a non-digest image id (TestTagsChanged "bad digest")', () => {
      const out = run({ stream: prepared([tag('t1', isimage('stream@12345'))], [history('other', event('registry:5000/ns/stream:12345', '12345'))]) });
      expect(refsOf(out.tags)['t1']).toEqual([['registry:5000/ns/stream:12345', '12345']]);
    });

    it('copies once from another stream (§6.1 cross-stream copy, TestTagsChanged "different stream")', () => {
      const other = stream('other', { status: [history('other', event(`${REG}@${DIGEST_A}`, DIGEST_A, 9))] });
      const out = run({ stream: prepared([tag('t1', istag('other:other'))]), referenced: referenced(other) });
      expect(out.tags).toEqual([history('t1', event(`${REG}@${DIGEST_A}`, DIGEST_A, 1))]);
      expect(other.status?.tags?.[0]?.items?.[0]?.generation).toBe(9);
    });

    it('copies the same source into several tags independently (§6.3)', () => {
      const other = stream('other', { status: [history('latest', event(`q/o@${DIGEST_A}`, DIGEST_A, 9))] });
      const out = run({ stream: prepared([tag('a', istag('other:latest')), tag('b', istag('other:latest'))], [], 4), referenced: referenced(other) });
      expect(out.tags).toEqual([history('a', event(`q/o@${DIGEST_A}`, DIGEST_A, 4)), history('b', event(`q/o@${DIGEST_A}`, DIGEST_A, 4))]);
    });

    it('produces no event and no error when the source tag has no image (R22 note)', () => {
      const out = run({ stream: prepared([tag('t1', istag('other:missing'))]), referenced: referenced(stream('other')) });
      expect(out).toEqual({ tags: undefined, errors: [] });
    });

    it('resolves an empty ImageStreamTag name to latest (§6.2)', () => {
      const out = run({ stream: prepared([tag('t1', istag('other:'))]), referenced: referenced(stream('other', { status: [history('latest', event('r', 'i'))] })) });
      expect(refsOf(out.tags)).toEqual({ t1: [['r', 'i']] });
    });

    it.each([
      {
        rule: 'R20 too many separators',
        t: tag('t', istag('a:b:c')),
        errors: [`spec.tags[t].from.name: Invalid value: "a:b:c": ${FORMAT}`],
      },
      { rule: 'R20 unknown kind', t: tag('t', { kind: 'Image', name: 'x' }), errors: [`spec.tags[t].from.name: Invalid value: "x": ${FORMAT}`] },
      { rule: 'R20 empty kind', t: tag('t', { name: 'x' }), errors: [`spec.tags[t].from.name: Invalid value: "x": ${FORMAT}`] },
      { rule: 'R21 source stream missing', t: tag('t', istag('missing:latest')), errors: ['spec.tags[t].from.name: Not found: "missing:latest"'] },
      {
        rule: 'R21 source stream name not a valid key',
        t: tag('t', istag(':latest')),
        errors: ['spec.tags[t].from.name: Invalid value: ":latest": unable to retrieve image stream: Name parameter required.'],
      },
      {
        rule: 'R21 source stream name with a slash',
        t: tag('t', istag('a/b:latest')),
        errors: [`spec.tags[t].from.name: Invalid value: "a/b:latest": unable to retrieve image stream: Name parameter invalid: "a/b": may not contain '/'`],
      },
      {
        rule: 'R22 no image matches',
        t: tag('t', isimage(`stream@${DIGEST_C}`)),
        errors: [`spec.tags[t].from.name: Invalid value: "stream@${DIGEST_C}": error generating tag event: imagestreamimage.image.openshift.io "${DIGEST_C}" not found`],
      },
    ])('reports $rule', ({ t, errors }) => {
      const out = run({ stream: prepared([t]) });
      expect(out.errors.map(errorString)).toEqual(errors);
    });

    it('reports R22 when several images match a prefix', () => {
      const s = prepared([tag('t', isimage('sha256:'))], [history('a', event('r1', DIGEST_A)), history('b', event('r2', DIGEST_B))]);
      expect(run({ stream: s }).errors.map(errorString)).toEqual([
        `spec.tags[t].from.name: Invalid value: "sha256:": error generating tag event: Operation cannot be fulfilled on imagestreamimage.image.openshift.io "sha256:": multiple images match the prefix "sha256:": ${DIGEST_B}, ${DIGEST_A}`,
      ]);
    });

    describe('internal registry rewrite (§6.3 step 5)', () => {
      const IRH = 'registry:5000';
      const src = (ref: string) => stream('src', { namespace: 'other', status: [history('latest', event(ref, DIGEST_A))] });
      it.each([
        { rule: '§6.3 source repository in IRH moves to this stream', ref: `${IRH}/other/src@${DIGEST_A}`, reference: false, want: `${IRH}/ns/stream@${DIGEST_A}` },
        { rule: '§6.3 exact form drops a tag next to a digest', ref: `${IRH}/other/src:v1@${DIGEST_A}`, reference: false, want: `${IRH}/ns/stream@${DIGEST_A}` },
        { rule: '§6.3 reference tags keep the source', ref: `${IRH}/other/src@${DIGEST_A}`, reference: true, want: `${IRH}/other/src@${DIGEST_A}` },
        { rule: '§6.3 external registries kept', ref: `quay.io/other/src@${DIGEST_A}`, reference: false, want: `quay.io/other/src@${DIGEST_A}` },
        { rule: '§6.3 another repository in IRH kept', ref: `${IRH}/other/third@${DIGEST_A}`, reference: false, want: `${IRH}/other/third@${DIGEST_A}` },
      ])('$rule', ({ ref, reference, want }) => {
        const s = prepared([tag('t', istag('src:latest', 'other'), { reference })]);
        const out = run({ stream: s, referenced: referenced(src(ref)), internalRegistryHostname: IRH });
        expect(refsOf(out.tags)).toEqual({ t: [[want, DIGEST_A]] });
      });

      it('is skipped without an internal registry (§6.3 step 5)', () => {
        const s = prepared([tag('t', istag('src:latest', 'other'))]);
        const out = run({ stream: s, referenced: referenced(src(`${IRH}/other/src@${DIGEST_A}`)) });
        expect(refsOf(out.tags)).toEqual({ t: [[`${IRH}/other/src@${DIGEST_A}`, DIGEST_A]] });
      });
    });
  });
});
