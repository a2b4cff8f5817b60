import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../shared/api/app.js';
import type { KubeObject } from '../../../shared/apimachinery/meta.js';
import { ResourceService } from '../../../shared/apimachinery/registry/resource-service.js';
import { loadConfig } from '../../../shared/config.js';
import type { CredentialKeyring } from '../../../shared/importer/credentials.js';
import { Importer, type ImageImportOutcome } from '../../../shared/importer/importer.js';
import type { ImportTarget } from '../../../shared/importer/planner.js';
import { InProcessImportQueue } from '../../../shared/importer/queue.js';
import { RegistryError, type FetchedManifest, type RegistryAccess, type RegistryClient, type RepositoryRef } from '../../../shared/importer/registry-client.js';
import { createImporterRuntime } from '../../../shared/importer/runtime.js';
import { createTriggerHandler, IMPORT_STREAM_FILTER, jobsFromRecords } from '../../../shared/importer/trigger.js';
import { runImportJob, type ImportJob } from '../../../shared/importer/worker.js';
import { imageStreamResource } from '../../../shared/image/resource.js';
import { imageStreamInternalStrategy, imageStreamStrategy } from '../../../shared/image/strategy.js';
import type { ImageStream } from '../../../shared/image/types.js';
import { encodeBody, serializeForStorage } from '../../../shared/storage/dynamo/item-codec.js';
import { MemoryStore } from '../../../shared/storage/memory-store.js';
import { sha } from './fake-registry.js';

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const cfg = Buffer.from('{"architecture":"amd64","os":"linux"}');
const manifestOf = (tag: string) =>
  Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(cfg), size: cfg.length }, layers: [], annotations: { tag } }));

/** Recorded registry contents behind the client port. */
class FakeClient implements RegistryClient {
  readonly manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
  readonly calls: { ref: string; credential: boolean }[] = [];
  failWith?: (ref: string, access: RegistryAccess) => Error | undefined;
  put(repo: string, ref: string, bytes: Buffer, mediaType = OCI): string {
    this.manifests.set(`${repo}:${ref}`, { bytes, mediaType });
    this.manifests.set(`${repo}:${sha(bytes)}`, { bytes, mediaType });
    return sha(bytes);
  }
  async getManifest(repo: RepositoryRef, reference: string, access: RegistryAccess): Promise<FetchedManifest> {
    this.calls.push({ ref: `${repo.registry}/${repo.repository}:${reference}`, credential: !!access.credential });
    const err = this.failWith?.(reference, access);
    if (err) throw err;
    const m = this.manifests.get(`${repo.repository}:${reference}`);
    if (!m) throw new RegistryError('NotFound', 'manifest unknown');
    return { bytes: m.bytes, mediaType: m.mediaType, digest: sha(m.bytes) };
  }
  async getBlob(): Promise<Buffer> {
    return cfg;
  }
}

const target = (tag: string, from: string, extra: Partial<ImportTarget> = {}): ImportTarget => ({ tag, from, importPolicy: { importMode: 'Legacy' }, referencePolicy: { type: 'Source' }, ...extra });
const importerFor = (client: RegistryClient) => new Importer({ client, maxConfigBytes: 1024, serverPlatform: { arch: 'amd64', os: 'linux' } });

