/**
 * A client-node informer under churn with forced reconnects (every watch stream ends after
 * at most 2 s): its cache must end equal to a fresh list, and every object's events must
 * arrive in strictly increasing resourceVersion order with no duplicate.
 */
import { CustomObjectsApi, KubeConfig, makeInformer, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startStackForTest, type StackUnderTest } from '../helpers/local-stack.js';

let stack: StackUnderTest;

beforeAll(async () => {
  stack = await startStackForTest({ WATCH_MAX_SECONDS: '2' });
});
afterAll(async () => {
  await stack?.stop();
});

const NAMESPACES = ['churn-a', 'churn-b', 'churn-c'];
const body = (name: string, n: number) =>
  JSON.stringify({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name, labels: { n: String(n) } }, spec: {} });

describe('client-node informer', () => {
  it('ends with the same state as a fresh list, events in order, none duplicated', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(stack.kubeconfig);
    const api = kc.makeApiClient(CustomObjectsApi);
    const path = '/apis/image.openshift.io/v1/imagestreams';
    const informer = makeInformer<KubernetesObject>(kc, path, async () =>
      (await api.listClusterCustomObject({ group: 'image.openshift.io', version: 'v1', plural: 'imagestreams' })) as never,
    );
    const seen = new Map<string, { type: string; rv: number }[]>();
    const record = (type: string) => (obj: KubernetesObject) => {
      const key = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
      const list = seen.get(key) ?? [];
      list.push({ type, rv: Number(obj.metadata?.resourceVersion) });
      seen.set(key, list);
    };
    informer.on('add', record('add'));
    informer.on('update', record('update'));
    informer.on('delete', record('delete'));
    informer.on('error', () => setTimeout(() => void informer.start(), 200));
    await informer.start();

    // Churn: 3 namespaces × 40 streams, each created, updated twice, and every third deleted.
    const writes: Promise<unknown>[] = [];
    for (const ns of NAMESPACES) {
      writes.push(
        (async () => {
          for (let i = 0; i < 40; i++) {
            const name = `s${i}`;
            const base = `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreams`;
            await http(stack, 'POST', base, { body: body(name, 0) });
            for (const n of [1, 2]) {
              await http(stack, 'PATCH', `${base}/${name}`, {
                body: JSON.stringify({ metadata: { labels: { n: String(n) } } }),
                headers: { 'Content-Type': 'application/merge-patch+json' },
              });
            }
            if (i % 3 === 0) await http(stack, 'DELETE', `${base}/${name}`);
          }
        })(),
      );
    }
    await Promise.all(writes);

    const fresh = (await http(stack, 'GET', path)).json.items as KubernetesObject[];
    const expected = fresh.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
    const cached = () =>
      informer
        .list()
        .map((o) => `${o.metadata?.namespace}/${o.metadata?.name}@${o.metadata?.resourceVersion}`)
        .sort();
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && JSON.stringify(cached()) !== JSON.stringify(expected)) await new Promise((r) => setTimeout(r, 200));
    await informer.stop();

    expect(cached()).toEqual(expected);
    expect(expected).toHaveLength(3 * 26);
    for (const [key, events] of seen) {
      const rvs = events.map((e) => e.rv);
      for (let i = 1; i < rvs.length; i++) expect(rvs[i], `${key}: ${JSON.stringify(events)}`).toBeGreaterThan(rvs[i - 1]!);
    }
  });
});
