/**
 * Lambda entry point of the `imagestreams` route family (see shared/api/routes.ts).
 * Dependencies are built once per execution environment, at module load.
 */
import { createApp } from '../../shared/api/app.js';
import { createHttpHandler } from '../../shared/api/lambda-adapter.js';
import { loadConfig } from '../../shared/config.js';

const app = createApp({ config: loadConfig() });

export const handler = createHttpHandler(app, 'imagestreams');