describe('importer', () => {
  describe('Importer.importTargets', () => {
    it('turns registry failures and malformed manifests into the §7.9 statuses', async () => {
      const c = new FakeClient();
      c.put('x/bad', 'v1', Buffer.from('{"schemaVersion":2,"config":{}}'));
      c.put('x/v1', 'v1', Buffer.from('{"schemaVersion":1,"name":"x/v1"}'), 'application/vnd.docker.distribution.manifest.v1+prettyjws');
      c.failWith = (ref) =>
        ref === 'limited' ? new RegistryError('RateLimited', 'toomanyrequests: slow down (registry q.io is rate limiting); the registry asked to retry after 60s', { retryAfterSeconds: 60 }) : undefined;
      const out = await importerFor(c).importTargets(
        [target('a', 'q.io/x/missing:v1'), target('b', 'q.io/x/bad:v1'), target('c', 'q.io/x/v1:v1'), target('d', 'q.io/x/y:limited'), target('e', 'busybox')],
        undefined,
      );
      expect(out).toEqual([
        { status: 'Failure', reason: 'NotFound', message: 'dockerimage.image.openshift.io "q.io/x/missing:v1" not found' },
        { status: 'Failure', reason: 'InternalError', message: 'Internal error occurred: q.io/x/bad:v1: config.digest is not a valid digest' },
        { status: 'Failure', reason: 'InternalError', message: 'Internal error occurred: q.io/x/v1:v1: schema 1 manifests are not supported; push the image as Docker schema 2 or OCI' },
        {
          status: 'Failure',
          reason: 'InternalError',
          message: 'Internal error occurred: q.io/x/y:limited: toomanyrequests: slow down (registry q.io is rate limiting); the registry asked to retry after 60s',
          retryAfterSeconds: 60,
        },
        { status: 'Failure', reason: 'NotFound', message: 'dockerimage.image.openshift.io "docker.io/library/busybox:latest" not found' },
      ]);
      expect(c.calls.at(-1)?.ref).toBe('registry-1.docker.io/library/busybox:latest');
    });

    it('resolves lists per import mode and keeps Docker Hub short names short', async () => {
      const c = new FakeClient();
      const amd = c.put('library/app', 'amd', manifestOf('amd'));
      const arm = c.put('library/app', 'arm', manifestOf('arm'));
      const entry = (digest: string, architecture: string) => ({ mediaType: OCI, digest, size: 1, platform: { architecture, os: 'linux' } });
      const list = c.put('library/app', 'latest', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [entry(arm, 'arm64'), entry(amd, 'amd64')] })), INDEX);
      const [legacy, preserve, preferred] = (await importerFor(c).importTargets(
        [target('l', 'app'), target('p', 'app', { importPolicy: { importMode: 'PreserveOriginal' } }), target('a', 'app:latest', { preferArch: 'arm64' })],
        undefined,
      )) as (ImageImportOutcome & { status: 'Success' })[];
      expect(legacy!.image).toMatchObject({ digest: amd, dockerImageReference: `app@${amd}`, metadata: { architecture: 'amd64' } });
      expect(preserve!.image).toMatchObject({ digest: list, dockerImageReference: `app@${list}`, mediaType: INDEX });
      expect(preferred!.image.digest).toBe(arm);
    });

    it('refuses registries outside the allowed list, or blocked, without contacting them', async () => {
      const c = new FakeClient();
      c.put('x/app', 'v1', manifestOf('v1'));
      const importer = (registrySources: object) => new Importer({ client: c, maxConfigBytes: 1024, serverPlatform: { arch: 'amd64', os: 'linux' }, registrySources });
      const targets = [target('a', 'q.io/x/app:v1'), target('b', 'busybox'), target('c', 'r.example.com:5000/x/app:v1')];
      expect(await importer({ allowed: ['*.example.com'] }).importTargets(targets, undefined)).toEqual([
        { status: 'Failure', reason: 'Forbidden', message: 'forbidden: registry q.io is not in the allowed registries' },
        { status: 'Failure', reason: 'Forbidden', message: 'forbidden: registry docker.io is not in the allowed registries' },
        expect.objectContaining({ status: 'Success' }),
      ]);
      expect(c.calls.map((x) => x.ref)).toEqual(['r.example.com:5000/x/app:v1']);
      const blocked = await importer({ blocked: ['q.io', 'docker.io'] }).importTargets([targets[0]!, targets[1]!], undefined);
      expect(blocked).toEqual([
        { status: 'Failure', reason: 'Forbidden', message: 'forbidden: registry q.io blocked' },
        // §7.7: the registry as written, empty for a Docker Hub short name.
        { status: 'Failure', reason: 'Forbidden', message: 'forbidden: registry  blocked' },
      ]);
      expect(c.calls).toHaveLength(1);
    });

    it('retries without credentials after "incorrect username or password", keeping the first status if that fails too', async () => {
      const c = new FakeClient();
      c.put('pub/app', 'v1', manifestOf('v1'));
      c.failWith = (ref, access) => (access.credential ? new RegistryError('CredentialsRejected', 'bad creds') : ref === 'private' ? new RegistryError('Unauthorized', 'auth') : undefined);
      const keyring = { lookup: () => ({ username: 'u', password: 'p' }) } as unknown as CredentialKeyring;
      const [pub, priv] = await importerFor(c).importTargets([target('a', 'q.io/pub/app:v1'), target('b', 'q.io/pub/app:private')], keyring);
      expect(pub!.status).toBe('Success');
      expect(priv).toEqual({ status: 'Failure', reason: 'Unauthorized', message: 'incorrect username or password for image "q.io/pub/app:private"' });
      expect(c.calls.map((x) => x.credential).sort()).toEqual([false, false, true, true]);
    });
  });
});

