import { describe, expect, it } from 'vitest';
import type { KubeObject, ManagedFieldsEntry } from '../../../shared/apimachinery/meta.js';
import { FieldSet, fieldPath, keyElement, updateManagedFields } from '../../../shared/apimachinery/managed-fields.js';
import {
  applyConflictError,
  applyPatch,
  appliedFieldSet,
  describeManager,
  LAST_APPLIED_ANNOTATION,
  lastAppliedValue,
  validateApplyConfiguration,
  type ApplyResult,
} from '../../../shared/apimachinery/server-side-apply.js';
import { isStatusError, type StatusError } from '../../../shared/apimachinery/status.js';
import { IMAGE_STREAM_FIELDS } from '../../../shared/image/field-meta.js';

const GV = 'image.openshift.io/v1';
const at = (second: number): Date => new Date(Date.UTC(2026, 10, 26, 21, 9, second, 250));
const time = (second: number): string => `2026-11-26T21:09:${String(second).padStart(2, '0')}Z`;

type IS = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
type Config = Record<string, unknown>;

const tag = (name: string, image = `quay.io/example/app:${name}`): Record<string, unknown> => ({
  name,
  from: { kind: 'DockerImage', name: image },
  referencePolicy: { type: 'Source' },
});

/** `is.yaml` of the conformance script (kubectl sends it with the namespace filled in). */
function manifest(opts: { labels?: Record<string, string> | null; local?: boolean; tags?: Record<string, unknown>[]; annotations?: Record<string, string> } = {}): Config {
  const metadata: Record<string, unknown> = { name: 'myis', namespace: 'demo' };
  if (opts.labels !== null) metadata['labels'] = opts.labels ?? { app: 'demo' };
  if (opts.annotations) metadata['annotations'] = opts.annotations;
  return {
    apiVersion: GV,
    kind: 'ImageStream',
    metadata,
    spec: { lookupPolicy: { local: opts.local ?? false }, tags: opts.tags ?? [tag('latest')] },
  };
}

/** What the server stores for a created manifest (identity fields, defaulted status). */
function persisted(obj: Config, managedFields: ManagedFieldsEntry[] | undefined, rv = '10'): IS {
  const o = structuredClone(obj) as unknown as IS;
  o.metadata = {
    ...o.metadata,
    uid: '6f1c3a52-1111-4222-8333-944445555666',
    resourceVersion: rv,
    generation: 1,
    creationTimestamp: '2026-11-26T21:00:00Z',
  };
  if (managedFields && managedFields.length > 0) o.metadata.managedFields = managedFields;
  else delete o.metadata.managedFields;
  o.status = { dockerImageRepository: '' };
  return o;
}

const apply = (live: IS | undefined, config: Config, manager: string, second: number, extra: { force?: boolean; subresource?: string } = {}): ApplyResult<IS> =>
  applyPatch({
    live,
    config,
    manager,
    force: extra.force ?? false,
    apiVersion: GV,
    now: at(second),
    meta: IMAGE_STREAM_FIELDS,
    ignore: extra.subresource === 'status' ? ['spec'] : ['status'],
    ...(extra.subresource ? { subresource: extra.subresource } : {}),
  });

/** A non-apply write (label/patch/edit) followed by persisting it. */
function write(live: IS, mutate: (o: IS) => void, manager: string, second: number): IS {
  const next = structuredClone(live);
  mutate(next);
  const managedFields = updateManagedFields({ old: live, next, manager, apiVersion: GV, now: at(second), meta: IMAGE_STREAM_FIELDS, ignore: ['status'] });
  return persisted(next as unknown as Config, managedFields, String(Number(live.metadata.resourceVersion) + 1));
}

const store = (r: ApplyResult<IS>, live?: IS): IS =>
  r.created ? persisted(r.object as unknown as Config, r.managedFields) : { ...(r.object as IS), metadata: { ...r.object.metadata, resourceVersion: String(Number(live?.metadata.resourceVersion ?? 10) + 1) } };

