/**
 * Image import, black box: kubectl against the local stack (`npm start`'s stack: the import
 * trigger on the table's stream, the in-process queue, the schedule timer) and a real
 * registry on 127.0.0.1 with TLS and htpasswd auth, the pull secret made with
 * `kubectl create secret docker-registry`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, makeKubectl, startStackForTest, writeManifest, type StackUnderTest } from '../helpers/local-stack.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

let stack: StackUnderTest;
let registry: TestRegistry;
let k: ReturnType<typeof makeKubectl>;

beforeAll(async () => {
  registry = await startRegistry({ tls: true, auth: { username: 'alice', password: 's3cret' } });
  // A short schedule so the scheduled re-import is observable; the trigger is what the rest relies on.
  stack = await startStackForTest({ IMPORT_CA_FILE: registry.caFile!, IMPORT_SCHEDULE_SECONDS: '2' }, { importer: true });
  k = makeKubectl(stack);
});
afterAll(async () => {
  await stack?.stop();
  await registry?.stop();
});

/** Polls `kubectl get` with a jsonpath until `done(output)` or the deadline. */
async function waitFor(args: string[], done: (out: string) => boolean, ms = 15_000): Promise<string> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    const out = await k(args);
    last = out.stdout;
    if (out.code === 0 && done(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${args.join(' ')}; last output: ${last}`);
}

const streamYaml = (name: string, from: string, scheduled = false): string => `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: ${name}
spec:
  tags:
  - name: v1
    from: {kind: DockerImage, name: ${from}}
${scheduled ? '    importPolicy: {scheduled: true}\n' : ''}`;

describe('import (kubectl, black box)', () => {
  it('serves core v1 secrets: kubectl create secret docker-registry, get, list, delete', async () => {
    const created = await k([
      '-n',
      'demo',
      'create',
      'secret',
      'docker-registry',
      'regcred',
      `--docker-server=${registry.host}`,
      '--docker-username=alice',
      '--docker-password=s3cret',
    ]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('secret/regcred created\n');
    const listed = await k(['-n', 'demo', 'get', 'secrets']);
    expect(listed.stdout).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\nregcred\s+kubernetes\.io\/dockerconfigjson\s+1\s+/);
    const raw = await http(stack, 'GET', '/api/v1/namespaces/demo/secrets/regcred');
    expect(raw.json.type).toBe('kubernetes.io/dockerconfigjson');
    expect(raw.json.stringData).toBeUndefined();
    const config = JSON.parse(Buffer.from(raw.json.data['.dockerconfigjson'], 'base64').toString());
    expect(config.auths[registry.host]).toMatchObject({ username: 'alice', password: 's3cret' });
    const scratch = await k(['-n', 'demo', 'create', 'secret', 'generic', 'scratch', '--from-literal=a=b']);
    expect(scratch.stdout).toBe('secret/scratch created\n');
    expect((await k(['-n', 'demo', 'delete', 'secret', 'scratch'])).stdout).toBe('secret "scratch" deleted\n');
  });

  it('imports a DockerImage tag within seconds of kubectl apply, using the pull secret', async () => {
    const pushed = await registry.pushImage('demo/app', 'v1');
    const file = writeManifest(stack, 'app.yaml', streamYaml('app', `${registry.host}/demo/app:v1`));
    const applied = await k(['-n', 'demo', 'apply', '-f', file]);
    expect(applied.stdout).toBe('imagestream.image.openshift.io/app created\n');
    const image = await waitFor(['-n', 'demo', 'get', 'is', 'app', '-o', 'jsonpath={.status.tags[0].items[0].image}'], (o) => o !== '');
    expect(image).toBe(pushed.digest);
    const ref = await k(['-n', 'demo', 'get', 'is', 'app', '-o', 'jsonpath={.status.tags[0].items[0].dockerImageReference}']);
    expect(ref.stdout).toBe(`${registry.host}/demo/app@${pushed.digest}`);
    const table = await k(['-n', 'demo', 'get', 'is']);
    expect(table.stdout).toMatch(/\napp\s+v1\s+/);
  });

  it('records a failed import as an ImportSuccess=False condition', async () => {
    const file = writeManifest(stack, 'missing.yaml', streamYaml('missing', `${registry.host}/demo/app:nope`));
    await k(['-n', 'demo', 'apply', '-f', file]);
    const reason = await waitFor(['-n', 'demo', 'get', 'is', 'missing', '-o', 'jsonpath={.status.tags[0].conditions[0].reason}'], (o) => o !== '');
    expect(reason).toBe('NotFound');
  });

  it('re-imports a scheduled tag after it moved in the registry', async () => {
    const first = await registry.pushImage('demo/sched', 'v1', { text: 'first' });
    const file = writeManifest(stack, 'sched.yaml', streamYaml('sched', `${registry.host}/demo/sched:v1`, true));
    await k(['-n', 'demo', 'apply', '-f', file]);
    await waitFor(['-n', 'demo', 'get', 'is', 'sched', '-o', 'jsonpath={.status.tags[0].items[0].image}'], (o) => o === first.digest);
    const second = await registry.pushImage('demo/sched', 'v1', { text: 'second' });
    const images = await waitFor(
      ['-n', 'demo', 'get', 'is', 'sched', '-o', 'jsonpath={.status.tags[0].items[*].image}'],
      (o) => o.startsWith(second.digest),
      20_000,
    );
    expect(images).toBe(`${second.digest} ${first.digest}`);
  });
});
