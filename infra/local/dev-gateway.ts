/**
 * @module dev-gateway
 * The local stand-in for API Gateway: an HTTPS server on 127.0.0.1 that matches requests
 * against the route table, builds the same Lambda proxy events API Gateway would (resource
 * template, path parameters, multi-value headers and query, base64 body) and invokes the
 * route family's exported handler, the very module CDK deploys.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, Handler } from 'aws-lambda';
import { CATCH_ALL_RESOURCE, type StreamingHandler } from '../../shared/api/lambda-adapter.js';
import { MAX_REQUEST_BODY_BYTES } from '../../shared/apimachinery/decode.js';
import { badRequest, requestEntityTooLarge } from '../../shared/apimachinery/status.js';
import { Router } from '../../shared/api/router.js';
import { FAMILY_ENTRIES, routes, type RouteFamily } from '../../shared/api/routes.js';

/** API Gateway's payload limit. */
const MAX_BODY = 10 * 1024 * 1024;

type ProxyHandler = Handler<APIGatewayProxyEvent, APIGatewayProxyResult>;

interface FamilyModule {
  readonly handler: ProxyHandler;
  /** Present on response-streaming families (API Gateway REST response streaming). */
  readonly streamingHandler?: StreamingHandler;
}

export interface DevGatewayOptions {
  readonly port: number;
  readonly tls: { key: string; cert: string };
  /** Repository root, to resolve the family entry modules. */
  readonly root: string;
  /** Log one line per request. */
  readonly log?: (line: string) => void;
}

export interface DevGateway {
  readonly url: string;
  readonly port: number;
  /** The HTTPS server (the local WebSocket gateway serves upgrade requests on it). */
  readonly server: Server;
  close(): Promise<void>;
}

function lambdaContext(family: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${family}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:local-${family}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/local-${family}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const NO_BODY = Buffer.alloc(0);

/**
 * Whether the request has a body: in HTTP/1.1 only Content-Length or Transfer-Encoding
 * announce one (RFC 9112 §6.3). Most requests (GET, DELETE) have none, and need not wait for
 * the stream's end.
 */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  if (!hasBody(req)) return NO_BODY;
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return 'too-large';
    parts.push(chunk as Buffer);
  }
  // A body that came in one piece is used as it is (concat would copy it).
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

export function buildEvent(
  req: IncomingMessage,
  body: Buffer,
  resource: string,
  pathParameters: Record<string, string> | null,
  path: string,
  url: URL = new URL(req.url ?? '/', 'https://localhost'),
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i]!;
    const v = req.rawHeaders[i + 1]!;
    headers[k] = v;
    (multiValueHeaders[k] ??= []).push(v);
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource,
    path,
    httpMethod: (req.method ?? 'GET').toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters,
    stageVariables: null,
    body: body.length > 0 ? body.toString('base64') : null,
    isBase64Encoded: body.length > 0,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: (req.method ?? 'GET').toUpperCase(),
      identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: url.pathname,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: resource,
    },
  };
}

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  res.statusCode = result.statusCode;
  for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, String(v));
  for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) res.setHeader(k, v.map(String));
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

/** Loads every family's handler module (the same files CDK bundles). */
async function loadHandlers(root: string): Promise<Record<RouteFamily, FamilyModule>> {
  const out: Partial<Record<RouteFamily, FamilyModule>> = {};
  for (const [family, entry] of Object.entries(FAMILY_ENTRIES) as [RouteFamily, string][]) {
    out[family] = (await import(pathToFileURL(path.join(root, entry)).href)) as FamilyModule;
  }
  return out as Record<RouteFamily, FamilyModule>;
}

/** Streams a response as API Gateway's response streaming would: headers at once, each chunk flushed. */
async function stream(handler: StreamingHandler, event: APIGatewayProxyEvent, req: IncomingMessage, res: ServerResponse): Promise<number> {
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  req.socket.setNoDelay(true);
  let status = 0;
  await handler(event, {
    signal: abort.signal,
    start(statusCode, headers) {
      status = statusCode;
      res.writeHead(statusCode, headers);
      res.flushHeaders();
    },
    write(chunk) {
      res.write(chunk);
    },
    end() {
      res.end();
    },
  });
  return status;
}

export async function startDevGateway(opts: DevGatewayOptions): Promise<DevGateway> {
  const handlers = await loadHandlers(opts.root);
  const router = new Router(routes);

  const server: Server = createServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) => {
    void (async () => {
      const started = performance.now();
      const body = await readBody(req);
      if (body === 'too-large') {
        // The same Status the deployed gateway's REQUEST_TOO_LARGE response carries.
        res.writeHead(413, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(requestEntityTooLarge(`limit is ${MAX_REQUEST_BODY_BYTES}`).status));
        return;
      }
      const url = new URL(req.url ?? '/', 'https://localhost');
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        // A malformed %-escape: the request cannot be routed (API Gateway refuses it too).
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(badRequest(`invalid URL escape in ${JSON.stringify(url.pathname)}`).status));
        return;
      }
      // The router matches the path as sent and decodes each parameter itself (once).
      const match = router.match(req.method ?? 'GET', url.pathname);
      let family: RouteFamily = 'discovery';
      let resource = CATCH_ALL_RESOURCE;
      let params: Record<string, string> | null = null;
      if (match.kind === 'found') {
        family = match.route.family;
        resource = match.route.path;
        params = Object.keys(match.params).length > 0 ? match.params : null;
      } else if (match.kind === 'method-not-allowed') {
        // API Gateway sends other methods of a known resource to its ANY method.
        const any = routes.find((r) => router.match(r.method, url.pathname).kind === 'found');
        if (any) family = any.family;
      }
      const event = buildEvent(req, body, resource, params, path, url);
      const mod = handlers[family];
      let status: number;
      if (mod.streamingHandler) {
        status = await stream(mod.streamingHandler, event, req, res);
      } else {
        const result = (await mod.handler(event, lambdaContext(family), () => undefined)) as APIGatewayProxyResult;
        send(res, result);
        status = result.statusCode;
      }
      opts.log?.(`${req.method} ${req.url} ${status} ${(performance.now() - started).toFixed(1)}ms`);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal server error' }));
      opts.log?.(`gateway error: ${e instanceof Error ? e.message : String(e)}`);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
