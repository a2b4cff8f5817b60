/**
 * @module apigw-poster
 * The `@connections` management API through the AWS SDK: `PostToConnection` to send,
 * `DeleteConnection` to close. 410 `GoneException` means the connection is gone (closed, never
 * opened, or the client reconnected under a new id). The endpoint comes from configuration:
 * `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` on AWS, the local gateway's
 * `http://127.0.0.1:<port>/<stage>` locally — the same client either way.
 */
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ConnectionPoster } from './subscription.js';

export class ApiGatewayPoster implements ConnectionPoster {
  readonly #client: ApiGatewayManagementApiClient;

  constructor(client: ApiGatewayManagementApiClient) {
    this.#client = client;
  }

  async post(connectionId: string, data: Uint8Array): Promise<'ok' | 'gone'> {
    try {
      await this.#client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      return 'ok';
    } catch (e) {
      if (e instanceof GoneException) return 'gone';
      throw e;
    }
  }

  async close(connectionId: string): Promise<void> {
    try {
      await this.#client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (e) {
      if (!(e instanceof GoneException)) throw e;
    }
  }
}

/** The management API client for a callback URL; a plain-HTTP (local) endpoint gets dummy credentials. */
export function managementClient(endpoint: string, region: string, maxSockets = 64): ApiGatewayManagementApiClient {
  const local = endpoint.startsWith('http://');
  return new ApiGatewayManagementApiClient({
    endpoint,
    region,
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new Agent({ keepAlive: true, maxSockets }),
      connectionTimeout: 3000,
      requestTimeout: 10000,
    }),
  });
}
