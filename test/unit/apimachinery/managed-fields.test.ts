import { describe, expect, it } from 'vitest';
import type { KubeObject, ManagedFieldsEntry } from '../../../shared/apimachinery/meta.js';
import {
  compareValues,
  encodeManagedFields,
  decodeManagedFields,
  ensureNamedFieldsAreMembers,
  fieldElement,
  fieldPath,
  FieldSet,
  FieldsV1Error,
  fieldSetOf,
  indexElement,
  keyElement,
  managedFieldsForWrite,
  ManagedFieldsDecodeError,
  managerIdentifier,
  mergeValues,
  parsePathElement,
  pathString,
  removeItems,
  serializePathElement,
  updateManagedFields,
  valueElement,
  type FieldPath,
} from '../../../shared/apimachinery/managed-fields.js';
import { IMAGE_STREAM_FIELDS } from '../../../shared/image/field-meta.js';

const GV = 'image.openshift.io/v1';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const at = (second: number): Date => new Date(Date.UTC(2026, 10, 26, 21, 9, second, 500));
const time = (second: number): string => `2026-11-26T21:09:${String(second).padStart(2, '0')}Z`;

type IS = KubeObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

const tag = (name: string, image = `quay.io/example/app:${name}`): Record<string, unknown> => ({
  name,
  from: { kind: 'DockerImage', name: image },
  referencePolicy: { type: 'Source' },
});

/** The manifest `is.yaml` of the conformance script, as stored (uid/resourceVersion filled). */
function stored(overrides: { labels?: Record<string, string>; tags?: Record<string, unknown>[]; managedFields?: ManagedFieldsEntry[] } = {}): IS {
  return {
    apiVersion: GV,
    kind: 'ImageStream',
    metadata: {
      name: 'myis',
      namespace: 'demo',
      uid: '6f1c3a52-1111-4222-8333-944445555666',
      resourceVersion: '7',
      generation: 1,
      creationTimestamp: '2026-11-26T21:00:00Z',
      labels: overrides.labels ?? { app: 'demo' },
      ...(overrides.managedFields ? { managedFields: overrides.managedFields } : {}),
    },
    spec: { lookupPolicy: { local: false }, tags: overrides.tags ?? [tag('latest')] },
    status: { dockerImageRepository: '' },
  };
}

const update = (old: IS | undefined, next: IS, manager: string, second: number, extra: { subresource?: string; ignore?: string[] } = {}) =>
  updateManagedFields({
    old,
    next,
    manager,
    apiVersion: GV,
    now: at(second),
    meta: IMAGE_STREAM_FIELDS,
    ignore: extra.ignore ?? (extra.subresource === 'status' ? ['spec'] : ['status']),
    ...(extra.subresource ? { subresource: extra.subresource } : {}),
  });

const withEntries = (obj: IS, managedFields: ManagedFieldsEntry[]): IS => ({
  ...obj,
  metadata: { ...obj.metadata, managedFields },
});

const fieldsOf = (entries: ManagedFieldsEntry[], manager: string): string[] | undefined => {
  const e = entries.find((x) => x.manager === manager);
  return e ? FieldSet.fromFieldsV1(e.fieldsV1).toStrings() : undefined;
};

const entry = (manager: string, operation: string, fieldsV1: Record<string, unknown>, extra: Partial<ManagedFieldsEntry> = {}): ManagedFieldsEntry => ({
  manager,
  operation,
  apiVersion: GV,
  ...(extra.time ? { time: extra.time } : {}),
  fieldsType: 'FieldsV1',
  fieldsV1,
  ...(extra.subresource ? { subresource: extra.subresource } : {}),
});