function streamServices() {
  const store = new MemoryStore<ImageStream>();
  const config = { defaultImportMode: 'Legacy' as const };
  const user = new ResourceService<ImageStream>({ def: imageStreamResource, strategy: imageStreamStrategy(config), store });
  const internal = new ResourceService<ImageStream>({ def: imageStreamResource, strategy: imageStreamInternalStrategy(config), store });
  return { store, user, internal };
}

const body = (name: string, tags: object[]): ImageStream => ({ metadata: { name }, spec: { tags } }) as unknown as ImageStream;
const dtag = (name: string, from: string) => ({ name, from: { kind: 'DockerImage', name: from } });

describe('worker', () => {
  describe('runImportJob', () => {
    it('re-applies the same results after a concurrent change, but not to a tag whose source changed', async () => {
      const { user, internal } = streamServices();
      await user.create('ns', body('s', [dtag('a', 'q.io/x/a:v1'), dtag('b', 'q.io/x/b:v1')]));
      const c = new FakeClient();
      const a = c.put('x/a', 'v1', manifestOf('a'));
      c.put('x/b', 'v1', manifestOf('b'));
      const importer = importerFor(c);
      let raced = false;
      const racing = {
        importTargets: async (targets: readonly ImportTarget[], keyring: CredentialKeyring | undefined) => {
          const out = await importer.importTargets(targets, keyring);
          if (!raced) {
            raced = true;
            await user.updateWith('ns', 's', (cur) => ({ ...cur, spec: { ...cur.spec, tags: [cur.spec.tags![0]!, { ...cur.spec.tags![1]!, from: { kind: 'DockerImage', name: 'q.io/x/b:v2' } }] } }));
          }
          return out;
        },
      };
      const result = await runImportJob({ namespace: 'ns', name: 's' }, { streams: internal, secrets: async () => [], importer: racing, defaultImportMode: 'Legacy' });
      expect(result).toMatchObject({ outcome: 'imported', conflicts: 1, targets: 2, failures: 0 });
      const s = await internal.get('ns', 's', 'status');
      expect(s.status?.tags?.map((t) => [t.tag, t.items?.[0]?.image])).toEqual([['a', a]]);
      expect(s.spec.tags?.find((t) => t.name === 'b')?.from?.name).toBe('q.io/x/b:v2');
    });

    it('applies the stream\'s retention annotation with the import\'s write', async () => {
      // Prepare: a tag imported three times (the image moves each time), keep 2 revisions.
      const { user, internal } = streamServices();
      const created = body('s', [dtag('a', 'q.io/x/a:v1')]);
      created.metadata.annotations = { 'imagestreams.internal/keep-tag-revisions': '2' };
      await user.create('ns', created);
      const c = new FakeClient();
      const deps = { streams: internal, secrets: async () => [], importer: importerFor(c), defaultImportMode: 'Legacy' as const };
      const images: string[] = [];
      for (const n of [1, 2, 3]) {
        images.unshift(c.put('x/a', 'v1', manifestOf(`a${n}`)));
        // Act: each round asks for a re-import (generation 0), as a user would.
        if (n > 1) await user.updateWith('ns', 's', (cur) => ({ ...cur, spec: { ...cur.spec, tags: [{ ...cur.spec.tags![0]!, generation: 0 }] } }));
        expect((await runImportJob({ namespace: 'ns', name: 's' }, deps)).outcome).toBe('imported');
      }
      // Assess
      const s = await internal.get('ns', 's', 'status');
      expect(s.status?.tags?.[0]?.items?.map((i) => i.image)).toEqual(images.slice(0, 2));
    });

    it('skips a stream that is gone or was recreated', async () => {
      const { user, internal } = streamServices();
      const deps = { streams: internal, secrets: async () => [], importer: importerFor(new FakeClient()), defaultImportMode: 'Legacy' as const };
      expect((await runImportJob({ namespace: 'ns', name: 'nope' }, deps)).outcome).toBe('gone');
      await user.create('ns', body('s', [dtag('a', 'q.io/x/a:v1')]));
      expect((await runImportJob({ namespace: 'ns', name: 's', uid: 'old-uid' }, deps)).outcome).toBe('gone');
    });
  });
});

