import { describe, expect, it } from 'vitest';
import { PatchError, strategicMergePatch } from '../../../shared/apimachinery/strategic-merge-patch.js';
import { IMAGE_STREAM_FIELDS } from '../../../shared/image/field-meta.js';

const live = {
  metadata: { name: 'myis', labels: { app: 'demo' }, finalizers: ['a'], ownerReferences: [{ uid: '1', name: 'o1' }] },
  spec: {
    lookupPolicy: { local: false },
    tags: [
      { name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/example/app:latest' }, referencePolicy: { type: 'Source' } },
      { name: 'v2', from: { kind: 'DockerImage', name: 'quay.io/example/app:v2' } },
    ],
  },
  status: { tags: [{ tag: 'latest', items: [{ image: 'sha256:1' }] }] },
};

const apply = (patch: unknown): any => strategicMergePatch(structuredClone(live), patch, IMAGE_STREAM_FIELDS);

describe('strategic-merge-patch', () => {
  describe('strategicMergePatch', () => {
    it.each([
      [
        'merges spec.tags by name and keeps unmatched live elements',
        { spec: { tags: [{ name: 'v2', from: { name: 'quay.io/example/app:v2.1' } }, { name: 'v3', from: { kind: 'DockerImage', name: 'x:v3' } }] } },
        (r: any) => {
          expect(r.spec.tags.map((t: any) => t.name)).toEqual(['latest', 'v2', 'v3']);
          expect(r.spec.tags[1].from).toEqual({ kind: 'DockerImage', name: 'quay.io/example/app:v2.1' });
        },
      ],
      [
        'deletes a list element with $patch: delete and its merge key',
        { spec: { tags: [{ $patch: 'delete', name: 'v2' }] } },
        (r: any) => expect(r.spec.tags.map((t: any) => t.name)).toEqual(['latest']),
      ],
      [
        'replaces the whole list with $patch: replace',
        { spec: { tags: [{ $patch: 'replace' }, { name: 'only' }] } },
        (r: any) => expect(r.spec.tags).toEqual([{ name: 'only' }]),
      ],
      [
        'orders a merged list by $setElementOrder',
        { spec: { $setElementOrder: undefined, '$setElementOrder/tags': [{ name: 'v2' }, { name: 'latest' }] } },
        (r: any) => expect(r.spec.tags.map((t: any) => t.name)).toEqual(['v2', 'latest']),
      ],
      [
        'deletes a map key with null and merges maps per key',
        { metadata: { labels: { app: null, tier: 'web' } }, spec: { lookupPolicy: { local: true } } },
        (r: any) => {
          expect(r.metadata.labels).toEqual({ tier: 'web' });
          expect(r.spec.lookupPolicy).toEqual({ local: true });
        },
      ],
      [
        'unions primitive sets and removes with $deleteFromPrimitiveList',
        { metadata: { finalizers: ['b'], '$deleteFromPrimitiveList/finalizers': ['a'] } },
        (r: any) => expect(r.metadata.finalizers).toEqual(['b']),
      ],
      [
        'replaces atomic lists (status items) wholesale',
        { status: { tags: [{ tag: 'latest', items: [{ image: 'sha256:2' }] }] } },
        (r: any) => expect(r.status.tags).toEqual([{ tag: 'latest', items: [{ image: 'sha256:2' }] }]),
      ],
      [
        'replaces a map with $patch: replace',
        { metadata: { labels: { $patch: 'replace', only: 'x' } } },
        (r: any) => expect(r.metadata.labels).toEqual({ only: 'x' }),
      ],
      [
        'removes keys not listed in $retainKeys',
        { spec: { lookupPolicy: { $retainKeys: [] } } },
        (r: any) => expect(r.spec.lookupPolicy).toEqual({}),
      ],
      [
        'applies what kubectl apply sends when a tag is added',
        {
          metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
          spec: {
            '$setElementOrder/tags': [{ name: 'latest' }, { name: 'v2' }, { name: 'v3' }],
            lookupPolicy: { local: true },
            tags: [{ from: { kind: 'DockerImage', name: 'quay.io/example/app:v3' }, name: 'v3', referencePolicy: { type: 'Source' } }],
          },
        },
        (r: any) => {
          expect(r.spec.tags.map((t: any) => t.name)).toEqual(['latest', 'v2', 'v3']);
          expect(JSON.stringify(r)).not.toContain('$');
        },
      ],
    ])('%s', (_name, patch, check) => {
      check(apply(patch));
    });

    it('refuses a list element without its merge key', () => {
      expect(() => apply({ spec: { tags: [{ from: { name: 'x' } }] } })).toThrow(PatchError);
    });

    it('refuses an unknown $patch directive and a non-object patch', () => {
      expect(() => apply({ spec: { $patch: 'explode' } })).toThrow('Unknown patch type: explode');
      expect(() => apply([1])).toThrow(PatchError);
    });
  });
});
