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
import type { ApiRequest, ApiResponse } from './http.js';
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

export function toProxyResult(res: ApiResponse): APIGatewayProxyResult {
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

/** The Lambda handler of one route family. */
export function createHttpHandler(app: App, family: RouteFamily): middy.MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(injectLambdaContext(app.logger, { resetKeys: true }))
    .handler(async (event) => {
      const req = toApiRequest(event);
      try {
        const { route, params, status } = resolve(app, event, req);
        const user = await app.authenticate(req, route);
        if (status === 405) throw methodNotAllowed();
        if (!route) return toProxyResult(pageNotFound());
        if (route.family !== family) return toProxyResult(pageNotFound());
        const res = await app.serve(route, { ...req, params, ...(user ? { user } : {}) });
        return toProxyResult(res);
      } catch (e) {
        return toProxyResult(failure(app.logger, req, e));
      }
    });
}