const logRecord = (obj: ImageStream, type: 'ADDED' | 'MODIFIED' | 'DELETED', rev: number, resource = 'imagestreams.image.openshift.io'): DynamoDBRecord => {
  const { enc, bytes: b } = encodeBody(serializeForStorage(obj));
  return {
    eventName: 'INSERT',
    dynamodb: {
      Keys: { pk: { S: `log#${resource}` }, sk: { S: String(rev).padStart(20, '0') } },
      NewImage: { pk: { S: `log#${resource}` }, sk: { S: String(rev).padStart(20, '0') }, t: { S: type }, ns: { S: 'ns' }, n: { S: obj.metadata.name! }, rv: { N: String(rev) }, enc: { S: enc }, b: { B: Buffer.from(b).toString('base64') } },
      SequenceNumber: String(rev),
    },
  } as DynamoDBRecord;
};

describe('trigger', () => {
  const stream = (name: string, annotated: boolean, uid = `uid-${name}`): ImageStream =>
    ({
      metadata: { name, namespace: 'ns', uid, generation: 1, ...(annotated ? { annotations: { 'openshift.io/image.dockerRepositoryCheck': 'x' } } : {}) },
      spec: { tags: [{ name: 'a', generation: 1, from: { kind: 'DockerImage', name: 'q.io/x/a:v1' } }] },
      status: annotated ? { tags: [{ tag: 'a', items: [{ generation: 1, image: 'sha256:x', dockerImageReference: 'q.io/x/a@sha256:x' }] }] } : {},
    }) as unknown as ImageStream;

  describe('jobsFromRecords', () => {
    it('keeps the last state per stream: one job for streams that need an import, none for deleted or imported ones', () => {
      const jobs = jobsFromRecords(
        [
          logRecord(stream('one', false), 'ADDED', 1),
          logRecord(stream('one', false), 'MODIFIED', 2),
          logRecord(stream('two', false), 'ADDED', 3),
          logRecord(stream('two', true), 'MODIFIED', 4),
          logRecord(stream('three', false), 'ADDED', 5),
          logRecord(stream('three', false), 'DELETED', 6),
          logRecord(stream('secret', false), 'ADDED', 7, 'secrets'),
        ],
        'Legacy',
      );
      expect(jobs).toEqual([{ namespace: 'ns', name: 'one', uid: 'uid-one' }]);
      expect(IMPORT_STREAM_FILTER.dynamodb.Keys.pk.S).toEqual(['log#imagestreams.image.openshift.io']);
    });
  });

  describe('createTriggerHandler', () => {
    it('enqueues the jobs, and asks for the batch again when the queue fails', async () => {
      const seen: ImportJob[] = [];
      const ok = createTriggerHandler({ queue: { enqueue: async (j) => void seen.push(...j) }, defaultImportMode: 'Legacy' });
      expect(await ok({ Records: [logRecord(stream('one', false), 'ADDED', 9)] })).toEqual({ batchItemFailures: [] });
      expect(seen).toHaveLength(1);
      const failing = createTriggerHandler({ queue: { enqueue: async () => Promise.reject(new Error('down')) }, defaultImportMode: 'Legacy' });
      expect(await failing({ Records: [logRecord(stream('one', false), 'ADDED', 9)] })).toEqual({ batchItemFailures: [{ itemIdentifier: '9' }] });
    });
  });
});

