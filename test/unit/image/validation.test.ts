import { describe, expect, it } from 'vitest';
import { errorString, type FieldError } from '../../../shared/apimachinery/field-errors.js';
import { RegistryAllowlist, type AllowedRegistry } from '../../../shared/image/registry-allowlist.js';
import type { ImageStream, NamedTagEventList, TagReference } from '../../../shared/image/types.js';
import {
  validateImageStream,
  validateImageStreamName,
  validateImageStreamStatusUpdate,
  validateImageStreamUpdate,
  wrapTagErrors,
} from '../../../shared/image/validation.js';
import { DIGEST_A, DIGEST_C, docker, event, history, isimage, istag, stream, tag } from './helpers.js';

const KINDS = "valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'";
const SCHEDULED = 'only tags pointing to Docker repositories may be scheduled for background import';
const withMeta = (s: ImageStream, meta: Partial<ImageStream['metadata']>): ImageStream => ({ ...s, metadata: { ...s.metadata, ...meta } });
const allow = (...domains: string[]): RegistryAllowlist =>
  new RegistryAllowlist(domains.map((domainName): AllowedRegistry => ({ domainName })));
const strings = (errs: FieldError[]): string[] => errs.map(errorString);

describe('validation', () => {
  describe('validateImageStreamName', () => {
    it.each([
      { rule: 'R2 dot', name: '.', prefix: false, want: ["may not be '.'"] },
      { rule: 'R2 dot dot', name: '..', prefix: false, want: ["may not be '..'"] },
      { rule: 'R2 slash and percent (one message each, R3 skipped)', name: 'a/b%c', prefix: false, want: ["may not contain '/'", "may not contain '%'"] },
      { rule: 'R3 uppercase', name: 'Foo', prefix: false, want: ['must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"'] },
      { rule: 'R3 doubled separator', name: 'a..b', prefix: false, want: ['must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"'] },
      { rule: 'R3 valid', name: 'abc-1.dot_under', prefix: false, want: [] },
      { rule: 'R4 generateName with a trailing dash fails', name: 'foo-', prefix: true, want: ['must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"'] },
      { rule: 'R4 generateName: only / and % path checks', name: '.', prefix: true, want: ['must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"'] },
      { rule: 'R4 valid generateName', name: 'foo', prefix: true, want: [] },
    ])('$rule', ({ name, prefix, want }) => {
      expect(validateImageStreamName(name, prefix)).toEqual(want);
    });
  });

  describe('validateImageStream', () => {
    // Rows follow validation_test.go#TestValidateImageStream.
    it.each<{ name: string; s: ImageStream; want: string[] }>([
      { name: 'R1 missing name', s: withMeta(stream(''), { name: '' }), want: ['metadata.name: Required value: name or generateName is required'] },
      { name: 'R2 slash in name', s: stream('foo/bar'), want: [`metadata.name: Invalid value: "foo/bar": may not contain '/'`] },
      { name: 'R2 percent in name', s: stream('foo%%bar'), want: [`metadata.name: Invalid value: "foo%%bar": may not contain '%'`] },
      { name: 'R3 other invalid name', s: stream('foo bar'), want: ['metadata.name: Invalid value: "foo bar": must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"'] },
      {
        name: 'R4 generateName is validated as a value',
        s: withMeta(stream('foo-abcde'), { generateName: 'foo-' }),
        want: ['metadata.generateName: Invalid value: "foo-": must match "[a-z0-9]+(?:[._-][a-z0-9]+)*"'],
      },
      { name: 'R6 missing namespace', s: stream('foo', { namespace: '' }), want: ['metadata.namespace: Required value'] },
      {
        name: 'R6 invalid namespace',
        s: stream('foo', { namespace: '!$' }),
        want: [
          `metadata.namespace: Invalid value: "!$": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        ],
      },
      { name: 'R5 shortest name components', s: stream('g', { namespace: 'f' }), want: [] },
      {
        name: 'R3 all possible characters',
        s: stream('abcdefghijklmnopqrstuvwxyz-1234567890.dot_underscore-dash', { namespace: 'abcdefghijklmnopqrstuvwxyz-1234567890' }),
        want: [],
      },
      { name: 'R5 max name and namespace length met', s: stream('b'.repeat(191), { namespace: 'a'.repeat(63) }), want: [] },
      {
        name: 'R5 max name and namespace length exceeded',
        s: stream(`x${'b'.repeat(191)}`, { namespace: 'a'.repeat(63) }),
        want: [`metadata.name: Invalid value: "x${'b'.repeat(191)}": 'namespace/name' cannot be longer than 255 characters`],
      },
      {
        name: 'R7 invalid label',
        s: stream('foo', { labels: { 'a b': 'x' } }),
        want: [
          `metadata.labels: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
        ],
      },
      { name: 'R7 annotations over 256 KiB', s: stream('foo', { annotations: { a: 'x'.repeat(256 * 1024) } }), want: ['metadata.annotations: Too long: may not be more than 262144 bytes'] },
      { name: 'R8 invalid dockerImageRepository', s: stream('foo', { dockerImageRepository: 'a-|///bbb' }), want: ['spec.dockerImageRepository: Invalid value: "a-|///bbb": invalid reference format'] },
      {
        name: 'R9 dockerImageRepository with tag',
        s: stream('foo', { dockerImageRepository: 'a/b:tag' }),
        want: ['spec.dockerImageRepository: Invalid value: "a/b:tag": the repository name may not contain a tag'],
      },
      {
        name: 'R10 malformed digest fails R8 first',
        s: stream('foo', { dockerImageRepository: 'a/b@sha256:something' }),
        want: ['spec.dockerImageRepository: Invalid value: "a/b@sha256:something": invalid reference format'],
      },
      {
        name: 'R9/R10 tag and ID both reported',
        s: stream('foo', { dockerImageRepository: `a/b:t@${DIGEST_A}` }),
        want: [
          `spec.dockerImageRepository: Invalid value: "a/b:t@${DIGEST_A}": the repository name may not contain a tag`,
          `spec.dockerImageRepository: Invalid value: "a/b:t@${DIGEST_A}": the repository name may not contain an ID`,
        ],
      },
      {
        name: 'R19 status items without a reference',
        s: stream('foo', { status: [history('tag', event(''), event('foo/bar:latest'), event(''))] }),
        want: ['status.tags[tag].items[0].dockerImageReference: Required value', 'status.tags[tag].items[2].dockerImageReference: Required value'],
      },
      {
        name: 'R19 unparsable status reference',
        s: stream('foo', { status: [history('tag', event('Foo/Bar'))] }),
        want: ['status.tags[tag].items[0].dockerImageReference: Invalid value: "Foo/Bar": repository name must be lowercase'],
      },
      {
        name: 'R17 referencePolicy.type must be valid',
        s: stream('foo', { tags: [tag('tag', docker('abc'), { referencePolicy: { type: 'Other' } })] }),
        want: ['spec.tags[tag].referencePolicy.type: Invalid value: "Other": valid values are "Source", "Local"'],
      },
      {
        name: 'R17 applies to tags without from',
        s: stream('foo', { tags: [tag('tag', undefined, { referencePolicy: { type: 'source' } })] }),
        want: ['spec.tags[tag].referencePolicy.type: Invalid value: "source": valid values are "Source", "Local"'],
      },
      {
        name: 'R15 ImageStreamTags cannot be scheduled',
        s: stream('foo', {
          tags: [
            tag('tag', docker('abc'), { importPolicy: { scheduled: true, importMode: 'Legacy' } }),
            tag('other', istag('other:latest'), { importPolicy: { scheduled: true, importMode: 'Legacy' } }),
          ],
        }),
        want: [`spec.tags[other].importPolicy.scheduled: Invalid value: true: ${SCHEDULED}`],
      },
      {
        name: 'R15 ImageStreamImages cannot be scheduled',
        s: stream('foo', { tags: [tag('otherimage', isimage('other@latest'), { importPolicy: { scheduled: true, importMode: 'Legacy' } })] }),
        want: [`spec.tags[otherimage].importPolicy.scheduled: Invalid value: true: ${SCHEDULED}`],
      },
      {
        name: 'R14 image IDs must parse',
        s: stream('foo', { tags: [tag('badid', docker('abc@badid'), { importPolicy: { scheduled: true, importMode: 'Legacy' } })] }),
        want: ['spec.tags[badid].from.name: Invalid value: "abc@badid": invalid reference format'],
      },
      {
        name: 'R14 scheduling a digest reference is allowed',
        s: stream('foo', { tags: [tag('d', docker(`abc@${DIGEST_C}`), { importPolicy: { scheduled: true, importMode: 'Legacy' } })] }),
        want: [],
      },
      { name: 'R13 from without name', s: stream('foo', { tags: [tag('t', { kind: 'DockerImage' })] }), want: ['spec.tags[t].from.name: Required value'] },
      {
        name: 'R16 unknown kind is Required, not NotSupported',
        s: stream('foo', { tags: [tag('t', { kind: 'Image', name: 'x' })] }),
        want: [`spec.tags[t].from.kind: Required value: ${KINDS}`],
      },
      {
        name: 'R13+R16 empty from',
        s: stream('foo', { tags: [tag('t', {})] }),
        want: ['spec.tags[t].from.name: Required value', `spec.tags[t].from.kind: Required value: ${KINDS}`],
      },
      { name: 'R16 kind is case-sensitive', s: stream('foo', { tags: [tag('t', { kind: 'dockerimage', name: 'x' })] }), want: [`spec.tags[t].from.kind: Required value: ${KINDS}`] },
      { name: 'R18 valid importMode', s: stream('foo', { tags: [tag('tag', docker('abc'), { importPolicy: { importMode: 'PreserveOriginal' } })] }), want: [] },
      {
        name: 'R18 invalid importMode',
        s: stream('foo', { tags: [tag('tag', docker('abc'), { importPolicy: { importMode: 'Invalid' } })] }),
        want: [`spec.tags[tag].importPolicy.importMode: Invalid value: "Invalid": invalid import mode, valid modes are '', 'Legacy', 'PreserveOriginal'`],
      },
      { name: 'R12 tag names are not validated', s: stream('foo', { tags: [tag('Not A/Valid name', docker('abc'))] }), want: [] },
      {
        name: '§4.1 valid stream',
        s: stream('foo', {
          tags: [tag('tag', docker('abc')), tag('other', istag('other:latest'))],
          status: [history('tag', event('foo/bar:latest'))],
        }),
        want: [],
      },
      {
        name: '§4.1 lookupPolicy, reference, insecure, annotations and generation are never rejected',
        s: stream('foo', {
          tags: [tag('t', docker('abc'), { reference: true, annotations: { 'Not Valid!': 'x' }, generation: -4, importPolicy: { insecure: true, importMode: 'Legacy' } })],
        }),
        want: [],
      },
    ])('$name', ({ s, want }) => {
      expect(strings(validateImageStream(s))).toEqual(want);
    });

    // Rows follow validation_test.go#TestValidateImageStreamWithWhitelister.
    describe('with an allow-list (R11, R14, R19)', () => {
      const LIST = '"example.com:443", "localhost:5000", "dev.null.io:80"';
      const list = allow('example.com', 'localhost:5000', 'dev.null.io:80');
      const specTags: TagReference[] = [
        tag('secure', docker('example.com:443/repo')),
        tag('insecure', docker('example.com/repo'), { importPolicy: { insecure: true, importMode: 'Legacy' } }),
      ];
      const withStatus = (status: NamedTagEventList[]) => stream('bar', { namespace: 'foo', tags: specTags, status });

      it.each<{ name: string; s: ImageStream; al: RegistryAllowlist; want: string[] }>([
        {
          name: 'R14 spec reference not on the list',
          s: stream('bar', { namespace: 'foo', tags: [tag('fail', docker('registry.ltd/a/b'))] }),
          al: list,
          want: [`spec.tags[fail].from.name: Forbidden: registry "registry.ltd" not allowed by whitelist: ${LIST}`],
        },
        {
          name: 'R19 status references, secure',
          s: withStatus([
            history(
              'secure',
              event('docker.io/foo/bar:latest'),
              event('example.com/bar:latest'),
              event('example.com:80/repo:latest'),
              event('dev.null.io/myapp'),
              event('dev.null.io:80/myapp'),
            ),
          ]),
          al: list,
          want: [
            `status.tags[secure].items[0].dockerImageReference: Forbidden: registry "docker.io" not allowed by whitelist: ${LIST}`,
            `status.tags[secure].items[2].dockerImageReference: Forbidden: registry "example.com:80" not allowed by whitelist: ${LIST}`,
            `status.tags[secure].items[3].dockerImageReference: Forbidden: registry "dev.null.io" not allowed by whitelist: ${LIST}`,
          ],
        },
        {
          name: 'R19 status references of an insecure tag',
          s: withStatus([
            history(
              'insecure',
              event('localhost:5000/baz:latest'),
              event('example.com:80/bar:latest'),
              event('registry.ltd/repo:latest'),
              event('dev.null.io/myapp'),
              event('dev.null.io:80/myapp'),
            ),
          ]),
          al: list,
          want: [
            `status.tags[insecure].items[1].dockerImageReference: Forbidden: registry "example.com:80" not allowed by whitelist: ${LIST}`,
            `status.tags[insecure].items[2].dockerImageReference: Forbidden: registry "registry.ltd" not allowed by whitelist: ${LIST}`,
          ],
        },
        {
          name: 'R19 status tags without a spec tag are secure',
          s: withStatus([history('securebydefault', event('localhost/repo:latest'), event('example.com:443/bar:latest'), event('example.com/repo:latest'))]),
          al: list,
          want: [`status.tags[securebydefault].items[0].dockerImageReference: Forbidden: registry "localhost" not allowed by whitelist: ${LIST}`],
        },
        {
          name: 'R11 allowed repository',
          s: stream('bar', { namespace: 'foo', dockerImageRepository: 'example.com/openshift/origin' }),
          al: allow('example.com'),
          want: [],
        },
        {
          name: 'R11 repository not on the list',
          s: stream('bar', { namespace: 'foo', dockerImageRepository: 'example.com/openshift/origin' }),
          al: allow('*.example.com'),
          want: ['spec.dockerImageRepository: Forbidden: registry "example.com" not allowed by whitelist: "*.example.com:443"'],
        },
        {
          name: 'R11 the insecure-repository annotation allows any port',
          s: stream('bar', { namespace: 'foo', dockerImageRepository: 'dev.null.io/a/b', annotations: { 'openshift.io/image.insecureRepository': 'true' } }),
          al: list,
          want: [],
        },
        {
          name: 'R14 an empty DockerImage name is checked as Docker Hub',
          s: stream('bar', { namespace: 'foo', tags: [tag('t', { kind: 'DockerImage' })] }),
          al: list,
          want: ['spec.tags[t].from.name: Required value', `spec.tags[t].from.name: Forbidden: registry "docker.io:443" not allowed by whitelist: ${LIST}`],
        },
      ])('$name', ({ s, al, want }) => {
        expect(strings(validateImageStream(s, { allowlist: al }))).toEqual(want);
      });
    });
  });

  describe('validateImageStreamUpdate', () => {
    // Rows follow validation_test.go#TestValidateImageStreamUpdateWithWhitelister.
    const pair = (o: { tags?: TagReference[]; status?: NamedTagEventList[]; repo?: string }, n: typeof o) => ({
      old: stream('testis', { namespace: 'nm', tags: o.tags, status: o.status, dockerImageRepository: o.repo }),
      next: stream('testis', { namespace: 'nm', tags: n.tags, status: n.status, dockerImageRepository: n.repo }),
    });
    it.each([
      {
        name: 'R14/R19 no old references',
        al: allow('docker.io', 'example.com'),
        ...pair({}, { tags: [tag('latest', docker('example.com/repo'))], status: [history('latest', event('example.com'))] }),
        want: [],
      },
      {
        name: 'R14/R19 report not allowed',
        al: allow('docker.io'),
        ...pair(
          {},
          {
            tags: [tag('fail', docker('example.com/repo')), tag('ok', docker('docker.io/busybox'))],
            status: [history('fail', event(`example.com/repo@${DIGEST_A}`)), history('ok', event('docker.io/library/busybox:latest'))],
          },
        ),
        want: [
          'spec.tags[fail].from.name: Forbidden: registry "example.com" not allowed by whitelist: "docker.io:443"',
          'status.tags[fail].items[0].dockerImageReference: Forbidden: registry "example.com" not allowed by whitelist: "docker.io:443"',
        ],
      },
      {
        name: '§4.4 old spec references stay allowed',
        al: allow('docker.io'),
        ...pair({ tags: [tag('fail', docker('example.com/repo'))] }, { tags: [tag('fail', docker('example.com/repo'))], status: [history('fail', event('example.com/repo'))] }),
        want: [],
      },
      {
        name: '§4.4 old status references stay allowed',
        al: allow('docker.io'),
        ...pair(
          { status: [history('latest', event('abcd.com/repo/myapp:latest'))] },
          { tags: [tag('whitelisted', docker('abcd.com/repo/myapp:latest'))], status: [history('fail', event(`abcd.com/repo/myapp@${DIGEST_A}`))] },
        ),
        want: [],
      },
      { name: 'R11 allowed new repository', al: allow('docker.io'), ...pair({ repo: 'example.com/my/app' }, { repo: 'docker.io/my/newapp' }), want: [] },
      {
        name: 'R11 new repository not allowed',
        al: allow('docker.io'),
        ...pair({ repo: 'docker.io/my/app' }, { repo: 'example.com/my/newapp' }),
        want: ['spec.dockerImageRepository: Forbidden: registry "example.com" not allowed by whitelist: "docker.io:443"'],
      },
      { name: '§4.4 unchanged repository not on the list', al: allow('docker.io'), ...pair({ repo: 'example.com/my/newapp' }, { repo: 'example.com/my/newapp' }), want: [] },
    ])('$name', ({ old, next, al, want }) => {
      expect(strings(validateImageStreamUpdate(next, old, { allowlist: al }))).toEqual(want);
    });

    it('rejects changes of immutable metadata (R7)', () => {
      const old = withMeta(stream('foo'), { uid: 'u1' });
      expect(strings(validateImageStreamUpdate(withMeta(old, { uid: 'u2' }), old))).toEqual(['metadata.uid: Invalid value: "u2": field is immutable']);
    });

    it('reports label errors once here (the generic update check reports them too) (R7)', () => {
      const old = stream('foo');
      expect(strings(validateImageStreamUpdate(stream('foo', { labels: { 'a b': 'x' } }), old)).filter((e) => e.startsWith('metadata.labels'))).toHaveLength(1);
    });
  });

  describe('validateImageStreamStatusUpdate', () => {
    it.each([
      {
        name: '§3.6 a new status reference must parse (empty is Invalid, not Required)',
        old: stream('s'),
        next: stream('s', { status: [history('a', event(''), event('ok/ref'))] }),
        al: undefined,
        want: ['status.tags[a].items[0].dockerImageReference: Invalid value: "": repository name must have at least one component'],
      },
      {
        name: '§3.6 a reference already in the stored status is not re-checked',
        old: stream('s', { status: [history('x', event('Bad/Ref'))] }),
        next: stream('s', { status: [history('a', event('Bad/Ref'))] }),
        al: undefined,
        want: [],
      },
      {
        name: '§3.6 errors are reported at every path carrying the reference',
        old: stream('s'),
        next: stream('s', { status: [history('a', event('x@bad')), history('b', event('x@bad'))] }),
        al: undefined,
        want: [
          'status.tags[a].items[0].dockerImageReference: Invalid value: "x@bad": invalid reference format',
          'status.tags[b].items[0].dockerImageReference: Invalid value: "x@bad": invalid reference format',
        ],
      },
      {
        name: '§3.6 the allow-list applies to new references',
        old: stream('s'),
        next: stream('s', { status: [history('a', event('quay.io/a/b'))] }),
        al: allow('docker.io'),
        want: ['status.tags[a].items[0].dockerImageReference: Forbidden: registry "quay.io" not allowed by whitelist: "docker.io:443"'],
      },
    ])('$name', ({ old, next, al, want }) => {
      expect(strings(validateImageStreamStatusUpdate(next, old, { allowlist: al }))).toEqual(want);
    });
  });

  describe('wrapTagErrors', () => {
    it('returns nothing without errors (§4.0)', () => {
      expect(wrapTagErrors('foo', [])).toEqual([]);
    });

    it('wraps one error as an InternalError cause at [] (§4.0)', () => {
      const inner = validateImageStream(stream('foo', { tags: [tag('t', { kind: 'Image', name: 'x' })] }));
      const [wrapped] = wrapTagErrors('foo', inner);
      expect(wrapped?.type).toBe('InternalError');
      expect(errorString(wrapped!)).toBe(`[]: Internal error: imagestreams "foo" is invalid: spec.tags[t].from.kind: Required value: ${KINDS}`);
    });

    it('aggregates several errors in brackets, duplicates removed (§4.0)', () => {
      const e = strings(validateImageStream(stream('foo', { tags: [tag('t', {})] })));
      const inner = [...validateImageStream(stream('foo', { tags: [tag('t', {})] })), ...validateImageStream(stream('foo', { tags: [tag('t', {})] }))];
      expect(errorString(wrapTagErrors('foo', inner)[0]!)).toBe(`[]: Internal error: imagestreams "foo" is invalid: [${e.join(', ')}]`);
    });
  });
});
