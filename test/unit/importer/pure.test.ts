import { describe, expect, it } from 'vitest';
import { checkAddress, DEFAULT_ADDRESS_POLICY, parseCidr } from '../../../shared/importer/address-policy.js';
import { CredentialKeyring, type PullSecret } from '../../../shared/importer/credentials.js';
import { ManifestError, parseImageConfig, parseManifest, selectPlatformManifest, type ListEntry } from '../../../shared/importer/manifests.js';
import { observedGeneration, planImport } from '../../../shared/importer/planner.js';
import { registryInsecure, registryMatches, registryRefusal } from '../../../shared/importer/registry-sources.js';
import type { ImageStream } from '../../../shared/image/types.js';
import { sha } from './fake-registry.js';

const D = (s: string) => sha(s);
const OCI = 'application/vnd.oci.image.manifest.v1+json';
const b = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('registry-sources', () => {
  it('matches host and port exactly, or any port with anyPort; wildcards on subdomains only; case-insensitively', () => {
    const cases: [string, string, boolean][] = [
      ['quay.io', 'quay.io', true],
      ['quay.io', 'Quay.IO', true],
      ['quay.io', 'quay.io:443', false],
      ['quay.io:443', 'quay.io', false],
      ['quay.io:443', 'quay.io:443', true],
      ['quay.io', 'quay.io.evil.com', false],
      ['*.example.com', 'r.example.com', true],
      ['*.example.com', 'a.b.example.com', true],
      ['*.example.com', 'example.com', false],
      ['*.example.com', 'badexample.com', false],
      ['*.example.com:5000', 'r.example.com:5000', true],
      ['*.example.com:5000', 'r.example.com:5001', false],
      ['[::1]:5000', '[::1]:5000', true],
      ['[::1]:5000', '[::1]', false],
    ];
    for (const [pattern, registry, want] of cases) expect(registryMatches(pattern, registry), `${pattern} ~ ${registry}`).toBe(want);
    const anyPort: [string, string, boolean][] = [
      ['quay.io', 'quay.io:443', true],
      ['quay.io:443', 'quay.io', false],
      ['*.example.com', 'a.b.example.com:5000', true],
      ['[::1]', '[::1]:5000', true],
      ['127.0.0.1', '127.0.0.1:5000', true],
      ['127.0.0.1', '127.0.0.10:5000', false],
    ];
    for (const [pattern, registry, want] of anyPort) expect(registryMatches(pattern, registry, true), `${pattern} ~ ${registry} (any port)`).toBe(want);
  });
  it('refuses registries outside a non-empty allowed list, and blocked ones', () => {
    expect(registryRefusal('quay.io', {})).toBeUndefined();
    expect(registryRefusal('quay.io', { allowed: [] })).toBeUndefined();
    expect(registryRefusal('quay.io', { allowed: ['localhost', '127.0.0.1'] })).toBe('not allowed');
    expect(registryRefusal('127.0.0.1:5000', { allowed: ['localhost', '127.0.0.1'] })).toBeUndefined();
    expect(registryRefusal('docker.io', { blocked: ['docker.io'] })).toBe('blocked');
    expect(registryRefusal('registry-1.docker.io', { blocked: ['docker.io'] })).toBeUndefined();
    expect(registryRefusal('docker.io:5000', { blocked: ['docker.io'] })).toBeUndefined();
    expect(registryInsecure('r.local:5000', { insecure: ['r.local:5000'] })).toBe(true);
    expect(registryInsecure('r.local:5000', { insecure: ['r.local'] })).toBe(false);
    expect(registryInsecure('r.local:5000', {})).toBe(false);
  });
});

