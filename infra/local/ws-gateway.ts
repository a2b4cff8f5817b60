/**
 * @module ws-gateway
 * The local stand-in for the API Gateway WebSocket API and its `@connections` management
 * endpoint, so the deployed handlers and the same SDK client run unchanged:
 *
 * - WebSocket upgrades on the HTTPS dev gateway, on the Kubernetes watch URLs themselves
 *   (`wss://127.0.0.1:8443/apis/image.openshift.io/v1/namespaces/demo/imagestreams?watch=true`,
 *   like a real apiserver) or on `/<stage>?path=<watch path>&…` (the AWS form). Each one runs
 *   the `$connect` handler with the event API Gateway would send; a non-2xx answer refuses
 *   the handshake with that status, a 2xx completes it, echoing the handler's
 *   `Sec-WebSocket-Protocol`. Only then does the connection become postable — as on AWS,
 *   where a post before `$connect` returns gets 410.
 * - Client messages go to `$default`; a close (either side) runs `$disconnect`.
 * - `POST|GET|DELETE /<stage>/@connections/<id>` on a loopback HTTP port: send a text
 *   message, describe, close. Unknown ids answer 410 `GoneException`, messages over 128 KB
 *   413 `PayloadTooLargeException`, with the headers the SDK maps to those exceptions.
 * - API Gateway's limits: 10-minute idle timeout and 2-hour maximum (both configurable).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WebSocketEvent, WebSocketResult } from '../../shared/watch/connect.js';
import { MAX_MESSAGE_BYTES } from '../../shared/watch/framing.js';

export interface WsHandlers {
  readonly connect: (event: WebSocketEvent) => Promise<WebSocketResult>;
  readonly disconnect: (event: WebSocketEvent) => Promise<WebSocketResult>;
  readonly default: (event: WebSocketEvent) => Promise<WebSocketResult>;
}

export interface WsGatewayOptions {
  readonly stage: string;
  /** Port of the `@connections` endpoint (0: a free one). */
  readonly port?: number;
  readonly idleTimeoutMs?: number;
  readonly maxConnectionMs?: number;
  readonly log?: (line: string) => void;
}

export interface WsGateway {
  /** The management endpoint (`WS_CALLBACK_URL`): `http://127.0.0.1:<port>/<stage>`. */
  readonly callbackUrl: string;
  /** Serves WebSocket upgrades on `server` with `handlers`. */
  attach(server: HttpsServer | HttpServer, handlers: WsHandlers): void;
  /** Open connections. */
  readonly size: number;
  close(): Promise<void>;
}

interface Connection {
  readonly ws: WebSocket;
  readonly connectedAt: number;
  lastActiveAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  idle?: NodeJS.Timeout;
  readonly max: NodeJS.Timeout;
}

/** Connection ids look like API Gateway's (`L0SM9cOFvHcCIhw=`). */
const newConnectionId = (): string => randomBytes(10).toString('base64');

function headersOf(req: IncomingMessage): { headers: Record<string, string>; multiValueHeaders: Record<string, string[]> } {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i]!;
    const v = req.rawHeaders[i + 1]!;
    headers[k] = headers[k] === undefined ? v : `${headers[k]},${v}`;
    (multiValueHeaders[k] ??= []).push(v);
  }
  return { headers, multiValueHeaders };
}