describe('queue', () => {
  describe('InProcessImportQueue', () => {
    it('merges jobs for a waiting stream, re-runs a stream changed while importing, bounds concurrency', async () => {
      const runs: string[] = [];
      let active = 0;
      let peak = 0;
      const q = new InProcessImportQueue(
        async (j) => {
          active++;
          peak = Math.max(peak, active);
          runs.push(j.name);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        },
        { concurrency: 2 },
      );
      await q.enqueue([{ namespace: 'n', name: 'a' }, { namespace: 'n', name: 'b' }, { namespace: 'n', name: 'c' }, { namespace: 'n', name: 'c' }]);
      await q.enqueue([{ namespace: 'n', name: 'a' }]);
      await q.whenIdle();
      expect(runs.sort()).toEqual(['a', 'a', 'b', 'c']);
      expect(peak).toBe(2);
    });
  });
});

describe('runtime', () => {
  describe('createImporterRuntime', () => {
    it('wires the trigger to the worker through the in-process queue, reading pull secrets from the Secret store', async () => {
      const streams = new MemoryStore<ImageStream>();
      const secrets = new MemoryStore<KubeObject>();
      const config = loadConfig({ TABLE_NAME: 'unused' });
      const logger = new Logger({ serviceName: 't', logLevel: 'SILENT' });
      const app = createApp({ config, logger, imageStreamStore: streams, stores: { secrets: secrets as never }, authenticator: { authenticate: () => undefined } });
      const client = new FakeClient();
      const digest = client.put('x/a', 'v1', manifestOf('v1'));
      const rt = createImporterRuntime({ config, app, client, logger });
      await app.resourceApi('imagestreams')!.service.create('ns', body('s', [dtag('a', 'q.io/x/a:v1')]) as unknown as KubeObject);
      const created = streams.events.at(-1)!.object;
      expect(await rt.trigger({ Records: [logRecord(created, 'ADDED', 1)] })).toEqual({ batchItemFailures: [] });
      await (rt.queue as InProcessImportQueue).whenIdle();
      const s = await streams.get({ namespace: 'ns', name: 's' });
      expect(s.status?.tags?.[0]?.items?.[0]?.image).toBe(digest);
      const worker = await rt.worker({ Records: [{ messageId: 'm1', body: '{"namespace":"ns","name":"s"}' }, { messageId: 'm2', body: 'garbage' }] } as never);
      expect(worker).toEqual({ batchItemFailures: [] });
      await rt.close();
    });

    it('takes the allowed registries from IMPORT_ALLOWED_REGISTRIES, which excludes a blocked list', async () => {
      const config = loadConfig({ TABLE_NAME: 'unused', IMPORT_ALLOWED_REGISTRIES: 'localhost,127.0.0.1' });
      expect(config.importer.allowedRegistries).toEqual(['localhost', '127.0.0.1']);
      expect(() => loadConfig({ TABLE_NAME: 'unused', IMPORT_ALLOWED_REGISTRIES: 'a.io', IMPORT_BLOCKED_REGISTRIES: 'b.io' })).toThrow(
        'invalid configuration: set IMPORT_ALLOWED_REGISTRIES or IMPORT_BLOCKED_REGISTRIES, not both',
      );
      const streams = new MemoryStore<ImageStream>();
      const logger = new Logger({ serviceName: 't', logLevel: 'SILENT' });
      const app = createApp({ config, logger, imageStreamStore: streams, stores: { secrets: new MemoryStore<KubeObject>() as never }, authenticator: { authenticate: () => undefined } });
      const client = new FakeClient();
      const rt = createImporterRuntime({ config, app, client, logger });
      await app.resourceApi('imagestreams')!.service.create('ns', body('s', [dtag('a', 'q.io/x/a:v1')]) as unknown as KubeObject);
      await rt.trigger({ Records: [logRecord(streams.events.at(-1)!.object, 'ADDED', 1)] });
      await (rt.queue as InProcessImportQueue).whenIdle();
      const s = await streams.get({ namespace: 'ns', name: 's' });
      expect(s.status?.tags?.[0]?.conditions?.[0]).toMatchObject({ reason: 'Forbidden', message: 'forbidden: registry q.io is not in the allowed registries' });
      expect(client.calls).toEqual([]);
      await rt.close();
    });
  });
});
