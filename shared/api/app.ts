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
import { ResourceService } from '../apimachinery/registry/resource-service.js';
import type { ChangeLog, Store } from '../apimachinery/registry/store.js';
import { unauthorized } from '../apimachinery/status.js';
import { parseTokenFile, StaticTokenAuthenticator } from '../auth/static-tokens.js';
import type { Config } from '../config.js';
import type { ImageConfig } from '../image/config.js';
import { imageStreamOpenApi, OPENAPI_V2_CONTENT_TYPE } from '../image/openapi.js';
import { IMAGE_STREAM_FIELDS } from '../image/field-meta.js';
import { imageStreamResource } from '../image/resource.js';
import { imageStreamTablePrinter } from '../image/table-printer.js';
import { imageStreamToWire } from '../image/serialize.js';
import { imageStreamStatusStrategy } from '../image/status-strategy.js';
import { imageStreamStrategy } from '../image/strategy.js';
import { imageStreamSchema, type ImageStream } from '../image/types.js';
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

/** Fields an ImageStream field selector may test (`status.dockerImageRepository` is the stored value). */
const imageStreamSelectableFields = (s: ImageStream): Record<string, string> => ({
  'metadata.name': s.metadata.name ?? '',
  'metadata.namespace': s.metadata.namespace ?? '',
  'spec.dockerImageRepository': s.spec.dockerImageRepository ?? '',
  'status.dockerImageRepository': s.status?.dockerImageRepository ?? '',
});

export function createApp(opts: AppOptions): App {
  const { config } = opts;
  const logger = opts.logger ?? new Logger({ serviceName: 'imagestream-api' });
  const router = new Router(routes);
  const imageConfig = imageConfigOf(config);
  const store =
    opts.imageStreamStore ??
    new DynamoStore<ImageStream>({
      client: opts.dynamo ?? dynamoClient(config),
      tableName: config.tableName,
      resource: imageStreamResource.plural,
      eventRetentionSeconds: config.eventRetentionSeconds,
      selectableFields: imageStreamSelectableFields,
    });
  const service = new ResourceService<ImageStream>({
    def: imageStreamResource,
    strategy: imageStreamStrategy(imageConfig),
    statusStrategy: imageStreamStatusStrategy(imageConfig),
    store,
    fieldMeta: IMAGE_STREAM_FIELDS,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const imageStreams: ResourceApi<ImageStream> = {
    def: imageStreamResource,
    service,
    schema: imageStreamSchema,
    toWire: imageStreamToWire,
    selectableFields: imageStreamSelectableFields,
    fieldSelectorKeys: Object.keys(imageStreamSelectableFields({ metadata: {}, spec: {} })),
    fieldMeta: IMAGE_STREAM_FIELDS,
    table: imageStreamTablePrinter,
    ...(opts.clock ? { clock: opts.clock } : {}),
    changeLog: store,
    bookmarkObject: (resourceVersion, annotations) => ({
      kind: imageStreamResource.kind,
      apiVersion: 'image.openshift.io/v1',
      metadata: { resourceVersion, creationTimestamp: null, ...(annotations ? { annotations } : {}) },
      spec: {},
      status: { dockerImageRepository: '' },
    }),
    watch: { maxSeconds: config.watchMaxSeconds, pollMs: config.watchPollMs, bookmarkSeconds: 60 },
  };
  const served: ServedResource[] = [
    {
      def: imageStreamResource,
      verbs: verbsFor(imageStreamResource.plural),
      subresources: Object.fromEntries(imageStreamResource.subresources.map((s) => [s, verbsFor(imageStreamResource.plural, s)])),
    },
  ];
  const openapi = imageStreamOpenApi();
  const discovery: DiscoveryDeps = {
    resources: served,
    openapi: {
      v3Root: openapi.v3Root,
      v3: new Map([[openapi.v3GroupVersion.path, openapi.v3GroupVersion]]),
      v2: openapi.v2,
      v2ContentType: OPENAPI_V2_CONTENT_TYPE,
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

    async serve(route, req) {
      if (route.kind === 'non-resource') return handleDiscoveryRoute(route, req, discovery);
      if (route.resource === imageStreamResource.plural) return handleResourceRoute(route, req, imageStreams);
      return pageNotFound();
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
