/**
 * The local WebSocket API (infra/local/ws-gateway.ts): `$connect` before the upgrade, the
 * subprotocol echo, `$default`/`$disconnect`, and the `@connections` endpoint as the AWS SDK
 * client sees it (GoneException, PayloadTooLargeException).
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWsGateway, type WsGateway, type WsHandlers } from '../../infra/local/ws-gateway.js';
import type { WebSocketEvent } from '../../shared/watch/connect.js';

let server: Server | undefined;
let gateway: WsGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  gateway = undefined;
});

async function start(handlers: Partial<WsHandlers>): Promise<{ port: number; events: WebSocketEvent[]; sdk: ApiGatewayManagementApiClient }> {
  const events: WebSocketEvent[] = [];
  const record = async (e: WebSocketEvent) => (events.push(e), { statusCode: 200 });
  gateway = await startWsGateway({ stage: 'test' });
  server = createServer((_req, res) => res.end());
  gateway.attach(server, { connect: record, disconnect: record, default: record, ...handlers });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const sdk = new ApiGatewayManagementApiClient({ endpoint: gateway.callbackUrl, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  return { port: (server.address() as AddressInfo).port, events, sdk };
}

const open = (port: number, path: string, protocols: string[] = []): Promise<{ ws: WebSocket; messages: string[] }> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols, { headers: { Authorization: 'Bearer t' } });
    const messages: string[] = [];
    ws.on('message', (m, binary) => messages.push(binary ? `binary:${String(m)}` : String(m)));
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
  });

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('ws-gateway', () => {
  describe('WebSocket upgrades', () => {
    it('runs $connect with the watch path and query before the handshake, and echoes the chosen subprotocol', async () => {
      // Prepare
      const { port, events } = await start({ connect: async (e) => (events.push(e), { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'base64.binary.k8s.io' } }) });
      // Act
      const { ws } = await open(port, '/apis/g/v1/namespaces/a/things?watch=true&labelSelector=x%3Dy', ['base64.binary.k8s.io']);
      // Assess
      expect(ws.protocol).toBe('base64.binary.k8s.io');
      expect(events[0]).toMatchObject({
        queryStringParameters: { path: '/apis/g/v1/namespaces/a/things', watch: 'true', labelSelector: 'x=y' },
        headers: { Authorization: 'Bearer t' },
        requestContext: { routeKey: '$connect', eventType: 'CONNECT', stage: 'test' },
      });
      expect(events[0]!.requestContext.connectionId).toMatch(/^[A-Za-z0-9+/]{14}==$/);
      ws.close();
    });

    it('passes the AWS form (/<stage>?path=…) unchanged', async () => {
      const { port, events } = await start({});
      const { ws } = await open(port, `/test?path=${encodeURIComponent('/apis/g/v1/things')}&watch=1`);
      expect(events[0]!.queryStringParameters).toEqual({ path: '/apis/g/v1/things', watch: '1' });
      ws.close();
    });

    it('refuses the handshake with the status and body $connect answers', async () => {
      const { port } = await start({ connect: async () => ({ statusCode: 401, body: '{"kind":"Status","code":401}' }) });
      await expect(open(port, '/apis/g/v1/things')).rejects.toThrow('status 401');
    });

    it('passes the path to $connect as sent, %-escapes kept (as the AWS form carries it)', async () => {
      const { port, events } = await start({});
      const { ws } = await open(port, '/apis/g/v1/namespaces/dem%6f/things%zz?watch=1');
      expect(events[0]!.queryStringParameters).toEqual({ path: '/apis/g/v1/namespaces/dem%6f/things%zz', watch: '1' });
      ws.close();
    });

    it('sends client messages to $default and a close to $disconnect', async () => {
      // Prepare
      const { port, events } = await start({});
      const { ws } = await open(port, '/x');
      // Act
      ws.send('hello');
      await until(() => events.length >= 2);
      ws.close();
      await until(() => events.length >= 3);
      // Assess
      expect(events.map((e) => e.requestContext.routeKey)).toEqual(['$connect', '$default', '$disconnect']);
      expect(events[1]!.body).toBe('hello');
      expect(new Set(events.map((e) => e.requestContext.connectionId)).size).toBe(1);
    });
  });

  describe('@connections', () => {
    it('posts text messages, describes and deletes a connection through the AWS SDK', async () => {
      // Prepare
      const { port, events, sdk } = await start({});
      const { ws, messages } = await open(port, '/x');
      const id = events[0]!.requestContext.connectionId;
      const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
      // Act
      await sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('{"type":"ADDED"}\n') }));
      const info = await sdk.send(new GetConnectionCommand({ ConnectionId: id }));
      await until(() => messages.length > 0);
      await sdk.send(new DeleteConnectionCommand({ ConnectionId: id }));
      // Assess
      expect(messages).toEqual(['{"type":"ADDED"}\n']);
      expect(info.ConnectedAt).toBeInstanceOf(Date);
      expect(await closed).toBe(1000);
      await until(() => events.some((e) => e.requestContext.routeKey === '$disconnect'));
      await expect(sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('x') }))).rejects.toBeInstanceOf(GoneException);
    });

    it('answers 410 GoneException for an unknown connection and PayloadTooLargeException above 128 KB', async () => {
      const { port, events, sdk } = await start({});
      const { ws } = await open(port, '/x');
      await expect(sdk.send(new PostToConnectionCommand({ ConnectionId: 'nope=', Data: Buffer.from('x') }))).rejects.toBeInstanceOf(GoneException);
      await expect(sdk.send(new DeleteConnectionCommand({ ConnectionId: 'nope=' }))).rejects.toBeInstanceOf(GoneException);
      const id = events[0]!.requestContext.connectionId;
      await expect(sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.alloc(128 * 1024 + 1, 'a') }))).rejects.toBeInstanceOf(PayloadTooLargeException);
      ws.close();
    });
  });
});
