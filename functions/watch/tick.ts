/**
 * Lambda entry point of the watch tick (an EventBridge schedule, once a minute): timeouts,
 * periodic bookmarks, idle cursors, leftovers of crashed invocations.
 */
import type { TickResult } from '../../shared/watch/tick.js';
import { runtime } from './runtime.js';

export const handler = (): Promise<TickResult> => runtime.tick();