describe('managed-fields', () => {
  describe('fieldSetOf', () => {
    it('returns the FieldsV1 kubectl shows for an applied ImageStream manifest', () => {
      // Prepare
      const config = {
        metadata: { labels: { app: 'demo' } },
        spec: { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/example/app:latest' } }] },
      };

      // Act
      const fields = fieldSetOf(config, IMAGE_STREAM_FIELDS).toFieldsV1();

      // Assess
      expect(JSON.stringify(fields)).toBe(
        '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:tags":{"k:{\\"name\\":\\"latest\\"}":{".":{},"f:from":{"f:kind":{},"f:name":{}},"f:name":{}}}}}',
      );
    });

    it.each([
      ['an empty map as a leaf', { metadata: { labels: {} } }, ['.metadata.labels']],
      ['an explicit null as a leaf', { metadata: { annotations: null } }, ['.metadata.annotations']],
      ['an empty struct as a leaf', { spec: { lookupPolicy: {} } }, ['.spec.lookupPolicy']],
      ['nothing for an empty associative list', { spec: { tags: [] } }, []],
      ['set elements by value', { metadata: { finalizers: ['a.io/x', 'b.io/y'] } }, ['.metadata.finalizers[="a.io/x"]', '.metadata.finalizers[="b.io/y"]']],
      [
        'an atomic list as one leaf',
        { status: { tags: [{ tag: 'latest', items: [{ image: 'sha256:1' }] }] } },
        ['.status.tags[tag="latest"]', '.status.tags[tag="latest"].items', '.status.tags[tag="latest"].tag'],
      ],
      ['map keys as members', { metadata: { annotations: { a: '1', 'x.io/b': '2' } } }, ['.metadata.annotations.a', '.metadata.annotations.x.io/b']],
      ['an undeclared field as a leaf', { spec: { foo: { bar: 1 } } }, ['.spec.foo']],
      [
        'a duplicated element once, without its fields',
        { spec: { tags: [{ name: 'a', reference: true }, { name: 'a' }, { name: 'b' }] } },
        ['.spec.tags[name="a"]', '.spec.tags[name="b"]', '.spec.tags[name="b"].name'],
      ],
    ])('records %s', (_what, value, expected) => {
      // Act
      const paths = fieldSetOf(value, IMAGE_STREAM_FIELDS).toStrings();

      // Assess
      expect(paths).toEqual(expected);
    });
  });

  describe('FieldSet.fromFieldsV1', () => {
    it('round-trips the FieldsV1 form byte for byte', () => {
      // Prepare
      const text =
        '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:tags":{"k:{\\"name\\":\\"latest\\"}":{".":{},"f:from":{"f:kind":{},"f:name":{}},"f:name":{}}}}}';

      // Act
      const set = FieldSet.fromFieldsV1(JSON.parse(text));

      // Assess
      expect(JSON.stringify(set.toFieldsV1())).toBe(text);
      expect(set.toStrings()).toEqual([
        '.metadata.labels.app',
        '.spec.tags[name="latest"]',
        '.spec.tags[name="latest"].name',
        '.spec.tags[name="latest"].from.kind',
        '.spec.tags[name="latest"].from.name',
      ]);
    });

    it('sorts keys as upstream (".", fields, keys, values) whatever the input order', () => {
      // Prepare
      const input = { 'f:spec': { 'f:tags': { 'k:{"name":"b"}': {}, 'k:{"name":"a"}': {}, '.': {} } }, 'f:metadata': { 'f:finalizers': { 'v:"z"': {}, 'v:"a"': {} } } };

      // Act
      const out = FieldSet.fromFieldsV1(input).toFieldsV1();

      // Assess
      expect(JSON.stringify(out)).toBe(
        '{"f:metadata":{"f:finalizers":{"v:\\"a\\"":{},"v:\\"z\\"":{}}},"f:spec":{"f:tags":{".":{},"k:{\\"name\\":\\"a\\"}":{},"k:{\\"name\\":\\"b\\"}":{}}}}',
      );
    });

    it.each([
      ['a member marker after the children', { 'f:spec': { 'f:tags': { 'k:{"name":"a"}': {}, '.': {} } } }, '{"f:spec":{"f:tags":{".":{},"k:{\\"name\\":\\"a\\"}":{}}}}'],
      ['a member marker with content', { 'f:spec': { '.': { 'f:x': {} }, 'f:tags': {} } }, '{"f:spec":{".":{},"f:tags":{}}}'],
      ['a member marker on a leaf', { 'f:spec': { '.': {} } }, '{"f:spec":{}}'],
      ['a key element with its fields out of order', { 'k:{"b":1,"a":2}': {} }, '{"k:{\\"a\\":2,\\"b\\":1}":{}}'],
      ['a key element with spaces', { 'k:{ "name": "a" }': {} }, '{"k:{\\"name\\":\\"a\\"}":{}}'],
      ['a value element with an HTML character left bare', { 'v:"<"': {} }, JSON.stringify({ 'v:"\\u003c"': {} })],
      ['fields out of order', { 'f:b': {}, 'f:a': {} }, '{"f:a":{},"f:b":{}}'],
      ['an unknown element type', { 'f:a': {}, 'x:b': {} }, '{"f:a":{}}'],
    ])('re-encodes a document with %s in upstream form', (_what, input, expected) => {
      // Act
      const out = FieldSet.fromFieldsV1(input).toFieldsV1();

      // Assess
      expect(JSON.stringify(out)).toBe(expected);
    });

    it('accepts frozen paths and elements', () => {
      // Prepare
      const frozen = Object.freeze([Object.freeze(fieldElement('spec')), Object.freeze(keyElement({ name: 'a' }))]);

      // Act
      const set = FieldSet.of([frozen]);

      // Assess
      expect(set.has([fieldElement('spec'), keyElement({ name: 'a' })])).toBe(true);
      expect(set.toStrings()).toEqual(['.spec[name="a"]']);
    });

    it('keeps a set that adds nothing (union) or removes nothing (difference) as it is', () => {
      // Prepare
      const set = FieldSet.of([fieldPath('spec', 'a'), fieldPath('spec', 'b')]);

      // Act
      const unioned = set.union(FieldSet.of([fieldPath('spec', 'a')]));
      const differenced = set.difference(FieldSet.of([fieldPath('spec', 'c')]));
      const grown = set.union(FieldSet.of([fieldPath('spec', 'c')]));

      // Assess
      expect(unioned).toBe(set);
      expect(differenced).toBe(set);
      expect(grown.toStrings()).toEqual(['.spec.a', '.spec.b', '.spec.c']);
    });

    it('ignores element types it does not know and treats a node with only those as a leaf', () => {
      // Act
      const set = FieldSet.fromFieldsV1({ 'f:spec': { 'x:future': {} }, 'z:top': { 'f:a': {} } });

      // Assess
      expect(set.toStrings()).toEqual(['.spec']);
    });

    it.each([
      [undefined, []],
      [null, []],
      [{}, []],
    ])('returns the empty set for %j', (input, expected) => {
      // Act
      const set = FieldSet.fromFieldsV1(input);

      // Assess
      expect(set.toStrings()).toEqual(expected);
    });

    it.each([
      ['a one-character key', { f: {} }],
      ['a key without colon', { 'fx': {} }],
      ['a non-object value', { 'f:a': 1 }],
      ['an unparsable key element', { 'k:{name': {} }],
      ['a key element that is not an object', { 'k:["a"]': {} }],
      ['trailing data after a value element', { 'v:"a"x': {} }],
      ['a non-numeric index', { 'i:a': {} }],
      ['a document that is not an object', ['f:a']],
    ])('throws FieldsV1Error for %s', (_what, input) => {
      // Act
      const act = (): FieldSet => FieldSet.fromFieldsV1(input);

      // Assess
      expect(act).toThrow(FieldsV1Error);
    });
  });

  describe('serializePathElement', () => {
    it.each([
      [fieldElement('kubectl.kubernetes.io/last-applied-configuration'), 'f:kubectl.kubernetes.io/last-applied-configuration'],
      [keyElement({ name: 'latest' }), 'k:{"name":"latest"}'],
      [keyElement({ port: 80, protocol: 'TCP' }), 'k:{"port":80,"protocol":"TCP"}'],
      [keyElement({ protocol: 'TCP', port: 80 }), 'k:{"port":80,"protocol":"TCP"}'],
      [keyElement({ name: '<a&b>' }), 'k:{"name":"\\u003ca\\u0026b\\u003e"}'],
      [valueElement('example.com/hold'), 'v:"example.com/hold"'],
      [valueElement(3), 'v:3'],
      [indexElement(2), 'i:2'],
    ])('serializes %j as %s', (pe, expected) => {
      // Act
      const key = serializePathElement(pe);

      // Assess
      expect(key).toBe(expected);
      expect(parsePathElement(key)).toEqual(pe);
    });
  });

  describe('pathString', () => {
    it.each<[FieldPath, string]>([
      [fieldPath('metadata', 'labels', 'app'), '.metadata.labels.app'],
      [[...fieldPath('spec', 'tags'), keyElement({ name: 'latest' }), ...fieldPath('from', 'name')], '.spec.tags[name="latest"].from.name'],
      [fieldPath('spec', 'lookupPolicy', 'local'), '.spec.lookupPolicy.local'],
      [[...fieldPath('metadata', 'finalizers'), valueElement('x')], '.metadata.finalizers[="x"]'],
      [[...fieldPath('status', 'tags'), keyElement({ tag: 'say "hi"' })], '.status.tags[tag="say \\"hi\\""]'],
      [[...fieldPath('spec', 'ports'), keyElement({ protocol: 'TCP', port: 80 })], '.spec.ports[port=80,protocol="TCP"]'],
      [[...fieldPath('spec', 'list'), indexElement(0)], '.spec.list[0]'],
      [[...fieldPath('spec', 'flags'), valueElement(true)], '.spec.flags[=true]'],
      [fieldPath('metadata', 'annotations', 'kubectl.kubernetes.io/last-applied-configuration'), '.metadata.annotations.kubectl.kubernetes.io/last-applied-configuration'],
    ])('renders %j as %s', (path, expected) => {
      // Act
      const text = pathString(path);

      // Assess
      expect(text).toBe(expected);
    });
  });

  describe('FieldSet', () => {
    const a = FieldSet.of([fieldPath('a'), fieldPath('b', 'c'), fieldPath('b', 'd')]);
    const b = FieldSet.of([fieldPath('b'), fieldPath('b', 'd'), fieldPath('e')]);

    it.each([
      ['union', a.union(b), ['.a', '.b', '.e', '.b.c', '.b.d']],
      ['difference', a.difference(b), ['.a', '.b.c']],
      ['intersection', a.intersection(b), ['.b.d']],
      ['recursiveDifference', a.recursiveDifference(b), ['.a']],
    ])('computes the %s of two sets', (_op, result, expected) => {
      // Assess
      expect(result.toStrings()).toEqual(expected);
    });

    it('iterates a node\'s members before its children, as upstream', () => {
      // Prepare
      const set = FieldSet.of([fieldPath('a', 'b', 'c'), fieldPath('a', 'z'), fieldPath('a', 'b'), fieldPath('y')]);

      // Act
      const order = set.toStrings();

      // Assess
      expect(order).toEqual(['.y', '.a.b', '.a.z', '.a.b.c']);
    });

    it('never writes the root "." a client sent, whichever operand a union returns', () => {
      // Prepare: the root is not tracked, so its "." is dropped on the way out.
      const marked = FieldSet.fromFieldsV1({ '.': {}, 'f:a': {}, 'f:b': {} });
      const small = FieldSet.fromFieldsV1({ 'f:a': {} });

      // Assess
      expect(marked.toFieldsV1()).toEqual({ 'f:a': {}, 'f:b': {} });
      expect(small.union(marked).toFieldsV1()).toEqual({ 'f:a': {}, 'f:b': {} });
      expect(marked.union(small).toFieldsV1()).toEqual({ 'f:a': {}, 'f:b': {} });
    });

    it('ignores the empty path and compares by content', () => {
      // Prepare
      const set = FieldSet.of([[], fieldPath('a')]);

      // Assess
      expect(set.size).toBe(1);
      expect(set.equals(FieldSet.of([fieldPath('a')]))).toBe(true);
      expect(set.has([])).toBe(false);
    });
  });

  describe('ensureNamedFieldsAreMembers', () => {
    it('adds declared struct fields on the way but not map keys or list elements', () => {
      // Prepare
      const set = FieldSet.of([
        fieldPath('metadata', 'labels', 'app'),
        [...fieldPath('spec', 'tags'), keyElement({ name: 'a' }), ...fieldPath('from', 'name')],
      ]);

      // Act
      const ensured = ensureNamedFieldsAreMembers(set, IMAGE_STREAM_FIELDS);

      // Assess
      expect(ensured.toStrings()).toEqual([
        '.metadata',
        '.spec',
        '.metadata.labels',
        '.metadata.labels.app',
        '.spec.tags',
        '.spec.tags[name="a"].from',
        '.spec.tags[name="a"].from.name',
      ]);
    });
  });

  describe('compareValues', () => {
    it('reports leaves and the containers that appear or disappear as a whole', () => {
      // Prepare
      const before = { metadata: { labels: { app: 'a', gone: 'x' } }, spec: { tags: [tag('latest')] } };
      const after = { metadata: { labels: { app: 'b' }, annotations: { n: '1' } }, spec: { tags: [tag('latest'), { name: 'v2' }] } };

      // Act
      const cmp = compareValues(before, after, IMAGE_STREAM_FIELDS);

      // Assess
      expect(cmp.modified.toStrings()).toEqual(['.metadata.labels.app']);
      expect(cmp.removed.toStrings()).toEqual(['.metadata.labels.gone']);
      expect(cmp.added.toStrings()).toEqual(['.metadata.annotations', '.metadata.annotations.n', '.spec.tags[name="v2"]', '.spec.tags[name="v2"].name']);
    });

    it('treats an atomic list as one leaf', () => {
      // Prepare
      const before = { status: { tags: [{ tag: 'a', items: [{ image: '1' }] }] } };
      const after = { status: { tags: [{ tag: 'a', items: [{ image: '2' }, { image: '1' }] }] } };

      // Act
      const cmp = compareValues(before, after, IMAGE_STREAM_FIELDS);

      // Assess
      expect(cmp.modified.toStrings()).toEqual(['.status.tags[tag="a"].items']);
      expect(cmp.added.isEmpty() && cmp.removed.isEmpty()).toBe(true);
    });
  });

  describe('mergeValues', () => {
    it('merges associative lists per key, sets per value, maps per key and replaces the rest', () => {
      // Prepare
      const live = {
        metadata: { labels: { app: 'demo', tier: 'web' }, finalizers: ['a.io/x'] },
        spec: { lookupPolicy: { local: true }, tags: [tag('latest'), tag('v1')] },
        status: { tags: [{ tag: 'latest', items: [{ image: '1' }, { image: '0' }] }] },
      };
      const config = {
        metadata: { labels: { app: 'other' }, finalizers: ['b.io/y'] },
        spec: { lookupPolicy: { local: false }, tags: [{ name: 'v2' }, { name: 'latest', reference: true }] },
        status: { tags: [{ tag: 'latest', items: [{ image: '2' }] }] },
      };

      // Act
      const merged = mergeValues(live, config, IMAGE_STREAM_FIELDS);

      // Assess
      expect(merged).toEqual({
        metadata: { labels: { app: 'other', tier: 'web' }, finalizers: ['a.io/x', 'b.io/y'] },
        spec: { lookupPolicy: { local: false }, tags: [{ name: 'v2' }, { ...tag('latest'), reference: true }, tag('v1')] },
        status: { tags: [{ tag: 'latest', items: [{ image: '2' }] }] },
      });
    });

    it('does not modify its inputs', () => {
      // Prepare
      const live = { spec: { tags: [tag('a')] } };
      const config = { spec: { tags: [{ name: 'a', reference: true }] } };
      const snapshot = structuredClone([live, config]);

      // Act
      mergeValues(live, config, IMAGE_STREAM_FIELDS);

      // Assess
      expect([live, config]).toEqual(snapshot);
    });
  });

  describe('removeItems', () => {
    it('removes map keys, list elements and struct fields with their subtrees and drops emptied containers', () => {
      // Prepare
      const obj = { metadata: { name: 'x', labels: { app: 'a' } }, spec: { lookupPolicy: { local: true }, tags: [tag('a'), tag('b')] } };
      const set = FieldSet.of([
        fieldPath('metadata', 'labels', 'app'),
        [...fieldPath('spec', 'tags'), keyElement({ name: 'a' })],
        fieldPath('spec', 'lookupPolicy', 'local'),
      ]);

      // Act
      const out = removeItems(obj, set, IMAGE_STREAM_FIELDS);

      // Assess
      expect(out).toEqual({ metadata: { name: 'x' }, spec: { tags: [tag('b')] } });
    });
  });

  describe('decodeManagedFields', () => {
    it.each([
      ['an unknown operation', { operation: 'Merge' }, 'operation must be `Apply` or `Update`'],
      ['an empty apiVersion', { apiVersion: '' }, 'apiVersion must not be empty'],
      ['a missing fieldsType', { fieldsType: undefined }, 'missing fieldsType in managed fields entry 0'],
      ['another fieldsType', { fieldsType: 'FieldsV2' }, 'invalid fieldsType "FieldsV2" in managed fields entry 0'],
      ['a malformed fieldsV1', { fieldsV1: { x: {} } }, 'error decoding set: key must be 2 characters long: x'],
    ])('rejects the whole list for %s', (_what, patch, message) => {
      // Prepare
      const bad = { ...entry('m', 'Update', {}), ...patch } as ManagedFieldsEntry;

      // Act
      const act = (): unknown => decodeManagedFields([entry('ok', 'Apply', { 'f:a': {} }), bad].reverse());

      // Assess
      expect(act).toThrow(ManagedFieldsDecodeError);
      expect(act).toThrow(message);
    });

    it('accepts a missing fieldsV1 as an empty set and lets the last duplicate win', () => {
      // Prepare
      const entries = [
        { manager: 'a', operation: 'Update', apiVersion: GV, fieldsType: 'FieldsV1' },
        entry('b', 'Apply', { 'f:x': {} }),
        entry('b', 'Apply', { 'f:y': {} }),
      ];

      // Act
      const managed = decodeManagedFields(entries);

      // Assess
      expect([...managed.keys()]).toEqual([
        `{"manager":"a","operation":"Update","apiVersion":"${GV}"}`,
        '{"manager":"b","operation":"Apply"}',
      ]);
      expect(managed.get('{"manager":"b","operation":"Apply"}')?.set.toStrings()).toEqual(['.y']);
    });
  });

  describe('managerIdentifier', () => {
    it.each([
      [{ manager: 'kubectl', operation: 'Apply' as const, apiVersion: GV }, '{"manager":"kubectl","operation":"Apply"}'],
      [{ manager: 'kubectl-label', operation: 'Update' as const, apiVersion: GV }, `{"manager":"kubectl-label","operation":"Update","apiVersion":"${GV}"}`],
      [{ manager: 'm', operation: 'Update' as const, apiVersion: 'v1', subresource: 'status' }, '{"manager":"m","operation":"Update","apiVersion":"v1","subresource":"status"}'],
      [{ manager: '<x>', operation: 'Apply' as const }, '{"manager":"\\u003cx\\u003e","operation":"Apply"}'],
    ])('builds the identifier of %j', (identity, expected) => {
      // Act
      const id = managerIdentifier(identity);

      // Assess
      expect(id).toBe(expected);
    });
  });

  describe('encodeManagedFields', () => {
    it('sorts Apply before Update, then by time, manager, apiVersion and subresource', () => {
      // Prepare
      const entries = [
        entry('z', 'Update', { 'f:a': {} }, { time: time(1) }),
        entry('b', 'Update', { 'f:b': {} }, { time: time(0) }),
        entry('a', 'Update', { 'f:c': {} }, { time: time(1) }),
        entry('a', 'Update', { 'f:d': {} }, { time: time(1), subresource: 'status' }),
        entry('late', 'Apply', { 'f:e': {} }, { time: time(9) }),
        entry('untimed', 'Apply', { 'f:f': {} }),
      ];

      // Act
      const out = encodeManagedFields(decodeManagedFields(entries));

      // Assess
      expect(out.map((e) => `${e.operation}/${e.manager}/${e.subresource ?? ''}`)).toEqual([
        'Apply/untimed/',
        'Apply/late/',
        'Update/b/',
        'Update/a/',
        'Update/a/status',
        'Update/z/',
      ]);
      expect(Object.keys(out[3] as object)).toEqual(['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
    });
  });

  describe('managedFieldsForWrite', () => {
    const live = [entry('live', 'Update', { 'f:spec': { 'f:a': {} } }, { time: time(1) })];
    const request = [entry('client', 'Apply', { 'f:spec': { 'f:b': {} } })];

    it.each([
      ['the request entries when they decode', undefined, request, undefined, ['client']],
      ['the live entries when the request has none', undefined, undefined, undefined, ['live']],
      ['the live entries when the request does not decode', undefined, [{ ...request[0], operation: 'Bogus' }], undefined, ['live']],
      ['nothing when the request asks for []', undefined, [], undefined, []],
      ['nothing when the request asks for [{}]', undefined, [{}], undefined, []],
      ['the live entries for a subresource', 'status', request, undefined, ['live']],
      ['nothing when neither decodes', undefined, undefined, [{ manager: 'x' }], []],
    ])('returns %s', (_what, subresource, req, liveOverride, managers) => {
      // Act
      const managed = managedFieldsForWrite((liveOverride ?? live) as ManagedFieldsEntry[], req as ManagedFieldsEntry[] | undefined, subresource);

      // Assess
      expect([...managed.values()].map((m) => m.identity.manager)).toEqual(managers);
    });
  });

  describe('updateManagedFields', () => {
    it('records a create as an Update entry owning every written field', () => {
      // Prepare
      const next = stored();
      next.metadata.annotations = { [LAST_APPLIED]: '{"apiVersion":"image.openshift.io/v1"}\n' };

      // Act
      const entries = update(undefined, next, 'kubectl-client-side-apply', 1);

      // Assess
      expect(entries).toEqual([
        {
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          apiVersion: GV,
          time: time(1),
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': {
              'f:annotations': { '.': {}, [`f:${LAST_APPLIED}`]: {} },
              'f:labels': { '.': {}, 'f:app': {} },
            },
            'f:spec': {
              'f:lookupPolicy': { 'f:local': {} },
              'f:tags': {
                '.': {},
                'k:{"name":"latest"}': {
                  '.': {},
                  'f:from': { '.': {}, 'f:kind': {}, 'f:name': {} },
                  'f:name': {},
                  'f:referencePolicy': { '.': {}, 'f:type': {} },
                },
              },
            },
          },
        },
      ]);
    });

    it('moves a changed label to the writer and leaves the rest with its owner', () => {
      // Prepare
      const old = withEntries(stored(), update(undefined, stored(), 'kubectl-create', 1));
      const next = stored({ labels: { app: 'other' } });

      // Act
      const entries = update(old, next, 'kubectl-label', 2);

      // Assess
      expect(entries.map((e) => [e.manager, e.time])).toEqual([
        ['kubectl-create', time(1)],
        ['kubectl-label', time(2)],
      ]);
      expect(fieldsOf(entries, 'kubectl-label')).toEqual(['.metadata.labels.app']);
      expect(fieldsOf(entries, 'kubectl-create')).toContain('.metadata.labels');
      expect(fieldsOf(entries, 'kubectl-create')).not.toContain('.metadata.labels.app');
    });

    it('gives an added label to the writer only', () => {
      // Prepare
      const old = withEntries(stored(), update(undefined, stored(), 'kubectl-create', 1));
      const next = stored({ labels: { app: 'demo', tier: 'web' } });

      // Act
      const entries = update(old, next, 'kubectl-label', 2);

      // Assess
      expect(fieldsOf(entries, 'kubectl-label')).toEqual(['.metadata.labels.tier']);
      expect(fieldsOf(entries, 'kubectl-create')).toContain('.metadata.labels.app');
    });

    it('removes a deleted label from every entry without creating one for the writer', () => {
      // Prepare
      const base = stored({ labels: { app: 'demo', tier: 'web' } });
      const created = update(undefined, base, 'kubectl-create', 1);
      const old = withEntries(base, [...created, entry('kubectl-label', 'Update', { 'f:metadata': { 'f:labels': { 'f:tier': {} } } }, { time: time(2) })]);

      // Act
      const entries = update(old, stored({ labels: { app: 'demo' } }), 'kubectl-label', 3);

      // Assess
      expect(entries.map((e) => e.manager)).toEqual(['kubectl-create']);
      expect(fieldsOf(entries, 'kubectl-create')).not.toContain('.metadata.labels.tier');
      expect(entries[0]?.time).toBe(time(1));
    });

    it('records an added tag as a new element owned by the writer', () => {
      // Prepare
      const old = withEntries(stored(), update(undefined, stored(), 'kubectl-create', 1));

      // Act
      const entries = update(old, stored({ tags: [tag('latest'), tag('v2')] }), 'kubectl-patch', 2);

      // Assess
      expect(entries[1]?.fieldsV1).toEqual({
        'f:spec': {
          'f:tags': {
            'k:{"name":"v2"}': {
              '.': {},
              'f:from': { '.': {}, 'f:kind': {}, 'f:name': {} },
              'f:name': {},
              'f:referencePolicy': { '.': {}, 'f:type': {} },
            },
          },
        },
      });
    });

    it('drops a removed tag from its owner and an entry that becomes empty', () => {
      // Prepare
      const two = stored({ tags: [tag('latest'), tag('v2')] });
      const created = update(undefined, stored(), 'kubectl-create', 1);
      const old = withEntries(two, update(withEntries(stored(), created), two, 'kubectl-patch', 2));

      // Act
      const entries = update(old, stored(), 'kubectl-edit', 3);

      // Assess
      expect(entries.map((e) => e.manager)).toEqual(['kubectl-create']);
      expect(fieldsOf(entries, 'kubectl-create')?.some((p) => p.includes('v2'))).toBe(false);
    });

    it('keeps the writer\'s earlier fields and refreshes its time only when it changed something', () => {
      // Prepare
      const created = update(undefined, stored(), 'kubectl-create', 1);
      const first = update(withEntries(stored(), created), stored({ labels: { app: 'demo', a: '1' } }), 'kubectl-label', 2);
      const old = withEntries(stored({ labels: { app: 'demo', a: '1' } }), first);

      // Act
      const noop = update(old, stored({ labels: { app: 'demo', a: '1' } }), 'kubectl-label', 3);
      const second = update(old, stored({ labels: { app: 'demo', a: '1', b: '2' } }), 'kubectl-label', 4);

      // Assess
      expect(noop).toEqual(first);
      expect(second.find((e) => e.manager === 'kubectl-label')).toMatchObject({ time: time(4) });
      expect(fieldsOf(second, 'kubectl-label')).toEqual(['.metadata.labels.a', '.metadata.labels.b']);
    });

    it('refreshes the time of a writer that rewrites a field it already owns', () => {
      // Prepare
      const old = withEntries(stored(), [entry('kubectl-label', 'Update', { 'f:metadata': { 'f:labels': { 'f:app': {} } } }, { time: time(1) })]);

      // Act
      const entries = update(old, stored({ labels: { app: 'v2' } }), 'kubectl-label', 5);

      // Assess
      expect(entries).toEqual([entry('kubectl-label', 'Update', { 'f:metadata': { 'f:labels': { 'f:app': {} } } }, { time: time(5) })]);
    });

    it('re-encodes stored times as whole UTC seconds', () => {
      // Prepare
      const old = withEntries(stored(), [entry('a', 'Update', { 'f:metadata': { 'f:labels': { 'f:app': {} } } }, { time: '2026-11-26T22:09:03.900+01:00' })]);

      // Act
      const entries = update(old, stored(), 'writer', 9);

      // Assess
      expect(entries[0]?.time).toBe(time(3));
    });

    it('takes a field shared by several owners away from all of them', () => {
      // Prepare
      const old = withEntries(stored(), [
        entry('kubectl', 'Apply', { 'f:metadata': { 'f:labels': { 'f:app': {} } } }, { time: time(1) }),
        entry('other', 'Apply', { 'f:metadata': { 'f:labels': { 'f:app': {} } } }, { time: time(1) }),
        entry('kubectl-create', 'Update', { 'f:spec': { 'f:lookupPolicy': { 'f:local': {} } } }, { time: time(1) }),
      ]);

      // Act
      const entries = update(old, stored({ labels: { app: 'x' } }), 'kubectl-label', 2);

      // Assess
      expect(entries.map((e) => e.manager)).toEqual(['kubectl-create', 'kubectl-label']);
    });

    it('ignores status writes on the main resource and spec writes on the status subresource', () => {
      // Prepare
      const old = withEntries(stored(), update(undefined, stored(), 'kubectl-create', 1));
      const next: IS = { ...stored({ tags: [tag('latest'), tag('v9')] }), status: { dockerImageRepository: 'r/demo/myis' } };

      // Act
      const main = update(old, next, 'writer', 2);
      const status = update(old, next, 'controller', 2, { subresource: 'status' });

      // Assess
      expect(fieldsOf(main, 'writer')).toEqual([
        '.spec.tags[name="v9"]',
        '.spec.tags[name="v9"].from',
        '.spec.tags[name="v9"].name',
        '.spec.tags[name="v9"].referencePolicy',
        '.spec.tags[name="v9"].from.kind',
        '.spec.tags[name="v9"].from.name',
        '.spec.tags[name="v9"].referencePolicy.type',
      ]);
      expect(status.find((e) => e.manager === 'controller')).toEqual(
        entry('controller', 'Update', { 'f:status': { 'f:dockerImageRepository': {} } }, { time: time(2), subresource: 'status' }),
      );
    });

    it('keeps the stored entries on the status subresource even when the request rewrote them', () => {
      // Prepare
      const old = withEntries(stored(), [entry('a', 'Update', { 'f:spec': { 'f:lookupPolicy': { 'f:local': {} } } }, { time: time(1) })]);
      const next = withEntries(stored(), [entry('forged', 'Apply', { 'f:spec': {} })]);

      // Act
      const entries = update(old, next, 'controller', 2, { subresource: 'status' });

      // Assess
      expect(entries.map((e) => e.manager)).toEqual(['a']);
    });

    it('starts from entries a client rewrote (kubectl\'s CSA→SSA migration patch)', () => {
      // Prepare
      const old = withEntries(stored(), [entry('kubectl-client-side-apply', 'Update', { 'f:metadata': { 'f:labels': { 'f:app': {} } } }, { time: time(1) })]);
      const rewritten = [entry('kubectl', 'Apply', { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } }, { time: time(1) })];

      // Act
      const entries = update(old, withEntries(stored(), rewritten), 'kubectl', 2);

      // Assess
      expect(entries).toEqual(rewritten);
    });

    it('falls back to the stored entries when the rewritten ones are invalid', () => {
      // Prepare
      const storedEntries = [entry('a', 'Update', { 'f:metadata': { 'f:labels': { 'f:app': {} } } }, { time: time(1) })];
      const old = withEntries(stored(), storedEntries);
      const odd = [{ manager: 'x', operation: 'Merge', apiVersion: GV, fieldsType: 'FieldsV1', fieldsV1: {} }];

      // Act
      const entries = update(old, withEntries(stored(), odd), 'kubectl', 2);

      // Assess
      expect(entries).toEqual(storedEntries);
    });

    it.each([
      ['[]', []],
      ['[{}]', [{}]],
    ])('stops tracking when an update sends managedFields %s', (_what, reset) => {
      // Prepare
      const old = withEntries(stored(), [entry('a', 'Update', { 'f:metadata': { 'f:labels': { 'f:app': {} } } }, { time: time(1) })]);

      // Act
      const entries = update(old, withEntries(stored({ labels: { app: 'x' } }), reset as ManagedFieldsEntry[]), 'kubectl-label', 2);

      // Assess
      expect(entries).toEqual([]);
    });

    it('does not start tracking on an update of an object that has no entries', () => {
      // Act
      const entries = update(stored(), stored({ labels: { app: 'x' } }), 'kubectl-label', 2);

      // Assess
      expect(entries).toEqual([]);
    });

    it('starts a create from the entries it carries, which lose every field the create writes', () => {
      // Prepare
      const given = [
        entry('spec-owner', 'Apply', { 'f:spec': { 'f:lookupPolicy': { 'f:local': {} } } }, { time: time(0) }),
        entry('status-owner', 'Update', { 'f:status': { 'f:dockerImageRepository': {} } }, { time: time(0), subresource: 'status' }),
      ];

      // Act
      const entries = update(undefined, withEntries(stored(), given), 'kubectl-create', 1);

      // Assess
      expect(entries.map((e) => `${e.manager}/${e.operation}`)).toEqual(['status-owner/Update', 'kubectl-create/Update']);
    });

    it('never records identity and system metadata', () => {
      // Prepare
      const old = withEntries(stored(), [entry('a', 'Update', { 'f:metadata': { 'f:labels': { 'f:app': {} } } }, { time: time(1) })]);
      const next = stored();
      next.metadata = { ...next.metadata, resourceVersion: '8', generation: 2, uid: 'other', deletionTimestamp: time(2), deletionGracePeriodSeconds: 0, selfLink: '/x' };

      // Act
      const entries = update(old, next, 'writer', 2);

      // Assess
      expect(entries.map((e) => e.manager)).toEqual(['a']);
    });

    it('names an empty manager "unknown"', () => {
      // Act
      const entries = update(undefined, stored(), '', 1);

      // Assess
      expect(entries[0]?.manager).toBe('unknown');
    });

    it('merges the oldest of more than ten Update entries into ancient-changes', () => {
      // Prepare
      const many = Array.from({ length: 11 }, (_, i) =>
        entry(`m${String(i).padStart(2, '0')}`, 'Update', { 'f:metadata': { 'f:labels': { [`f:l${i}`]: {} } } }, { time: time(i) }),
      );
      const labels = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`l${i}`, 'v']));
      const old = withEntries(stored({ labels }), many);

      // Act
      const entries = update(old, stored({ labels: { ...labels, new: 'v' } }), 'writer', 30);

      // Assess
      expect(entries).toHaveLength(10);
      const ancient = entries.find((e) => e.manager === 'ancient-changes');
      expect(ancient?.time).toBe(time(2));
      expect(FieldSet.fromFieldsV1(ancient?.fieldsV1).toStrings()).toEqual(['.metadata.labels.l0', '.metadata.labels.l1', '.metadata.labels.l2']);
    });
  });
});
