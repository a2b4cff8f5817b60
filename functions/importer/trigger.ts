/**
 * Lambda entry point of the import trigger: the event source mapping of the main table's
 * stream (ImageStream event-log INSERTs, `IMPORT_STREAM_FILTER`) invokes it; it enqueues an
 * import job per stream that needs one and answers with `batchItemFailures`.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { runtime } from './runtime.js';

export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => runtime.trigger(event);
