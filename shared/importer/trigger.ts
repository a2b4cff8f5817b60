/**
 * @module trigger
 * The import trigger: reads batches of the main table's change stream — the event-log
 * INSERTs of ImageStreams, each carrying the stream as it is after the change (the same
 * records the watch fan-out reads) — and turns them into import jobs for the streams whose
 * plan says they need one (§7.1). Only the last state of a stream in a batch counts; a
 * deleted stream gets no job. A body too large to travel inline (chunked) gets a job anyway:
 * the worker reads the stream and plans again, so a spurious job costs one read.
 *
 * The event source mapping filter selects `log#imagestreams.image.openshift.io` only, so other
 * resources' changes (Secrets in particular) never reach this function.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { imageStreamResource } from '../image/resource.js';
import type { ImageStream } from '../image/types.js';
import { ATTR, keys } from '../storage/dynamo/keys.js';
import { decodeLogStreamRecord } from '../storage/dynamo/stream-records.js';
import { planImport, type ImportMode } from './planner.js';
import type { ImportQueue } from './queue.js';
import type { ImportJob } from './worker.js';

/** The storage key (revision domain) of ImageStreams. */
export const IMAGE_STREAM_STORAGE_KEY = `${imageStreamResource.plural}.${imageStreamResource.group}`;

/** ESM filter of the import trigger: new ImageStream event-log entries only. */
export const IMPORT_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { Keys: { pk: { S: [keys.logPartition(IMAGE_STREAM_STORAGE_KEY)] } } },
} as const;

/** The import jobs a batch of stream records calls for (one per stream at most). */
export function jobsFromRecords(records: readonly DynamoDBRecord[], defaultImportMode: ImportMode): ImportJob[] {
  const jobs = new Map<string, ImportJob | undefined>();
  for (const record of records) {
    const rec = decodeLogStreamRecord(record);
    if (!rec || rec.resource !== IMAGE_STREAM_STORAGE_KEY) continue;
    if (!rec.change) {
      const name = record.dynamodb?.NewImage?.[ATTR.name]?.S;
      const type = record.dynamodb?.NewImage?.[ATTR.type]?.S;
      if (name === undefined) continue;
      jobs.set(`${rec.namespace}/${name}`, type === 'DELETED' ? undefined : { namespace: rec.namespace, name });
      continue;
    }
    const stream = rec.change.object as unknown as ImageStream;
    const name = stream.metadata.name ?? '';
    const key = `${rec.namespace}/${name}`;
    if (rec.change.type === 'DELETED' || !planImport(stream, { defaultImportMode })) {
      jobs.set(key, undefined);
      continue;
    }
    jobs.set(key, { namespace: rec.namespace, name, ...(stream.metadata.uid ? { uid: stream.metadata.uid } : {}) });
  }
  return [...jobs.values()].filter((j): j is ImportJob => j !== undefined);
}

export interface TriggerDeps {
  readonly queue: ImportQueue;
  readonly defaultImportMode: ImportMode;
  readonly onError?: (error: unknown) => void;
}

/** The stream handler: jobs to the queue; a queue failure retries the whole batch. */
export function createTriggerHandler(deps: TriggerDeps): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  return async (event) => {
    const jobs = jobsFromRecords(event.Records, deps.defaultImportMode);
    try {
      if (jobs.length > 0) await deps.queue.enqueue(jobs);
      return { batchItemFailures: [] };
    } catch (e) {
      deps.onError?.(e);
      const first = event.Records[0]?.dynamodb?.SequenceNumber;
      return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
    }
  };
}
