/**
 * @module app
 * The composition root: configuration → DynamoDB client → stores → services → route
 * handlers. Lambda entry points and the local stack build one App per process; tests build
 * one with an in-memory store.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ServedResource } from '../apimachinery/discovery.js';
import type { KubeObject } from '../apimachinery/meta.js';
import { ResourceService } from '../apimachinery/registry/resource-service.js';
import type { ChangeLog, Store } from '../apimachinery/registry/store.js';
import { unauthorized } from '../apimachinery/status.js';
import { parseTokenFile, StaticTokenAuthenticator } from '../auth/static-tokens.js';
import type { Config } from '../config.js';
import type { ImageConfig } from '../image/config.js';
import { imageStreamResource } from '../image/resource.js';
import type { ImageStream } from '../image/types.js';
import { imageStreamModule } from './modules/image-streams.js';
import { secretModule } from './modules/secrets.js';
import { buildOpenApiDocuments } from './openapi-documents.js';
import { storageKeyOf, type ResourceModule, type VirtualModule } from './resource-module.js';
import { DynamoStore } from '../storage/dynamo/dynamo-store.js';
import { handleDiscoveryRoute, type DiscoveryDeps } from './discovery-endpoints.js';
import type { ApiRequest, ApiResponse, UserInfo } from './http.js';
import { errorResponse, pageNotFound } from './render.js';
import { handleResourceRoute, type ResourceApi } from './resource-endpoints.js';
import { Router } from './router.js';
import { routes, verbsFor, type Route } from './routes.js';
import { methodNotAllowed } from '../apimachinery/status.js';

export interface Authenticator {
  /** The user for a bearer token, or undefined when the token is not valid. */
  authenticate(token: string): UserInfo | undefined | Promise<UserInfo | undefined>;
}

export interface AppOptions {
  readonly config: Config;
  /** Injected store (tests); otherwise a DynamoDB store from the configuration. */
  readonly imageStreamStore?: Store<ImageStream> & ChangeLog<ImageStream>;
  readonly dynamo?: DynamoDBClient;
  readonly authenticator?: Authenticator;
  readonly logger?: Logger;
  readonly clock?: () => Date;
}

export interface App {
  readonly router: Router;
  readonly logger: Logger;
  /** Routes, authenticates and serves one request; never throws. */
  handle(req: ApiRequest): Promise<ApiResponse>;
  /** Serves an already-matched route (after authentication). */
  serve(route: Route, req: ApiRequest): Promise<ApiResponse>;
  /** Authenticates a request: the user, anonymous (undefined) or a 401. */
  authenticate(req: ApiRequest, route: Route | undefined): Promise<UserInfo | undefined>;
  /** The served resource with this plural name (the WebSocket watch fan-out reads its change log through it). */
  resourceApi(resource: string, group?: string): ResourceApi<KubeObject> | undefined;
  /** The service of a resource's internal strategy (server-side writers: views, importer), if it has one. */
  internalService(resource: string, group?: string): ResourceService<KubeObject> | undefined;
}

/** DynamoDB client with keep-alive connections, built once per process. */
export function dynamoClient(config: Config): DynamoDBClient {
  const local = config.dynamodbEndpoint !== undefined;
  return new DynamoDBClient({
    region: config.region,
    ...(local
      ? { endpoint: config.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new Agent({ keepAlive: true, maxSockets: 64 }),
      connectionTimeout: 3000,
      requestTimeout: 10000,
    }),
  });
}

function tokenAuthenticator(config: Config): Authenticator {
  const text = [config.staticTokens ?? '', config.tokensFile ? readFileSync(config.tokensFile, 'utf8') : ''].join('\n');
  return new StaticTokenAuthenticator(parseTokenFile(text));
}

/** Paths anyone may read without credentials (as `system:public-info-viewer`). */
const PUBLIC_ENDPOINTS = new Set(['version']);

function bearerToken(req: ApiRequest): string | undefined {
  const h = req.headers['authorization'];
  if (h === undefined) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m ? m[1]!.trim() : '';
}

export function imageConfigOf(config: Config): ImageConfig {
  return {
    defaultImportMode: config.defaultImportMode,
    ...(config.internalRegistryHostname ? { internalRegistryHostname: config.internalRegistryHostname } : {}),
    ...(config.publicRegistryHostname ? { publicRegistryHostname: config.publicRegistryHostname } : {}),
    ...(config.allowedRegistriesForImport.length > 0 ? { allowedRegistriesForImport: config.allowedRegistriesForImport } : {}),
  };
}

/** What virtual resources may use of the app. */
export interface VirtualContext {
  readonly config: Config;
  /** A stored resource's API (its service, wire form, change log). */
  resourceApi(resource: string, group?: string): ResourceApi<KubeObject> | undefined;
  /** A stored resource's internal-strategy service (spec and status written together). */
  internalService(resource: string, group?: string): ResourceService<KubeObject> | undefined;
}

/** The resources served by their own handlers (views, reviews). */
export function virtualModules(_ctx: VirtualContext): VirtualModule[] {
  return [];
}

/** The stored resource types this server serves. */
export function resourceModules(config: Config): ResourceModule<never>[] {
  return [imageStreamModule(imageConfigOf(config)) as unknown as ResourceModule<never>, secretModule() as unknown as ResourceModule<never>];
}

