import { describe, expect, it } from 'vitest';
import { isNewOrChangedTag, setTagGenerations, tagRefChanged, updateSpecGenerations } from '../../../shared/image/generation.js';
import type { ImageStreamSpec, TagReference } from '../../../shared/image/types.js';
import { docker, istag, stream, tag } from './helpers.js';

const NS = 'streamnamespace';
const ref = (r: Partial<TagReference>): TagReference => ({ name: 't', ...r });

describe('generation', () => {
  describe('tagRefChanged', () => {
    // §3.4; rows follow strategy_test.go#TestTagRefChanged plus the reference/importMode/generation clauses.
    it.each([
      { rule: '§3.4 no from on either side', old: ref({}), next: ref({}), changed: false },
      { rule: '§3.4 same reference', old: ref({ from: docker('foo') }), next: ref({ from: docker('foo') }), changed: false },
      { rule: '§3.4 different name', old: ref({ from: docker('foo') }), next: ref({ from: docker('bar') }), changed: true },
      { rule: '§3.4 empty kind and name count as unchanged', old: ref({}), next: ref({ from: {} }), changed: false },
      { rule: '§3.4 missing old from is an empty reference', old: ref({}), next: ref({ from: { namespace: 'another', name: 'other:latest' } }), changed: true },
      {
        rule: '§3.4 different namespace, old implicit',
        old: ref({ from: { name: 'other:latest' } }),
        next: ref({ from: { namespace: 'another', name: 'other:latest' } }),
        changed: true,
      },
      {
        rule: '§3.4 different namespace, both explicit',
        old: ref({ from: { namespace: 'something', name: 'other:latest' } }),
        next: ref({ from: { namespace: 'another', name: 'other:latest' } }),
        changed: true,
      },
      {
        rule: '§3.4 different namespace, next implicit',
        old: ref({ from: { namespace: 'something', name: 'other:latest' } }),
        next: ref({ from: { name: 'other:latest' } }),
        changed: true,
      },
      {
        rule: '§3.4 different name, old namespace implicit',
        old: ref({ from: { name: 'other:latest' } }),
        next: ref({ from: { namespace: NS, name: 'other:other' } }),
        changed: true,
      },
      {
        rule: '§3.4 same name, stream namespace implicit on one side',
        old: ref({ from: { name: 'other:latest' } }),
        next: ref({ from: { namespace: NS, name: 'other:latest' } }),
        changed: false,
      },
      {
        rule: '§3.4 same name, both implicit',
        old: ref({ from: { name: 'other:latest' } }),
        next: ref({ from: { name: 'other:latest' } }),
        changed: false,
      },
      { rule: '§3.4 from.kind is not compared', old: ref({ from: docker('x') }), next: ref({ from: istag('x') }), changed: false },
      { rule: '§3.4 reference differs', old: ref({ from: docker('x') }), next: ref({ from: docker('x'), reference: true }), changed: true },
      {
        rule: '§3.4 importMode differs',
        old: ref({ from: docker('x'), importPolicy: { importMode: 'Legacy' } }),
        next: ref({ from: docker('x'), importPolicy: { importMode: 'PreserveOriginal' } }),
        changed: true,
      },
      {
        rule: '§3.4 insecure/scheduled are not compared',
        old: ref({ from: docker('x') }),
        next: ref({ from: docker('x'), importPolicy: { insecure: true, scheduled: true } }),
        changed: false,
      },
      { rule: '§3.4 new generation 0 with an old one', old: ref({ from: docker('x'), generation: 3 }), next: ref({ from: docker('x'), generation: 0 }), changed: true },
      { rule: '§3.4 generation 0 on both sides', old: ref({ from: docker('x'), generation: 0 }), next: ref({ from: docker('x'), generation: 0 }), changed: false },
      { rule: '§3.4 other generation change', old: ref({ from: docker('x'), generation: 3 }), next: ref({ from: docker('x'), generation: 4 }), changed: false },
      { rule: '§3.4 generation 0 without an old one', old: ref({ from: docker('x') }), next: ref({ from: docker('x'), generation: 0 }), changed: false },
      { rule: '§3.4 next without from is unchanged', old: ref({ from: docker('x') }), next: ref({}), changed: false },
    ])('returns $changed: $rule', ({ old, next, changed }) => {
      expect(tagRefChanged(old, next, NS)).toBe(changed);
    });
  });

  describe('isNewOrChangedTag', () => {
    it.each([
      { rule: '§3.5 no old stream: every tag is new', old: undefined, t: tag('a', docker('x')), want: true },
      { rule: '§3.5 tag absent from the old stream', old: stream('s'), t: tag('a', docker('x')), want: true },
      { rule: '§3.5 unchanged reference', old: stream('s', { tags: [tag('a', docker('x'), { generation: 2 })] }), t: tag('a', docker('x')), want: false },
      { rule: '§3.3 a generation-0 marker does not re-resolve', old: stream('s', { tags: [tag('a', istag('b'), { generation: 2 })] }), t: tag('a', istag('b'), { generation: 0 }), want: false },
      { rule: '§3.5 changed name', old: stream('s', { tags: [tag('a', docker('x'))] }), t: tag('a', docker('y')), want: true },
    ])('returns $want: $rule', ({ old, t, want }) => {
      expect(isNewOrChangedTag(t, old, 'ns')).toBe(want);
    });
  });

  describe('setTagGenerations', () => {
    it('forces every tag generation to the value, discarding client values (§2.2)', () => {
      const spec: ImageStreamSpec = { tags: [tag('a', docker('x'), { generation: 9 }), tag('b', undefined, { generation: 0 }), tag('c')] };
      expect(setTagGenerations(spec, 1).tags?.map((t) => t.generation)).toEqual([1, 1, 1]);
    });
  });

  describe('updateSpecGenerations', () => {
    const stored: ImageStreamSpec = {
      lookupPolicy: { local: false },
      tags: [tag('a', docker('x'), { generation: 3 }), tag('b', istag('a'), { generation: 4 })],
    };
    const withTag = (name: string, over: Partial<TagReference>): ImageStreamSpec => ({
      ...stored,
      tags: stored.tags!.map((t) => (t.name === name ? { ...t, ...over } : t)),
    });
    const gens = (spec: ImageStreamSpec) => Object.fromEntries((spec.tags ?? []).map((t) => [t.name, t.generation]));

    it.each([
      { rule: '§3.3 unchanged spec keeps everything', spec: stored, gen: 5, tags: { a: 3, b: 4 } },
      { rule: '§3.3 null generation on an existing tag is replaced by the stored one', spec: withTag('a', { generation: undefined }), gen: 5, tags: { a: 3, b: 4 } },
      { rule: '§3.3 any other number is replaced by the stored one', spec: withTag('a', { generation: 42 }), gen: 5, tags: { a: 3, b: 4 } },
      { rule: '§3.3 generation 0 re-import request (worked example)', spec: withTag('a', { generation: 0 }), gen: 6, tags: { a: 6, b: 4 } },
      { rule: '§3.3 changed from.name gets the new generation', spec: withTag('a', { from: docker('y') }), gen: 6, tags: { a: 6, b: 4 } },
      { rule: '§3.3 changed reference flag gets the new generation', spec: withTag('a', { reference: true }), gen: 6, tags: { a: 6, b: 4 } },
      {
        rule: '§3.3 changed importMode gets the new generation',
        spec: withTag('a', { importPolicy: { importMode: 'PreserveOriginal' } }),
        gen: 6,
        tags: { a: 6, b: 4 },
      },
      { rule: '§3.3 kind-only change keeps the tag generation', spec: withTag('b', { from: { kind: 'DockerImage', name: 'a' } }), gen: 6, tags: { a: 3, b: 4 } },
      { rule: '§3.3 scheduled-only change keeps the tag generation', spec: withTag('a', { importPolicy: { scheduled: true, importMode: 'Legacy' } }), gen: 6, tags: { a: 3, b: 4 } },
      { rule: '§3.3 referencePolicy-only change keeps the tag generation', spec: withTag('a', { referencePolicy: { type: 'Local' } }), gen: 6, tags: { a: 3, b: 4 } },
      { rule: '§3.3 annotations-only change keeps the tag generation', spec: withTag('a', { annotations: { k: 'v' } }), gen: 6, tags: { a: 3, b: 4 } },
      { rule: '§3.3 lookupPolicy change bumps the stream only', spec: { ...stored, lookupPolicy: { local: true } }, gen: 6, tags: { a: 3, b: 4 } },
      { rule: '§3.3 dockerImageRepository change bumps the stream only', spec: { ...stored, dockerImageRepository: 'a/b' }, gen: 6, tags: { a: 3, b: 4 } },
      { rule: '§3.3 new tag gets the new generation', spec: { ...stored, tags: [...stored.tags!, tag('c', docker('z'), { generation: 99 })] }, gen: 6, tags: { a: 3, b: 4, c: 6 } },
      { rule: '§3.3 removed tag bumps the stream', spec: { ...stored, tags: [stored.tags![0]!] }, gen: 6, tags: { a: 3 } },
      { rule: '§3.3 empty annotations equal unset ones', spec: withTag('a', { annotations: {} }), gen: 5, tags: { a: 3, b: 4 } },
    ])('$rule', ({ spec, gen, tags }) => {
      const out = updateSpecGenerations(spec, stored, 5, 'ns');
      expect(out.generation).toBe(gen);
      expect(gens(out.spec)).toEqual(tags);
    });

    it('bumps a legacy stream stored at generation 0 (§3.2 step 6)', () => {
      expect(updateSpecGenerations(stored, stored, 0, 'ns').generation).toBe(1);
    });

    it('stamps a legacy tag with a null generation without bumping the stream (§3.2 step 7)', () => {
      const legacy: ImageStreamSpec = { tags: [tag('a', docker('x'))] };
      const out = updateSpecGenerations({ tags: [tag('a', docker('x'), { generation: 8 })] }, legacy, 5, 'ns');
      expect(out.generation).toBe(5);
      expect(gens(out.spec)).toEqual({ a: 5 });
    });
  });
});
