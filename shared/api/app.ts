/**
 * @module app
 * The composition root: configuration → DynamoDB client → stores → services → route
 * handlers. Lambda entry points and the local stack build one App per process; tests build
 * one with an in-memory store.
 */
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ServedResource } from '../apimachinery/discovery.js';
import type { KubeObject } from '../apimachinery/meta.js';
import { ResourceService, type Authorizer } from '../apimachinery/registry/resource-service.js';
import type { ChangeLog, Store } from '../apimachinery/registry/store.js';
import { badRequest, unauthorized } from '../apimachinery/status.js';
import { MAX_BODY_NESTING, nestsDeeperThan } from '../apimachinery/json-body.js';
import { createAuthenticator, websocketProtocolToken } from '../auth/authenticator.js';
import { accessCheckAuthorizer, type Authorization } from '../auth/authorizer.js';
import { storePolicyReader } from '../auth/policy-reader.js';
import { RbacAuthorizer } from '../auth/rbac/policy.js';
import { RBAC_RESOURCES } from '../rbac/resource.js';
import { rbacModules } from './modules/rbac.js';
import { reviewModules } from './modules/reviews.js';
import { authorizeRoute } from './request-authorization.js';
import type { Config } from '../config.js';
import type { ImageConfig } from '../image/config.js';
import { imageStreamResource } from '../image/resource.js';
import type { ImageStream } from '../image/types.js';
import { imageStreamModule } from './modules/image-streams.js';
import { secretModule } from './modules/secrets.js';
import { imageStreamImagesModule } from './modules/image-stream-images.js';
import { imageStreamLookupsModule } from './modules/image-stream-lookups.js';
import { imageStreamPrunesModule } from './modules/image-stream-prunes.js';
import { imageStreamTagsModule } from './modules/image-stream-tags.js';
import { streamServices } from './modules/view-support.js';
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
  /** Injected stores of other resource types, by storage key (`secrets`; tests). */
  readonly stores?: Readonly<Record<string, Store<KubeObject> & ChangeLog<KubeObject>>>;
  readonly dynamo?: DynamoDBClient;
  readonly authenticator?: Authenticator;
  /** Injected authorization (tests); otherwise RBAC over the built-in and stored policy. */
  readonly authorization?: Authorization;
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
  /** The authorization engine (RBAC): `serve` authorizes every route with it. */
  readonly authorization: Authorization;
  /** Access checks for a user (`ServiceDeps.authorizer`; the WebSocket `$connect` authorizer). */
  readonly authorizer: Authorizer;
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

/** Static tokens (STATIC_TOKENS, TOKENS_FILE re-read on change) and OIDC ID tokens (shared/auth). */
function tokenAuthenticator(config: Config, logger: Logger): Authenticator {
  return createAuthenticator(config, (message) => logger.warn(message));
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
  /** The app's clock (tests fix it). */
  readonly clock?: () => Date;
  /** A stored resource's API (its service, wire form, change log). */
  resourceApi(resource: string, group?: string): ResourceApi<KubeObject> | undefined;
  /** A stored resource's internal-strategy service (spec and status written together). */
  internalService(resource: string, group?: string): ResourceService<KubeObject> | undefined;
  /** The authorization engine (access reviews). */
  readonly authorization?: Authorization;
}

/** The resources served by their own handlers (views, reviews). */
export function virtualModules(ctx: VirtualContext): VirtualModule[] {
  const streams = streamServices(ctx);
  const clock = ctx.clock ? { clock: ctx.clock } : {};
  return [
    imageStreamTagsModule({ imageConfig: imageConfigOf(ctx.config), streams, ...clock }),
    imageStreamImagesModule({ streams, ...clock }),
    imageStreamPrunesModule({ streams, ...clock }),
    imageStreamLookupsModule({ streams }),
    ...(ctx.authorization ? reviewModules(ctx.authorization) : []),
  ];
}

