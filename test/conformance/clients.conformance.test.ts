/**
 * Client libraries against the local stack, unmodified: @kubernetes/client-node
 * (KubernetesObjectApi, CustomObjectsApi, Watch) and the Debian python3-kubernetes
 * DynamicClient (run with /usr/bin/python3).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStackForTest, type StackUnderTest } from '../helpers/local-stack.js';

let stack: StackUnderTest;
let kc: KubeConfig;

beforeAll(async () => {
  stack = await startStackForTest();
  kc = new KubeConfig();
  kc.loadFromFile(stack.kubeconfig);
});
afterAll(async () => {
  await stack?.stop();
});

const stream = (name: string, ns: string, tags: string[] = ['latest']) => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name, namespace: ns, labels: { client: 'node' } },
  spec: { tags: tags.map((t) => ({ name: t, from: { kind: 'DockerImage', name: `quay.io/example/app:${t}` } })) },
});

describe('@kubernetes/client-node 1.4', () => {
  it('runs create, read, list, patch (strategic, merge, apply), replace and delete with KubernetesObjectApi', async () => {
    const api = KubernetesObjectApi.makeApiClient(kc);
    const created: any = await api.create(stream('nodeis', 'clients'));
    expect(created.metadata?.uid).toBeDefined();
    const read = await api.read<any>({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'nodeis', namespace: 'clients' } });
    expect(read.spec.tags.map((t: any) => t.name)).toEqual(['latest']);
    const list = await api.list('image.openshift.io/v1', 'ImageStream', 'clients', undefined, undefined, undefined, undefined, 'client=node');
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['nodeis']);

    const smp = await api.patch<any>(
      { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'nodeis', namespace: 'clients' }, spec: { tags: [{ name: 'v2', from: { kind: 'DockerImage', name: 'quay.io/example/app:v2' } }] } } as any,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.StrategicMergePatch,
    );
    expect(smp.spec.tags.map((t: any) => t.name)).toEqual(['latest', 'v2']);
    const merged = await api.patch<any>(
      { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'nodeis', namespace: 'clients', labels: { extra: 'yes' } } } as any,
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    expect(merged.metadata.labels).toEqual({ client: 'node', extra: 'yes' });
    const applied = await api.patch<any>(stream('applied', 'clients'), undefined, undefined, 'node-test', true, PatchStrategy.ServerSideApply);
    expect(applied.metadata.managedFields?.[0]).toMatchObject({ manager: 'node-test', operation: 'Apply' });

    const replaced = await api.replace<any>({ ...merged, spec: { ...merged.spec, lookupPolicy: { local: true } } });
    expect(replaced.metadata.generation).toBe(merged.metadata.generation + 1);
    await api.delete({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'nodeis', namespace: 'clients' } });
    await expect(api.read({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'nodeis', namespace: 'clients' } })).rejects.toMatchObject({
      code: 404,
    });
  });

  it('sends JSON patches for array bodies with CustomObjectsApi', async () => {
    const api = kc.makeApiClient(CustomObjectsApi);
    const group = 'image.openshift.io';
    const version = 'v1';
    const plural = 'imagestreams';
    await api.createNamespacedCustomObject({ group, version, namespace: 'clients', plural, body: stream('custom', 'clients') });
    const patched: any = await api.patchNamespacedCustomObject({
      group,
      version,
      namespace: 'clients',
      plural,
      name: 'custom',
      body: [{ op: 'add', path: '/metadata/labels/j', value: '1' }],
    });
    expect(patched.metadata.labels.j).toBe('1');
    const all: any = await api.listClusterCustomObject({ group, version, plural });
    expect(all.items.map((i: any) => i.metadata.name)).toContain('custom');
    await api.deleteNamespacedCustomObject({ group, version, namespace: 'clients', plural, name: 'custom' });
  });

  it('receives ADDED, MODIFIED and DELETED through Watch', async () => {
    const api = KubernetesObjectApi.makeApiClient(kc);
    const events: string[] = [];
    let done!: () => void;
    const ended = new Promise<void>((r) => (done = r));
    const controller = await new Watch(kc).watch(
      '/apis/image.openshift.io/v1/namespaces/watched/imagestreams',
      { allowWatchBookmarks: true },
      (phase, obj) => {
        if (phase !== 'BOOKMARK') events.push(`${phase} ${obj.metadata.name}`);
        if (phase === 'DELETED') done();
      },
      () => done(),
    );
    await api.create(stream('w1', 'watched'));
    await api.patch({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'w1', namespace: 'watched', labels: { x: 'y' } } } as any, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
    await api.delete({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'w1', namespace: 'watched' } });
    await Promise.race([ended, new Promise((r) => setTimeout(r, 10_000))]);
    controller.abort();
    expect(events).toEqual(['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
  });
});

describe('python3-kubernetes 22.6 DynamicClient', () => {
  it('creates, reads, lists, patches, watches and deletes', async () => {
    const script = path.join(stack.dir, 'dynamic.py');
    writeFileSync(
      script,
      `
import json
from kubernetes import config, dynamic, watch
from kubernetes.client import api_client
client = dynamic.DynamicClient(api_client.ApiClient(configuration=config.load_kube_config(config_file=${JSON.stringify(stack.kubeconfig)})))
api = client.resources.get(api_version="image.openshift.io/v1", kind="ImageStream")
body = {"apiVersion": "image.openshift.io/v1", "kind": "ImageStream", "metadata": {"name": "pyis", "labels": {"a": "b"}},
        "spec": {"tags": [{"name": "latest", "from": {"kind": "DockerImage", "name": "quay.io/example/app:latest"}}]}}
out = {}
created = api.create(body=body, namespace="py")
out["generation"] = created.metadata.generation
out["get"] = api.get(name="pyis", namespace="py").metadata.name
out["list"] = [i.metadata.name for i in api.get(namespace="py", label_selector="a=b").items]
patched = api.patch(name="pyis", namespace="py", body={"metadata": {"labels": {"c": "d"}}}, content_type="application/merge-patch+json")
out["labels"] = dict(patched.metadata.labels)
rv = created.metadata.resourceVersion
events = [e["type"] for e in api.watch(namespace="py", resource_version=rv, timeout=2)]
out["events"] = events
api.delete(name="pyis", namespace="py")
try:
    api.get(name="pyis", namespace="py")
    out["after_delete"] = "found"
except Exception as e:
    out["after_delete"] = getattr(e, "status", str(e))
print(json.dumps(out))
`,
    );
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile('/usr/bin/python3', [script], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr })),
    );
    expect(result.stderr).not.toMatch(/Traceback/);
    const out = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
    expect(out).toEqual({
      generation: 1,
      get: 'pyis',
      list: ['pyis'],
      labels: { a: 'b', c: 'd' },
      events: ['MODIFIED'],
      after_delete: 404,
    });
  });
});
