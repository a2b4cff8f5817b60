/**
 * @module sqs-queue
 * The AWS implementation of the import queue: `SendMessageBatch` through `@aws-sdk/client-sqs`
 * (the SDK signs the requests with the Lambda role's credentials and retries throttling).
 *
 * Jobs go ten to a request (the SQS limit); a job's `delaySeconds` (0–900) becomes the
 * message's `DelaySeconds`, which is how scheduled imports are spread over time. An entry
 * SQS refuses fails the whole `enqueue`, so the caller (the trigger's stream batch, the
 * schedule) is retried; a job sent twice costs one extra registry check.
 */
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { ImportQueue } from './queue.js';
import type { ImportJob } from './worker.js';

/** SQS's maximum entries per SendMessageBatch. */
export const SQS_BATCH_SIZE = 10;
/** SQS's maximum DelaySeconds. */
export const SQS_MAX_DELAY_SECONDS = 900;

export interface SqsQueueOptions {
  readonly queueUrl: string;
  readonly region: string;
  /** The client to use (tests pass one; default: a client for `region`). */
  readonly client?: SQSClient;
}

/** The SendMessageBatch entry of a job (`Id` is its index in the batch). */
export function messageEntry(job: ImportJob, index: number): SendMessageBatchRequestEntry {
  const { delaySeconds, ...rest } = job;
  const delay = delaySeconds ? Math.min(SQS_MAX_DELAY_SECONDS, Math.max(0, Math.round(delaySeconds))) : 0;
  return { Id: String(index), MessageBody: JSON.stringify(rest), ...(delay > 0 ? { DelaySeconds: delay } : {}) };
}

export class SqsImportQueue implements ImportQueue {
  readonly #queueUrl: string;
  readonly #client: SQSClient;

  constructor(opts: SqsQueueOptions) {
    this.#queueUrl = opts.queueUrl;
    this.#client = opts.client ?? new SQSClient({ region: opts.region });
  }

  async enqueue(jobs: readonly ImportJob[]): Promise<void> {
    for (let i = 0; i < jobs.length; i += SQS_BATCH_SIZE) await this.#send(jobs.slice(i, i + SQS_BATCH_SIZE));
  }

  async #send(batch: readonly ImportJob[]): Promise<void> {
    const out = await this.#client.send(new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: batch.map(messageEntry) }));
    const failed = out.Failed ?? [];
    if (failed.length > 0) {
      throw new Error(`SQS SendMessageBatch failed for ${failed.length} of ${batch.length} jobs (${failed[0]?.Code ?? 'unknown'})`);
    }
  }
}

/** Parses an SQS message body into a job (the worker's input); undefined when malformed. */
export function jobFromMessage(body: string): ImportJob | undefined {
  try {
    const j = JSON.parse(body) as Partial<ImportJob>;
    if (typeof j.namespace !== 'string' || typeof j.name !== 'string' || j.namespace === '' || j.name === '') return undefined;
    return {
      namespace: j.namespace,
      name: j.name,
      ...(typeof j.uid === 'string' ? { uid: j.uid } : {}),
      ...(j.scheduled === true ? { scheduled: true } : {}),
    };
  } catch {
    return undefined;
  }
}
