/**
 * The image importer runtime of this execution environment, built once at module load and
 * shared by the entry points of this folder (each is its own Lambda function).
 */
import { loadConfig } from '../../shared/config.js';
import { createImporterRuntime } from '../../shared/importer/runtime.js';

export const runtime = createImporterRuntime({ config: loadConfig() });
