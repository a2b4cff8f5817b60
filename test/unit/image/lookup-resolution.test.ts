import { describe, expect, it } from 'vitest';
import { localLookupTarget, resolveLocalImageReference, type LookupOptions } from '../../../shared/image/lookup-resolution.js';
import type { ImageStream } from '../../../shared/image/types.js';
import { DIGEST_A, DIGEST_B, docker, event, history, stream, tag } from './helpers.js';

const IRH = 'image-registry.openshift-image-registry.svc:5000';
const SOURCE = `quay.io/library/mysql@${DIGEST_A}`;

/**
 * `mysql` in namespace `demo`: tag `latest` imported (image A from quay.io), tag `8` spec only
 * (nothing imported yet), tag `pushed` status only (image B in the internal registry).
 */
function mysql(opts: { local: boolean; policy: 'Source' | 'Local'; repository?: string }): ImageStream {
  const s = stream('mysql', {
    namespace: 'demo',
    tags: [
      tag('latest', docker('quay.io/library/mysql:latest'), { referencePolicy: { type: opts.policy }, generation: 1 }),
      tag('8', docker('quay.io/library/mysql:8'), { referencePolicy: { type: opts.policy }, generation: 1 }),
    ],
    status: [history('latest', event(SOURCE, DIGEST_A)), history('pushed', event(`${IRH}/demo/mysql@${DIGEST_B}`, DIGEST_B))],
    statusRepository: opts.repository ?? `${IRH}/demo/mysql`,
  });
  return { ...s, spec: { ...s.spec, lookupPolicy: { local: opts.local } } };
}

const resolve = (image: string, s: ImageStream | undefined, opts: LookupOptions = {}) => resolveLocalImageReference(image, s, opts);

describe('lookup-resolution', () => {
  describe('localLookupTarget', () => {
    it.each([
      { image: 'mysql', want: { stream: 'mysql', tag: 'latest' } },
      { image: 'php:7', want: { stream: 'php', tag: '7' } },
      { image: 'library/mysql', want: undefined },
      { image: 'quay.io/mysql', want: undefined },
      { image: 'localhost:5000/mysql', want: undefined },
      { image: `mysql@${DIGEST_A}`, want: undefined },
      { image: 'Not Valid', want: undefined },
    ])('$image', ({ image, want }) => {
      expect(localLookupTarget(image)).toEqual(want);
    });

    it('with resolveNames takes the last name of any reference', () => {
      expect(localLookupTarget('quay.io/team/php:7', { resolveNames: true })).toEqual({ stream: 'php', tag: '7' });
    });
  });

  describe('resolveLocalImageReference', () => {
    it.each([
      { rule: 'lookupPolicy.local + Source: the original location, pinned by digest', s: mysql({ local: true, policy: 'Source' }), image: 'mysql', want: SOURCE, reason: 'ImageStreamTag' },
      { rule: 'lookupPolicy.local + Local: the internal repository, pinned by digest', s: mysql({ local: true, policy: 'Local' }), image: 'mysql:latest', want: `${IRH}/demo/mysql@${DIGEST_A}`, reason: 'ImageStreamTag' },
      { rule: 'lookupPolicy.local + Local without an internal registry: the source (§8 fallback)', s: mysql({ local: true, policy: 'Local', repository: '' }), image: 'mysql', want: SOURCE, reason: 'ImageStreamTag' },
      { rule: 'lookupPolicy.local + a status-only tag behaves as Source', s: mysql({ local: true, policy: 'Local' }), image: 'mysql:pushed', want: `${IRH}/demo/mysql@${DIGEST_B}`, reason: 'ImageStreamTag' },
      { rule: 'lookupPolicy.local + a tag without an image: the stream repository and tag', s: mysql({ local: true, policy: 'Source' }), image: 'mysql:8', want: `${IRH}/demo/mysql:8`, reason: 'ImageStream' },
      { rule: 'lookupPolicy.local + an unknown tag: the stream repository and tag', s: mysql({ local: true, policy: 'Local' }), image: 'mysql:9', want: `${IRH}/demo/mysql:9`, reason: 'ImageStream' },
      { rule: 'lookupPolicy.local + no repository for a missing tag: unchanged', s: mysql({ local: true, policy: 'Source', repository: '' }), image: 'mysql:9', want: 'mysql:9', reason: 'TagNotFound' },
      { rule: 'no lookupPolicy.local + Source: unchanged', s: mysql({ local: false, policy: 'Source' }), image: 'mysql', want: 'mysql', reason: 'LocalLookupDisabled' },
      { rule: 'no lookupPolicy.local + Local: unchanged', s: mysql({ local: false, policy: 'Local' }), image: 'mysql', want: 'mysql', reason: 'LocalLookupDisabled' },
      { rule: 'no lookupPolicy.local + a tag without an image: unchanged', s: mysql({ local: false, policy: 'Local' }), image: 'mysql:8', want: 'mysql:8', reason: 'LocalLookupDisabled' },
      { rule: 'no stream: unchanged', s: undefined, image: 'mysql', want: 'mysql', reason: 'ImageStreamNotFound' },
      { rule: 'a registry: not a local name', s: mysql({ local: true, policy: 'Source' }), image: 'docker.io/mysql', want: 'docker.io/mysql', reason: 'NotLocalName' },
      { rule: 'a namespace: not a local name', s: mysql({ local: true, policy: 'Source' }), image: 'library/mysql', want: 'library/mysql', reason: 'NotLocalName' },
      { rule: 'a digest is never rewritten', s: mysql({ local: true, policy: 'Source' }), image: `mysql@${DIGEST_A}`, want: `mysql@${DIGEST_A}`, reason: 'ReferenceByDigest' },
      { rule: 'an invalid reference is left as it is', s: mysql({ local: true, policy: 'Source' }), image: 'MySQL', want: 'MySQL', reason: 'InvalidReference' },
    ])('$rule', ({ s, image, want, reason }) => {
      const out = resolve(image, s);
      expect(out.image).toBe(want);
      expect(out.reason).toBe(reason);
      expect(out.resolved).toBe(want !== image);
    });

    it.each([
      { policy: 'Source' as const, want: SOURCE },
      { policy: 'Local' as const, want: `${IRH}/demo/mysql@${DIGEST_A}` },
    ])('resolve-names resolves without lookupPolicy.local ($policy)', ({ policy, want }) => {
      expect(resolve('quay.io/elsewhere/mysql', mysql({ local: false, policy }), { resolveNames: true })).toMatchObject({ image: want, resolved: true });
    });

    it('explains why nothing was rewritten', () => {
      expect(resolve('mysql', mysql({ local: false, policy: 'Source' }))).toEqual({
        image: 'mysql',
        resolved: false,
        reason: 'LocalLookupDisabled',
        message: 'image stream mysql does not allow local references',
      });
    });
  });
});
