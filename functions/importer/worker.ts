/**
 * Lambda entry point of the import worker: the event source mapping of the import queue
 * (SQS, ReportBatchItemFailures) invokes it with jobs; each is imported and written.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { runtime } from './runtime.js';

export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => runtime.worker(event);