function refuse(socket: Socket, result: WebSocketResult): void {
  const code = result.statusCode;
  const body = result.body ?? '';
  const headers = { 'Content-Type': 'application/json', ...result.headers, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
  const head = [`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  socket.end(`${head}\r\n\r\n${body}`);
}

export async function startWsGateway(opts: WsGatewayOptions): Promise<WsGateway> {
  const log = opts.log ?? (() => undefined);
  const idleMs = opts.idleTimeoutMs ?? 10 * 60 * 1000;
  const maxMs = opts.maxConnectionMs ?? 2 * 3600 * 1000;
  const connections = new Map<string, Connection>();
  const stagePath = `/${opts.stage}`;

  // ---- @connections ---------------------------------------------------------------------
  const management: HttpServer = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const m = /^\/([^/]+)\/@connections\/([^/]+)$/.exec(url.pathname);
      const error = (status: number, type: string, message: string): void => {
        res.writeHead(status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type });
        res.end(JSON.stringify({ message }));
      };
      if (!m || m[1] !== opts.stage) return error(403, 'ForbiddenException', 'Forbidden');
      const id = decodeURIComponent(m[2]!);
      const conn = connections.get(id);
      if (!conn) return error(410, 'GoneException', `Connection ${id} is gone`);
      switch (req.method) {
        case 'POST': {
          const body = Buffer.concat(parts);
          if (body.length > MAX_MESSAGE_BYTES) return error(413, 'PayloadTooLargeException', 'Message too long');
          conn.ws.send(body.toString('utf8'));
          touch(id, conn);
          res.writeHead(200);
          return void res.end();
        }
        case 'GET':
          res.writeHead(200, { 'Content-Type': 'application/json' });
          return void res.end(
            JSON.stringify({
              connectedAt: new Date(conn.connectedAt).toISOString(),
              identity: { sourceIp: conn.sourceIp, userAgent: conn.userAgent },
              lastActiveAt: new Date(conn.lastActiveAt).toISOString(),
            }),
          );
        case 'DELETE':
          conn.ws.close(1000);
          res.writeHead(204);
          return void res.end();
        default:
          return error(403, 'ForbiddenException', 'Forbidden');
      }
    });
  });
  management.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    management.once('error', reject);
    management.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (management.address() as AddressInfo).port;

  function touch(id: string, conn: Connection): void {
    conn.lastActiveAt = Date.now();
    if (conn.idle) clearTimeout(conn.idle);
    conn.idle = setTimeout(() => {
      log(`ws ${id}: idle timeout`);
      conn.ws.close(1001, 'Going away');
    }, idleMs);
    conn.idle.unref();
  }

  // ---- WebSocket --------------------------------------------------------------------------
  const chosen = new WeakMap<IncomingMessage, string | undefined>();
  const pendingIds = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 128 * 1024,
    handleProtocols: (_offered, req) => chosen.get(req) ?? false,
  });
  const sockets = new Set<Socket>();
  /** Route handlers still running (close waits for them, as the stack stops DynamoDB next). */
  const inflight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };

  function attach(server: HttpsServer | HttpServer, handlers: WsHandlers): void {
    const baseEvent = (req: IncomingMessage, connectionId: string, routeKey: string, eventType: string, connectedAt: number): WebSocketEvent & Record<string, unknown> => ({
      ...headersOf(req),
      isBase64Encoded: false,
      requestContext: {
        routeKey,
        eventType,
        connectionId,
        connectedAt,
        stage: opts.stage,
        domainName: req.headers.host ?? '127.0.0.1',
        apiId: 'local',
        requestId: randomUUID(),
        extendedRequestId: randomUUID(),
        requestTimeEpoch: Date.now(),
        messageDirection: 'IN',
        identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '' },
      } as WebSocketEvent['requestContext'],
    });

    const disconnect = (req: IncomingMessage, id: string, connectedAt: number, code: number, reason: string): void => {
      const event = baseEvent(req, id, '$disconnect', 'DISCONNECT', connectedAt);
      track(
        handlers
          .disconnect({ ...event, requestContext: { ...event.requestContext, disconnectStatusCode: code, disconnectReason: reason } as WebSocketEvent['requestContext'] })
          .catch((e: unknown) => log(`ws ${id}: $disconnect failed: ${String(e)}`)),
      );
    };

    wss.on('wsClientError', (err, _socket, req) => {
      const id = pendingIds.get(req);
      log(`ws handshake failed: ${err.message}`);
      if (id) disconnect(req, id, Date.now(), 1006, err.message);
    });

    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      void (async () => {
        const url = new URL(req.url ?? '/', 'https://localhost');
        const query = new Map<string, string[]>();
        for (const [k, v] of url.searchParams) query.set(k, [...(query.get(k) ?? []), v]);
        // On a Kubernetes URL the path is the watch; on `/<stage>` it comes in `?path=` (AWS). Either
        // way $connect gets the path as sent (%-escapes kept) and decodes its parameters once.
        if (url.pathname !== stagePath && url.pathname !== `${stagePath}/`) query.set('path', [url.pathname]);
        const connectionId = newConnectionId();
        const connectedAt = Date.now();
        const event: WebSocketEvent = {
          ...baseEvent(req, connectionId, '$connect', 'CONNECT', connectedAt),
          queryStringParameters: Object.fromEntries([...query].map(([k, v]) => [k, v[v.length - 1]!])),
          multiValueQueryStringParameters: Object.fromEntries(query),
        };
        let result: WebSocketResult;
        try {
          result = await handlers.connect(event);
        } catch (e) {
          log(`ws $connect failed: ${e instanceof Error ? e.message : String(e)}`);
          result = { statusCode: 500, body: JSON.stringify({ message: 'Internal server error' }) };
        }
        if (result.statusCode < 200 || result.statusCode > 299) {
          log(`WS ${req.url} ${result.statusCode}`);
          return refuse(socket, result);
        }
        if (socket.destroyed) return disconnect(req, connectionId, connectedAt, 1006, 'client left during $connect');
        const protocol = Object.entries(result.headers ?? {}).find(([k]) => k.toLowerCase() === 'sec-websocket-protocol')?.[1];
        chosen.set(req, protocol);
        pendingIds.set(req, connectionId);
        wss.handleUpgrade(req, socket, head, (ws) => {
          const conn: Connection = {
            ws,
            connectedAt,
            lastActiveAt: connectedAt,
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: req.headers['user-agent'] ?? '',
            max: setTimeout(() => ws.close(1001, 'Going away'), maxMs),
          };
          conn.max.unref();
          connections.set(connectionId, conn);
          touch(connectionId, conn);
          log(`WS ${req.url} 101 ${connectionId}`);
          ws.on('message', (data, isBinary) => {
            touch(connectionId, conn);
            const body = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
            const ev = baseEvent(req, connectionId, '$default', 'MESSAGE', connectedAt);
            track(
              handlers
                .default({ ...ev, body: isBinary ? body.toString('base64') : body.toString('utf8'), isBase64Encoded: isBinary })
                .catch((e: unknown) => log(`ws ${connectionId}: $default failed: ${String(e)}`)),
            );
          });
          ws.on('ping', () => touch(connectionId, conn));
          ws.on('close', (code, reason) => {
            connections.delete(connectionId);
            clearTimeout(conn.max);
            if (conn.idle) clearTimeout(conn.idle);
            disconnect(req, connectionId, connectedAt, code, reason.toString());
          });
        });
      })().catch((e: unknown) => {
        log(`ws upgrade error: ${e instanceof Error ? e.message : String(e)}`);
        socket.destroy();
      });
    });
  }

  return {
    callbackUrl: `http://127.0.0.1:${port}/${opts.stage}`,
    attach,
    get size() {
      return connections.size;
    },
    close: async () => {
      const closing = [...connections.values()].map((c) => new Promise<void>((resolve) => (c.ws.once('close', () => resolve()), c.ws.terminate())));
      await Promise.all(closing);
      for (const s of sockets) s.destroy();
      wss.close();
      await Promise.allSettled([...inflight]);
      await new Promise<void>((resolve) => {
        management.close(() => resolve());
        management.closeAllConnections();
      });
    },
  };
}
