/**
 * @module connect
 * The WebSocket API's `$connect`, `$disconnect` and `$default` routes.
 *
 * `$connect` is the handshake (API Gateway answers the upgrade with our status code): it
 * applies the Kubernetes handshake rules (Origin, subprotocols), authenticates the bearer
 * token (header, or the `base64url.bearer.authorization.k8s.io.` subprotocol), parses and
 * validates the watch URL like the HTTP watch does, asks the authorizer whether the user may
 * `watch` there, and stores a `pending` subscription. It posts nothing: API Gateway refuses
 * posts to a connection before `$connect` has returned; the subscription's INSERT on the
 * connections table's stream triggers its replay instead.
 */
import type { AccessCheck, AccessDecision } from '../apimachinery/registry/strategy.js';
import { forbidden, internalError, isStatusError, StatusError, unauthorized, type Status } from '../apimachinery/status.js';
import type { App } from '../api/app.js';
import type { ApiRequest, UserInfo } from '../api/http.js';
import type { WatchLogger } from './delivery.js';
import { checkOrigin, extractBearerProtocol, offeredProtocols, selectProtocol } from './handshake.js';
import { scopeOf } from './matching.js';
import { parseWatchRequest, PATH_PARAMETER, startsWithState } from './request.js';
import type { Subscription, SubscriptionStore, WatchedResource } from './subscription.js';
import { storageKeyOf } from '../api/resource-module.js';

/** API Gateway closes every WebSocket connection after 2 hours. */
export const MAX_CONNECTION_MS = 2 * 3600 * 1000;
/** Rows outlive the connection by this much before TTL removes them (if `$disconnect` was lost). */
const ROW_SLACK_MS = 10 * 60 * 1000;

/** The parts of an API Gateway WebSocket proxy event we read. */
export interface WebSocketEvent {
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueQueryStringParameters?: Readonly<Record<string, readonly string[] | undefined>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: {
    readonly connectionId: string;
    readonly routeKey?: string;
    readonly eventType?: string;
    readonly connectedAt?: number;
    readonly stage?: string;
    readonly domainName?: string;
    readonly requestTimeEpoch?: number;
  };
}

export interface WebSocketResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** Authorization hook: may `user` watch `resource` in `namespace`? (RBAC arrives with the Auth issue.) */
export type WatchAuthorizer = (user: UserInfo | undefined, check: AccessCheck) => Promise<AccessDecision>;

export const allowAuthenticated: WatchAuthorizer = async (user) => ({ allowed: user !== undefined });

export interface ConnectDeps {
  readonly app: Pick<App, 'authenticate' | 'router' | 'resourceApi' | 'authorizer'>;
  /** A served resource by storage key. */
  readonly resource: (storageKey: string) => WatchedResource | undefined;
  readonly store: SubscriptionStore;
  readonly authorize?: WatchAuthorizer;
  readonly now?: () => number;
  readonly logger?: WatchLogger;
}

function lowerHeaders(event: WebSocketEvent): { single: Record<string, string>; multi: Record<string, string[]> } {
  const multi: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(event.multiValueHeaders ?? {})) if (v) multi[k.toLowerCase()] = [...(multi[k.toLowerCase()] ?? []), ...v];
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined && multi[k.toLowerCase()] === undefined) multi[k.toLowerCase()] = [v];
  const single: Record<string, string> = {};
  for (const [k, v] of Object.entries(multi)) single[k] = v.join(', ');
  return { single, multi };
}

function queryOf(event: WebSocketEvent): Map<string, string[]> {
  const q = new Map<string, string[]>();
  for (const [k, v] of Object.entries(event.multiValueQueryStringParameters ?? {})) if (v) q.set(k, [...v]);
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined && !q.has(k)) q.set(k, [v]);
  return q;
}

const statusResult = (status: Status): WebSocketResult => ({
  statusCode: status.code ?? 500,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(status),
});

export async function handleConnect(deps: ConnectDeps, event: WebSocketEvent): Promise<WebSocketResult> {
  try {
    return await connect(deps, event);
  } catch (e) {
    if (isStatusError(e)) return statusResult(e.status);
    deps.logger?.error('watch: $connect failed', { error: e instanceof Error ? e.message : String(e) });
    return statusResult(internalError('an unexpected error occurred while processing the request').status);
  }
}

const failureStatus = (code: number, reason: string, message: string): StatusError =>
  new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

/**
 * The checks in the apiserver's order: authentication (401), the URL (404), authorization
 * (403), the list options (400/422), then the WebSocket handshake itself (Origin 403,
 * subprotocols 400).
 */
