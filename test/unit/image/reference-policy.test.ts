import { describe, expect, it } from 'vitest';
import {
  latestTaggedImage,
  resolveLatestTaggedImage,
  resolvePullSpecForTag,
  resolveReferenceForTagEvent,
} from '../../../shared/image/reference-policy.js';
import type { ImageStream } from '../../../shared/image/types.js';
import { DIGEST_A, docker, event, history, istag, stream, tag } from './helpers.js';

const IRH_REPO = 'image-registry.openshift-image-registry.svc:5000/myns/mystream';
const EV = event(`quay.io/a/b@${DIGEST_A}`, DIGEST_A, 2);

const withPolicy = (type: string, statusRepository = IRH_REPO, extra = {}): ImageStream =>
  stream('mystream', {
    namespace: 'myns',
    statusRepository,
    tags: [tag('latest', docker('quay.io/a/b:latest'), { referencePolicy: { type }, generation: 2, ...extra })],
    status: [history('latest', EV)],
  });

describe('reference-policy', () => {
  describe('resolveReferenceForTagEvent', () => {
    it.each([
      { rule: '§8 Source: the event reference', s: withPolicy('Source'), ev: EV, want: EV.dockerImageReference },
      { rule: '§8 Local: internal repository pinned by digest', s: withPolicy('Local'), ev: EV, want: `${IRH_REPO}@${DIGEST_A}` },
      { rule: '§8 Local without image id falls back', s: withPolicy('Local'), ev: event('quay.io/a/b:1', ''), want: 'quay.io/a/b:1' },
      { rule: '§8 Local without local repository falls back', s: withPolicy('Local', ''), ev: EV, want: EV.dockerImageReference },
      { rule: '§8 Local with an unparsable repository falls back', s: withPolicy('Local', 'Not Valid'), ev: EV, want: EV.dockerImageReference },
      { rule: '§8 Local quirk: mirrors spec.dockerImageRepository without IRH', s: withPolicy('Local', 'quay.io/a/b'), ev: EV, want: `quay.io/a/b@${DIGEST_A}` },
      { rule: '§8 Local with a non-digest image id prints it as a tag', s: withPolicy('Local'), ev: event('r', '12345'), want: `${IRH_REPO}:12345` },
    ])('$rule', ({ s, ev, want }) => {
      expect(resolveReferenceForTagEvent(s, 'latest', ev)).toBe(want);
    });

    it('treats status-only tags as Source (§8)', () => {
      expect(resolveReferenceForTagEvent(withPolicy('Local'), 'pushed', EV)).toBe(EV.dockerImageReference);
    });
  });

  describe('latestTaggedImage', () => {
    it.each([
      { rule: '§8 newest item', tagName: 'latest', want: EV },
      { rule: '§8 empty tag means latest', tagName: '', want: EV },
      { rule: '§8 unknown tag', tagName: 'nope', want: undefined },
    ])('$rule', ({ tagName, want }) => {
      expect(latestTaggedImage(withPolicy('Source'), tagName)).toEqual(want);
    });
  });

  describe('resolveLatestTaggedImage', () => {
    it.each([
      { rule: '§8 Local policy applied to the newest event', s: withPolicy('Local'), want: `${IRH_REPO}@${DIGEST_A}` },
      { rule: '§8 no event: nothing to resolve', s: stream('x', { tags: [tag('latest', istag('other'))] }), want: undefined },
    ])('$rule', ({ s, want }) => {
      expect(resolveLatestTaggedImage(s, '')).toBe(want);
    });
  });

  describe('resolvePullSpecForTag', () => {
    const pending = withPolicy('Source', IRH_REPO, { generation: 3 });
    const pendingLocal = withPolicy('Local', IRH_REPO, { generation: 3 });
    it.each([
      { rule: '§8 current event', s: withPolicy('Local'), opts: {}, want: { ok: true, pullSpec: `${IRH_REPO}@${DIGEST_A}`, hasNewer: false, hasStatus: true, isTagEmpty: false } },
      { rule: '§8 stale event tolerated without requireLatest', s: pendingLocal, opts: {}, want: { ok: true, pullSpec: `${IRH_REPO}@${DIGEST_A}`, hasNewer: true, hasStatus: true, isTagEmpty: false } },
      { rule: '§8 stale non-Source tag refused with requireLatest', s: pendingLocal, opts: { requireLatest: true }, want: { ok: false, error: 'wait-for-pull-spec' } },
      { rule: '§8 stale Source DockerImage tag resolves to from.name', s: pending, opts: { requireLatest: true }, want: { ok: true, pullSpec: 'quay.io/a/b:latest', hasNewer: false, hasStatus: false, isTagEmpty: false } },
      {
        rule: '§8 no spec nor status: <repository>:<tag>',
        s: stream('x', { statusRepository: 'irh/ns/x' }),
        opts: {},
        want: { ok: true, pullSpec: 'irh/ns/x:latest', hasNewer: false, hasStatus: false, isTagEmpty: true },
      },
      {
        rule: '§8 defaultExternal prefers the public repository',
        s: { ...stream('x', { statusRepository: 'irh/ns/x' }), status: { dockerImageRepository: 'irh/ns/x', publicDockerImageRepository: 'pub/ns/x' } },
        opts: { defaultExternal: true },
        want: { ok: true, pullSpec: 'pub/ns/x:latest', hasNewer: false, hasStatus: false, isTagEmpty: true },
      },
      { rule: '§8 no repository at all', s: stream('x'), opts: {}, want: { ok: false, error: 'no-stream-repository' } },
    ])('$rule', ({ s, opts, want }) => {
      expect(resolvePullSpecForTag(s, 'latest', opts)).toEqual(want);
    });
  });
});
