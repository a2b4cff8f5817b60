/**
 * Lambda entry point of the `watch` route family: every GET of a collection (list, and
 * `?watch=true` / the `/watch/` paths as a response stream). `handler` is what Lambda runs
 * (wrapped with the runtime's response streaming); `streamingHandler` is what the local
 * gateway calls with its own socket.
 */
import { createApp } from '../../shared/api/app.js';
import { createStreamingHttpHandler } from '../../shared/api/lambda-adapter.js';
import { loadConfig } from '../../shared/config.js';

const app = createApp({ config: loadConfig() });
const handlers = createStreamingHttpHandler(app, 'watch');

export const handler = handlers.handler;
export const streamingHandler = handlers.local;
