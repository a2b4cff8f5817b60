import { describe, expect, it } from 'vitest';
import { errorString } from '../../../shared/apimachinery/field-errors.js';
import { isStatusError, type Status } from '../../../shared/apimachinery/status.js';
import {
  imageStreamTagOf,
  imageStreamTagsOf,
  normalizeImageStreamTag,
  parseImageStreamTagName,
  planImageStreamTagCreate,
  planImageStreamTagDelete,
  planImageStreamTagUpdate,
  prepareImageStreamTagCreate,
  splitImageStreamTag,
  validateImageStreamTag,
  validateImageStreamTagUpdate,
} from '../../../shared/image/image-stream-tag.js';
import { imageStreamTagToWire, type ImageStreamTag } from '../../../shared/image/istag-types.js';
import { registryAllowlist } from '../../../shared/image/registry-allowlist.js';
import type { ImageStream } from '../../../shared/image/types.js';
import { DIGEST_A, DIGEST_B, docker, event, history, stream, tag } from './helpers.js';

const CONFIG = { defaultImportMode: 'Legacy' as const };
const IRH_REPO = 'image-registry.openshift-image-registry.svc:5000/ns/app';

/** A stored stream: `app` in `ns` with tags v1 (two revisions) and v2 (reference only). */
function app(extra: Partial<ImageStream['metadata']> = {}): ImageStream {
  const s = stream('app', {
    labels: { team: 'web' },
    tags: [tag('v1', docker('quay.io/a/app:v1'), { generation: 2, annotations: { note: 'one' } }), tag('v2', docker('quay.io/a/app:v2'), { reference: true, generation: 2 })],
    status: [
      history('v1', event(`quay.io/a/app@${DIGEST_B}`, DIGEST_B, 2, '2026-11-02T00:00:00Z'), event(`quay.io/a/app@${DIGEST_A}`, DIGEST_A, 1)),
      history('v2', event('quay.io/a/app:v2', '', 2)),
      { tag: 'failed', conditions: [{ type: 'ImportSuccess', status: 'False', reason: 'NotFound', message: 'gone', generation: 2 }] },
    ],
    statusRepository: IRH_REPO,
  });
  return { ...s, metadata: { ...s.metadata, uid: 'uid-1', resourceVersion: '7', creationTimestamp: '2026-11-01T00:00:00Z', ...extra } };
}

const istagBody = (name: string, extra: Partial<ImageStreamTag> = {}): ImageStreamTag =>
  normalizeImageStreamTag({ metadata: { name }, ...extra } as never, CONFIG);

function statusOf(fn: () => unknown): Status {
  try {
    fn();
  } catch (e) {
    if (isStatusError(e)) return e.status;
    throw e;
  }
  throw new Error('expected a StatusError');
}

