/**
 * @module runtime
 * The composition root of the WebSocket watch: configuration → the App (authentication,
 * routes, the served resources and their change logs) → the connections table, the
 * `@connections` client, delivery → the five Lambda handlers. Entry points under
 * `functions/watch/` build one runtime per execution environment; the local stack imports
 * the same entry points.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { createApp, dynamoClient, type App } from '../api/app.js';
import type { Config } from '../config.js';
import { DynamoConnectionStore } from '../storage/dynamo/connections/store.js';
import { decodeLogStreamRecord, decodeSubscriptionStreamRecord } from '../storage/dynamo/stream-records.js';
import { ApiGatewayPoster, managementClient } from './apigw-poster.js';
import { handleConnect, handleDefault, handleDisconnect, type WatchAuthorizer, type WebSocketEvent, type WebSocketResult } from './connect.js';
import { WatchDelivery, type DeliveryDeps, type WatchLogger } from './delivery.js';
import { createFanoutHandler, type FanoutHandler } from './fanout.js';
import { watchedResources } from './resource.js';
import type { ConnectionPoster, SubscriptionStore } from './subscription.js';
import { runTick, type TickResult } from './tick.js';

export interface WatchRuntime {
  readonly connect: (event: WebSocketEvent) => Promise<WebSocketResult>;
  readonly disconnect: (event: WebSocketEvent) => Promise<WebSocketResult>;
  readonly default: (event: WebSocketEvent) => Promise<WebSocketResult>;
  readonly fanout: FanoutHandler;
  readonly tick: (event?: unknown, context?: Context) => Promise<TickResult>;
  readonly delivery: WatchDelivery;
  readonly store: SubscriptionStore;
}

export interface WatchRuntimeOptions {
  readonly config: Config;
  readonly app?: App;
  readonly store?: SubscriptionStore;
  readonly poster?: ConnectionPoster;
  /** The authorization hook of `$connect` (default: every authenticated user may watch). */
  readonly authorize?: WatchAuthorizer;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Delivery timings (tests). */
  readonly tuning?: Pick<DeliveryDeps, 'connectGraceMs' | 'leaseMs' | 'futureWaitMs' | 'stalePendingMs' | 'sleep'>;
}

export function createWatchRuntime(opts: WatchRuntimeOptions): WatchRuntime {
  const { config } = opts;
  const powertools = opts.logger ?? new Logger({ serviceName: 'imagestream-watch' });
  const logger: WatchLogger = {
    warn: (message, extra) => powertools.warn(message, extra ?? {}),
    error: (message, extra) => powertools.error(message, extra ?? {}),
  };
  const app = opts.app ?? createApp({ config, logger: powertools });
  const store = opts.store ?? new DynamoConnectionStore({ client: dynamoClient(config), tableName: config.connectionsTableName });
  let poster = opts.poster;
  const posterOrFail = (): ConnectionPoster => {
    if (poster) return poster;
    if (!config.wsCallbackUrl) throw new Error('WS_CALLBACK_URL is not configured');
    return (poster = new ApiGatewayPoster(managementClient(config.wsCallbackUrl, config.region, config.watchPostConcurrency)));
  };
  const resource = watchedResources(app);
  const lazyPoster: ConnectionPoster = {
    post: (id, data) => posterOrFail().post(id, data),
    close: (id) => posterOrFail().close(id),
  };
  const delivery = new WatchDelivery({
    store,
    poster: lazyPoster,
    resource,
    concurrency: config.watchPostConcurrency,
    logger,
    ...(opts.now ? { now: opts.now } : {}),
    ...opts.tuning,
  });
  const fanout = createFanoutHandler({
    delivery,
    resource,
    decodeLogRecord: decodeLogStreamRecord,
    decodeSubscriptionRecord: decodeSubscriptionStreamRecord,
    logger,
  });
  const connectDeps = { app, store, logger, resource, ...(opts.authorize ? { authorize: opts.authorize } : {}), ...(opts.now ? { now: opts.now } : {}) };
  return {
    connect: (event) => handleConnect(connectDeps, event),
    disconnect: (event) => handleDisconnect(connectDeps, event),
    default: () => handleDefault(),
    fanout: (event: DynamoDBStreamEvent, context?: Context) => fanout(event, context),
    tick: () => runTick({ store, delivery, resource, logger, ...(opts.now ? { now: opts.now } : {}) }),
    delivery,
    store,
  };
}
