/**
 * @module runtime
 * The composition root of the image importer: configuration → the App (the ImageStream
 * internal-strategy service, the Secret service) → the registry client, the importer, the
 * queue → the three Lambda handlers (stream trigger, queue worker, schedule). Entry points
 * under `functions/importer/` build one runtime per execution environment; the local stack
 * imports the same entry points.
 *
 * Without `IMPORT_QUEUE_URL` (the local stack, tests) the queue is in-process: the trigger's
 * jobs run in the process that received the stream batch, through the same worker function.
 */
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createApp, type App } from '../api/app.js';
import type { ResourceService } from '../apimachinery/registry/resource-service.js';
import type { Config } from '../config.js';
import { SECRET_TYPES, type Secret } from '../core/secret/types.js';
import { IMAGE_GROUP } from '../image/resource.js';
import type { ImageStream } from '../image/types.js';
import { parseCidrList } from './address-policy.js';
import type { PullSecret } from './credentials.js';
import { Importer } from './importer.js';
import { goArch } from './manifests.js';
import { InProcessImportQueue, type ImportQueue } from './queue.js';
import { HttpRegistryClient, type RegistryClient } from './registry-client.js';
import { scheduleCandidates, selectScheduled, type ScheduleSelection } from './scheduler.js';
import { jobFromMessage, SqsImportQueue } from './sqs-queue.js';
import { createTriggerHandler } from './trigger.js';
import { runImportJob, type ImportJob, type ImportJobResult } from './worker.js';

export interface ImporterRuntime {
  readonly trigger: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
  readonly worker: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** One scheduler tick over the window of `periodSeconds` that ended last (aligned). */
  readonly schedule: (opts?: { now?: number; periodSeconds?: number }) => Promise<ScheduleSelection>;
  /** Runs one job now (the worker's unit). */
  readonly run: (job: ImportJob) => Promise<ImportJobResult>;
  readonly queue: ImportQueue;
  close(): Promise<void>;
}

export interface ImporterRuntimeOptions {
  readonly config: Config;
  readonly app?: App;
  readonly client?: RegistryClient;
  readonly queue?: ImportQueue;
  readonly logger?: Logger;
  readonly clock?: () => Date;
}

/** The registry client the configuration describes. */
export function registryClientFor(config: Config): HttpRegistryClient {
  const c = config.importer;
  return new HttpRegistryClient({
    addressPolicy: { allowLoopback: c.allowLoopback, allowedCidrs: parseCidrList(c.allowedCidrs.join(',')), blockedCidrs: parseCidrList(c.blockedCidrs.join(',')) },
    connectTimeoutMs: c.connectTimeoutMs,
    readTimeoutMs: c.readTimeoutMs,
    requestTimeoutMs: c.requestTimeoutMs,
    maxManifestBytes: c.maxManifestBytes,
    maxRedirects: c.maxRedirects,
    perRegistryConcurrency: c.registryConcurrency,
    retryBaseMs: c.retryBaseMs,
    ...(c.caFile ? { caCertificates: splitPem(readFileSync(c.caFile, 'utf8')) } : {}),
  });
}

/** The certificates of a PEM bundle, one string each. */
export const splitPem = (text: string): string[] => text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

const PULL_SECRET_TYPES = new Set<string>([SECRET_TYPES.dockerConfigJson, SECRET_TYPES.dockercfg]);