describe('image-stream-tag', () => {
  describe('parseImageStreamTagName', () => {
    it.each([
      { name: 'app:v1', want: { stream: 'app', tag: 'v1' } },
      { name: 'app:', want: undefined },
      { name: ':v1', want: undefined },
      { name: 'app', want: undefined },
      { name: 'a:b:c', want: undefined },
      { name: `app@${DIGEST_A}`, want: undefined },
      { name: 'app:v1@x', want: undefined },
    ])('parses $name', ({ name, want }) => {
      if (want) expect(parseImageStreamTagName(name)).toEqual(want);
      else expect(statusOf(() => parseImageStreamTagName(name))).toMatchObject({ code: 400, reason: 'BadRequest', message: 'ImageStreamTags must be retrieved with <name>:<tag>' });
    });
  });

  describe('splitImageStreamTag', () => {
    it.each([
      { name: 'app:v1', want: { stream: 'app', tag: 'v1', ok: true } },
      { name: 'app:', want: { stream: 'app', tag: 'latest', ok: true } },
      { name: 'a:b:c', want: { stream: 'a', tag: 'b:c', ok: true } },
      { name: 'app', want: { stream: 'app', tag: 'latest', ok: false } },
    ])('splits $name at the first colon', ({ name, want }) => {
      expect(splitImageStreamTag(name)).toEqual(want);
    });
  });

  describe('imageStreamTagOf', () => {
    it('builds the view from the newest event, the spec tag and the stream (§6.4)', () => {
      const ist = imageStreamTagOf(app(), 'v1')!;
      expect(ist).toEqual({
        kind: 'ImageStreamTag',
        apiVersion: 'image.openshift.io/v1',
        metadata: {
          name: 'app:v1',
          namespace: 'ns',
          uid: 'uid-1',
          resourceVersion: '7',
          creationTimestamp: '2026-11-02T00:00:00Z',
          labels: { team: 'web' },
          annotations: { note: 'one' },
        },
        tag: tag('v1', docker('quay.io/a/app:v1'), { generation: 2, annotations: { note: 'one' } }),
        generation: 2,
        lookupPolicy: { local: false },
        image: { metadata: { name: DIGEST_B }, dockerImageReference: `quay.io/a/app@${DIGEST_B}` },
      });
    });

    it('hands out the Local pull spec under referencePolicy Local (§8)', () => {
      const s = app();
      s.spec.tags![0]!.referencePolicy = { type: 'Local' };
      expect(imageStreamTagOf(s, 'v1')?.image?.dockerImageReference).toBe(`${IRH_REPO}@${DIGEST_B}`);
    });

    it.each([
      { why: 'a reference-only tag (no image)', tagName: 'v2' },
      { why: 'a tag with only conditions', tagName: 'failed' },
      { why: 'an unknown tag', tagName: 'nope' },
    ])('is not found for $why', ({ tagName }) => {
      expect(imageStreamTagOf(app(), tagName)).toBeUndefined();
    });

    it('with allowEmptyEvent gives the tag at the stream creation time, with conditions', () => {
      const ist = imageStreamTagOf(app(), 'failed', { allowEmptyEvent: true })!;
      expect(ist.metadata.creationTimestamp).toBe('2026-11-01T00:00:00Z');
      expect(ist.generation).toBe(0);
      expect(ist.tag).toBeUndefined();
      expect(ist.conditions).toEqual([{ type: 'ImportSuccess', status: 'False', reason: 'NotFound', message: 'gone', generation: 2 }]);
      expect(ist.image?.metadata).toEqual({});
    });
  });

  describe('imageStreamTagsOf', () => {
    it('lists the tags with an image only, by name', () => {
      const s = app();
      s.status!.tags!.push(history('a', event(`quay.io/a/app@${DIGEST_A}`, DIGEST_A)));
      expect(imageStreamTagsOf(s).map((t) => t.metadata.name)).toEqual(['app:a', 'app:v1']);
    });
  });

  describe('imageStreamTagToWire', () => {
    it('renders tag null, conditions omitted and the empty Docker metadata of an Image without metadata', () => {
      const wire = imageStreamTagToWire({ ...imageStreamTagOf(app(), 'failed', { allowEmptyEvent: true })!, conditions: [] });
      expect(Object.keys(wire)).toEqual(['kind', 'apiVersion', 'metadata', 'tag', 'generation', 'lookupPolicy', 'image']);
      expect(wire['tag']).toBeNull();
      expect(wire['image']).toEqual({
        metadata: { creationTimestamp: null },
        dockerImageMetadata: { kind: 'DockerImage', apiVersion: '1.0', Id: '', Created: null, ContainerConfig: {} },
        dockerImageMetadataVersion: '1.0',
        dockerImageLayers: null,
      });
    });
  });

  describe('validateImageStreamTag', () => {
    it.each([
      { rule: 'R16 under tag.', body: istagBody('app:v1', { tag: tag('v1', { kind: 'Image', name: 'x' }) }), want: ["tag.from.kind: Required value: valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'"] },
      { rule: 'R14 under tag.', body: istagBody('app:v1', { tag: tag('v1', docker('Bad//ref')) }), want: ['tag.from.name: Invalid value: "Bad//ref": invalid reference format'] },
      {
        rule: 'tag annotations differ from the object annotations',
        body: istagBody('app:v1', { metadata: { name: 'app:v1', annotations: { a: '1' } }, tag: tag('v1', docker('quay.io/a:1'), { annotations: { a: '2' } }) }),
        want: ['tag.annotations: Invalid value: "<map>": tag annotations must not be provided or must be equal to the object meta annotations'],
      },
      { rule: 'metadata path-segment name', body: istagBody('a/b:v1'), want: ['metadata.name: Invalid value: "a/b:v1": may not contain \'/\''] },
    ])('$rule', ({ body, want }) => {
      const errs = validateImageStreamTag({ ...body, metadata: { ...body.metadata, namespace: 'ns' } });
      expect(errs.map(errorString)).toEqual(want);
    });

    it('checks DockerImage sources against the registry allow-list', () => {
      const allowlist = registryAllowlist([{ domainName: 'quay.io', insecure: false }], undefined);
      const body = istagBody('app:v1', { metadata: { name: 'app:v1', namespace: 'ns' }, tag: tag('v1', docker('docker.io/library/busybox')) });
      expect(validateImageStreamTag(body, { allowlist }).map(errorString)).toEqual([
        'tag.from.name: Forbidden: registry "docker.io" not allowed by whitelist: "quay.io:443"',
      ]);
    });
  });

  describe('validateImageStreamTagUpdate', () => {
    it('refuses changes to anything but the tag and the annotations', () => {
      const old = imageStreamTagOf(app(), 'v1')!;
      const next = { ...old, metadata: { ...old.metadata, labels: { team: 'other' } } };
      expect(validateImageStreamTagUpdate(next, old).map(errorString)).toEqual(['metadata: Invalid value: "": may not update fields other than metadata.annotations']);
    });

    it('allows the old DockerImage source even when the allow-list no longer does', () => {
      const allowlist = registryAllowlist([{ domainName: 'quay.io', insecure: false }], undefined);
      const s = app();
      s.spec.tags![0]!.from = docker('docker.io/library/busybox');
      const old = imageStreamTagOf(s, 'v1')!;
      expect(validateImageStreamTagUpdate(old, old, { allowlist })).toEqual([]);
    });
  });

  describe('prepareImageStreamTagCreate', () => {
    it('names the spec tag after the tag part and drops conditions and image', () => {
      const body = { ...istagBody('app:v3', { tag: { ...tag('', docker('quay.io/a/app:v3')) } }), conditions: [{ type: 'x' }], image: { metadata: { name: 'y' } } };
      const { ist, streamName, tag: t } = prepareImageStreamTagCreate(body, 'ns');
      expect([streamName, t, ist.tag?.name, ist.conditions, ist.image, ist.metadata.namespace]).toEqual(['app', 'v3', 'v3', undefined, undefined, 'ns']);
    });

    it.each([
      { why: 'a name without a colon (upstream answers 500; bad input is a 400 here)', name: 'app', want: { code: 400, reason: 'BadRequest', message: '"app" must be of the form <stream_name>:<tag>' } },
      { why: 'an empty stream name is the lookup 400', name: ':v1', want: { code: 400, reason: 'BadRequest', message: 'Name parameter required.' } },
      {
        why: 'an invalid spec tag is a 422 of the ImageStreamTag kind',
        name: 'app:v1',
        tag: tag('v1', { kind: 'Nope', name: 'x' }),
        want: { code: 422, reason: 'Invalid', message: 'ImageStreamTag.image.openshift.io "app:v1" is invalid: tag.from.kind: Required value: valid values are \'DockerImage\', \'ImageStreamImage\', \'ImageStreamTag\'' },
      },
    ])('$why', ({ name, tag: t, want }) => {
      expect(statusOf(() => prepareImageStreamTagCreate(istagBody(name, t ? { tag: t } : {}), 'ns'))).toMatchObject(want);
    });

    it('refuses another namespace in the body', () => {
      expect(statusOf(() => prepareImageStreamTagCreate(istagBody('app:v1', { metadata: { name: 'app:v1', namespace: 'other' } }), 'ns'))).toMatchObject({
        code: 400,
        message: 'the namespace of the provided object does not match the namespace sent on the request',
      });
    });
  });

  describe('planImageStreamTagCreate', () => {
    const prepared = (t = tag('v3', docker('quay.io/a/app:v3'))) => prepareImageStreamTagCreate(istagBody('app:v3', { tag: t }), 'ns');

    it('adds the spec tag, keeping the others sorted (§10)', () => {
      const plan = planImageStreamTagCreate(prepared(), 'ns', app());
      expect(plan.create).toBe(false);
      expect(plan.stream.spec.tags?.map((t) => t.name)).toEqual(['v1', 'v2', 'v3']);
      expect(plan.stream.status).toEqual(app().status);
    });

    it('creates the stream when it is missing', () => {
      const plan = planImageStreamTagCreate(prepared(), 'ns', undefined);
      expect(plan.create).toBe(true);
      expect(plan.stream).toMatchObject({ metadata: { name: 'app', namespace: 'ns' }, spec: { tags: [{ name: 'v3' }] } });
    });

    it('answers 409 AlreadyExists (singular resource) for an existing spec tag', () => {
      const p = prepareImageStreamTagCreate(istagBody('app:v1', { tag: tag('v1', docker('quay.io/a/app:v1')) }), 'ns');
      expect(statusOf(() => planImageStreamTagCreate(p, 'ns', app()))).toMatchObject({
        code: 409,
        reason: 'AlreadyExists',
        message: 'imagestreamtag.image.openshift.io "app:v1" already exists',
      });
    });
  });

  describe('planImageStreamTagUpdate', () => {
    const plan = (current: ImageStream | undefined, updated: (old: ImageStreamTag) => ImageStreamTag, name = 'app:v1') =>
      planImageStreamTagUpdate({ name, namespace: 'ns', current, updated });

    it('sets the spec tag from the body and the annotations from the metadata', () => {
      const out = plan(app(), (old) => ({ ...old, metadata: { ...old.metadata, annotations: { note: 'two' } }, tag: tag('v1', docker('quay.io/a/app:v1.1')) }));
      expect(out.created).toBe(false);
      expect(out.unconditional).toBe(false);
      expect(out.stream.spec.tags?.find((t) => t.name === 'v1')).toEqual(tag('v1', docker('quay.io/a/app:v1.1'), { annotations: { note: 'two' } }));
    });

    it('keeps the existing spec tag when the body has none', () => {
      const out = plan(app(), (old) => ({ ...istagBody('app:v1'), metadata: { ...old.metadata, annotations: { x: 'y' } } }));
      expect(out.stream.spec.tags?.find((t) => t.name === 'v1')?.annotations).toEqual({ x: 'y' });
    });

    it.each([
      {
        why: 'a stale resourceVersion is 409 (the stream\'s)',
        current: app(),
        updated: (old: ImageStreamTag) => ({ ...old, metadata: { ...old.metadata, resourceVersion: '6' } }),
        want: { code: 409, reason: 'Conflict', message: 'Operation cannot be fulfilled on imagestreamtags.image.openshift.io "app:v1": another caller has updated the resource version to 7' },
      },
      {
        why: 'a resourceVersion for a missing stream is 404',
        current: undefined,
        updated: () => istagBody('app:v1', { metadata: { name: 'app:v1', resourceVersion: '3' } }),
        want: { code: 404, reason: 'NotFound', message: 'imagestreamtags.image.openshift.io "app:v1" not found' },
      },
      {
        why: 'no spec tag and no tag in the body is 400',
        current: app(),
        updated: (old: ImageStreamTag) => ({ ...istagBody('app:failed'), metadata: old.metadata }),
        name: 'app:failed',
        want: { code: 400, message: 'imagestreamtag failed is not a spec tag in imagestream ns/app, cannot be updated' },
      },
      {
        why: 'another name in the body is 400',
        current: app(),
        updated: (old: ImageStreamTag) => ({ ...old, metadata: { ...old.metadata, name: 'app:v2' } }),
        want: { code: 400, message: 'the name of the object (app:v2) does not match the name on the URL (app:v1)' },
      },
      {
        why: 'changed labels are 422',
        current: app(),
        updated: (old: ImageStreamTag) => ({ ...old, metadata: { ...old.metadata, labels: { team: 'x' } } }),
        want: { code: 422, message: 'ImageStreamTag.image.openshift.io "app:v1" is invalid: metadata: Invalid value: "": may not update fields other than metadata.annotations' },
      },
    ])('$why', ({ current, updated, name, want }) => {
      expect(statusOf(() => plan(current, updated, name))).toMatchObject(want);
    });

    it('without a resourceVersion writes unconditionally on the stream as read, keeping its labels', () => {
      const out = plan(app(), () => istagBody('app:v3', { tag: tag('v3', docker('quay.io/a/app:v3')) }), 'app:v3');
      expect(out).toMatchObject({ created: true, unconditional: true, create: false });
      expect(out.stream.metadata.resourceVersion).toBe('7');
    });

    it('creates the stream for a PUT of a missing one', () => {
      const out = plan(undefined, () => istagBody('new:v1', { tag: tag('v1', docker('quay.io/a/new:v1')) }), 'new:v1');
      expect(out).toMatchObject({ create: true, created: true, streamName: 'new' });
    });
  });

  describe('planImageStreamTagDelete', () => {
    it('removes the spec tag and the whole history, conditions included (§10)', () => {
      const out = planImageStreamTagDelete({ name: 'app:v1', current: app() });
      expect(out.spec.tags?.map((t) => t.name)).toEqual(['v2']);
      expect(out.status?.tags?.map((t) => t.tag)).toEqual(['failed', 'v2']);
    });

    it.each([
      { why: 'a status-only tag', name: 'app:failed', specTags: ['v1', 'v2'], statusTags: ['v1', 'v2'] },
      { why: 'a spec-only tag', name: 'app:v9', specTags: ['v1', 'v2'], statusTags: ['failed', 'v1', 'v2'], addSpec: 'v9' },
    ])('removes $why', ({ name, specTags, statusTags, addSpec }) => {
      const s = app();
      if (addSpec) s.spec.tags!.push(tag(addSpec, docker('quay.io/a/app:v9')));
      const out = planImageStreamTagDelete({ name, current: s });
      expect(out.spec.tags?.map((t) => t.name)).toEqual(specTags);
      expect(out.status?.tags?.map((t) => t.tag)).toEqual(statusTags);
    });

    it.each([
      { why: 'an unknown tag is 404', name: 'app:v9', uid: undefined, want: { code: 404, message: 'imagestreamtags.image.openshift.io "app:v9" not found' } },
      { why: 'another uid precondition is 409', name: 'app:v1', uid: 'other', want: { code: 409, message: 'Operation cannot be fulfilled on imagestreamtags.image.openshift.io "app:v1": the UID precondition was not met' } },
      { why: 'a bad name is 400', name: 'app', uid: undefined, want: { code: 400, message: 'ImageStreamTags must be retrieved with <name>:<tag>' } },
    ])('$why', ({ name, uid, want }) => {
      expect(statusOf(() => planImageStreamTagDelete({ name, current: app(), ...(uid ? { uid } : {}) }))).toMatchObject(want);
    });
  });
});
