import { describe, expect, it } from 'vitest';
import { emptyReference, tryParseImageReference, type DockerImageReference } from '../../../shared/image/image-reference.js';
import {
  canonicalRepository,
  isWildcardMatch,
  RegistryAllowlist,
  registryAllowlist,
  type AllowedRegistry,
  type Transport,
} from '../../../shared/image/registry-allowlist.js';
import { DIGEST_A } from './helpers.js';

const allowed = (insecure: boolean, ...domains: string[]): AllowedRegistry[] => domains.map((domainName) => ({ domainName, insecure }));
const host = (registry: string): DockerImageReference => ({ ...emptyReference, registry });
const spec = (s: string): DockerImageReference => tryParseImageReference(s)!;

describe('registry-allowlist', () => {
  describe('isWildcardMatch', () => {
    it.each([
      { rule: '§4.4 star matches anything', s: 'a.b.c', p: '*', want: true },
      { rule: '§4.4 star prefix', s: 'registry.foo.com', p: '*.foo.com', want: true },
      { rule: '§4.4 star prefix needs the dot', s: 'foo.com', p: '*.foo.com', want: false },
      { rule: '§4.4 question mark is one character', s: 'ab', p: 'a?', want: true },
      { rule: '§4.4 question mark is exactly one', s: 'a', p: 'a?', want: false },
      { rule: '§4.4 literal', s: 'example.com', p: 'example.com', want: true },
      { rule: '§4.4 empty pattern', s: 'x', p: '', want: false },
    ])('$s vs $p ($rule)', ({ s, p, want }) => {
      expect(isWildcardMatch(s, p)).toBe(want);
    });
  });

  describe('canonicalRepository', () => {
    // whitelister_test.go#TestCanonicalRepository
    it.each([
      { from: 'busybox', want: 'docker.io/library/busybox' },
      { from: 'busybox:glibc', want: 'docker.io/library/busybox' },
      { from: `docker.io/busybox@${DIGEST_A}`, want: 'docker.io/library/busybox' },
      { from: `docker.io/busybox:latest@${DIGEST_A}`, want: 'docker.io/library/busybox' },
      { from: 'library/busybox:1', want: 'docker.io/library/busybox' },
      { from: `image-registry.svc:5000/openshift/httpd@${DIGEST_A}`, want: 'image-registry.svc:5000/openshift/httpd' },
    ])('maps $from to $want (§4.4 repositories compared docker-defaulted)', ({ from, want }) => {
      expect(canonicalRepository(spec(from))).toBe(want);
    });
  });

  describe('RegistryAllowlist.admit', () => {
    const LIST = '"localhost:5000", "docker.io:443", "example.com:*", "registry.com:80"';
    const secure = new RegistryAllowlist(allowed(false, 'localhost:5000', 'docker.io', 'example.com:*', 'registry.com:80'));
    const six = ['localhost:5000', 'docker.io', 'example.com:*', 'registry.com:80', '*.foo.com', '*domain.ltd'];
    const insecure = new RegistryAllowlist(allowed(true, ...six));
    const anyOf = new RegistryAllowlist(allowed(false, ...six));
    const MORE80 = '"localhost:5000", "docker.io:80", "example.com:*", "registry.com:80", and 2 more ...';
    const MORE443 = '"localhost:5000", "docker.io:443", "example.com:*", "registry.com:80", and 2 more ...';

    // Rows follow whitelister_test.go#TestRegistryWhitelister.
    it.each<{ rule: string; list: RegistryAllowlist; ref: DockerImageReference; transport: Transport; error?: string }>([
      { rule: '§4.4 secure: any port glob', list: secure, ref: host('example.com:5000'), transport: 'secure' },
      { rule: '§4.4 secure: default port 443 matches the glob', list: secure, ref: host('example.com'), transport: 'secure' },
      { rule: '§4.4 secure: explicit port mismatch', list: secure, ref: host('localhost:443'), transport: 'secure', error: `registry "localhost:443" not allowed by whitelist: ${LIST}` },
      { rule: '§4.4 secure: docker.io entry allows the v2 endpoint', list: secure, ref: host('registry-1.docker.io:443'), transport: 'secure' },
      { rule: '§4.4 secure: docker.io entry allows index.docker.io', list: secure, ref: host('index.docker.io'), transport: 'secure' },
      { rule: '§4.4 secure: no registry means Docker Hub', list: secure, ref: { ...emptyReference, name: 'busybox' }, transport: 'secure' },
      { rule: '§4.4 secure: port 80 entry does not allow 443', list: secure, ref: host('registry.com'), transport: 'secure', error: `registry "registry.com" not allowed by whitelist: ${LIST}` },
      { rule: '§4.4 secure: subdomain not matched', list: secure, ref: host('registry.example.com'), transport: 'secure', error: `registry "registry.example.com" not allowed by whitelist: ${LIST}` },
      { rule: '§4.4 insecure: star prefix glob', list: insecure, ref: host('a.b.c.d.foo.com:80'), transport: 'insecure' },
      { rule: '§4.4 insecure: more than five entries are summarised', list: insecure, ref: host('foo.com'), transport: 'insecure', error: `registry "foo.com" not allowed by whitelist: ${MORE80}` },
      { rule: '§4.4 insecure: port 443 not allowed', list: insecure, ref: host('my.domain.ltd:443'), transport: 'insecure', error: `registry "my.domain.ltd:443" not allowed by whitelist: ${MORE80}` },
      { rule: '§4.4 insecure: no port means 80', list: insecure, ref: host('my.domain.ltd'), transport: 'insecure' },
      { rule: '§4.4 any: no port matches 80 or 443 entries', list: anyOf, ref: host('registry.com'), transport: 'any' },
      { rule: '§4.4 any: explicit port must match', list: anyOf, ref: host('registry.com:443'), transport: 'any', error: `registry "registry.com:443" not allowed by whitelist: ${MORE443}` },
      { rule: '§4.4 any: secure entries reject port 80', list: anyOf, ref: host('a.b.c.d.foo.com:80'), transport: 'any', error: `registry "a.b.c.d.foo.com:80" not allowed by whitelist: ${MORE443}` },
      { rule: '§4.4 any: glob entry without port', list: anyOf, ref: host('my.domain.ltd:443'), transport: 'any' },
      { rule: '§4.4 any: short names are Docker Hub', list: anyOf, ref: spec('repository:latest'), transport: 'any' },
      {
        rule: '§4.4 empty list',
        list: new RegistryAllowlist([]),
        ref: { ...emptyReference, name: 'busybox' },
        transport: 'secure',
        error: 'registry "docker.io:443" not allowed by empty whitelist',
      },
    ])('$rule', ({ list, ref, transport, error }) => {
      expect(list.admit(ref, transport)).toBe(error);
    });

    it('always allows the internal registry, listed first (§4.4)', () => {
      const list = new RegistryAllowlist(allowed(false, 'example.com'), 'image-registry.svc:5000');
      expect(list.admit(spec('image-registry.svc:5000/ns/is'), 'secure')).toBeUndefined();
      expect(list.admit(spec('quay.io/a/b'), 'secure')).toBe('registry "quay.io" not allowed by whitelist: "image-registry.svc:5000", "example.com:443"');
    });

    it('allows repositories already present, docker-defaulted, regardless of tag or id (§4.4 on update)', () => {
      const list = new RegistryAllowlist(allowed(false, 'registry.example.org:5000')).copy();
      expect(list.admit(spec(`example.com/image@${DIGEST_A}`), 'secure')).toBe(
        'registry "example.com" not allowed by whitelist: "registry.example.org:5000"',
      );
      list.allowRepository('example.com/image:old');
      expect(list.admit(spec(`example.com/image@${DIGEST_A}`), 'secure')).toBeUndefined();
      expect(list.admit(spec('example.com/other'), 'secure')).toBeDefined();
    });

    it('prepends both ports for an "any" entry and ignores duplicates (§4.4)', () => {
      const list = new RegistryAllowlist([]);
      list.allowRegistry('foo.com', 'insecure');
      list.allowRegistry('foo.com', 'insecure');
      list.allowRegistry('foo.com', 'any');
      expect(list.admit(host('sub.foo.com'), 'any')).toBe('registry "sub.foo.com" not allowed by whitelist: "foo.com:443", "foo.com:80"');
    });
  });

  describe('registryAllowlist', () => {
    it('returns no allow-list for an empty configuration: every registry allowed (§4.4)', () => {
      expect(registryAllowlist(undefined, 'irh:5000')).toBeUndefined();
      expect(registryAllowlist([], 'irh:5000')).toBeUndefined();
      expect(registryAllowlist(allowed(false, 'a.io'), undefined)).toBeInstanceOf(RegistryAllowlist);
    });
  });
});
