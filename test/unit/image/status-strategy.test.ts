import { describe, expect, it } from 'vitest';
import { fillObservedGenerations, imageStreamStatusStrategy } from '../../../shared/image/status-strategy.js';
import type { ImageStream, NamedTagEventList } from '../../../shared/image/types.js';
import { DIGEST_A, context, docker, event, fields, history, istag, stream, tag } from './helpers.js';
import { imageStreamService } from './service.js';

const strategy = imageStreamStatusStrategy();

describe('status-strategy', () => {
  describe('imageStreamStatusStrategy', () => {
    it('requires a resourceVersion (§3.1)', () => {
      expect(strategy.allowUnconditionalUpdate).toBe(false);
    });
  });

  describe('prepareForUpdate', () => {
    const old = stream('foo', {
      generation: 5,
      dockerImageRepository: 'q/foo',
      tags: [tag('a', docker('q/a:1'), { generation: 4 }), tag('b', istag('a'), { generation: 5 })],
      status: [history('a', event('q/a@1', 'i1', 4))],
      statusRepository: 'stored/repo',
    });

    it('keeps spec tags and repository, takes lookupPolicy, metadata and status from the request (§3.6, §13.17)', () => {
      const next: ImageStream = {
        ...old,
        metadata: { ...old.metadata, labels: { x: 'y' } },
        spec: { lookupPolicy: { local: true }, dockerImageRepository: 'client/repo', tags: [tag('zzz', docker('client'))] },
        status: { dockerImageRepository: 'client/status', tags: [history('a', event('q/a@2', 'i2', 5))] },
      };
      const out = strategy.prepareForUpdate(context(), next, old);
      expect(out.spec).toEqual({ lookupPolicy: { local: true }, dockerImageRepository: 'q/foo', tags: old.spec.tags });
      expect(out.metadata.labels).toEqual({ x: 'y' });
      expect(out.metadata.generation).toBe(5);
      expect(out.status).toEqual(next.status);
    });

    it('does not propagate to tracking tags nor recompute repositories (§3.6)', () => {
      const next: ImageStream = { ...old, status: { dockerImageRepository: '', tags: [history('a', event('q/a@2', 'i2', 5))] } };
      const out = strategy.prepareForUpdate(context(), next, old);
      expect(out.status?.tags?.map((t) => t.tag)).toEqual(['a']);
      expect(out.status?.dockerImageRepository).toBe('');
    });
  });

  describe('fillObservedGenerations', () => {
    const old = stream('foo', {
      generation: 5,
      tags: [tag('a', docker('q/a'), { generation: 3 }), tag('legacy', docker('q/l'))],
      status: [history('a', event('q/a@1', 'i1', 0)), history('b', event('q/b@1', 'i1', 2))],
    });
    const withStatus = (tags: NamedTagEventList[]): ImageStream => ({ ...old, status: { dockerImageRepository: '', tags } });
    const gens = (tags: NamedTagEventList[] | undefined) => tags?.map((t) => t.items?.map((e) => e.generation));

    it.each([
      { rule: '§3.6 a set generation is kept', tags: [history('a', event('q/a@2', 'i2', 2))], want: [[2]] },
      { rule: '§3.6 a tag without stored history gets the stream generation', tags: [history('new', event('q/n', 'n', 0))], want: [[5]] },
      { rule: '§3.6 unchanged newest event at generation 0 gets the stream generation', tags: [history('a', event('q/a@1', 'i1', 0))], want: [[5]] },
      { rule: '§3.6 a changed image gets the spec tag generation', tags: [history('a', event('q/a@2', 'i2', 0), event('q/a@1', 'i1', 0))], want: [[3, 0]] },
      { rule: '§3.6 an older stored generation counts as a change', tags: [history('b', event('q/b@1', 'i1', 0))], want: [[5]] },
      { rule: '§3.6 a spec tag with a null generation gives the stream generation', tags: [history('legacy', event('q/l', 'l', 0))], want: [[5]] },
      { rule: '§3.6 condition-only tags are left alone', tags: [{ tag: 'c', conditions: [{ type: 'ImportSuccess', status: 'False', generation: 1 }] }], want: [undefined] },
    ])('$rule', ({ tags, want }) => {
      expect(gens(fillObservedGenerations(withStatus(tags), old))).toEqual(want);
    });
  });

  describe('validateUpdate', () => {
    it('checks only new status pull specs (§3.6)', () => {
      const old = stream('foo', { status: [history('a', event('Old/Bad'))] });
      const next = stream('foo', { status: [history('a', event('Old/Bad')), history('b', event(''))] });
      expect(fields(strategy.validateUpdate(context(), next, old))).toEqual(['status.tags[b].items[0].dockerImageReference']);
    });
  });

  describe('through the registry (ResourceService)', () => {
    it('writes status, keeps spec and does not bump the generation (§3.6)', async () => {
      const api = imageStreamService();
      const created = await api.create('demo', {
        metadata: { name: 'foo' },
        spec: { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: 'q/a:1' } }] },
      });
      const out = await api.update(
        'demo',
        'foo',
        {
          ...created,
          spec: { lookupPolicy: { local: true } },
          status: { dockerImageRepository: 'x', tags: [{ tag: 'latest', items: [{ dockerImageReference: `q/a@${DIGEST_A}`, image: DIGEST_A }] }] },
        },
        'status',
      );
      expect(out.metadata.generation).toBe(1);
      expect(out.spec.lookupPolicy).toEqual({ local: true });
      expect(out.spec.tags).toEqual(created.spec.tags);
      expect(out.status?.tags?.[0]?.items?.[0]).toEqual({ dockerImageReference: `q/a@${DIGEST_A}`, image: DIGEST_A, generation: 1 });
    });
  });
});
