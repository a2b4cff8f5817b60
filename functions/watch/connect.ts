/**
 * Lambda entry point of the WebSocket API's `$connect` route: authenticates, validates the
 * watch URL (the `path` query parameter) and stores the subscription. Built once per
 * execution environment; posts nothing (the subscription's replay runs in the fan-out).
 */
import { createApp } from '../../shared/api/app.js';
import { loadConfig } from '../../shared/config.js';
import { connectionStoreFromConfig } from '../../shared/storage/dynamo/connections/store.js';
import { handleConnect, type WebSocketEvent, type WebSocketResult } from '../../shared/watch/connect.js';
import { watchedResources } from '../../shared/watch/resource.js';

const config = loadConfig();
const app = createApp({ config });
const deps = { app, store: connectionStoreFromConfig(config), resource: watchedResources(app), logger: { warn: () => undefined, error: (m: string, x?: Record<string, unknown>) => app.logger.error(m, x ?? {}) } };

export const handler = (event: WebSocketEvent): Promise<WebSocketResult> => handleConnect(deps, event);