export function createApp(opts: AppOptions): App {
  const { config } = opts;
  const logger = opts.logger ?? new Logger({ serviceName: 'imagestream-api' });
  const router = new Router(routes);
  const modules = resourceModules(config);
  let dynamo: DynamoDBClient | undefined = opts.dynamo;
  const apis = new Map<string, ResourceApi<KubeObject>>();
  const internals = new Map<string, ResourceService<KubeObject>>();
  for (const m of modules as unknown as ResourceModule<KubeObject>[]) {
    const injected = m.def === imageStreamResource ? (opts.imageStreamStore as unknown as (Store<KubeObject> & ChangeLog<KubeObject>) | undefined) : undefined;
    const store =
      injected ??
      new DynamoStore<KubeObject>({
        client: (dynamo ??= dynamoClient(config)),
        tableName: config.tableName,
        resource: storageKeyOf(m.def),
        eventRetentionSeconds: config.eventRetentionSeconds,
        selectableFields: m.selectableFields,
      });
    const service = new ResourceService<KubeObject>({
      def: m.def,
      strategy: m.strategy,
      ...(m.statusStrategy ? { statusStrategy: m.statusStrategy } : {}),
      store,
      fieldMeta: m.fieldMeta,
      ...(opts.clock ? { clock: opts.clock } : {}),
    });
    if (m.internalStrategy) {
      internals.set(
        `${m.def.group}/${m.def.plural}`,
        new ResourceService<KubeObject>({
          def: m.def,
          strategy: m.internalStrategy,
          store,
          fieldMeta: m.fieldMeta,
          ...(opts.clock ? { clock: opts.clock } : {}),
        }),
      );
    }
    apis.set(`${m.def.group}/${m.def.plural}`, {
      def: m.def,
      service,
      schema: m.schema,
      toWire: m.toWire,
      selectableFields: m.selectableFields,
      fieldSelectorKeys: Object.keys(m.selectableFields({ metadata: {}, spec: {} } as KubeObject)),
      fieldMeta: m.fieldMeta,
      ...(m.table ? { table: m.table } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
      changeLog: store,
      bookmarkObject: m.bookmarkObject,
      watch: { maxSeconds: config.watchMaxSeconds, pollMs: config.watchPollMs, bookmarkSeconds: 60 },
      continueTtlSeconds: config.eventRetentionSeconds,
    });
  }
  const virtuals = new Map<string, VirtualModule>();
  for (const v of virtualModules({
    config,
    resourceApi: (resource, group) => app.resourceApi(resource, group),
    internalService: (resource, group) => app.internalService(resource, group),
  })) {
    virtuals.set(`${v.def.group}/${v.def.plural}`, v);
  }
  const served: ServedResource[] = [...modules.map((m) => m.def), ...[...virtuals.values()].map((v) => v.def)].map((def) => ({
    def,
    verbs: verbsFor(def.group, def.plural),
    subresources: Object.fromEntries(def.subresources.map((s) => [s, verbsFor(def.group, def.plural, s)])),
  }));
  // Built on first use: only the discovery function serves them, and they cost init time.
  let openapi: ReturnType<typeof buildOpenApiDocuments> | undefined;
  const discovery: DiscoveryDeps = {
    resources: served,
    get openapi() {
      return (openapi ??= buildOpenApiDocuments(modules, routes));
    },
  };
  const authenticator = opts.authenticator ?? tokenAuthenticator(config);

  const app: App = {
    router,
    logger,

    async authenticate(req, route) {
      const token = bearerToken(req);
      if (token === undefined) {
        if (route?.kind === 'non-resource' && PUBLIC_ENDPOINTS.has(route.endpoint)) return undefined;
        throw unauthorized();
      }
      const user = token === '' ? undefined : await authenticator.authenticate(token);
      if (!user) throw unauthorized();
      return user;
    },

    resourceApi(resource, group) {
      for (const api of apis.values()) if (api.def.plural === resource && (group === undefined || api.def.group === group)) return api;
      return undefined;
    },

    internalService(resource, group) {
      for (const [key, service] of internals) {
        if (service.def.plural === resource && (group === undefined || key === `${group}/${resource}`)) return service;
      }
      return undefined;
    },

    async serve(route, req) {
      if (route.kind === 'non-resource') return handleDiscoveryRoute(route, req, discovery);
      const key = `${route.group}/${route.resource}`;
      const api = apis.get(key);
      if (api) return handleResourceRoute(route, req, api);
      const virtual = virtuals.get(key);
      return virtual ? virtual.handle(route, req) : pageNotFound();
    },

    async handle(req) {
      try {
        const match = router.match(req.method, req.path);
        const route = match.kind === 'found' ? match.route : undefined;
        const user = await app.authenticate(req, route);
        if (match.kind === 'not-found') return pageNotFound();
        if (match.kind === 'method-not-allowed') throw methodNotAllowed();
        return await app.serve(match.route, { ...req, params: match.params, ...(user ? { user } : {}) });
      } catch (e) {
        return failure(logger, req, e);
      }
    },
  };
  return app;
}

/** Renders an error; unexpected ones are logged (without request bodies or credentials). */
export function failure(logger: Logger, req: Pick<ApiRequest, 'method' | 'path'>, e: unknown): ApiResponse {
  const res = errorResponse(e);
  if (res.statusCode >= 500) {
    logger.error('request failed', { method: req.method, path: req.path, error: e instanceof Error ? e : String(e) });
  }
  return res;
}
