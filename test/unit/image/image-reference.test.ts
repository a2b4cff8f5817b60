import { describe, expect, it } from 'vitest';
import {
  digestError,
  dockerClientDefaults,
  exactReference,
  mostSpecific,
  parseImageReference,
  referenceString,
  registryHostPort,
  type DockerImageReference,
} from '../../../shared/image/image-reference.js';
import { DIGEST_C } from './helpers.js';

const HEX = DIGEST_C.slice('sha256:'.length);
const ref = (r: Partial<DockerImageReference>): DockerImageReference => ({ registry: '', namespace: '', name: '', tag: '', id: '', ...r });

describe('image-reference', () => {
  describe('parseImageReference', () => {
    // §4.2 splitting rules; rows follow library-go's reference_test.go#TestParse.
    it.each([
      { rule: '§4.2 bare name', from: 'foo', want: { name: 'foo' } },
      { rule: '§4.2 name and tag', from: 'foo:tag', want: { name: 'foo', tag: 'tag' } },
      { rule: '§4.2 a lone digest parses as name sha256 with a tag', from: DIGEST_C, want: { name: 'sha256', tag: HEX } },
      { rule: '§4.2 name and digest', from: `foo@${DIGEST_C}`, want: { name: 'foo', id: DIGEST_C } },
      { rule: '§4.2 namespace/name', from: 'bar/foo', want: { namespace: 'bar', name: 'foo' } },
      { rule: '§4.2 namespace/name:tag', from: 'bar/foo:tag', want: { namespace: 'bar', name: 'foo', tag: 'tag' } },
      { rule: '§4.2 namespace/name@digest', from: `bar/foo@${DIGEST_C}`, want: { namespace: 'bar', name: 'foo', id: DIGEST_C } },
      { rule: '§4.2 path split at the first slash', from: 'bar/foo/baz', want: { namespace: 'bar', name: 'foo/baz' } },
      { rule: '§4.2 library is an ordinary namespace', from: 'bar/library/baz', want: { namespace: 'bar', name: 'library/baz' } },
      { rule: '§4.2 deep path with tag', from: 'bar/foo/baz:tag', want: { namespace: 'bar', name: 'foo/baz', tag: 'tag' } },
      { rule: '§4.2 registry with port', from: 'bar:5000/foo/baz', want: { registry: 'bar:5000', namespace: 'foo', name: 'baz' } },
      { rule: '§4.2 registry without namespace', from: 'bar:5000/baz', want: { registry: 'bar:5000', name: 'baz' } },
      {
        rule: '§4.2 registry, tag',
        from: 'bar:5000/foo/baz:tag',
        want: { registry: 'bar:5000', namespace: 'foo', name: 'baz', tag: 'tag' },
      },
      { rule: '§4.2 dotted registry', from: 'myregistry.io/foo', want: { registry: 'myregistry.io', name: 'foo' } },
      { rule: '§4.2 localhost registry', from: 'localhost/bar', want: { registry: 'localhost', name: 'bar' } },
      { rule: '§4.2 docker.io kept as written', from: 'docker.io/myapp', want: { registry: 'docker.io', name: 'myapp' } },
      {
        rule: '§4.2 docker.io deep path',
        from: 'docker.io/user/project/myapp',
        want: { registry: 'docker.io', namespace: 'user', name: 'project/myapp' },
      },
      { rule: '§4.2 registry only (dot)', from: 'quay.io', want: { registry: 'quay.io' } },
      { rule: '§4.2 registry only (localhost:port)', from: 'localhost:5000', want: { registry: 'localhost:5000' } },
      { rule: '§4.2 registry and name', from: 'localhost:5000/org', want: { registry: 'localhost:5000', name: 'org' } },
      { rule: '§4.2 dotted tag', from: 'wildfly:15.0', want: { name: 'wildfly', tag: '15.0' } },
      {
        rule: '§4.2 NAME of exactly 255 characters',
        from: `bar:5000/${'a'.repeat(63)}/${'b'.repeat(182)}:tag`,
        want: { registry: 'bar:5000', namespace: 'a'.repeat(63), name: 'b'.repeat(182), tag: 'tag' },
      },
      { rule: '§4.2 separators: double underscore, dash runs', from: 'a__b/c---d.e_f', want: { namespace: 'a__b', name: 'c---d.e_f' } },
      { rule: '§4.2 uppercase allowed in the host', from: 'Registry.Example.COM/a/b', want: { registry: 'Registry.Example.COM', namespace: 'a', name: 'b' } },
      { rule: '§4.2 uppercase allowed in the tag', from: 'a:Latest_1.0-rc', want: { name: 'a', tag: 'Latest_1.0-rc' } },
    ])('parses $from ($rule)', ({ from, want }) => {
      expect(parseImageReference(from)).toEqual({ ok: true, ref: ref(want) });
    });

    it.each([
      { rule: '§4.2 empty', from: '', error: 'repository name must have at least one component' },
      { rule: '§4.2 NAME longer than 255', from: `bar:5000/${'a'.repeat(63)}/${'b'.repeat(183)}:tag`, error: 'repository name must not be more than 255 characters' },
      { rule: '§4.2 docker.io NAME longer than 255', from: `docker.io/${'b'.repeat(246)}:tag`, error: 'repository name must not be more than 255 characters' },
      { rule: '§4.2 trailing slash', from: 'registry.io/foo/bar/:Tag', error: 'invalid reference format' },
      { rule: '§4.2 URL scheme', from: 'https://bar:5000/foo/baz', error: 'invalid reference format' },
      { rule: '§4.2 URL scheme with digest', from: `http://bar:5000/foo/baz@${DIGEST_C}`, error: 'invalid reference format' },
      { rule: '§4.2 uppercase path', from: 'registry:3000/integration/imageStream:success', error: 'repository name must be lowercase' },
      { rule: '§4.2 short digest', from: 'registry:5000/integration/test-image-stream@sha256:00000000000000000000000000000001', error: 'invalid checksum digest length' },
      { rule: '§4.2 malformed id', from: 'abc@badid', error: 'invalid reference format' },
      { rule: '§4.2 malformed digest hex', from: 'index.docker.io/mysql@sha256:bad', error: 'invalid reference format' },
      { rule: '§4.2 digest without name', from: `@${DIGEST_C}`, error: 'invalid reference format' },
      { rule: '§4.2 tag without name', from: ':tag', error: 'invalid reference format' },
      { rule: '§4.2 empty path components', from: 'bar/foo/baz////biz', error: 'invalid reference format' },
      { rule: '§4.2 leading slashes', from: '//foo/baz/biz', error: 'invalid reference format' },
      { rule: '§4.2 ftp scheme', from: 'ftp://baz/baz/biz', error: 'invalid reference format' },
      { rule: '§4.2 tag longer than 128', from: `a:${'t'.repeat(129)}`, error: 'invalid reference format' },
      { rule: '§4.2 tag must start with a word character', from: 'a:-x', error: 'invalid reference format' },
      { rule: '§4.2 unknown digest algorithm', from: `a@md5:${'0'.repeat(32)}`, error: 'unsupported digest algorithm' },
      { rule: '§4.2 repository with spaces', from: 'a-|///bbb', error: 'invalid reference format' },
      { rule: '§4.2 two @', from: `a@${DIGEST_C}@${DIGEST_C}`, error: 'invalid reference format' },
      { rule: '§4.2 uppercase only differs', from: 'Foo/Bar', error: 'repository name must be lowercase' },
    ])('rejects $from ($rule)', ({ from, error }) => {
      expect(parseImageReference(from)).toEqual({ ok: false, error });
    });

    it('stays linear on hostile input (§4.2, no catastrophic backtracking)', () => {
      const hostile = [`${'a'.repeat(200_000)}!`, `${'a-'.repeat(100_000)}!`, `${'a.'.repeat(100_000)}/!`, `${'a'.repeat(100_000)}:${'b'.repeat(100_000)}@x`];
      const start = performance.now();
      for (const s of hostile) expect(parseImageReference(s).ok).toBe(false);
      expect(performance.now() - start).toBeLessThan(1000);
    });
  });

  describe('digestError', () => {
    it.each([
      { rule: '§4.2 sha256', digest: DIGEST_C, error: undefined },
      { rule: '§4.2 sha384 length', digest: `sha384:${'a'.repeat(96)}`, error: undefined },
      { rule: '§4.2 sha512 length', digest: `sha512:${'a'.repeat(128)}`, error: undefined },
      { rule: '§4.2 wrong length', digest: `sha256:${'a'.repeat(63)}`, error: 'invalid checksum digest length' },
      { rule: '§4.2 unknown algorithm', digest: `sha1:${'a'.repeat(40)}`, error: 'unsupported digest algorithm' },
      { rule: '§4.2 not a digest', digest: '12345', error: 'invalid checksum digest format' },
    ])('returns $error for $digest ($rule)', ({ digest, error }) => {
      expect(digestError(digest)).toBe(error);
    });
  });

  describe('exactReference', () => {
    it.each([
      { rule: '§4.2 exact prints only set parts', r: ref({ registry: 'r:5000', namespace: 'ns', name: 'n', tag: 't' }), want: 'r:5000/ns/n:t' },
      { rule: '§4.2 a digest id wins over the tag', r: ref({ name: 'n', tag: 't', id: DIGEST_C }), want: `n@${DIGEST_C}` },
      { rule: '§4.2 a non-digest id prints as a tag', r: ref({ name: 'n', id: '12345' }), want: 'n:12345' },
      { rule: '§4.2 no name prints nothing', r: ref({ registry: 'r', namespace: 'ns' }), want: '' },
      { rule: '§4.2 Docker Hub is not expanded', r: ref({ registry: 'docker.io', name: 'busybox' }), want: 'docker.io/busybox' },
    ])('renders $want ($rule)', ({ r, want }) => {
      expect(exactReference(r)).toBe(want);
    });
  });

  describe('referenceString', () => {
    it.each([
      { rule: '§4.2 String inserts library/ on Docker Hub', r: ref({ registry: 'docker.io', name: 'busybox' }), want: 'docker.io/library/busybox' },
      { rule: '§4.2 String keeps other registries', r: ref({ registry: 'quay.io', name: 'busybox' }), want: 'quay.io/busybox' },
    ])('renders $want ($rule)', ({ r, want }) => {
      expect(referenceString(r)).toBe(want);
    });
  });

  describe('dockerClientDefaults', () => {
    it('fills docker.io, library and latest (§4.2 defaults)', () => {
      expect(dockerClientDefaults(ref({ name: 'busybox' }))).toEqual(ref({ registry: 'docker.io', namespace: 'library', name: 'busybox', tag: 'latest' }));
    });

    it('keeps an empty namespace off Docker Hub (§4.2 defaults)', () => {
      expect(dockerClientDefaults(ref({ registry: 'quay.io', name: 'busybox' }))).toEqual(ref({ registry: 'quay.io', name: 'busybox', tag: 'latest' }));
    });
  });

  describe('mostSpecific', () => {
    it.each([
      { rule: '§4.2 digest drops the tag', r: ref({ name: 'n', tag: 't', id: DIGEST_C }), want: ref({ name: 'n', id: DIGEST_C }) },
      { rule: '§4.2 a non-digest id becomes the tag', r: ref({ name: 'n', id: 'abc' }), want: ref({ name: 'n', tag: 'abc' }) },
      { rule: '§4.2 nothing to do without id', r: ref({ name: 'n', tag: 't' }), want: ref({ name: 'n', tag: 't' }) },
    ])('returns the most specific form ($rule)', ({ r, want }) => {
      expect(mostSpecific(r)).toEqual(want);
    });
  });

  describe('registryHostPort', () => {
    it.each([
      { rule: '§4.4 Docker Hub maps to the v2 endpoint', r: ref({ registry: 'docker.io' }), insecure: false, want: { host: 'registry-1.docker.io', port: '443' } },
      { rule: '§4.4 no registry defaults to docker.io', r: ref({ name: 'x' }), insecure: false, want: { host: 'docker.io', port: '443' } },
      { rule: '§4.4 insecure defaults to port 80', r: ref({ registry: 'example.com' }), insecure: true, want: { host: 'example.com', port: '80' } },
      { rule: '§4.4 explicit port', r: ref({ registry: 'example.com:5000' }), insecure: false, want: { host: 'example.com', port: '5000' } },
    ])('returns $want.host:$want.port ($rule)', ({ r, insecure, want }) => {
      expect(registryHostPort(r, insecure)).toEqual(want);
    });
  });
});
