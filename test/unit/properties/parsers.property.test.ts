/**
 * The parsers that read what clients and registries send, property-based: whatever the input,
 * each either returns or throws its own error type (which the callers turn into a Status or an
 * import condition) — never a TypeError or a RangeError that would surface as a 500.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLabelSelector, SelectorParseError } from '../../../shared/apimachinery/label-selector.js';
import { FieldSet, FieldsV1Error } from '../../../shared/apimachinery/managed-fields/field-set.js';
import { decodeManagedFields, ManagedFieldsDecodeError } from '../../../shared/apimachinery/managed-fields/managers.js';
import { parseImageReference } from '../../../shared/image/image-reference.js';
import { CredentialKeyring } from '../../../shared/importer/credentials.js';
import { ManifestError, parseImageConfig, parseManifest } from '../../../shared/importer/manifests.js';
import { fuzzParams } from '../../helpers/fuzz.js';

const params = fuzzParams(1000);

/** Runs `f`; an exception must be one of `allowed`. */
function onlyThrows(f: () => unknown, ...allowed: (new (...args: never[]) => Error)[]): void {
  try {
    f();
  } catch (e) {
    if (!allowed.some((A) => e instanceof A)) throw new Error(`unexpected ${String(e)}`, { cause: e });
  }
}

const MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/json',
  'text/html',
  '',
];
const DIGEST = 'sha256:' + 'a'.repeat(64);
const manifestLike = fc.record(
  {
    schemaVersion: fc.oneof(fc.constantFrom(1, 2, 3), fc.jsonValue()),
    mediaType: fc.oneof(fc.constantFrom(...MEDIA_TYPES), fc.jsonValue()),
    config: fc.oneof(fc.record({ mediaType: fc.string(), digest: fc.oneof(fc.constant(DIGEST), fc.string()), size: fc.oneof(fc.integer(), fc.jsonValue()) }, { requiredKeys: [] }), fc.jsonValue()),
    layers: fc.oneof(fc.array(fc.record({ mediaType: fc.string(), digest: fc.oneof(fc.constant(DIGEST), fc.string()), size: fc.jsonValue() }, { requiredKeys: [] }), { maxLength: 3 }), fc.jsonValue()),
    manifests: fc.oneof(
      fc.array(
        fc.record(
          {
            mediaType: fc.constantFrom(...MEDIA_TYPES),
            digest: fc.oneof(fc.constant(DIGEST), fc.string()),
            size: fc.jsonValue(),
            platform: fc.oneof(fc.record({ architecture: fc.jsonValue(), os: fc.jsonValue(), variant: fc.jsonValue() }, { requiredKeys: [] }), fc.jsonValue()),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      fc.jsonValue(),
    ),
    name: fc.jsonValue(),
    fsLayers: fc.jsonValue(),
    history: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const bytes = fc.oneof(
  manifestLike.map((m) => Buffer.from(JSON.stringify(m))),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
);

describe('parsers (property-based)', () => {
  it('parseManifest and parseImageConfig: a manifest or a ManifestError', () => {
    fc.assert(
      fc.property(bytes, fc.constantFrom(...MEDIA_TYPES), (b, type) => {
        onlyThrows(() => parseManifest(b, type), ManifestError);
        onlyThrows(() => parseImageConfig(b), ManifestError);
      }),
      params,
    );
  });

  it('parseImageReference: never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9.:/@_-]{0,80}$/), fc.constantFrom('a@sha256:', 'a:b@c', 'x'.repeat(300), 'localhost:99999/a', '[::1]:5000/a')), (s) => {
        const r = parseImageReference(s);
        expect(typeof r.ok).toBe('boolean');
      }),
      params,
    );
  });

  it('parseLabelSelector: requirements or a SelectorParseError', () => {
    const token = fc.constantFrom('a', 'b.c/d', '!', '=', '==', '!=', 'in', 'notin', '(', ')', ',', ' ', 'gt', 'lt', '1', '-x', 'x'.repeat(64), '');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(token, { maxLength: 12 }).map((t) => t.join(''))), (s) => {
        onlyThrows(() => parseLabelSelector(s), SelectorParseError);
      }),
      params,
    );
  });

  it('FieldsV1 and managedFields from clients: a field set or a decode error', () => {
    const key = fc.oneof(fc.constantFrom('f:spec', 'f:', 'k:{"name":"a"}', 'k:{bad', 'k:[]', 'v:"x"', 'v:', 'i:0', 'i:x', '.', 'x', 'z:1'), fc.string({ maxLength: 8 }));
    const node = (depth: number): fc.Arbitrary<unknown> =>
      depth === 0 ? fc.jsonValue({ maxDepth: 1 }) : fc.oneof(fc.dictionary(key, node(depth - 1), { maxKeys: 4 }), fc.jsonValue({ maxDepth: 1 }));
    const fields = node(4);
    fc.assert(
      fc.property(fields, fc.jsonValue({ maxDepth: 2 }), (f, entry) => {
        onlyThrows(() => FieldSet.fromFieldsV1(f), FieldsV1Error);
        const entries = [
          { manager: 'm', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: f, time: '2026-11-27T00:00:00Z' },
          entry as never,
        ];
        onlyThrows(() => decodeManagedFields(entries as never), ManagedFieldsDecodeError, FieldsV1Error);
      }),
      params,
    );
  });

  it('pull secrets: any data gives a keyring (unusable entries are skipped), and lookups never throw', () => {
    const dockerConfig = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
      fc
        .dictionary(fc.oneof(fc.constantFrom('https://index.docker.io/v1/', 'quay.io', 'r.example.com:5000/team', 'http://[::1]:5000', ''), fc.string()), fc.record({ auth: fc.oneof(fc.base64String(), fc.string()), username: fc.jsonValue(), password: fc.jsonValue() }, { requiredKeys: [] }))
        .map((auths) => JSON.stringify({ auths })),
      fc.string(),
    );
    fc.assert(
      fc.property(dockerConfig, fc.constantFrom('kubernetes.io/dockerconfigjson', 'kubernetes.io/dockercfg', 'Opaque'), fc.boolean(), (text, type, encode) => {
        const data = { [type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson']: encode ? Buffer.from(text).toString('base64') : text };
        const keyring = new CredentialKeyring([{ name: 's', type, data }]);
        for (const [registry, repo] of [
          ['docker.io', 'library/busybox'],
          ['quay.io', 'a/b'],
          ['r.example.com:5000', 'team/app'],
          ['[::1]:5000', 'x'],
        ] as const) {
          keyring.lookup(registry, repo);
        }
      }),
      params,
    );
  });
});
