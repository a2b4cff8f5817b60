import { describe, expect, it } from 'vitest';
import { errorString } from '../../../shared/apimachinery/field-errors.js';
import { accessKey, type AccessDecision } from '../../../shared/apimachinery/registry/strategy.js';
import { layersAccessCheck, tagAccessChecks, verifyTagAccess } from '../../../shared/image/tag-verifier.js';
import type { TagReference } from '../../../shared/image/types.js';
import { docker, istag, stream, tag } from './helpers.js';

const FORMAT = 'must be of the form <tag>, <repo>:<tag>, <id>, or <repo>@<id>';
const decisions = (entries: [string, string, AccessDecision][]): Map<string, AccessDecision> =>
  new Map(entries.map(([ns, name, d]) => [accessKey(layersAccessCheck(ns, name)), d]));

describe('tag-verifier', () => {
  describe('tagAccessChecks', () => {
    // R23 / §12.2; rows follow strategy_test.go#TestTagVerifier.
    it.each<{ name: string; oldTags?: TagReference[]; newTags: TagReference[]; checks: [string, string][] }>([
      { name: 'R23 no tags', newTags: [], checks: [] },
      { name: 'R23 old nil, all tags are new', newTags: [tag('latest', istag('otherstream:latest', 'otherns'))], checks: [['otherns', 'otherstream']] },
      { name: 'R23 DockerImage without namespace needs no check', newTags: [tag('latest', docker('registry/old/stream:latest'))], checks: [] },
      { name: '§12.2 same namespace needs no check', newTags: [tag('other', istag('otherstream:latest', 'ns'))], checks: [] },
      {
        name: '§12.2 unchanged references are never re-checked',
        oldTags: [tag('latest', istag('otherstream:latest', 'otherns'))],
        newTags: [tag('latest', istag('otherstream:latest', 'otherns'))],
        checks: [],
      },
      {
        name: 'R23 changed reference is checked',
        oldTags: [tag('latest', istag('otherstream:foo', 'otherns'))],
        newTags: [tag('latest', istag('otherstream:latest', 'otherns'))],
        checks: [['otherns', 'otherstream']],
      },
      {
        name: 'R23 one check per distinct (namespace, stream)',
        newTags: [
          tag('latest', istag('otherstream:latest', 'otherns')),
          tag('other', istag('otherstream:v2', 'otherns')),
          tag('second', istag('otherstream:latest', 'secondns')),
        ],
        checks: [
          ['otherns', 'otherstream'],
          ['secondns', 'otherstream'],
        ],
      },
      { name: 'R23 a name outside the grammar needs no check', newTags: [tag('latest', istag('a:b:c', 'otherns'))], checks: [] },
    ])('$name', ({ oldTags, newTags, checks }) => {
      const old = oldTags ? stream('stream', { tags: oldTags }) : undefined;
      expect(tagAccessChecks(stream('stream', { tags: newTags }), old)).toEqual(checks.map(([ns, n]) => layersAccessCheck(ns, n)));
    });

    it('asks for get imagestreams/layers in the source namespace (§12.2)', () => {
      expect(layersAccessCheck('otherns', 'otherstream')).toEqual({
        verb: 'get',
        group: 'image.openshift.io',
        resource: 'imagestreams',
        subresource: 'layers',
        namespace: 'otherns',
        name: 'otherstream',
      });
    });
  });

  describe('verifyTagAccess', () => {
    it.each<{ name: string; newTags: TagReference[]; access: Map<string, AccessDecision>; errors: string[] }>([
      {
        name: 'R23 allowed',
        newTags: [tag('latest', istag('otherstream:latest', 'otherns'))],
        access: decisions([['otherns', 'otherstream', { allowed: true }]]),
        errors: [],
      },
      {
        name: 'R23 denied',
        newTags: [tag('latest', istag('otherstream:latest', 'otherns'))],
        access: decisions([['otherns', 'otherstream', { allowed: false }]]),
        errors: ['spec.tags[latest].from: Forbidden: otherns/otherstream: "" ""'],
      },
      {
        name: 'R23 denied with reason and evaluation error',
        newTags: [tag('latest', istag('otherstream:latest', 'otherns'))],
        access: decisions([['otherns', 'otherstream', { allowed: false, reason: 'no RBAC', evaluationError: 'boom' }]]),
        errors: ['spec.tags[latest].from: Forbidden: otherns/otherstream: "no RBAC" "boom"'],
      },
      {
        name: 'R23 a missing decision counts as a denial',
        newTags: [tag('latest', istag('otherstream:latest', 'otherns'))],
        access: new Map(),
        errors: ['spec.tags[latest].from: Forbidden: otherns/otherstream: "" ""'],
      },
      {
        name: 'R23 the failure is reported on every tag sharing the check, only those',
        newTags: [
          tag('latest', istag('otherstream:latest', 'otherns')),
          tag('other', istag('otherstream:latest', 'otherns')),
          tag('third', istag('something:latest', 'thirdns')),
        ],
        access: decisions([
          ['otherns', 'otherstream', { allowed: false, reason: 'foo' }],
          ['thirdns', 'something', { allowed: true }],
        ]),
        errors: ['spec.tags[latest].from: Forbidden: otherns/otherstream: "foo" ""', 'spec.tags[other].from: Forbidden: otherns/otherstream: "foo" ""'],
      },
      {
        name: 'R23 invalid from name',
        newTags: [tag('latest', istag('a:b:c', 'otherns'))],
        access: new Map(),
        errors: [`spec.tags[latest].from.name: Invalid value: "a:b:c": ${FORMAT}`],
      },
      {
        name: 'R23 a cross-namespace DockerImage always fails the grammar',
        newTags: [tag('latest', docker('quay.io/a/b', { namespace: 'otherns' }))],
        access: new Map(),
        errors: [`spec.tags[latest].from.name: Invalid value: "quay.io/a/b": ${FORMAT}`],
      },
    ])('$name', ({ newTags, access, errors }) => {
      expect(verifyTagAccess(stream('stream', { tags: newTags }), undefined, access).map(errorString)).toEqual(errors);
    });
  });
});
