/**
 * @module lambda-adapter
 * API Gateway (REST API, Lambda proxy integration) ↔ ApiRequest/ApiResponse, wrapped in a
 * middy handler. The only code that knows the shape of API Gateway events. Each route
 * family's function uses `createHttpHandler(app, family)`; the local gateway calls the same
 * exported handlers with events it builds.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { methodNotAllowed } from '../apimachinery/status.js';
import { failure, type App } from './app.js';
import { bodyText, isStreamingBody, type ApiRequest, type ApiResponse } from './http.js';
import { pageNotFound } from './render.js';
import type { Route, RouteFamily } from './routes.js';

/** The catch-all resource API Gateway uses for paths the route table does not know. */
export const CATCH_ALL_RESOURCE = '/{proxy+}';

export function toApiRequest(event: APIGatewayProxyEvent): ApiRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.multiValueHeaders ?? {})) {
    if (v && v.length > 0) headers[k.toLowerCase()] = v.join(', ');
  }
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (v !== undefined && headers[k.toLowerCase()] === undefined) headers[k.toLowerCase()] = v;
  }
  const query = new Map<string, string[]>();
  for (const [k, v] of Object.entries(event.multiValueQueryStringParameters ?? {})) if (v) query.set(k, [...v]);
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined && !query.has(k)) query.set(k, [v]);
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.pathParameters ?? {})) if (v !== undefined) params[k] = v;
  const body =
    event.body === null || event.body === undefined
      ? undefined
      : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  return { method: event.httpMethod.toUpperCase(), path: event.path, params, query, headers, body };
}

/** A buffered proxy result; a streamed body must be collected first (`bodyText`). */
export function toProxyResult(res: ApiResponse & { body: string | Buffer }): APIGatewayProxyResult {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) multiValueHeaders[k] = v;
    else headers[k] = v;
  }
  const binary = Buffer.isBuffer(res.body);
  return {
    statusCode: res.statusCode,
    headers,
    ...(Object.keys(multiValueHeaders).length > 0 ? { multiValueHeaders } : {}),
    body: binary ? (res.body as Buffer).toString('base64') : (res.body as string),
    isBase64Encoded: binary,
  };
}

/** Resolves the route of an event: by API Gateway's resource template, else by path. */
function resolve(app: App, event: APIGatewayProxyEvent, req: ApiRequest): { route?: Route; params: Record<string, string>; status?: 404 | 405 } {
  if (event.resource && event.resource !== CATCH_ALL_RESOURCE) {
    const route = app.router.byTemplate(req.method, event.resource);
    if (route) return { route, params: req.params };
    if (app.router.hasTemplate(event.resource)) return { params: {}, status: 405 };
  }
  const m = app.router.match(req.method, req.path);
  if (m.kind === 'found') return { route: m.route, params: m.params };
  return { params: {}, status: m.kind === 'method-not-allowed' ? 405 : 404 };
}

/** Routes, authenticates and serves one API Gateway event; never throws. */
export async function dispatchEvent(app: App, family: RouteFamily, event: APIGatewayProxyEvent, signal?: AbortSignal): Promise<ApiResponse> {
  const req: ApiRequest = { ...toApiRequest(event), ...(signal ? { signal } : {}) };
  try {
    const { route, params, status } = resolve(app, event, req);
    const user = await app.authenticate(req, route);
    if (status === 405) throw methodNotAllowed();
    if (!route || route.family !== family) return pageNotFound();
    return await app.serve(route, { ...req, params, ...(user ? { user } : {}) });
  } catch (e) {
    return failure(app.logger, req, e);
  }
}

/** The (buffered) Lambda handler of one route family. */
export function createHttpHandler(app: App, family: RouteFamily): middy.MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(injectLambdaContext(app.logger, { resetKeys: true }))
    .handler(async (event) => {
      const res = await dispatchEvent(app, family, event);
      return toProxyResult({ ...res, body: isStreamingBody(res.body) ? await bodyText(res.body) : res.body });
    });
}

/** Where a streamed response goes: API Gateway response streaming, or the local gateway's socket. */
export interface ResponseSink {
  start(statusCode: number, headers: Record<string, string | string[]>): void;
  write(chunk: string | Buffer): void;
  end(): void;
  /** Aborted when the client disconnects. */
  readonly signal: AbortSignal;
}

/** Serves an event into a sink: headers first (flushed at once), then each chunk as produced. */
export async function streamEvent(app: App, family: RouteFamily, event: APIGatewayProxyEvent, sink: ResponseSink): Promise<void> {
  const res = await dispatchEvent(app, family, event, sink.signal);
  sink.start(res.statusCode, res.headers);
  try {
    if (isStreamingBody(res.body)) {
      for await (const chunk of res.body) {
        if (sink.signal.aborted) break;
        sink.write(chunk);
      }
    } else sink.write(res.body);
  } catch (e) {
    // Headers are out: the stream can only end. The error is logged, never sent half-written.
    failure(app.logger, { method: event.httpMethod, path: event.path }, e);
  } finally {
    sink.end();
  }
}

interface LambdaResponseStream {
  write(chunk: string | Uint8Array): boolean;
  end(): void;
  on(event: 'close' | 'error', listener: () => void): unknown;
}

interface LambdaStreamingRuntime {
  streamifyResponse(fn: (event: APIGatewayProxyEvent, stream: LambdaResponseStream, context: Context) => Promise<void>): unknown;
  HttpResponseStream: { from(stream: LambdaResponseStream, meta: { statusCode: number; headers: Record<string, string> }): LambdaResponseStream };
}

export type StreamingHandler = ((event: APIGatewayProxyEvent, sink: ResponseSink) => Promise<void>) & { readonly streaming: true };

/**
 * A route family whose responses may be long-lived streams (list/watch). On Lambda it is
 * wrapped with the runtime's `streamifyResponse` (API Gateway REST response streaming); the
 * local gateway calls `local` with its own sink. Both run `streamEvent`.
 */
export function createStreamingHttpHandler(app: App, family: RouteFamily): { handler: unknown; local: StreamingHandler } {
  const local = Object.assign((event: APIGatewayProxyEvent, sink: ResponseSink) => streamEvent(app, family, event, sink), {
    streaming: true as const,
  });
  // Other libraries define `globalThis.awslambda` too (InvokeStore); only the Lambda runtime has streaming.
  const runtime = (globalThis as { awslambda?: Partial<LambdaStreamingRuntime> }).awslambda;
  if (typeof runtime?.streamifyResponse !== 'function' || runtime.HttpResponseStream === undefined) {
    return { handler: createHttpHandler(app, family), local };
  }
  const rt = runtime as LambdaStreamingRuntime;
  const handler = rt.streamifyResponse(async (event, responseStream) => {
    const abort = new AbortController();
    responseStream.on('close', () => abort.abort());
    responseStream.on('error', () => abort.abort());
    let out: LambdaResponseStream | undefined;
    await streamEvent(app, family, event, {
      signal: abort.signal,
      start(statusCode, headers) {
        const flat: Record<string, string> = {};
        for (const [k, v] of Object.entries(headers)) flat[k] = Array.isArray(v) ? v.join(', ') : v;
        out = rt.HttpResponseStream.from(responseStream, { statusCode, headers: flat });
      },
      write(chunk) {
        out?.write(chunk);
      },
      end() {
        (out ?? responseStream).end();
      },
    });
  });
  return { handler, local };
}
