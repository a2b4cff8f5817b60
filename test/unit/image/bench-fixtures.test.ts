import { describe, expect, it } from 'vitest';
import { validateObjectMetaUpdate } from '../../../shared/apimachinery/meta.js';
import { benchContext, benchImageStream, benchStoredImageStream, benchUpdatedImageStream } from '../../../shared/image/bench-fixtures.js';
import { imageStreamStrategy } from '../../../shared/image/strategy.js';

const strategy = imageStreamStrategy({ defaultImportMode: 'Legacy', internalRegistryHostname: 'irh:5000' });

describe('bench-fixtures', () => {
  describe('benchImageStream', () => {
    it('builds a valid N-tag stream that creates cleanly through the strategy (§2)', () => {
      const ctx = benchContext();
      const obj = strategy.prepareForCreate(ctx, strategy.normalize(benchImageStream(50)));
      expect(obj.spec.tags).toHaveLength(50);
      expect(strategy.validate(ctx, obj)).toEqual([]);
      expect(obj.status?.tags?.length).toBeGreaterThan(0);
    });
  });

  describe('benchUpdatedImageStream', () => {
    it('builds a valid update of the stored stream (§3.2)', () => {
      const ctx = benchContext();
      const stored = strategy.normalize(benchStoredImageStream(50));
      const next = strategy.normalize(benchUpdatedImageStream(stored));
      const obj = strategy.prepareForUpdate(ctx, { ...next, metadata: { ...next.metadata, generation: stored.metadata.generation } }, stored);
      expect([...validateObjectMetaUpdate(obj.metadata, stored.metadata), ...strategy.validateUpdate(ctx, obj, stored)]).toEqual([]);
      expect(obj.metadata.generation).toBe((stored.metadata.generation ?? 0) + 1);
      expect(obj.spec.tags).toHaveLength(51);
    });
  });
});
