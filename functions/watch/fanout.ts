/**
 * Lambda entry point of the watch fan-out: the event source mappings of the main table's
 * stream (event-log INSERTs) and of the connections table's stream (subscription INSERTs)
 * invoke it; it answers with `batchItemFailures` (ReportBatchItemFailures).
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { runtime } from './runtime.js';

export const handler = (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => runtime.fanout(event, context);
