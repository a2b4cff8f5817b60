/**
 * Subscriptions: parsing the watch URL of a WebSocket connection, where its subscription
 * lives, and which changes it receives.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../shared/apimachinery/meta.js';
import { StatusError } from '../../../shared/apimachinery/status.js';
import { Router } from '../../../shared/api/router.js';
import { routes } from '../../../shared/api/routes.js';
import { eventForSubscription, matchesNow, partitionsFor, scopeOf } from '../../../shared/watch/matching.js';
import { parseWatchRequest, startsWithState } from '../../../shared/watch/request.js';

const ctx = {
  router: new Router(routes),
  lookup: (group: string, plural: string) =>
    group === 'image.openshift.io' && plural === 'imagestreams' ? { storageKey: 'imagestreams.image.openshift.io', fieldKeys: ['metadata.name', 'metadata.namespace'] } : undefined,
};
const q = (s: string): Map<string, string[]> => {
  const m = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(s)) m.set(k, [...(m.get(k) ?? []), v]);
  return m;
};
const IS = '/apis/image.openshift.io/v1';
const fields = (o: KubeObject): Record<string, string> => ({ 'metadata.name': o.metadata.name ?? '', 'metadata.namespace': o.metadata.namespace ?? '' });
const obj = (ns: string, name: string, labels: Record<string, string> = {}, rv = 1): KubeObject => ({ metadata: { namespace: ns, name, labels, resourceVersion: String(rv) } });

async function failure(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StatusError) return e.code;
    throw e;
  }
  return undefined;
}

describe('subscription', () => {
  describe('parseWatchRequest', () => {
    it('reads a namespace watch with its selectors, resourceVersion, bookmarks and timeout', async () => {
      // Act
      const req = await parseWatchRequest(`${IS}/namespaces/demo/imagestreams`, q('watch=true&labelSelector=app%3Dweb&resourceVersion=12&allowWatchBookmarks=true&timeoutSeconds=30'), ctx);
      // Assess
      expect(req).toEqual({
        resource: 'imagestreams.image.openshift.io',
        namespace: 'demo',
        labelSelector: 'app=web',
        fieldSelector: '',
        resourceVersion: '12',
        allowBookmarks: true,
        timeoutSeconds: 30,
      });
    });

    it('reads an all-namespaces watch (watch=true implied) and sendInitialEvents', async () => {
      const req = await parseWatchRequest(`${IS}/imagestreams`, q('sendInitialEvents=true&resourceVersionMatch=NotOlderThan'), ctx);
      expect(req).toEqual({ resource: 'imagestreams.image.openshift.io', labelSelector: '', fieldSelector: '', sendInitialEvents: true, allowBookmarks: false });
    });

    it('turns the /watch/ path of one object into a metadata.name field selector', async () => {
      const req = await parseWatchRequest(`${IS}/watch/namespaces/demo/imagestreams/app`, q('fieldSelector=metadata.namespace%3Ddemo'), ctx);
      expect(req.fieldSelector).toBe('metadata.namespace=demo,metadata.name=app');
      expect(req.namespace).toBe('demo');
    });

    it('refuses unknown paths and non-collection paths with 404', async () => {
      expect(await failure(parseWatchRequest(`${IS}/namespaces/demo/things`, q(''), ctx))).toBe(404);
      expect(await failure(parseWatchRequest(`${IS}/namespaces/demo/imagestreams/app`, q(''), ctx))).toBe(404);
      expect(await failure(parseWatchRequest(`${IS}/namespaces/demo/imagestreams/app/status`, q(''), ctx))).toBe(404);
    });

    it('validates the options as the HTTP watch does (400, 422)', async () => {
      expect(await failure(parseWatchRequest(`${IS}/imagestreams`, q('labelSelector=a%3D%3D%3Db'), ctx))).toBe(400);
      expect(await failure(parseWatchRequest(`${IS}/imagestreams`, q('fieldSelector=spec.x%3D1'), ctx))).toBe(400);
      expect(await failure(parseWatchRequest(`${IS}/imagestreams`, q('sendInitialEvents=true'), ctx))).toBe(422);
      expect(await failure(parseWatchRequest(`${IS}/imagestreams`, q('resourceVersion=abc'), ctx))).toBe(400);
      expect(await failure(parseWatchRequest(`${IS}/watch/namespaces/demo/imagestreams/app`, q('fieldSelector=metadata.name%3Dother'), ctx))).toBe(400);
    });

    it('asks the authorizer before parsing the options, with the namespace of the URL', async () => {
      // Prepare
      const asked: (string | undefined)[] = [];
      const deny = {
        ...ctx,
        authorize: async (_r: unknown, ns: string | undefined) => {
          asked.push(ns);
          throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden' });
        },
      };
      // Act
      const code = await failure(parseWatchRequest(`${IS}/namespaces/secret/imagestreams`, q('labelSelector=%3D%3D'), deny));
      // Assess
      expect(code).toBe(403);
      expect(asked).toEqual(['secret']);
    });
  });

  describe('startsWithState', () => {
    it('starts with the current state without resourceVersion or at "0", unless sendInitialEvents says otherwise', () => {
      expect(startsWithState({})).toBe(true);
      expect(startsWithState({ resourceVersion: '0' })).toBe(true);
      expect(startsWithState({ resourceVersion: '7' })).toBe(false);
      expect(startsWithState({ resourceVersion: '7', sendInitialEvents: true })).toBe(true);
      expect(startsWithState({ sendInitialEvents: false })).toBe(false);
    });
  });

  describe('partitionsFor', () => {
    it('is the namespace partition and the all-namespaces one, nothing else', () => {
      expect(partitionsFor('imagestreams.image.openshift.io', 'a')).toEqual([
        { resource: 'imagestreams.image.openshift.io', scope: 'a' },
        { resource: 'imagestreams.image.openshift.io', scope: '*' },
      ]);
      expect(scopeOf(undefined)).toBe('*');
      expect(scopeOf('b')).toBe('b');
    });
  });

  describe('eventForSubscription', () => {
    it('never gives a subscriber of namespace A a change in namespace B', () => {
      const sub = { namespace: 'a', labelSelector: '', fieldSelector: '' };
      expect(eventForSubscription(sub, { type: 'ADDED', revision: 1, object: obj('b', 'x') }, fields)).toBeUndefined();
      expect(eventForSubscription(sub, { type: 'ADDED', revision: 1, object: obj('a', 'x') }, fields)?.type).toBe('ADDED');
      expect(eventForSubscription({ labelSelector: '', fieldSelector: '' }, { type: 'DELETED', revision: 2, object: obj('b', 'x') }, fields)?.type).toBe('DELETED');
    });

    it('turns selector transitions into ADDED and DELETED', () => {
      const sub = { namespace: 'a', labelSelector: 'tier=db', fieldSelector: '' };
      const enter = { type: 'MODIFIED' as const, revision: 3, object: obj('a', 'x', { tier: 'db' }), previous: { labels: { tier: 'web' } } };
      const leave = { type: 'MODIFIED' as const, revision: 4, object: obj('a', 'x', { tier: 'web' }), previous: { labels: { tier: 'db' } } };
      const stay = { type: 'MODIFIED' as const, revision: 5, object: obj('a', 'x', { tier: 'db' }), previous: { labels: { tier: 'db' } } };
      expect(eventForSubscription(sub, enter, fields)?.type).toBe('ADDED');
      expect(eventForSubscription(sub, leave, fields)?.type).toBe('DELETED');
      expect(eventForSubscription(sub, stay, fields)?.type).toBe('MODIFIED');
    });

    it('matches the current state by namespace, labels and name', () => {
      const sub = { namespace: 'a', labelSelector: 'app', fieldSelector: 'metadata.name=x' };
      expect(matchesNow(sub, obj('a', 'x', { app: '1' }), fields)).toBe(true);
      expect(matchesNow(sub, obj('a', 'y', { app: '1' }), fields)).toBe(false);
      expect(matchesNow(sub, obj('a', 'x'), fields)).toBe(false);
    });
  });
});