describe('address-policy', () => {
  describe('checkAddress', () => {
    const allow = (ip: string, p = DEFAULT_ADDRESS_POLICY) => checkAddress(ip, p).allowed;
    it('refuses link-local, metadata, CGNAT, multicast and unspecified ranges by default', () => {
      for (const ip of ['169.254.169.254', '169.254.1.1', '100.100.100.200', '0.0.0.0', '224.0.0.1', '255.255.255.255', 'fe80::1', 'fd00:ec2::254', '::', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe']) {
        expect(allow(ip), ip).toBe(false);
      }
    });
    it('refuses loopback unless allowed, and allows public and private addresses', () => {
      expect(allow('127.0.0.1')).toBe(false);
      expect(allow('::1')).toBe(false);
      expect(allow('127.0.0.1', { ...DEFAULT_ADDRESS_POLICY, allowLoopback: true })).toBe(true);
      expect(allow('10.0.0.5')).toBe(true);
      expect(allow('93.184.216.34')).toBe(true);
      expect(allow('2606:4700::1111')).toBe(true);
    });
    it('lets configured CIDRs override the defaults and block more', () => {
      const p = { allowLoopback: false, allowedCidrs: [parseCidr('169.254.10.0/24')], blockedCidrs: [parseCidr('10.0.0.0/8')] };
      expect(allow('169.254.10.7', p)).toBe(true);
      expect(allow('169.254.169.254', p)).toBe(false);
      expect(checkAddress('10.1.2.3', p)).toEqual({ allowed: false, reason: 'address 10.1.2.3 is in the blocked range 10.0.0.0/8' });
      expect(() => parseCidr('10.0.0.0/33')).toThrow('invalid CIDR');
    });
  });
});

describe('manifests', () => {
  describe('parseManifest', () => {
    const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D('c'), size: 1 };
    it('parses OCI and Docker manifests and lists, typed by Content-Type or their own mediaType', () => {
      expect(parseManifest(b({ schemaVersion: 2, config, layers: [] }), OCI)).toMatchObject({ kind: 'image', mediaType: OCI });
      const list = parseManifest(
        b({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
          manifests: [{ mediaType: 'x', digest: D('a'), size: 1, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }],
        }),
        'application/json',
      );
      expect(list).toMatchObject({ kind: 'list', manifests: [{ digest: D('a'), platform: { architecture: 'arm64', os: 'linux', variant: 'v8' }, attestation: false }] });
    });
    it('rejects malformed manifests with a reason', () => {
      const bad: [Buffer, string, string][] = [
        [Buffer.from('{nope'), OCI, 'manifest is not valid JSON'],
        [b([1]), OCI, 'manifest is not a JSON object'],
        [b({ schemaVersion: 2, layers: [] }), OCI, 'config is not an object'],
        [b({ schemaVersion: 2, config: { ...config, digest: 'sha256:xyz' }, layers: [] }), OCI, 'config.digest is not a valid digest'],
        [b({ schemaVersion: 2, config, layers: [{ digest: D('l'), size: -1 }] }), OCI, 'layers[0].size is not a valid size'],
        [b({ schemaVersion: 1, name: 'a' }), 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'schema 1 manifests are not supported'],
        [b({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }), 'application/vnd.oci.image.index.v1+json', 'manifest list has no manifests'],
        [b({ schemaVersion: 2, mediaType: OCI, config, layers: [] }), 'application/vnd.oci.image.index.v1+json', 'but was served as'],
        [b({ hello: 1 }), 'text/plain', 'unrecognized manifest'],
      ];
      for (const [bytes, type, msg] of bad) expect(() => parseManifest(bytes, type), msg).toThrow(msg);
      expect(() => parseManifest(Buffer.from('{'), OCI)).toThrow(ManifestError);
    });
  });

  describe('selectPlatformManifest', () => {
    const e = (architecture: string, os = 'linux', attestation = false): ListEntry => ({ mediaType: OCI, digest: D(architecture + os), size: 1, platform: { architecture, os }, attestation });
    const list = [e('unknown', 'unknown', true), e('arm64'), e('amd64'), e('ppc64le')];
    it('prefers the annotations, then the server platform, then linux/amd64, then the first runnable entry', () => {
      const server = { arch: 'ppc64le', os: 'linux' };
      expect(selectPlatformManifest(list, { arch: 'arm64' }, server)?.digest).toBe(D('arm64linux'));
      expect(selectPlatformManifest(list, {}, server)?.digest).toBe(D('ppc64lelinux'));
      expect(selectPlatformManifest(list, { arch: 's390x' }, server)?.digest).toBe(D('amd64linux'));
      expect(selectPlatformManifest([e('unknown', 'unknown', true), e('riscv64')], {}, server)?.digest).toBe(D('riscv64linux'));
    });
  });

  describe('parseImageConfig', () => {
    it('reads the metadata the API exposes', () => {
      expect(parseImageConfig(b({ architecture: 'amd64', os: 'linux', created: '2020-01-01T00:00:00Z', config: { Cmd: ['a'] }, rootfs: { diff_ids: [D('x')] } }))).toEqual({
        architecture: 'amd64',
        os: 'linux',
        created: '2020-01-01T00:00:00Z',
        config: { Cmd: ['a'] },
        diffIds: [D('x')],
      });
      expect(() => parseImageConfig(Buffer.from('[]'))).toThrow('image config is not a JSON object');
    });
  });
});

