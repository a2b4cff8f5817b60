/**
 * @module entries
 * The Lambda entry modules of the image importer (relative to the repository root), for the
 * CDK app and the local stack.
 */
export const IMPORTER_ENTRIES = {
  /** Event source mapping of the main table's stream (filter `IMPORT_STREAM_FILTER`). */
  trigger: 'functions/importer/trigger.ts',
  /** Event source mapping of the import queue (SQS). */
  worker: 'functions/importer/worker.ts',
  /** EventBridge schedule, rate(1 minute): scheduled re-imports. */
  schedule: 'functions/importer/schedule.ts',
} as const;

export type ImporterEntry = keyof typeof IMPORTER_ENTRIES;
