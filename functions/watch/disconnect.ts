/**
 * Lambda entry point of the WebSocket API's `$disconnect` route: forgets the connection. It
 * only needs the connections table, so it does not build the App.
 */
import { loadConfig } from '../../shared/config.js';
import { connectionStoreFromConfig } from '../../shared/storage/dynamo/connections/store.js';
import { handleDisconnect, type WebSocketEvent, type WebSocketResult } from '../../shared/watch/connect.js';

const store = connectionStoreFromConfig(loadConfig());

export const handler = (event: WebSocketEvent): Promise<WebSocketResult> => handleDisconnect({ store }, event);