async function connect(deps: ConnectDeps, event: WebSocketEvent): Promise<WebSocketResult> {
  const now = (deps.now ?? Date.now)();
  const { single: headers, multi } = lowerHeaders(event);
  const { token: protocolToken, rest: protocols } = extractBearerProtocol(offeredProtocols(multi['sec-websocket-protocol'] ?? []));

  const query = queryOf(event);
  const path = query.get(PATH_PARAMETER)?.[0];
  query.delete(PATH_PARAMETER);
  const req: ApiRequest = { method: 'GET', path: path ?? '/', params: {}, query, headers, body: undefined };
  const match = path === undefined ? undefined : deps.app.router.match('GET', path);
  const route = match?.kind === 'found' ? match.route : undefined;

  // The bearer token: the Authorization header, else the token subprotocol (either may authenticate).
  const candidates: string[] = [];
  if (headers['authorization'] !== undefined) candidates.push(headers['authorization']);
  if (protocolToken !== undefined) candidates.push(`Bearer ${protocolToken}`);
  let user: UserInfo | undefined;
  let failure: unknown = unauthorized();
  for (const authorization of candidates) {
    try {
      user = await deps.app.authenticate({ ...req, headers: { ...headers, authorization } }, route);
      if (user) break;
    } catch (e) {
      failure = e;
    }
  }
  if (!user) throw failure;
  const who: UserInfo = user;

  if (path === undefined) throw failureStatus(400, 'BadRequest', `the watch path is required in the "${PATH_PARAMETER}" query parameter`);
  const watch = await parseWatchRequest(path, query, {
    router: deps.app.router,
    lookup: (group, plural) => {
      const api = deps.app.resourceApi(plural, group);
      return api && api.changeLog ? { storageKey: storageKeyOf(api.def), fieldKeys: api.fieldSelectorKeys } : undefined;
    },
    authorize: async (r, namespace) => {
      const gr = { group: r.group, resource: r.resource };
      const decision = await (deps.authorize ?? deps.app.authorizer)(who, { verb: 'watch', group: r.group, resource: r.resource, namespace: namespace ?? '', name: '' });
      if (decision.allowed) return;
      const where = namespace !== undefined ? `in the namespace "${namespace}"` : 'at the cluster scope';
      throw forbidden(gr, '', `User "${who.name}" cannot watch resource "${r.resource}" in API group "${r.group}" ${where}${decision.reason ? `: ${decision.reason}` : ''}`);
    },
  });
  const res = deps.resource(watch.resource);
  if (!res) throw failureStatus(404, 'NotFound', 'the server could not find the requested resource');

  checkOrigin(headers['origin']);
  const protocol = selectProtocol(protocols);

  const connectedAt = event.requestContext.connectedAt ?? now;
  const initial = startsWithState(watch);
  let cursor: number | undefined;
  if (!initial) {
    // "Start at exact" after the requested resourceVersion, or at the current one when unset.
    cursor = watch.resourceVersion !== undefined && watch.resourceVersion !== '0' ? Number(watch.resourceVersion) : await res.currentRevision();
  }
  const sub: Subscription = {
    resource: watch.resource,
    scope: scopeOf(watch.namespace),
    connectionId: event.requestContext.connectionId,
    ...(watch.namespace !== undefined ? { namespace: watch.namespace } : {}),
    labelSelector: watch.labelSelector,
    fieldSelector: watch.fieldSelector,
    allowBookmarks: watch.allowBookmarks,
    ...(watch.sendInitialEvents !== undefined ? { sendInitialEvents: watch.sendInitialEvents } : {}),
    initial,
    ...(watch.resourceVersion !== undefined ? { requestedResourceVersion: watch.resourceVersion } : {}),
    state: 'pending',
    ...(cursor !== undefined ? { cursor } : {}),
    ...(watch.timeoutSeconds !== undefined ? { deadline: connectedAt + watch.timeoutSeconds * 1000 } : {}),
    connectedAt,
    expiresAt: Math.ceil((connectedAt + MAX_CONNECTION_MS + ROW_SLACK_MS) / 1000),
    user: who.name,
  };
  await deps.store.create(sub);
  return { statusCode: 200, ...(protocol !== undefined ? { headers: { 'Sec-WebSocket-Protocol': protocol } } : {}) };
}

/** `$disconnect`: forget the connection (best effort on API Gateway; TTL covers a lost one). */
export async function handleDisconnect(deps: Pick<ConnectDeps, 'store' | 'logger'>, event: WebSocketEvent): Promise<WebSocketResult> {
  try {
    await deps.store.remove(event.requestContext.connectionId);
  } catch (e) {
    deps.logger?.warn('watch: $disconnect cleanup failed (TTL will remove the rows)', { error: e instanceof Error ? e.message : String(e) });
  }
  return { statusCode: 200 };
}

/** `$default`: client messages are read and discarded (§6.7). */
export async function handleDefault(): Promise<WebSocketResult> {
  return { statusCode: 200 };
}
