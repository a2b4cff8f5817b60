/**
 * The importer against real registries (Debian's docker-registry on 127.0.0.1) and the
 * DynamoDB store: streams are created through the API, the worker imports and writes through
 * the internal strategy, and the stored streams are checked.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp, type App } from '../../shared/api/app.js';
import { queryFromSearchParams } from '../../shared/api/http.js';
import { loadConfig } from '../../shared/config.js';
import { createImporterRuntime, type ImporterRuntime } from '../../shared/importer/runtime.js';
import { localClient, freshTable } from '../helpers/dynamo.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const NS = 'demo';
const IS = `/apis/image.openshift.io/v1/namespaces/${NS}/imagestreams`;
const SECRETS = `/api/v1/namespaces/${NS}/secrets`;
const SILENT = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

let secure: TestRegistry;
let withAuth: TestRegistry;
let plain: TestRegistry;
let app: App;
let runtime: ImporterRuntime;
let drop: () => Promise<void>;

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const u = new URL(url, 'https://local');
  const res = await app.handle({
    method,
    path: u.pathname,
    params: {},
    query: queryFromSearchParams(u.searchParams),
    headers: { authorization: 'Bearer t0ken', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? Buffer.from(JSON.stringify(body)) : undefined,
  });
  const text = typeof res.body === 'string' ? res.body : Buffer.isBuffer(res.body) ? res.body.toString() : '';
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

const stream = (name: string, tags: object[]) => ({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name }, spec: { tags } });
const tag = (name: string, from: string, extra: object = {}) => ({ name, from: { kind: 'DockerImage', name: from }, ...extra });

async function createAndImport(name: string, tags: object[]): Promise<any> {
  const created = await call('POST', IS, stream(name, tags));
  expect(created.status).toBe(201);
  await runtime.run({ namespace: NS, name });
  return (await call('GET', `${IS}/${name}`)).json;
}

const statusTag = (s: any, t: string) => s.status.tags?.find((x: any) => x.tag === t);

beforeAll(async () => {
  [secure, withAuth, plain] = await Promise.all([startRegistry({ tls: true }), startRegistry({ tls: true, auth: { username: 'alice', password: 's3cret' } }), startRegistry()]);
  const caBundle = path.join(tmpdir(), `is-import-ca-${process.pid}.pem`);
  writeFileSync(caBundle, `${secure.certPem}\n${withAuth.certPem}\n`);
  const table = await freshTable(localClient(), 'import');
  drop = table.drop;
  const config = loadConfig({
    TABLE_NAME: table.name,
    DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
    IMPORT_ALLOW_LOOPBACK: 'true',
    IMPORT_CA_FILE: caBundle,
    IMPORT_RETRY_BASE_MS: '10',
  });
  app = createApp({
    config,
    logger: SILENT,
    authenticator: { authenticate: (t) => (t === 't0ken' ? { name: 'alice', groups: ['system:masters', 'system:authenticated'] } : undefined) },
  });
  runtime = createImporterRuntime({ config, app, logger: SILENT });
});

afterAll(async () => {
  await runtime?.close();
  await Promise.all([secure?.stop(), withAuth?.stop(), plain?.stop()]);
  await drop?.();
});

describe('importer', () => {
  describe('runImportJob', () => {
    it('imports a single-arch image: a tag event by digest, the check annotation, generations in step', async () => {
      const pushed = await secure.pushImage('demo/app', 'v1', { format: 'docker' });
      const s = await createAndImport('single', [tag('v1', `${secure.host}/demo/app:v1`)]);
      const t = statusTag(s, 'v1');
      expect(t.items).toHaveLength(1);
      expect(t.items[0]).toMatchObject({ image: pushed.digest, dockerImageReference: `${secure.host}/demo/app@${pushed.digest}`, generation: 2 });
      expect(t.conditions).toBeUndefined();
      expect(s.metadata.annotations['openshift.io/image.dockerRepositoryCheck']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(s.metadata.generation).toBe(2);
      expect(s.spec.tags[0]).toMatchObject({ name: 'v1', generation: 2, from: { kind: 'DockerImage', name: `${secure.host}/demo/app:v1` } });
      expect(s.metadata.managedFields.some((m: any) => m.manager === 'imagestream-importer')).toBe(true);
      // Imported again with nothing new: no write at all.
      const rv = s.metadata.resourceVersion;
      expect((await runtime.run({ namespace: NS, name: 'single' })).outcome).toBe('nothing-to-import');
      expect((await call('GET', `${IS}/single`)).json.metadata.resourceVersion).toBe(rv);
    });

    it('imports a manifest list: Legacy picks the platform child, PreserveOriginal keeps the list digest', async () => {
      const amd = await secure.pushImage('demo/multi', 'amd64', { arch: 'amd64' });
      const arm = await secure.pushImage('demo/multi', 'arm64', { arch: 'arm64' });
      const list = await secure.pushList('demo/multi', 'latest', [arm, amd]);
      const ref = `${secure.host}/demo/multi:latest`;
      const s = await createAndImport('multi', [
        tag('legacy', ref, { importPolicy: { importMode: 'Legacy' } }),
        tag('arm', ref, { importPolicy: { importMode: 'Legacy' }, annotations: { 'importer.image.openshift.io/prefer-arch': 'arm64' } }),
        tag('preserve', ref, { importPolicy: { importMode: 'PreserveOriginal' } }),
      ]);
      const serverArch = process.arch === 'arm64' ? arm : amd;
      expect(statusTag(s, 'legacy').items[0].image).toBe(serverArch.digest);
      expect(statusTag(s, 'arm').items[0].image).toBe(arm.digest);
      expect(statusTag(s, 'preserve').items[0]).toMatchObject({ image: list.digest, dockerImageReference: `${secure.host}/demo/multi@${list.digest}` });
    });

    it('imports a Docker manifest list in Legacy mode', async () => {
      const amd = await secure.pushImage('demo/dlist', 'amd64', { arch: 'amd64', format: 'docker' });
      const arm = await secure.pushImage('demo/dlist', 'arm64', { arch: 'arm64', format: 'docker' });
      await secure.pushList('demo/dlist', 'latest', [amd, arm], 'docker');
      const s = await createAndImport('dlist', [tag('latest', `${secure.host}/demo/dlist:latest`, { annotations: { 'importer.image.openshift.io/prefer-arch': 'amd64' } })]);
      expect(statusTag(s, 'latest').items[0].image).toBe(amd.digest);
    });

    it('uses a matching dockerconfigjson pull secret for an htpasswd registry, and reports Unauthorized without one', async () => {
      const pushed = await withAuth.pushImage('team/private', 'v1');
      const denied = await createAndImport('noauth', [tag('v1', `${withAuth.host}/team/private:v1`)]);
      expect(statusTag(denied, 'v1').conditions[0]).toMatchObject({
        type: 'ImportSuccess',
        status: 'False',
        reason: 'Unauthorized',
        message: `you may not have access to the container image "${withAuth.host}/team/private:v1"`,
      });
      const config = { auths: { [withAuth.host]: { username: 'alice', password: 's3cret', auth: Buffer.from('alice:s3cret').toString('base64') } } };
      const secret = await call('POST', SECRETS, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'regcred' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': Buffer.from(JSON.stringify(config)).toString('base64') },
      });
      expect(secret.status).toBe(201);
      const s = await createAndImport('private', [tag('v1', `${withAuth.host}/team/private:v1`)]);
      expect(statusTag(s, 'v1').items[0].image).toBe(pushed.digest);
      expect(statusTag(s, 'v1').conditions).toBeUndefined();
    });

    it('records NotFound for a missing tag and keeps the history', async () => {
      const pushed = await secure.pushImage('demo/keep', 'v1');
      const s = await createAndImport('keep', [tag('main', `${secure.host}/demo/keep:v1`)]);
      expect(statusTag(s, 'main').items).toHaveLength(1);
      const moved = { ...s, spec: { ...s.spec, tags: [tag('main', `${secure.host}/demo/keep:missing`)] } };
      expect((await call('PUT', `${IS}/keep`, moved)).status).toBe(200);
      await runtime.run({ namespace: NS, name: 'keep' });
      const after = (await call('GET', `${IS}/keep`)).json;
      const t = statusTag(after, 'main');
      expect(t.items).toHaveLength(1);
      expect(t.items[0].image).toBe(pushed.digest);
      expect(t.conditions).toEqual([
        expect.objectContaining({
          type: 'ImportSuccess',
          status: 'False',
          reason: 'NotFound',
          message: `dockerimage.image.openshift.io "${secure.host}/demo/keep:missing" not found`,
          generation: after.metadata.generation,
        }),
      ]);
      expect(after.spec.tags[0].generation).toBe(after.metadata.generation);
      // The failure is recorded once: a new run finds nothing to import.
      expect((await runtime.run({ namespace: NS, name: 'keep' })).outcome).toBe('nothing-to-import');
    });

    it('imports from a plain-http registry only with insecure, and says why otherwise', async () => {
      const pushed = await plain.pushImage('demo/plain', 'v1');
      const ref = `${plain.host}/demo/plain:v1`;
      const s = await createAndImport('insecure', [tag('ok', ref, { importPolicy: { insecure: true } }), tag('strict', ref)]);
      expect(statusTag(s, 'ok').items[0]).toMatchObject({ image: pushed.digest, dockerImageReference: `${plain.host}/demo/plain@${pushed.digest}` });
      expect(statusTag(s, 'strict').conditions[0]).toMatchObject({
        reason: 'BadRequest',
        message: `the repository ${plain.host}/demo/plain is HTTP only and requires the insecure flag to import`,
      });
      expect(statusTag(s, 'strict').items).toBeNull();
    });

    it('re-imports a tag that moved: the new event goes on top of the history', async () => {
      const first = await secure.pushImage('demo/moving', 'latest', { text: 'one' });
      const s = await createAndImport('moving', [tag('latest', `${secure.host}/demo/moving:latest`)]);
      expect(statusTag(s, 'latest').items.map((i: any) => i.image)).toEqual([first.digest]);
      const second = await secure.pushImage('demo/moving', 'latest', { text: 'two' });
      const reset = { ...s, spec: { ...s.spec, tags: [{ ...s.spec.tags[0], generation: 0 }] } };
      expect((await call('PUT', `${IS}/moving`, reset)).status).toBe(200);
      await runtime.run({ namespace: NS, name: 'moving' });
      const after = (await call('GET', `${IS}/moving`)).json;
      expect(statusTag(after, 'latest').items.map((i: any) => i.image)).toEqual([second.digest, first.digest]);
      expect(statusTag(after, 'latest').items[0].generation).toBe(after.metadata.generation);
    });

    it('re-imports on generation 0 with the same image: the newest event takes the new generation in place', async () => {
      const pushed = await secure.pushImage('demo/regen', 'v1');
      const s = await createAndImport('regen', [tag('v1', `${secure.host}/demo/regen:v1`)]);
      const before = statusTag(s, 'v1').items[0];
      const reset = { ...s, spec: { ...s.spec, tags: [{ ...s.spec.tags[0], generation: 0 }] } };
      const put = await call('PUT', `${IS}/regen`, reset);
      expect(put.json.spec.tags[0].generation).toBe(s.metadata.generation + 1);
      expect((await runtime.run({ namespace: NS, name: 'regen' })).outcome).toBe('imported');
      const after = (await call('GET', `${IS}/regen`)).json;
      const items = statusTag(after, 'v1').items;
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ image: pushed.digest, created: before.created });
      expect(items[0].generation).toBeGreaterThan(before.generation);
      expect(items[0].generation).toBe(after.spec.tags[0].generation);
    });
  });
});