/** The stored resource types this server serves. */
export function resourceModules(config: Config): ResourceModule<never>[] {
  return [imageStreamModule(imageConfigOf(config)) as unknown as ResourceModule<never>, secretModule() as unknown as ResourceModule<never>, ...rbacModules()];
}

export function createApp(opts: AppOptions): App {
  const { config } = opts;
  const logger = opts.logger ?? new Logger({ serviceName: 'imagestream-api' });
  const router = new Router(routes);
  const modules = resourceModules(config);
  let dynamo: DynamoDBClient | undefined = opts.dynamo;
  const apis = new Map<string, ResourceApi<KubeObject>>();
  const internals = new Map<string, ResourceService<KubeObject>>();
  // Authorization (shared/auth): RBAC over the built-in policy and the stored RBAC objects.
  const rbacStores = new Map<string, Store<KubeObject> & ChangeLog<KubeObject>>();
  const rbac = new RbacAuthorizer({ reader: storePolicyReader(rbacStores), cacheMs: config.rbacCacheMs });
  const authorization: Authorization = opts.authorization ?? rbac;
  const accessAuthorizer = accessCheckAuthorizer(authorization);
  for (const m of modules as unknown as ResourceModule<KubeObject>[]) {
    const injected =
      (m.def === imageStreamResource ? (opts.imageStreamStore as unknown as (Store<KubeObject> & ChangeLog<KubeObject>) | undefined) : undefined) ??
      opts.stores?.[storageKeyOf(m.def)];
    const stored =
      injected ??
      new DynamoStore<KubeObject>({
        client: (dynamo ??= dynamoClient(config)),
        tableName: config.tableName,
        resource: storageKeyOf(m.def),
        eventRetentionSeconds: config.eventRetentionSeconds,
        selectableFields: m.selectableFields,
      });
    const store = m.storeOverlay ? m.storeOverlay(stored) : stored;
    if (RBAC_RESOURCES.includes(m.def)) {
      rbacStores.set(m.def.plural, store);
      store.onCommit(() => rbac.invalidate());
    }
    const service = new ResourceService<KubeObject>({
      def: m.def,
      strategy: m.strategy,
      ...(m.statusStrategy ? { statusStrategy: m.statusStrategy } : {}),
      store,
      fieldMeta: m.fieldMeta,
      authorizer: accessAuthorizer,
      ...(m.admission ? { admit: m.admission(authorization) } : {}),
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
          authorizer: accessAuthorizer,
          ...(opts.clock ? { clock: opts.clock } : {}),
        }),
      );
    }
    apis.set(`${m.def.group}/${m.def.plural}`, {
      def: m.def,
      service,
      schema: m.schema,
      toWire: m.toWire,
      ...(m.fromProtobuf ? { fromProtobuf: m.fromProtobuf } : {}),
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
    authorization,
    ...(opts.clock ? { clock: opts.clock } : {}),
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
      // Virtual resources with OpenAPI (views, reviews) are documented like stored ones.
      return (openapi ??= buildOpenApiDocuments([...modules, ...[...virtuals.values()].flatMap((v) => (v.openapi ? [{ def: v.def, openapi: v.openapi }] : []))], routes));
    },
  };
  const authenticator = opts.authenticator ?? tokenAuthenticator(config, logger);

  const app: App = {
    router,
    logger,
    authorization,
    authorizer: accessAuthorizer,

    async authenticate(req, route) {
      const token = bearerToken(req) ?? websocketProtocolToken(req.headers);
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
      await authorizeRoute(authorization, route, req, (e) => logger.warn('authorization policy unavailable for a namespace probe', { error: e instanceof Error ? e.message : String(e) }));
      if (req.body !== undefined && nestsDeeperThan(req.body, MAX_BODY_NESTING)) {
        throw badRequest(`the request body nests objects and arrays more than ${MAX_BODY_NESTING} levels deep`);
      }
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