export function createImporterRuntime(opts: ImporterRuntimeOptions): ImporterRuntime {
  const { config } = opts;
  const logger = opts.logger ?? new Logger({ serviceName: 'imagestream-importer' });
  const app = opts.app ?? createApp({ config, logger, ...(opts.clock ? { clock: opts.clock } : {}) });
  const streams = app.internalService('imagestreams', IMAGE_GROUP) as unknown as ResourceService<ImageStream> | undefined;
  const publicStreams = app.resourceApi('imagestreams', IMAGE_GROUP);
  const secrets = app.resourceApi('secrets', '');
  if (!streams || !publicStreams) throw new Error('importer: the app serves no ImageStreams');
  const client = opts.client ?? registryClientFor(config);
  const importer = new Importer({
    client,
    maxConfigBytes: config.importer.maxConfigBytes,
    serverPlatform: { arch: goArch(process.arch), os: process.platform === 'win32' ? 'windows' : process.platform },
    registrySources: {
      allowed: config.importer.allowedRegistries,
      blocked: config.importer.blockedRegistries,
      insecure: config.importer.insecureRegistries,
    },
  });
  const listSecrets = async (namespace: string): Promise<PullSecret[]> => {
    if (!secrets) return [];
    const page = await secrets.service.list({ namespace, predicate: (s) => PULL_SECRET_TYPES.has((s as Secret).type ?? '') });
    return (page.items as Secret[]).map((s) => ({
      name: s.metadata.name ?? '',
      ...(s.type ? { type: s.type } : {}),
      ...(s.metadata.annotations ? { annotations: s.metadata.annotations } : {}),
      ...(s.data ? { data: s.data } : {}),
    }));
  };
  const run = async (job: ImportJob): Promise<ImportJobResult> => {
    const started = Date.now();
    const result = await runImportJob(job, {
      streams,
      secrets: listSecrets,
      importer,
      defaultImportMode: config.defaultImportMode,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    // Names and counts only: never manifests, credentials or secret data.
    logger.info('import', { namespace: job.namespace, name: job.name, scheduled: !!job.scheduled, ...result, ms: Date.now() - started });
    return result;
  };
  const onError = (job: ImportJob, e: unknown): void =>
    logger.error('import failed', { namespace: job.namespace, name: job.name, error: e instanceof Error ? e.message : String(e) });
  const queue: ImportQueue =
    opts.queue ??
    (config.importer.queueUrl
      ? new SqsImportQueue({ queueUrl: config.importer.queueUrl, region: config.region })
      : new InProcessImportQueue(run, { concurrency: config.importer.concurrency, onError }));

  const trigger = createTriggerHandler({
    queue,
    defaultImportMode: config.defaultImportMode,
    onError: (e) => logger.error('import trigger could not enqueue', { error: e instanceof Error ? e.message : String(e) }),
  });

  const worker = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: { itemIdentifier: string }[] = [];
    let next = 0;
    const records = event.Records;
    const one = async (): Promise<void> => {
      while (next < records.length) {
        const record = records[next++]!;
        const job = jobFromMessage(record.body);
        if (!job) {
          logger.warn('dropping a malformed import job', { messageId: record.messageId });
          continue;
        }
        try {
          await run(job);
        } catch (e) {
          onError(job, e);
          failures.push({ itemIdentifier: record.messageId });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(config.importer.concurrency, records.length) }, one));
    return { batchItemFailures: failures };
  };

  const schedule = async (o: { now?: number; periodSeconds?: number } = {}): Promise<ScheduleSelection> => {
    if (config.importer.disableScheduled) return { jobs: [], deferred: 0, backedOff: 0 };
    const periodMs = (o.periodSeconds ?? Math.min(60, config.importer.scheduleSeconds)) * 1000;
    const now = o.now ?? Date.now();
    const to = Math.floor(now / periodMs) * periodMs;
    const page = await publicStreams.service.list({});
    const selection = selectScheduled(scheduleCandidates(page.items as unknown as ImageStream[]), {
      from: to - periodMs,
      to,
      intervalSeconds: config.importer.scheduleSeconds,
      maxPerMinute: config.importer.scheduledMaxPerMinute,
      registryMaxPerMinute: config.importer.registryMaxPerMinute,
    });
    if (selection.jobs.length > 0) await queue.enqueue(selection.jobs);
    if (selection.deferred > 0 || selection.backedOff > 0) logger.info('scheduled imports held back', { deferred: selection.deferred, backedOff: selection.backedOff });
    return selection;
  };

  return {
    trigger,
    worker,
    schedule,
    run,
    queue,
    async close() {
      if (queue instanceof InProcessImportQueue) await queue.close();
      if (client instanceof HttpRegistryClient) client.close();
    },
  };
}