describe('credentials', () => {
  const secret = (name: string, auths: Record<string, object>, type = 'kubernetes.io/dockerconfigjson', annotations?: Record<string, string>): PullSecret => ({
    name,
    type,
    ...(annotations ? { annotations } : {}),
    data:
      type === 'kubernetes.io/dockercfg'
        ? { '.dockercfg': Buffer.from(JSON.stringify(auths)).toString('base64') }
        : { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') },
  });
  const auth = (u: string, p: string) => ({ auth: Buffer.from(`${u}:${p}`).toString('base64') });

  describe('CredentialKeyring.lookup', () => {
    it('matches by host and port, folds Docker Hub aliases, prefers more specific paths', () => {
      const k = new CredentialKeyring([
        secret('hub', { 'https://index.docker.io/v1/': auth('hub', '1') }),
        secret('quay', { 'quay.io': { username: 'q', password: '2' }, 'quay.io/team': auth('team', '3') }),
        secret('local', { '127.0.0.1:5001': auth('alice', 's3cret') }, 'kubernetes.io/dockercfg'),
        secret('wild', { '*.example.com': auth('w', '4') }),
      ]);
      expect(k.lookup('docker.io', 'library/busybox')).toEqual({ username: 'hub', password: '1' });
      expect(k.lookup('registry-1.docker.io', 'library/busybox')?.username).toBe('hub');
      expect(k.lookup('quay.io', 'team/app')?.username).toBe('team');
      expect(k.lookup('quay.io', 'teamx/app')?.username).toBe('q');
      expect(k.lookup('127.0.0.1:5001', 'demo/app')).toEqual({ username: 'alice', password: 's3cret' });
      expect(k.lookup('127.0.0.1:5002', 'demo/app')).toBeUndefined();
      expect(k.lookup('r.example.com', 'a/b')?.username).toBe('w');
      expect(k.lookup('a.r.example.com', 'a/b')).toBeUndefined();
    });
    it('skips excluded, foreign and malformed secrets', () => {
      const k = new CredentialKeyring([
        secret('x', { 'a.io': auth('u', 'p') }, 'kubernetes.io/dockerconfigjson', { 'openshift.io/image.excludeSecret': 'true' }),
        { name: 'opaque', type: 'Opaque', data: { '.dockerconfigjson': 'e30=' } },
        { name: 'broken', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from('{not json').toString('base64') } },
      ]);
      expect(k.size).toBe(0);
      expect(k.lookup('a.io', 'b/c')).toBeUndefined();
    });
  });
});

describe('planner', () => {
  const stream = (tags: object[], status: object[] = [], annotations?: Record<string, string>): ImageStream =>
    ({ metadata: { name: 's', namespace: 'ns', generation: 3, ...(annotations ? { annotations } : {}) }, spec: { tags }, status: { tags: status } }) as ImageStream;
  const tag = (name: string, generation: number, extra: object = {}) => ({ name, generation, from: { kind: 'DockerImage', name: `q.io/a/b:${name}` }, ...extra });
  const check = { 'openshift.io/image.dockerRepositoryCheck': '2026-01-01T00:00:00Z' };

  describe('observedGeneration', () => {
    it('is the newer of the newest event and the first ImportSuccess condition', () => {
      const s = stream([], [{ tag: 'a', items: [{ generation: 2 }], conditions: [{ type: 'ImportSuccess', generation: 3 }] }, { tag: 'b', items: [{ generation: 2 }] }]);
      expect(observedGeneration(s, 'a')).toBe(3);
      expect(observedGeneration(s, 'b')).toBe(2);
      expect(observedGeneration(s, 'c')).toBe(0);
    });
  });

  describe('planImport', () => {
    it('imports importable tags newer than their status; not references or other kinds', () => {
      const s = stream(
        [tag('new', 3), tag('done', 2), tag('ref', 3, { reference: true }), { name: 'ist', generation: 3, from: { kind: 'ImageStreamTag', name: 'x:y' } }],
        [{ tag: 'done', items: [{ generation: 2 }] }],
        check,
      );
      expect(planImport(s)).toEqual({
        reason: 'generation',
        targets: [{ tag: 'new', from: 'q.io/a/b:new', importPolicy: { importMode: 'Legacy' }, referencePolicy: { type: 'Source' } }],
      });
      expect(planImport(stream([tag('done', 2)], [{ tag: 'done', items: [{ generation: 2 }] }], check))).toBeUndefined();
    });
    it('says why: a missing dockerRepositoryCheck annotation, or a scheduled visit', () => {
      expect(planImport(stream([tag('a', 3)]))?.reason).toBe('annotation');
      const scheduled = stream([tag('a', 2, { importPolicy: { scheduled: true } }), tag('b', 2)], [{ tag: 'a', items: [{ generation: 2 }] }, { tag: 'b', items: [{ generation: 2 }] }], check);
      expect(planImport(scheduled)).toBeUndefined();
      expect(planImport(scheduled, { scheduled: true })).toMatchObject({ reason: 'scheduled', targets: [{ tag: 'a', importPolicy: { scheduled: true } }] });
    });
    it('carries the platform preference annotations and the import mode', () => {
      const s = stream([tag('a', 3, { annotations: { 'importer.image.openshift.io/prefer-arch': 'arm64' }, importPolicy: { importMode: 'PreserveOriginal', insecure: true } })]);
      expect(planImport(s)?.targets[0]).toMatchObject({ preferArch: 'arm64', importPolicy: { importMode: 'PreserveOriginal', insecure: true } });
    });
  });
});
