import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorString } from '../../../shared/apimachinery/field-errors.js';
import { accessKey } from '../../../shared/apimachinery/registry/strategy.js';
import { imageStreamToWire } from '../../../shared/image/serialize.js';
import { imageStreamInternalStrategy, imageStreamStrategy } from '../../../shared/image/strategy.js';
import { layersAccessCheck } from '../../../shared/image/tag-verifier.js';
import type { ImageStream, ImageStreamInput } from '../../../shared/image/types.js';
import { DIGEST_A, DIGEST_B, NOW, context, docker, event, fields, history, isimage, istag, referenced, stream, tag } from './helpers.js';
import { imageStreamService, statusOf } from './service.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/imagestreams/${name}`, import.meta.url), 'utf8'));

const IRH = 'image-registry.openshift-image-registry.svc:5000';
const ERH = 'registry.apps.example.com';
const strategy = imageStreamStrategy({ defaultImportMode: 'Legacy' });
const FORMAT = 'must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>';
const KINDS = "valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'";

const body = (name: string, spec: ImageStreamInput['spec'], extra: Partial<ImageStreamInput> = {}): ImageStreamInput => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name },
  spec,
  ...extra,
});

describe('strategy', () => {
  describe('imageStreamStrategy', () => {
    it('declares the upstream flags: no create on update, no unconditional update (§1.1)', () => {
      expect(strategy).toMatchObject({ namespaced: true, allowCreateOnUpdate: false, allowUnconditionalUpdate: false });
    });
  });

  describe('prepareForCreate', () => {
    const created = (s: ImageStream, ctx = context()) => strategy.prepareForCreate(ctx, strategy.normalize(s));

    it('discards client status and generations (§2.2, §13.1, §13.3)', () => {
      const input = stream('foo', {
        generation: 7,
        tags: [tag('a', docker('x/y'), { generation: 0 }), tag('b', undefined, { generation: 9 }), tag('c')],
        status: [history('a', event('client/ref', 'img', 99))],
        statusRepository: 'client/repo',
      });
      const out = created(input);
      expect(out.metadata.generation).toBe(1);
      expect(out.spec.tags?.map((t) => t.generation)).toEqual([1, 1, 1]);
      expect(out.status).toEqual({ dockerImageRepository: '' });
    });

    it.each([
      { rule: '§5.1 repository mirrors spec without IRH', config: {}, s: stream('foo', { dockerImageRepository: 'a/b' }), want: { dockerImageRepository: 'a/b' } },
      { rule: '§5.1 IRH repository', config: { internalRegistryHostname: IRH }, s: stream('foo'), want: { dockerImageRepository: `${IRH}/ns/foo` } },
      {
        rule: '§5.1 IRH and ERH',
        config: { internalRegistryHostname: IRH, publicRegistryHostname: ERH },
        s: stream('foo'),
        want: { dockerImageRepository: `${IRH}/ns/foo`, publicDockerImageRepository: `${ERH}/ns/foo` },
      },
    ])('computes status repositories ($rule)', ({ config, s, want }) => {
      const st = imageStreamStrategy({ defaultImportMode: 'Legacy', ...config });
      expect(st.prepareForCreate(context(), s).status).toEqual(want);
    });

    it.each([
      {
        rule: '§2.4 reference tag: immediate event with empty image (§13.11)',
        tags: [tag('t', docker('quay.io/a/b:1'), { reference: true })],
        ctx: context(),
        status: [history('t', { created: NOW, dockerImageReference: 'quay.io/a/b:1', image: '', generation: 1 })],
      },
      { rule: '§2.4 plain DockerImage tag: no status until imported', tags: [tag('t', docker('quay.io/a/b:1'))], ctx: context(), status: undefined },
      {
        rule: '§2.4 ImageStreamTag from another stream copies created',
        tags: [tag('t', istag('src:latest'))],
        ctx: context({ referenced: referenced(stream('src', { status: [history('latest', event(`q/a@${DIGEST_A}`, DIGEST_A, 4, '2020-01-01T00:00:00Z'))] })) }),
        status: [history('t', event(`q/a@${DIGEST_A}`, DIGEST_A, 1, '2020-01-01T00:00:00Z'))],
      },
      {
        rule: '§2.4 ImageStreamImage from another stream is created now',
        tags: [tag('t', isimage(`src@${DIGEST_A.slice(0, 15)}`))],
        ctx: context({ referenced: referenced(stream('src', { status: [history('latest', event(`q/a@${DIGEST_A}`, DIGEST_A, 4, '2020-01-01T00:00:00Z'))] })) }),
        status: [history('t', { created: NOW, dockerImageReference: `q/a@${DIGEST_A}`, image: DIGEST_A, generation: 1 })],
      },
      {
        rule: '§5.4 same-stream tracking on create',
        tags: [tag('latest', istag('v1')), tag('v1', docker('q/a:v1'), { reference: true })],
        ctx: context(),
        status: [
          history('latest', { created: NOW, dockerImageReference: 'q/a:v1', image: '', generation: 1 }),
          history('v1', { created: NOW, dockerImageReference: 'q/a:v1', image: '', generation: 1 }),
        ],
      },
    ])('adds status events ($rule)', ({ tags, ctx, status }) => {
      expect(created(stream('foo', { tags }), ctx).status?.tags).toEqual(status);
    });
  });

  describe('validate', () => {
    const check = (s: ImageStream, ctx = context()) => {
      const prepared = strategy.prepareForCreate(ctx, strategy.normalize(s));
      return strategy.validate(ctx, prepared);
    };

    it('puts the wrapped resolution error before the direct causes (§4.0, §13.7, R16+R20)', () => {
      const errs = check(stream('foo', { tags: [tag('t', { kind: 'Image', name: 'x' })] }));
      expect(errs.map(errorString)).toEqual([
        `[]: Internal error: imagestreams "foo" is invalid: spec.tags[t].from.name: Invalid value: "x": ${FORMAT}`,
        `spec.tags[t].from.kind: Required value: ${KINDS}`,
      ]);
      expect(errs[0]?.type).toBe('InternalError');
    });

    it('reports an invalid reference pull spec twice: spec and status (§2.3 step 6, §13.11)', () => {
      expect(fields(check(stream('foo', { tags: [tag('t', docker('Bad/Ref'), { reference: true })] })))).toEqual([
        'spec.tags[t].from.name',
        'status.tags[t].items[0].dockerImageReference',
      ]);
    });

    it.each([
      { rule: 'R13+R20 DockerImage with empty name', t: tag('t', { kind: 'DockerImage' }), want: ['[]', 'spec.tags[t].from.name'] },
      { rule: 'R21 missing source stream', t: tag('t', istag('nope:latest')), want: ['[]'] },
      { rule: 'R22 ImageStreamImage not found in own (empty) history', t: tag('t', isimage(DIGEST_A)), want: ['[]'] },
      { rule: '§13.9 ImageStreamTag to this stream is fine even without the tag', t: tag('t', istag('foo:nope')), want: [] },
      { rule: 'R23 cross-namespace denied (missing decision)', t: tag('t', istag('src:latest', 'other')), want: ['[]'] },
    ])('$rule', ({ t, want }) => {
      expect(fields(check(stream('foo', { tags: [t] })))).toEqual(want);
    });

    it('aggregates verifier and resolution errors in one cause, verifier first (§2.3, §4.0)', () => {
      const errs = check(stream('foo', { tags: [tag('a', istag('src:latest', 'other')), tag('b', istag('x:y:z'))] }));
      expect(errorString(errs[0]!)).toBe(
        `[]: Internal error: imagestreams "foo" is invalid: [spec.tags[a].from: Forbidden: other/src: "" "", spec.tags[a].from.name: Not found: "src:latest", spec.tags[b].from.name: Invalid value: "x:y:z": ${FORMAT}]`,
      );
    });

    it('accepts a cross-namespace tag the user may pull (R23)', () => {
      const src = stream('src', { namespace: 'other', status: [history('latest', event(`q/a@${DIGEST_A}`, DIGEST_A))] });
      const ctx = context({ referenced: referenced(src), access: new Map([[accessKey(layersAccessCheck('other', 'src')), { allowed: true }]]) });
      expect(check(stream('foo', { tags: [tag('a', istag('src:latest', 'other'))] }), ctx)).toEqual([]);
    });
  });

  describe('references and accessChecks', () => {
    it('asks for other streams and cross-namespace access of new tags only (§3.5, R21, R23)', () => {
      const old = stream('foo', { tags: [tag('kept', istag('k:latest', 'far'), { generation: 1 })] });
      const next = stream('foo', { tags: [tag('kept', istag('k:latest', 'far'), { generation: 0 }), tag('new', istag('n:latest', 'far')), tag('own', istag('s:latest'))] });
      expect(strategy.references?.(next, old, 'ns')).toEqual([
        { namespace: 'far', name: 'n' },
        { namespace: 'ns', name: 's' },
      ]);
      expect(strategy.accessChecks?.(next, old, 'ns')).toEqual([layersAccessCheck('far', 'n')]);
    });
  });

  describe('prepareForUpdate', () => {
    const stored = (extra: Partial<Parameters<typeof stream>[1]> = {}) =>
      stream('foo', {
        generation: 3,
        tags: [tag('a', docker('q/a:1'), { generation: 2 }), tag('b', istag('a'), { generation: 3 })],
        status: [history('a', event(`q/a@${DIGEST_A}`, DIGEST_A, 2)), history('b', event(`q/a@${DIGEST_A}`, DIGEST_A, 3))],
        ...extra,
      });
    const update = (next: ImageStream, old: ImageStream, ctx = context()) =>
      strategy.prepareForUpdate(ctx, { ...strategy.normalize(next), metadata: { ...next.metadata, generation: old.metadata.generation } }, old);

    it('ignores client status and keeps the stored one (§3.2 step 3, §13.1)', () => {
      const old = stored();
      const out = update({ ...old, status: { dockerImageRepository: 'x', tags: [history('zzz', event('client/ref'))] } }, old);
      expect(out.status?.tags).toEqual(old.status?.tags);
      expect(out.metadata.generation).toBe(3);
    });

    it('does not bump the generation for metadata-only changes (§3.3, §13.2)', () => {
      const old = stored();
      const out = update({ ...old, metadata: { ...old.metadata, labels: { x: 'y' } } }, old);
      expect(out.metadata.generation).toBe(3);
      expect(out.spec).toEqual(old.spec);
    });

    it('bumps by one for a spec change and stamps the changed tag (§3.3)', () => {
      const old = stored();
      const next = { ...old, spec: { ...old.spec, tags: [tag('a', docker('q/a:2'), { generation: 2 }), old.spec.tags![1]!] } };
      const out = update(next, old);
      expect(out.metadata.generation).toBe(4);
      expect(out.spec.tags?.map((t) => [t.name, t.generation])).toEqual([
        ['a', 4],
        ['b', 3],
      ]);
    });

    it('re-resolves a changed reference tag and tracks it (§3.5, §5.4)', () => {
      const old = stored();
      const next = { ...old, spec: { ...old.spec, tags: [tag('a', docker(`q/a@${DIGEST_B}`), { reference: true }), old.spec.tags![1]!] } };
      const out = update(next, old);
      const ev = { created: NOW, dockerImageReference: `q/a@${DIGEST_B}`, image: '', generation: 4 };
      expect(out.status?.tags).toEqual([history('a', ev, event(`q/a@${DIGEST_A}`, DIGEST_A, 2)), history('b', ev, event(`q/a@${DIGEST_A}`, DIGEST_A, 3))]);
    });

    it('never re-resolves unchanged tags, even if the source stream is gone (§3.5)', () => {
      const old = stream('foo', { generation: 2, tags: [tag('t', istag('gone:latest'), { generation: 1 })], status: [history('t', event('q/x', 'i'))] });
      const next = { ...old, metadata: { ...old.metadata, labels: { a: 'b' } } };
      const out = update(next, old);
      expect(out.status?.tags).toEqual(old.status?.tags);
      expect(strategy.validateUpdate(context(), out, old)).toEqual([]);
    });

    it('does not re-resolve an ImageStreamTag tag on a generation-0 request (§3.3 subtlety)', () => {
      const src = stream('src', { status: [history('latest', event('q/new', 'new'))] });
      const old = stream('foo', { generation: 2, tags: [tag('t', istag('src:latest'), { generation: 1 })], status: [history('t', event('q/old', 'old', 1))] });
      const next = { ...old, spec: { ...old.spec, tags: [{ ...old.spec.tags![0]!, generation: 0 }] } };
      const out = update(next, old, context({ referenced: referenced(src) }));
      expect(out.metadata.generation).toBe(3);
      expect(out.spec.tags?.[0]?.generation).toBe(3);
      expect(out.status?.tags).toEqual(old.status?.tags);
    });

    it('recomputes the repositories (§5.1)', () => {
      const st = imageStreamStrategy({ defaultImportMode: 'Legacy', internalRegistryHostname: IRH });
      const old = stored({ statusRepository: 'stale' });
      const out = st.prepareForUpdate(context(), { ...old, metadata: { ...old.metadata } }, old);
      expect(out.status?.dockerImageRepository).toBe(`${IRH}/ns/foo`);
    });
  });

  describe('validateUpdate', () => {
    it('validates every tag every time, not only changed ones (§3.5)', () => {
      const old = stream('foo', { generation: 1, tags: [tag('t', istag('foo:x'), { generation: 1 })] });
      const next = stream('foo', { generation: 1, tags: [tag('t', istag('foo:x'), { generation: 1, importPolicy: { scheduled: true, importMode: 'Legacy' } })] });
      const prepared = strategy.prepareForUpdate(context(), next, old);
      expect(fields(strategy.validateUpdate(context(), prepared, old))).toEqual(['spec.tags[t].importPolicy.scheduled']);
    });
  });

  describe('through the registry (ResourceService)', () => {
    it('answers the §4.0 illustration with the exact 422 body', async () => {
      const api = imageStreamService();
      const status = await statusOf(api.create('demo', body('foo', { tags: [{ name: 't', from: { kind: 'Image', name: 'x' } }] })));
      expect(status).toEqual(fixture('invalid-from-kind.422.json'));
    });

    it('creates with defaults, collapsed tags, discarded status and null rendering (§1.3–1.5, §2)', async () => {
      const api = imageStreamService({ internalRegistryHostname: IRH, publicRegistryHostname: ERH });
      const out = await api.create('demo', fixture('create-request.json') as ImageStreamInput);
      expect(imageStreamToWire(out)).toEqual(fixture('create-response.json'));
    });

    it('uses the configured default import mode (§1.3)', async () => {
      const api = imageStreamService({ defaultImportMode: 'PreserveOriginal' });
      const out = await api.create('demo', body('foo', { tags: [{ name: 'a' }, { name: 'b', importPolicy: { importMode: 'Legacy' } }] }));
      expect(out.spec.tags?.map((t) => t.importPolicy?.importMode)).toEqual(['PreserveOriginal', 'Legacy']);
    });

    it('resolves ImageStreamTag sources in the same namespace and rejects missing ones (§6.1, R21)', async () => {
      const api = imageStreamService();
      const src = await api.create('demo', body('src', { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: `q/a@${DIGEST_A}` }, reference: true }] }));
      expect(src.status?.tags?.[0]?.items?.[0]?.dockerImageReference).toBe(`q/a@${DIGEST_A}`);
      const copy = await api.create('demo', body('copy', { tags: [{ name: 't', from: { kind: 'ImageStreamTag', name: 'src:latest' } }] }));
      expect(copy.status?.tags).toEqual([history('t', { created: '2026-11-26T21:08:37Z', dockerImageReference: `q/a@${DIGEST_A}`, image: '', generation: 1 })]);
      const missing = await statusOf(api.create('demo', body('bad', { tags: [{ name: 't', from: { kind: 'ImageStreamTag', name: 'nope:latest' } }] })));
      expect(missing.details?.causes).toEqual([
        { reason: 'InternalError', field: '[]', message: 'Internal error: imagestreams "bad" is invalid: spec.tags[t].from.name: Not found: "nope:latest"' },
      ]);
    });

    it('authorizes cross-namespace sources through the authorizer (R23, §12.2)', async () => {
      const api = imageStreamService({}, async (_user, check) => ({ allowed: check.namespace !== 'secret', reason: 'denied' }));
      await api.create('secret', body('src', {}));
      const status = await statusOf(api.create('demo', body('foo', { tags: [{ name: 't', from: { kind: 'ImageStreamTag', namespace: 'secret', name: 'src:latest' } }] })));
      expect(status.details?.causes?.[0]?.message).toBe('Internal error: imagestreams "foo" is invalid: spec.tags[t].from: Forbidden: secret/src: "denied" ""');
      await api.create('open', body('src', {}));
      await expect(api.create('demo', body('ok', { tags: [{ name: 't', from: { kind: 'ImageStreamTag', namespace: 'open', name: 'src:latest' } }] }))).resolves.toBeDefined();
    });

    it('updates: generation +1 only for spec changes, spec tag generations protected (§3.2, §13.2, §13.3)', async () => {
      const api = imageStreamService();
      const created = await api.create('demo', body('foo', { tags: [{ name: 'a', from: { kind: 'DockerImage', name: 'q/a:1' } }] }));
      const labelsOnly = await api.update('demo', 'foo', { ...created, metadata: { ...created.metadata, labels: { x: 'y' } } });
      expect(labelsOnly.metadata.generation).toBe(1);
      const reimport = await api.update('demo', 'foo', { ...labelsOnly, spec: { ...labelsOnly.spec, tags: [{ ...labelsOnly.spec.tags![0]!, generation: 0 }] } });
      expect([reimport.metadata.generation, reimport.spec.tags?.[0]?.generation]).toEqual([2, 2]);
      const clientGen = await api.update('demo', 'foo', { ...reimport, spec: { ...reimport.spec, tags: [{ ...reimport.spec.tags![0]!, generation: 77 }] } });
      expect([clientGen.metadata.generation, clientGen.spec.tags?.[0]?.generation]).toEqual([2, 2]);
    });

    it('requires a resourceVersion and never creates on PUT (§3.1)', async () => {
      const api = imageStreamService();
      const noRv = await statusOf(api.update('demo', 'foo', body('foo', {})));
      expect(noRv.code).toBe(404);
      const created = await api.create('demo', body('foo', {}));
      const { resourceVersion: _rv, ...meta } = created.metadata;
      const status = await statusOf(api.update('demo', 'foo', { ...created, metadata: meta }));
      expect(status.code).toBe(422);
      expect(status.message).toBe('imagestreams.image.openshift.io "foo" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    });
  });
  describe('imageStreamInternalStrategy', () => {
    const internal = imageStreamInternalStrategy({ defaultImportMode: 'Legacy' });

    it('keeps the caller status on create, still forcing generations to 1 (§2.5)', () => {
      const s = stream('foo', { generation: 4, tags: [tag('a', docker('q/a'), { generation: 3 })], status: [history('a', event('q/a:x', 'x', 7)), { tag: 'empty' }] });
      const out = internal.prepareForCreate(context(), s);
      expect(out.metadata.generation).toBe(1);
      expect(out.spec.tags?.[0]?.generation).toBe(1);
      expect(out.status?.tags).toEqual(s.status?.tags);
      expect(internal.validate(context(), out)).toEqual([]);
    });

    it('persists the caller status on update, dropping empty status tags (§3.7, §5.6)', () => {
      const old = stream('foo', { generation: 2, tags: [tag('a', docker('q/a'), { generation: 2 })], status: [history('a', event('q/a@1', '1', 2))] });
      const next = { ...old, status: { dockerImageRepository: '', tags: [{ tag: 'empty' }] } };
      const out = internal.prepareForUpdate(context(), next, old);
      expect(out.status).toEqual({ dockerImageRepository: '' });
      expect(internal.validateUpdate(context(), out, old)).toEqual([]);
    });

    it('still resolves new tags and tracks them (§3.7)', () => {
      const old = stream('foo', { generation: 1, status: [history('src', event('q/s', 's', 1))] });
      const next = stream('foo', { generation: 1, tags: [tag('t', istag('src'))], status: [history('src', event('q/s2', 's2', 1), event('q/s', 's', 1))] });
      const out = internal.prepareForUpdate(context(), next, old);
      expect(out.status?.tags?.find((t) => t.tag === 't')?.items?.[0]).toMatchObject({ dockerImageReference: 'q/s2', image: 's2', generation: 2 });
    });
  });
});
