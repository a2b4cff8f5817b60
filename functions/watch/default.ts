/**
 * Lambda entry point of the WebSocket API's `$default` route: client messages are read and
 * discarded (conventions §6.7). Without this route API Gateway would answer every client
 * message with an error frame.
 */
import { handleDefault, type WebSocketEvent, type WebSocketResult } from '../../shared/watch/connect.js';

export const handler = (_event: WebSocketEvent): Promise<WebSocketResult> => handleDefault();
