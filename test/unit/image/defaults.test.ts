import { describe, expect, it } from 'vitest';
import type { ImageConfig } from '../../../shared/image/config.js';
import { canonicalObjectReference, defaultTagReference, normalizeImageStream, normalizeTime } from '../../../shared/image/defaults.js';
import type { ImageStreamInput } from '../../../shared/image/types.js';

const LEGACY: ImageConfig = { defaultImportMode: 'Legacy' };

describe('defaults', () => {
  describe('defaultTagReference', () => {
    it.each([
      {
        rule: '§1.3 referencePolicy and importMode defaulted, with or without from',
        input: { name: 'a' },
        config: LEGACY,
        want: { name: 'a', importPolicy: { importMode: 'Legacy' }, referencePolicy: { type: 'Source' } },
      },
      {
        rule: '§1.3 cluster default import mode',
        input: { name: 'a' },
        config: { defaultImportMode: 'PreserveOriginal' } as ImageConfig,
        want: { name: 'a', importPolicy: { importMode: 'PreserveOriginal' }, referencePolicy: { type: 'Source' } },
      },
      {
        rule: '§1.3 explicit values kept (even invalid ones, for validation)',
        input: { name: 'a', importPolicy: { importMode: 'bogus', insecure: true, scheduled: true }, referencePolicy: { type: 'Other' } },
        config: LEGACY,
        want: { name: 'a', importPolicy: { insecure: true, scheduled: true, importMode: 'bogus' }, referencePolicy: { type: 'Other' } },
      },
      {
        rule: '§1.3 nothing else defaulted; false and empty values dropped',
        input: { name: 'a', reference: false, annotations: {}, importPolicy: { insecure: false, scheduled: false } },
        config: LEGACY,
        want: { name: 'a', importPolicy: { importMode: 'Legacy' }, referencePolicy: { type: 'Source' } },
      },
      {
        rule: '§1.2 generation kept as sent (the strategy decides)',
        input: { name: 'a', generation: 0 },
        config: LEGACY,
        want: { name: 'a', generation: 0, importPolicy: { importMode: 'Legacy' }, referencePolicy: { type: 'Source' } },
      },
    ])('$rule', ({ input, config, want }) => {
      expect(defaultTagReference(input, config)).toEqual(want);
    });
  });

  describe('canonicalObjectReference', () => {
    it('drops empty fields but keeps an empty from set (§1.2, R13/R16 need it)', () => {
      expect(canonicalObjectReference({ kind: '', name: 'x', namespace: '' })).toEqual({ name: 'x' });
      expect(canonicalObjectReference({})).toEqual({});
    });

    it('orders fields as the Go encoder (§1.2)', () => {
      expect(Object.keys(canonicalObjectReference({ fieldPath: 'f', name: 'n', kind: 'k', namespace: 'ns' }))).toEqual(['kind', 'namespace', 'name', 'fieldPath']);
    });
  });

  describe('normalizeTime', () => {
    it.each([
      { rule: '§1.2 UTC second precision', t: '2026-01-02T03:04:05.678Z', want: '2026-01-02T03:04:05Z' },
      { rule: '§1.2 offsets converted to UTC', t: '2026-01-02T03:04:05+02:00', want: '2026-01-02T01:04:05Z' },
      { rule: '§1.2 empty is unset', t: '', want: undefined },
    ])('$rule', ({ t, want }) => {
      expect(normalizeTime(t)).toBe(want);
    });
  });

  describe('normalizeImageStream', () => {
    it('collapses duplicate spec tags (last wins) and sorts by name (§1.4, §13.5)', () => {
      const input: ImageStreamInput = {
        metadata: { name: 's' },
        spec: {
          tags: [
            { name: 'b', from: { kind: 'DockerImage', name: 'first' } },
            { name: 'a' },
            { name: 'B' },
            { name: 'b', from: { kind: 'DockerImage', name: 'last' } },
          ],
        },
      };
      const out = normalizeImageStream(input, LEGACY);
      expect(out.spec.tags?.map((t) => [t.name, t.from?.name])).toEqual([
        ['B', undefined],
        ['a', undefined],
        ['b', 'last'],
      ]);
    });

    it('collapses and sorts status tags and fills event fields (§1.2, §1.4)', () => {
      const out = normalizeImageStream(
        {
          metadata: { name: 's' },
          spec: {},
          status: {
            tags: [
              { tag: 'z', items: [{ dockerImageReference: 'r' }] },
              { tag: 'a', items: [], conditions: [{ type: 'ImportSuccess', status: 'False', lastTransitionTime: '2026-01-01T00:00:00.5Z' }] },
              { tag: 'z', items: [{ dockerImageReference: 'r2', created: '2026-01-01T00:00:00+01:00' }] },
            ],
          },
        },
        LEGACY,
      );
      expect(out.status).toEqual({
        dockerImageRepository: '',
        tags: [
          { tag: 'a', conditions: [{ type: 'ImportSuccess', status: 'False', lastTransitionTime: '2026-01-01T00:00:00Z', generation: 0 }] },
          { tag: 'z', items: [{ created: '2025-12-31T23:00:00Z', dockerImageReference: 'r2', image: '', generation: 0 }] },
        ],
      });
    });

    it('always has spec.lookupPolicy and drops empty collections (§1.2)', () => {
      expect(normalizeImageStream({ metadata: { name: 's' }, spec: { tags: [] } }, LEGACY).spec).toEqual({ lookupPolicy: { local: false } });
    });

    it('keeps status unset when the body has none (§2.2 resets it anyway)', () => {
      expect(normalizeImageStream({ metadata: { name: 's' } }, LEGACY).status).toBeUndefined();
    });
  });
});
