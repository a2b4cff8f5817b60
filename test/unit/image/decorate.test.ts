import { describe, expect, it } from 'vitest';
import type { ImageConfig } from '../../../shared/image/config.js';
import { decorateImageStream, dockerImageRepository, publicDockerImageRepository } from '../../../shared/image/decorate.js';
import type { ImageStream } from '../../../shared/image/types.js';
import { history, event, stream } from './helpers.js';

const cfg = (c: Partial<ImageConfig>): ImageConfig => ({ defaultImportMode: 'Legacy', ...c });
const withNs = (s: ImageStream, namespace: string | undefined): ImageStream => ({ ...s, metadata: { name: s.metadata.name, ...(namespace ? { namespace } : {}) } });

describe('decorate', () => {
  describe('dockerImageRepository', () => {
    // strategy_test.go#TestDockerImageRepository
    it.each([
      { rule: '§5.1 no IRH: mirrors spec.dockerImageRepository', s: stream('somerepo', { dockerImageRepository: 'a/b' }), c: cfg({}), defaulting: true, want: 'a/b' },
      { rule: '§5.1 IRH wins over spec', s: withNs(stream('somerepo', { dockerImageRepository: 'a/b' }), 'foo'), c: cfg({ internalRegistryHostname: 'registry:5000' }), defaulting: true, want: 'registry:5000/foo/somerepo' },
      { rule: '§5.1 empty namespace defaults to default on reads', s: withNs(stream('somerepo'), undefined), c: cfg({ internalRegistryHostname: 'registry:5000' }), defaulting: true, want: 'registry:5000/default/somerepo' },
      { rule: '§5.1 non-default namespace', s: withNs(stream('somerepo'), 'somens'), c: cfg({ internalRegistryHostname: 'registry:5000' }), defaulting: true, want: 'registry:5000/somens/somerepo' },
      { rule: '§5.1 missing IRH and spec', s: withNs(stream('somerepo'), 'somens'), c: cfg({}), defaulting: true, want: '' },
      { rule: '§5.1 a name not generated yet gives an empty repository', s: stream(''), c: cfg({ internalRegistryHostname: 'registry:5000' }), defaulting: false, want: '' },
    ])('$rule', ({ s, c, defaulting, want }) => {
      expect(dockerImageRepository(s, c, defaulting)).toBe(want);
    });
  });

  describe('publicDockerImageRepository', () => {
    // strategy_test.go#TestPublicDockerImageRepository
    it.each([
      { rule: '§5.1 no ERH: empty', c: cfg({}), want: '' },
      { rule: '§5.1 ERH set', c: cfg({ publicRegistryHostname: 'registry-default.external.url' }), want: 'registry-default.external.url/somerepo' },
    ])('$rule', ({ c, want }) => {
      expect(publicDockerImageRepository(withNs(stream('somerepo', { dockerImageRepository: 'a/b' }), undefined), c)).toBe(want);
    });
  });

  describe('decorateImageStream', () => {
    it('recomputes both fields on every read, keeping the history (§5.1, §13.12)', () => {
      const s = stream('is', { status: [history('t', event('r'))], statusRepository: 'stale' });
      expect(decorateImageStream(s, cfg({ internalRegistryHostname: 'irh:5000', publicRegistryHostname: 'pub' })).status).toEqual({
        dockerImageRepository: 'irh:5000/ns/is',
        publicDockerImageRepository: 'pub/ns/is',
        tags: s.status?.tags,
      });
    });

    it('reflects a configuration change immediately (§5.1)', () => {
      const s = stream('is', { dockerImageRepository: 'q/x', statusRepository: 'irh:5000/ns/is' });
      expect(decorateImageStream(s, cfg({})).status).toEqual({ dockerImageRepository: 'q/x' });
    });
  });
});
