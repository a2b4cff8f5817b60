/**
 * `$connect` with junk, property-based: random watch paths, query parameters and subprotocols.
 * The handler never throws and never answers 5xx; a refusal is a Kubernetes Status and stores
 * no subscription; an acceptance stores exactly one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParams } from '../../helpers/fuzz.js';
import { ALL, harness, NS } from './harness.js';

const junk = fc.oneof(
  fc.constantFrom('', '0', '-1', '1', '1e309', 'true', 'false', 'NotOlderThan', 'Exact', 'a=b', 'a in (b', '!a', 'metadata.name=x', 'spec.x=y', 'x'.repeat(5000)),
  fc.string({ maxLength: 30 }),
);
const key = fc.constantFrom('watch', 'labelSelector', 'fieldSelector', 'resourceVersion', 'resourceVersionMatch', 'timeoutSeconds', 'allowWatchBookmarks', 'sendInitialEvents', 'limit', 'continue', 'zz');
const path = fc.oneof(
  fc.constantFrom(NS('demo'), ALL, `${NS('demo')}/a`, '/apis/image.openshift.io/v1/watch/namespaces/demo/imagestreams', '/apis/image.openshift.io/v1/watch/namespaces/demo/imagestreams/a', '/api/v1/namespaces/demo/secrets', '/nope', ''),
  // Any segment, %-encoded as a client sends it (the gateway decodes the path before $connect).
  fc.string({ maxLength: 40 }).map((s) => `/apis/image.openshift.io/v1/namespaces/${encodeURIComponent(s)}/imagestreams`),
);
const protocols = fc.option(fc.array(fc.oneof(fc.constantFrom('base64.binary.k8s.io', 'v4.channel.k8s.io', 'base64url.bearer.authorization.k8s.io.', 'base64url.bearer.authorization.k8s.io.!!!'), fc.string({ maxLength: 20 })), { maxLength: 3 }), { nil: undefined });

describe('watch connect (property-based)', () => {
  it('never throws or answers 5xx; refusals are Status objects and store nothing', async () => {
    const h = harness();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(path, fc.array(fc.tuple(key, junk), { maxLength: 4 }), protocols, async (p, query, protos) => {
        const id = `c${n++}`;
        const qs = new URLSearchParams(query).toString();
        const before = h.subs.all().length;
        const res = await h.connect(id, qs ? `${p}?${qs}` : p, protos ? { protocols: protos } : {});
        const where = `${p}?${qs} ${JSON.stringify(protos)} → ${res.statusCode} ${res.body ?? ''}`;
        expect(res.statusCode < 500, where).toBe(true);
        const stored = h.subs.all().filter((s) => s.connectionId === id).length;
        if (res.statusCode >= 400) {
          expect(JSON.parse(res.body ?? '{}'), where).toMatchObject({ kind: 'Status', code: res.statusCode });
          expect(h.subs.all().length, where).toBe(before);
        } else {
          expect(stored, where).toBe(1);
        }
      }),
      fuzzParams(1000),
    );
  });
});
