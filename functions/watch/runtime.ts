/**
 * The watch delivery runtime of this execution environment (fan-out and tick), built once at
 * module load.
 */
import { loadConfig } from '../../shared/config.js';
import { createWatchRuntime } from '../../shared/watch/runtime.js';

export const runtime = createWatchRuntime({ config: loadConfig() });
