/**
 * Lambda entry point of scheduled imports: an EventBridge schedule, rate(1 minute), selects
 * the streams with scheduled tags due in the last minute and enqueues them, spread out.
 */
import type { ScheduleSelection } from '../../shared/importer/scheduler.js';
import { runtime } from './runtime.js';

export const handler = async (): Promise<{ due: number; deferred: number; backedOff: number }> => {
  const s: ScheduleSelection = await runtime.schedule({ periodSeconds: 60 });
  return { due: s.jobs.length, deferred: s.deferred, backedOff: s.backedOff };
};
