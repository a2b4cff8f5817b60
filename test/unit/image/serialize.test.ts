import { describe, expect, it } from 'vitest';
import { imageStreamToWire, stripTagAndId } from '../../../shared/image/serialize.js';
import type { ImageStream } from '../../../shared/image/types.js';
import { DIGEST_A, docker, stream, tag } from './helpers.js';

describe('serialize', () => {
  describe('imageStreamToWire', () => {
    it('renders unset tag annotations and generation as null (§1.2, §13.6)', () => {
      const wire = imageStreamToWire(stream('s', { tags: [tag('a')] }));
      expect((wire['spec'] as { tags: unknown[] }).tags[0]).toEqual({
        name: 'a',
        annotations: null,
        generation: null,
        importPolicy: { importMode: 'Legacy' },
        referencePolicy: { type: 'Source' },
      });
    });

    it('emits tag fields in Go order, omitting false flags (§1.2)', () => {
      const t = tag('a', { name: 'x', kind: 'DockerImage' }, { annotations: { k: 'v' }, reference: true, generation: 2, importPolicy: { scheduled: true, importMode: 'Legacy' } });
      const wire = (imageStreamToWire(stream('s', { tags: [t] }))['spec'] as { tags: Record<string, unknown>[] }).tags[0]!;
      expect(Object.keys(wire)).toEqual(['name', 'annotations', 'from', 'reference', 'generation', 'importPolicy', 'referencePolicy']);
      expect(Object.keys(wire['from'] as object)).toEqual(['kind', 'name']);
      expect(wire['importPolicy']).toEqual({ scheduled: true, importMode: 'Legacy' });
    });

    it('always emits spec, lookupPolicy, status and status.dockerImageRepository (§1.2)', () => {
      const s: ImageStream = { metadata: { name: 's' }, spec: {} };
      expect(imageStreamToWire(s)).toEqual({
        kind: 'ImageStream',
        apiVersion: 'image.openshift.io/v1',
        metadata: { name: 's' },
        spec: { lookupPolicy: { local: false } },
        status: { dockerImageRepository: '' },
      });
    });

    it('renders condition-only status tags with items null and unset times as null (§1.2)', () => {
      const s: ImageStream = {
        metadata: { name: 's' },
        spec: {},
        status: {
          tags: [
            { tag: 'a', conditions: [{ type: 'ImportSuccess', status: 'False', reason: 'NotFound', generation: 2 }] },
            { tag: 'b', items: [{ dockerImageReference: 'r' }] },
          ],
        },
      };
      expect((imageStreamToWire(s)['status'] as { tags: unknown[] }).tags).toEqual([
        { tag: 'a', items: null, conditions: [{ type: 'ImportSuccess', status: 'False', lastTransitionTime: null, reason: 'NotFound', generation: 2 }] },
        { tag: 'b', items: [{ created: null, dockerImageReference: 'r', image: '', generation: 0 }] },
      ]);
    });

    it('strips a tag or ID from both repositories (§1.4 legacy clean-up)', () => {
      const s: ImageStream = { metadata: { name: 's' }, spec: { dockerImageRepository: 'a/b:t' }, status: { dockerImageRepository: `r/a/b@${DIGEST_A}` } };
      const wire = imageStreamToWire(s);
      expect((wire['spec'] as Record<string, unknown>)['dockerImageRepository']).toBe('a/b');
      expect((wire['status'] as Record<string, unknown>)['dockerImageRepository']).toBe('r/a/b');
    });

    it('keeps a DockerImage from as stored (§1.2)', () => {
      const wire = imageStreamToWire(stream('s', { tags: [tag('a', docker('q/a'))] }));
      expect(((wire['spec'] as { tags: Record<string, unknown>[] }).tags[0]!)['from']).toEqual({ kind: 'DockerImage', name: 'q/a' });
    });
  });

  describe('stripTagAndId', () => {
    it.each([
      { rule: '§1.4 plain repository unchanged', repo: 'a/b', want: 'a/b' },
      { rule: '§1.4 unparsable value unchanged', repo: 'Not/Valid', want: 'Not/Valid' },
      { rule: '§1.4 tag removed', repo: 'r:5000/a/b:t', want: 'r:5000/a/b' },
      { rule: '§1.4 digest removed', repo: `a/b@${DIGEST_A}`, want: 'a/b' },
    ])('$rule', ({ repo, want }) => {
      expect(stripTagAndId(repo)).toBe(want);
    });
  });
});
