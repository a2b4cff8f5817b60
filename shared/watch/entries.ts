/**
 * @module entries
 * The Lambda entry modules of the WebSocket watch (relative to the repository root), for the
 * CDK app and the local stack. Kept apart from the HTTP route table: these are WebSocket
 * routes and stream consumers, not REST API methods.
 */
export const WATCH_ENTRIES = {
  /** WebSocket API `$connect` route. */
  connect: 'functions/watch/connect.ts',
  /** WebSocket API `$disconnect` route. */
  disconnect: 'functions/watch/disconnect.ts',
  /** WebSocket API `$default` route. */
  default: 'functions/watch/default.ts',
  /** Event source mappings: main table stream (log#) and connections table stream (sub#). */
  fanout: 'functions/watch/fanout.ts',
  /** EventBridge schedule, rate(1 minute). */
  tick: 'functions/watch/tick.ts',
} as const;

export type WatchEntry = keyof typeof WATCH_ENTRIES;
