import { describe, expect, it } from 'vitest';
import { isStatusError, type Status } from '../../../shared/apimachinery/status.js';
import { findStreamImage, imageStreamImageOf, parseImageStreamImageName } from '../../../shared/image/image-stream-image.js';
import { imageStreamImageToWire } from '../../../shared/image/istag-types.js';
import type { ImageStream } from '../../../shared/image/types.js';
import { DIGEST_A, DIGEST_B, DIGEST_C, event, history, stream } from './helpers.js';

/** DIGEST_B and DIGEST_C share no hex prefix with A; B is in two tags. */
function app(): ImageStream {
  const s = stream('app', {
    annotations: { owner: 'web' },
    status: [
      history('latest', event(`quay.io/a/app@${DIGEST_B}`, DIGEST_B, 2, '2026-11-03T00:00:00Z'), event(`quay.io/a/app@${DIGEST_A}`, DIGEST_A, 1, '2026-11-01T00:00:00Z')),
      history('v2', event(`mirror.example.com/a/app@${DIGEST_B}`, DIGEST_B, 1, '2026-11-02T00:00:00Z')),
      history('ref', event('quay.io/a/app:ref', '', 1)),
    ],
  });
  return s;
}

function statusOf(fn: () => unknown): Status {
  try {
    fn();
  } catch (e) {
    if (isStatusError(e)) return e.status;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('image-stream-image', () => {
  describe('parseImageStreamImageName', () => {
    it.each([
      { name: `app@${DIGEST_A}`, want: { stream: 'app', id: DIGEST_A } },
      { name: 'app@e3b0', want: { stream: 'app', id: 'e3b0' } },
      { name: 'app', want: undefined },
      { name: '@sha256:x', want: undefined },
      { name: 'app@', want: undefined },
      { name: 'a@b@c', want: undefined },
    ])('parses $name', ({ name, want }) => {
      if (want) expect(parseImageStreamImageName(name)).toEqual(want);
      else expect(statusOf(() => parseImageStreamImageName(name))).toMatchObject({ code: 400, message: 'ImageStreamImages must be retrieved with <name>@<id>' });
    });
  });

  describe('findStreamImage', () => {
    it.each([
      { rule: 'an exact digest', id: DIGEST_A, want: DIGEST_A },
      { rule: 'a digest prefix (R22)', id: 'sha256:e3b0', want: DIGEST_A },
      { rule: 'a hex prefix (R22)', id: '293aa2', want: DIGEST_B },
      { rule: 'an image of several tags', id: DIGEST_B, want: DIGEST_B },
    ])('finds $rule', ({ id, want }) => {
      expect(findStreamImage(app(), `app@${id}`, id).image).toBe(want);
    });

    it('answers 404 with the singular resource for an image not in the history', () => {
      expect(statusOf(() => findStreamImage(app(), `app@${DIGEST_C}`, DIGEST_C))).toMatchObject({
        code: 404,
        reason: 'NotFound',
        message: `imagestreamimage.image.openshift.io "app@${DIGEST_C}" not found`,
        details: { name: `app@${DIGEST_C}`, group: 'image.openshift.io', kind: 'imagestreamimage' },
      });
    });

    it('answers 409 for a prefix of several images', () => {
      expect(statusOf(() => findStreamImage(app(), 'app@sha256:', 'sha256:'))).toMatchObject({
        code: 409,
        message: `Operation cannot be fulfilled on imagestreamimage.image.openshift.io "sha256:": multiple images match the prefix "sha256:": ${DIGEST_B}, ${DIGEST_A}`,
      });
    });
  });

  describe('imageStreamImageOf', () => {
    it('names the object as requested, with the stream annotations and the earliest event of the image', () => {
      const isi = imageStreamImageOf(app(), 'app@293aa2');
      expect(isi).toEqual({
        kind: 'ImageStreamImage',
        apiVersion: 'image.openshift.io/v1',
        metadata: { name: 'app@293aa2', namespace: 'ns', creationTimestamp: '2026-11-02T00:00:00Z', annotations: { owner: 'web' } },
        image: { metadata: { name: DIGEST_B, creationTimestamp: '2026-11-02T00:00:00Z' }, dockerImageReference: `mirror.example.com/a/app@${DIGEST_B}` },
      });
      expect(Object.keys(imageStreamImageToWire(isi))).toEqual(['kind', 'apiVersion', 'metadata', 'image']);
    });
  });
});