const fieldsOf = (obj: KubeObject, manager: string, operation?: string): string[] | undefined => {
  const e = (obj.metadata.managedFields ?? []).find((x) => x.manager === manager && (operation === undefined || x.operation === operation));
  return e ? FieldSet.fromFieldsV1(e.fieldsV1).toStrings() : undefined;
};

const managers = (obj: KubeObject): string[] => (obj.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}${e.subresource ? '/' + e.subresource : ''}`);

function catchStatus(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    if (isStatusError(e)) return e;
    throw e;
  }
  throw new Error('expected a StatusError');
}

const IS_YAML_FIELDS = {
  'f:metadata': { 'f:labels': { 'f:app': {} } },
  'f:spec': {
    'f:lookupPolicy': { 'f:local': {} },
    'f:tags': {
      'k:{"name":"latest"}': { '.': {}, 'f:from': { 'f:kind': {}, 'f:name': {} }, 'f:name': {}, 'f:referencePolicy': { 'f:type': {} } },
    },
  },
};

describe('server-side-apply', () => {
  describe('validateApplyConfiguration', () => {
    const expected = { apiVersion: GV, kind: 'ImageStream' };

    it('accepts a configuration of the endpoint\'s kind', () => {
      // Act
      const act = (): void => validateApplyConfiguration(manifest(), expected, IMAGE_STREAM_FIELDS);

      // Assess
      expect(act).not.toThrow();
    });

    it.each([
      ['another version', { ...manifest(), apiVersion: 'image.openshift.io/v2' }, 'invalid object type: image.openshift.io/v2, Kind=ImageStream'],
      ['a core version', { ...manifest(), apiVersion: 'v1' }, 'invalid object type: /v1, Kind=ImageStream'],
      ['another kind', { ...manifest(), kind: 'ImageStreamTag' }, 'invalid object type: image.openshift.io/v1, Kind=ImageStreamTag'],
      ['no apiVersion or kind', { metadata: { name: 'x' } }, 'invalid object type: /, Kind='],
      ['an unparsable apiVersion', { ...manifest(), apiVersion: 'a/b/c' }, 'invalid object type: /, Kind='],
      ['managedFields', { ...manifest(), metadata: { name: 'myis', managedFields: [] } }, 'metadata.managedFields must be nil'],
      [
        'duplicated tags',
        { ...manifest(), spec: { tags: [{ name: 'a' }, { name: 'a' }] } },
        'failed to create typed patch object (demo/myis; image.openshift.io/v1, Kind=ImageStream): .spec.tags: duplicate entries for key [name="a"]',
      ],
      [
        'a tag without name and a duplicated finalizer',
        { ...manifest(), metadata: { name: 'myis', finalizers: ['x', 'x'] }, spec: { tags: [{ from: {} }] } },
        'failed to create typed patch object (/myis; image.openshift.io/v1, Kind=ImageStream): errors:\n' +
          '  .metadata.finalizers: duplicate entries for key [="x"]\n' +
          '  .spec.tags: element 0: associative list with keys has an element that omits all key fields ["name"] (and doesn\'t have default values for any key fields)',
      ],
    ])('rejects %s with 400', (_what, config, message) => {
      // Act
      const err = catchStatus(() => validateApplyConfiguration(config, expected, IMAGE_STREAM_FIELDS));

      // Assess
      expect(err.status).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400 });
    });

    it('accepts managedFields: null', () => {
      // Act
      const act = (): void => validateApplyConfiguration({ ...manifest(), metadata: { name: 'myis', managedFields: null } }, expected);

      // Assess
      expect(act).not.toThrow();
    });
  });

  describe('applyPatch', () => {
    it('builds a missing object from the configuration with an Apply entry', () => {
      // Act
      const r = apply(undefined, manifest(), 'kubectl', 1);

      // Assess
      expect(r.created).toBe(true);
      expect(r.changed).toBe(true);
      expect(r.managedFields).toEqual([
        { manager: 'kubectl', operation: 'Apply', apiVersion: GV, time: time(1), fieldsType: 'FieldsV1', fieldsV1: IS_YAML_FIELDS },
      ]);
      expect(r.object).toEqual({ ...manifest(), metadata: { ...(manifest()['metadata'] as object), managedFields: r.managedFields } });
    });

    it('merges tags by name, labels per key and replaces scalars of an existing object', () => {
      // Prepare
      const created = store(apply(undefined, manifest(), 'kubectl', 1));
      const labelled = write(created, (o) => {
        o.metadata.labels = { ...o.metadata.labels, tier: 'web' };
        o.spec = { ...o.spec, tags: [tag('latest'), tag('mine')] };
      }, 'kubectl-edit', 2);

      // Act
      const r = apply(labelled, manifest({ local: true, tags: [tag('latest'), tag('v2')] }), 'kubectl', 3);

      // Assess
      expect(r.created).toBe(false);
      expect(r.object.metadata.labels).toEqual({ app: 'demo', tier: 'web' });
      expect(r.object.spec).toEqual({ lookupPolicy: { local: true }, tags: [tag('latest'), tag('mine'), tag('v2')] });
      expect(managers(r.object)).toEqual(['kubectl/Apply', 'kubectl-edit/Update']);
    });

    it('removes a tag dropped from the manifest', () => {
      // Prepare
      const live = store(apply(undefined, manifest({ tags: [tag('latest'), tag('v2')] }), 'kubectl', 1));

      // Act
      const r = apply(live, manifest(), 'kubectl', 2);

      // Assess
      expect(r.object.spec?.['tags']).toEqual([tag('latest')]);
      expect(r.object.metadata.managedFields).toEqual([
        { manager: 'kubectl', operation: 'Apply', apiVersion: GV, time: time(2), fieldsType: 'FieldsV1', fieldsV1: IS_YAML_FIELDS },
      ]);
    });

    it.each([
      ['removes a label only the applier owned', undefined, {}],
      ['keeps a label an Update manager co-owns', 'kubectl-label', { app: 'demo' }],
    ])('%s', (_what, coOwner, labels) => {
      // Prepare
      let live = store(apply(undefined, manifest(), 'kubectl', 1));
      if (coOwner) {
        live = persisted(live as unknown as Config, [
          ...(live.metadata.managedFields ?? []),
          { manager: coOwner, operation: 'Update', apiVersion: GV, time: time(1), fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } } } },
        ]);
      }

      // Act
      const r = apply(live, manifest({ labels: null }), 'kubectl', 2);

      // Assess
      expect(r.object.metadata.labels ?? {}).toEqual(labels);
      expect(fieldsOf(r.object, 'kubectl')).not.toContain('.metadata.labels.app');
    });

    it('keeps a label another applier still applies', () => {
      // Prepare
      const first = store(apply(undefined, manifest(), 'kubectl', 1));
      const both = store(apply(first, { apiVersion: GV, kind: 'ImageStream', metadata: { name: 'myis', labels: { app: 'demo' } } }, 'gitops', 2), first);

      // Act
      const r = apply(both, manifest({ labels: null }), 'kubectl', 3);

      // Assess
      expect(r.object.metadata.labels).toEqual({ app: 'demo' });
      expect(fieldsOf(r.object, 'gitops')).toEqual(['.metadata.labels.app']);
    });

    it('removes the whole tag element even when another manager owns one of its fields', () => {
      // Prepare
      const applied = store(apply(undefined, manifest({ tags: [tag('latest'), tag('v2')] }), 'kubectl', 1));
      const edited = write(applied, (o) => {
        o.spec = { ...o.spec, tags: [tag('latest'), tag('v2', 'quay.io/other:v2')] };
      }, 'kubectl-edit', 2);

      // Act
      const r = apply(edited, manifest(), 'kubectl', 3, { force: true });

      // Assess
      expect(r.object.spec?.['tags']).toEqual([tag('latest')]);
      expect(managers(r.object)).toEqual(['kubectl/Apply']);
    });

    it('co-owns fields applied with the value they already have', () => {
      // Prepare
      const live = store(apply(undefined, manifest(), 'kubectl', 1));

      // Act
      const r = apply(live, { apiVersion: GV, kind: 'ImageStream', metadata: { name: 'myis', labels: { app: 'demo' } } }, 'other', 2);

      // Assess
      expect(r.changed).toBe(false);
      expect(fieldsOf(r.object, 'kubectl')).toContain('.metadata.labels.app');
      expect(r.managedFields.find((e) => e.manager === 'other')).toEqual({
        manager: 'other',
        operation: 'Apply',
        apiVersion: GV,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } } },
      });
    });

    it('answers 409 when a field owned by an Update manager would change (kubectl label then apply)', () => {
      // Prepare
      const created = store(apply(undefined, manifest(), 'kubectl', 1));
      const labelled = write(created, (o) => {
        o.metadata.labels = { app: 'other' };
      }, 'kubectl-label', 2);

      // Act
      const err = catchStatus(() => apply(labelled, manifest(), 'kubectl', 3));

      // Assess
      expect(err.code).toBe(409);
      expect(err.status).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Apply failed with 1 conflict: conflict with "kubectl-label" using image.openshift.io/v1: .metadata.labels.app',
        reason: 'Conflict',
        details: {
          causes: [
            { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-label" using image.openshift.io/v1', field: '.metadata.labels.app' },
          ],
        },
        code: 409,
      });
    });

    it('moves the fields to the applier with force (--force-conflicts)', () => {
      // Prepare
      const created = store(apply(undefined, manifest(), 'kubectl', 1));
      const labelled = write(created, (o) => {
        o.metadata.labels = { app: 'other' };
      }, 'kubectl-label', 2);

      // Act
      const r = apply(labelled, manifest(), 'kubectl', 3, { force: true });

      // Assess
      expect(r.object.metadata.labels).toEqual({ app: 'demo' });
      expect(managers(r.object)).toEqual(['kubectl/Apply']);
      expect(fieldsOf(r.object, 'kubectl')).toContain('.metadata.labels.app');
    });

    it('lists several conflicts grouped by manager, sorted, with one cause per field', () => {
      // Prepare
      const created = store(apply(undefined, manifest(), 'kubectl', 1));
      const patched = write(created, (o) => {
        o.spec = { lookupPolicy: { local: true }, tags: [tag('latest', 'quay.io/patched:1')] };
      }, 'kubectl-patch', 2);
      const both = store(apply(patched, { apiVersion: GV, kind: 'ImageStream', metadata: { name: 'myis', labels: { app: 'gitops' } } }, 'argo', 3, { force: true }), patched);

      // Act
      const err = catchStatus(() => apply(both, manifest(), 'kubectl', 4));

      // Assess
      expect(err.status.message).toBe(
        'Apply failed with 3 conflicts: conflicts with "argo":\n' +
          '- .metadata.labels.app\n' +
          'conflicts with "kubectl-patch" using image.openshift.io/v1:\n' +
          '- .spec.lookupPolicy.local\n' +
          '- .spec.tags[name="latest"].from.name',
      );
      expect(err.status.details).toEqual({
        causes: [
          { reason: 'FieldManagerConflict', message: 'conflict with "argo"', field: '.metadata.labels.app' },
          { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-patch" using image.openshift.io/v1', field: '.spec.lookupPolicy.local' },
          { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-patch" using image.openshift.io/v1', field: '.spec.tags[name="latest"].from.name' },
        ],
      });
    });

    it('does not touch the time of a no-op apply', () => {
      // Prepare
      const live = store(apply(undefined, manifest(), 'kubectl', 1));

      // Act
      const r = apply(live, manifest(), 'kubectl', 9);

      // Assess
      expect(r.changed).toBe(false);
      expect(r.managedFields).toEqual(live.metadata.managedFields);
    });

    it('gives an object without entries a before-first-apply owner first', () => {
      // Prepare
      const legacy = persisted(manifest({ labels: { app: 'old' } }), undefined);

      // Act
      const err = catchStatus(() => apply(legacy, manifest(), 'kubectl', 2));
      const forced = apply(legacy, manifest({ tags: [tag('v2')] }), 'kubectl', 2, { force: true });

      // Assess
      expect(err.status.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using image.openshift.io/v1: .metadata.labels.app');
      expect(managers(forced.object)).toEqual(['kubectl/Apply', 'before-first-apply/Update']);
      expect(fieldsOf(forced.object, 'before-first-apply')).toEqual([
        '.metadata.labels',
        '.spec.tags',
        '.spec.lookupPolicy.local',
        '.spec.tags[name="latest"]',
        '.spec.tags[name="latest"].from',
        '.spec.tags[name="latest"].name',
        '.spec.tags[name="latest"].referencePolicy',
        '.spec.tags[name="latest"].from.kind',
        '.spec.tags[name="latest"].from.name',
        '.spec.tags[name="latest"].referencePolicy.type',
      ]);
      expect(forced.object.spec?.['tags']).toEqual([tag('latest'), tag('v2')]);
    });

    it('treats undecodable stored entries as none', () => {
      // Prepare
      const odd = persisted(manifest(), [{ manager: 'x', operation: 'Replace', apiVersion: GV, fieldsType: 'FieldsV1', fieldsV1: {} }]);

      // Act
      const r = apply(odd, manifest(), 'kubectl', 2);

      // Assess
      expect(managers(r.object)).toEqual(['kubectl/Apply', 'before-first-apply/Update']);
    });

    it('names conflicts with a subresource manager and never owns reset fields', () => {
      // Prepare
      const created = store(apply(undefined, manifest(), 'kubectl', 1));
      const withStatus = store(
        apply(created, { apiVersion: GV, kind: 'ImageStream', metadata: { name: 'myis' }, status: { dockerImageRepository: 'r/demo/myis' }, spec: { lookupPolicy: { local: true } } }, 'controller', 2, { subresource: 'status' }),
        created,
      );

      // Act
      const err = catchStatus(() =>
        apply(withStatus, { apiVersion: GV, kind: 'ImageStream', metadata: { name: 'myis' }, status: { dockerImageRepository: 'mine' } }, 'other', 3, { subresource: 'status' }),
      );
      const main = apply(withStatus, { ...manifest(), status: { dockerImageRepository: 'ignored' } }, 'kubectl', 4);

      // Assess
      expect(managers(withStatus)).toEqual(['kubectl/Apply', 'controller/Apply/status']);
      expect(fieldsOf(withStatus, 'controller')).toEqual(['.status.dockerImageRepository']);
      expect(err.status.message).toBe('Apply failed with 1 conflict: conflict with "controller" with subresource "status": .status.dockerImageRepository');
      expect(fieldsOf(main.object, 'kubectl')?.some((p) => p.startsWith('.status'))).toBe(false);
      expect(fieldsOf(main.object, 'controller')).toEqual(['.status.dockerImageRepository']);
    });

    it('forgives kubectl the conflicts its last-applied annotation explains and rewrites the annotation', () => {
      // Prepare
      const lastApplied = lastAppliedValue(manifest({ local: true }));
      const created = persisted(
        manifest({ local: true, annotations: { [LAST_APPLIED_ANNOTATION]: lastApplied } }),
        updateManagedFields({
          old: undefined,
          next: persisted(manifest({ local: true, annotations: { [LAST_APPLIED_ANNOTATION]: lastApplied } }), undefined),
          manager: 'kubectl-client-side-apply',
          apiVersion: GV,
          now: at(1),
          meta: IMAGE_STREAM_FIELDS,
          ignore: ['status'],
        }),
      );

      // Act
      const r = apply(created, manifest({ local: false }), 'kubectl', 2);
      const other = catchStatus(() => apply(created, manifest({ local: false }), 'someone', 2));

      // Assess
      expect(r.object.spec?.['lookupPolicy']).toEqual({ local: false });
      expect(r.object.metadata.annotations?.[LAST_APPLIED_ANNOTATION]).toBe(lastAppliedValue(manifest({ local: false })));
      expect(fieldsOf(r.object, 'kubectl-client-side-apply')).not.toContain('.spec.lookupPolicy.local');
      expect(other.status.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using image.openshift.io/v1: .spec.lookupPolicy.local');
    });

    it('follows kubectl apply --server-side on a client-side-applied object, including the managedFields migration', () => {
      // Prepare: kubectl apply -f is.yaml (client-side) created the object.
      const annotation = lastAppliedValue(manifest());
      const csaBody = manifest({ annotations: { [LAST_APPLIED_ANNOTATION]: annotation } });
      const csaEntries = updateManagedFields({
        old: undefined,
        next: persisted(csaBody, undefined),
        manager: 'kubectl-client-side-apply',
        apiVersion: GV,
        now: at(1),
        meta: IMAGE_STREAM_FIELDS,
        ignore: ['status'],
      });
      const v1 = persisted(csaBody, csaEntries, '11');

      // Act 1: the server-side apply itself.
      const first = apply(v1, manifest(), 'kubectl', 2);
      const v2 = store(first, v1);
      // Act 2: kubectl-last-applied re-applies only the annotation.
      const justAnnotation = {
        apiVersion: GV,
        kind: 'ImageStream',
        metadata: { name: 'myis', namespace: 'demo', annotations: { [LAST_APPLIED_ANNOTATION]: v2.metadata.annotations?.[LAST_APPLIED_ANNOTATION] } },
      };
      const second = apply(v2, justAnnotation, 'kubectl-last-applied', 3);
      const v3 = store(second, v2);
      // Act 3: the JSON patch that merges the CSA entry into kubectl's Apply entry (csaupgrade).
      const entries = v3.metadata.managedFields ?? [];
      const kubectlEntry = entries.find((e) => e.manager === 'kubectl' && e.operation === 'Apply') as ManagedFieldsEntry;
      const csaEntry = entries.find((e) => e.manager === 'kubectl-client-side-apply') as ManagedFieldsEntry;
      const rewritten = entries
        .filter((e) => e !== csaEntry)
        .map((e) => (e === kubectlEntry ? { ...e, fieldsV1: FieldSet.fromFieldsV1(e.fieldsV1).union(FieldSet.fromFieldsV1(csaEntry.fieldsV1)).toFieldsV1() } : e));
      const patched = structuredClone(v3);
      patched.metadata.managedFields = rewritten;
      const migrated = updateManagedFields({ old: v3, next: patched, manager: 'kubectl', apiVersion: GV, now: at(4), meta: IMAGE_STREAM_FIELDS, ignore: ['status'] });
      const v4 = persisted(v3 as unknown as Config, migrated, '14');
      // Act 4: kubectl repeats the apply.
      const final = apply(v4, manifest(), 'kubectl', 5);

      // Assess
      expect(first.changed).toBe(false);
      expect(v2.metadata.annotations?.[LAST_APPLIED_ANNOTATION]).toBe(annotation);
      expect(managers(v2)).toEqual(['kubectl/Apply', 'kubectl-client-side-apply/Update']);
      expect(second.changed).toBe(false);
      expect(v3.metadata.managedFields?.find((e) => e.manager === 'kubectl-last-applied')).toEqual({
        manager: 'kubectl-last-applied',
        operation: 'Apply',
        apiVersion: GV,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:annotations': { [`f:${LAST_APPLIED_ANNOTATION}`]: {} } } },
      });
      expect(managers(v4)).toEqual(['kubectl/Apply', 'kubectl-last-applied/Apply']);
      expect(fieldsOf(v4, 'kubectl')).toContain('.metadata.annotations');
      expect(final.changed).toBe(false);
      expect(final.object.metadata.annotations).toEqual({ [LAST_APPLIED_ANNOTATION]: annotation });
      expect(final.managedFields).toEqual([
        { manager: 'kubectl', operation: 'Apply', apiVersion: GV, fieldsType: 'FieldsV1', fieldsV1: IS_YAML_FIELDS },
        {
          manager: 'kubectl-last-applied',
          operation: 'Apply',
          apiVersion: GV,
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:annotations': { [`f:${LAST_APPLIED_ANNOTATION}`]: {} } } },
        },
      ]);
    });

    it('runs conformance steps 34–36: conflict, forced apply, label dropped from the manifest', () => {
      // Prepare
      const created = store(apply(undefined, manifest(), 'kubectl', 1));
      const labelled = write(created, (o) => {
        o.metadata.labels = { app: 'other' };
      }, 'kubectl-label', 2);

      // Act
      const conflict = catchStatus(() => apply(labelled, manifest(), 'kubectl', 3));
      const forced = store(apply(labelled, manifest(), 'kubectl', 4, { force: true }), labelled);
      const dropped = apply(forced, manifest({ labels: null }), 'kubectl', 5);

      // Assess
      expect(conflict.status.details?.causes?.[0]).toMatchObject({ reason: 'FieldManagerConflict', field: '.metadata.labels.app' });
      expect(forced.metadata.labels).toEqual({ app: 'demo' });
      expect(dropped.object.metadata.labels).toBeUndefined();
      expect(dropped.object.spec?.['tags']).toEqual([tag('latest')]);
    });

    it('drops the Apply entry of a configuration that only names the object', () => {
      // Prepare
      const live = store(apply(undefined, manifest(), 'kubectl', 1));

      // Act
      const r = apply(live, { apiVersion: GV, kind: 'ImageStream', metadata: { name: 'myis', namespace: 'demo' } }, 'kubectl', 2);

      // Assess
      expect(r.managedFields).toEqual([]);
      expect(r.object.metadata.managedFields).toBeUndefined();
      expect(r.object.metadata.labels).toBeUndefined();
      expect(r.object.spec).toBeUndefined();
      expect(r.object.metadata.name).toBe('myis');
      expect(r.object.metadata.uid).toBe(live.metadata.uid);
    });
  });

  describe('applyConflictError', () => {
    it('renders a single Apply-manager conflict without "using"', () => {
      // Act
      const err = applyConflictError([{ manager: { manager: 'argo', operation: 'Apply' }, path: [...fieldPath('spec', 'tags'), keyElement({ name: 'latest' }), ...fieldPath('from', 'name')] }]);

      // Assess
      expect(err.status.message).toBe('Apply failed with 1 conflict: conflict with "argo": .spec.tags[name="latest"].from.name');
    });
  });

  describe('describeManager', () => {
    it.each([
      [{ manager: 'kubectl', operation: 'Apply' as const }, '"kubectl"'],
      [{ manager: 'kubectl-label', operation: 'Update' as const, apiVersion: GV }, '"kubectl-label" using image.openshift.io/v1'],
      [{ manager: 'ctl', operation: 'Update' as const, apiVersion: GV, subresource: 'status' }, '"ctl" with subresource "status" using image.openshift.io/v1'],
      [{ manager: 'a "b"', operation: 'Apply' as const }, '"a \\"b\\""'],
    ])('describes %j as %s', (identity, expected) => {
      // Act
      const text = describeManager(identity);

      // Assess
      expect(text).toBe(expected);
    });
  });

  describe('lastAppliedValue', () => {
    it('encodes the configuration as Go does, without the annotation itself, with a trailing newline', () => {
      // Prepare
      const config = manifest({ annotations: { [LAST_APPLIED_ANNOTATION]: 'old', note: '<b>' } });

      // Act
      const value = lastAppliedValue(config);

      // Assess
      expect(value).toBe(
        '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"annotations":{"note":"\\u003cb\\u003e"},"labels":{"app":"demo"},"name":"myis","namespace":"demo"},' +
          '"spec":{"lookupPolicy":{"local":false},"tags":[{"from":{"kind":"DockerImage","name":"quay.io/example/app:latest"},"name":"latest","referencePolicy":{"type":"Source"}}]}}\n',
      );
    });
  });

  describe('appliedFieldSet', () => {
    it('is the configuration\'s field set without identity and reset fields', () => {
      // Act
      const set = appliedFieldSet({ ...manifest(), status: { dockerImageRepository: 'x' } }, IMAGE_STREAM_FIELDS, ['status']);

      // Assess
      expect(set.toFieldsV1()).toEqual(IS_YAML_FIELDS);
    });
  });
});
