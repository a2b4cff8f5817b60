/**
 * @module stack
 * The whole system on one machine: DynamoDB Local (or an existing endpoint), the table, a
 * static token file with an admin token, a TLS certificate, the HTTPS gateway serving the
 * Lambda handlers, and a kubeconfig pointing at it. The WebSocket watch runs too: the
 * connections table, the WebSocket gateway on the same HTTPS port with its `@connections`
 * endpoint, the stream pollers that feed the fan-out handler (as the event source mappings
 * do), and the periodic tick (as the EventBridge schedule does).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { parseTokenFile } from '../../shared/auth/static-tokens.js';
import { ensureConnectionsTable } from '../../shared/storage/dynamo/connections/table.js';
import { LOG_STREAM_FILTER, SUBSCRIPTION_STREAM_FILTER } from '../../shared/storage/dynamo/stream-records.js';
import { ensureTable } from '../../shared/storage/dynamo/table-admin.js';
import { WATCH_ENTRIES } from '../../shared/watch/entries.js';
import { startDevGateway, type DevGateway } from './dev-gateway.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { startStreamPoller, type FilterPattern, type StreamPoller } from './stream-poller.js';
import { startLocalImporter, type LocalImporter } from './importer.js';
import { ensureTls } from './tls.js';
import { startWsGateway, type WsGateway, type WsHandlers } from './ws-gateway.js';

export interface LocalStackOptions {
  readonly root: string;
  /** HTTPS port; 0 picks a free one. */
  readonly port: number;
  /** Use this DynamoDB instead of starting DynamoDB Local. */
  readonly dynamodbEndpoint?: string;
  /** Persist DynamoDB Local data here (default: in memory). */
  readonly dataDir?: string;
  readonly tableName: string;
  readonly kubeconfigOut: string;
  readonly tokensFile: string;
  /** Directory for generated material (TLS). */
  readonly stateDir: string;
  readonly log?: (line: string) => void;
  /** Extra environment for the handlers (registry hostnames, retention, …). */
  readonly env?: Readonly<Record<string, string>>;
  /** The WebSocket watch's connections table (default `<tableName>-connections`). */
  readonly connectionsTableName?: string;
  /** WebSocket API stage (default `local`): `wss://…/<stage>?path=…` and `/<stage>/@connections`. */
  readonly wsStage?: string;
  /** Interval of the watch tick (the deployed schedule runs once a minute; default 10 s). */
  readonly watchTickMs?: number;
  /** Stream polling interval (default 50 ms). */
  readonly streamPollMs?: number;
  /**
   * Run the image importer (default true). A stack that tests the API server's contract alone
   * turns it off, so no controller writes status behind the client's back.
   */
  readonly importer?: boolean;
}

export interface LocalStack {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly dynamodbEndpoint: string;
  readonly kubeconfig: string;
  readonly tableName: string;
  /** The WebSocket watch: `@connections` endpoint and connections table. */
  readonly callbackUrl: string;
  readonly connectionsTableName: string;
  /** Runs the watch tick now (tests). */
  tick(): Promise<unknown>;
  stop(): Promise<void>;
}

function ensureTokens(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const token = randomBytes(24).toString('base64url');
    writeFileSync(file, `${token},admin,local-admin,"system:masters"\n`, { mode: 0o600 });
  }
  const first = parseTokenFile(readFileSync(file, 'utf8'))[0];
  if (!first) throw new Error(`${file} has no tokens`);
  return first.token;
}

export function kubeconfigYaml(server: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: imagestream-local',
    '  cluster:',
    `    server: ${server}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: imagestream-admin',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: imagestream-local',
    '  context:',
    '    cluster: imagestream-local',
    '    user: imagestream-admin',
    '    namespace: default',
    'current-context: imagestream-local',
    '',
  ].join('\n');
}

interface WatchModules {
  readonly handlers: WsHandlers;
  readonly fanout: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;
  readonly tick: () => Promise<unknown>;
}

/** The WebSocket watch's Lambda entry modules (the same files CDK bundles). */
async function loadWatchModules(root: string): Promise<WatchModules> {
  const load = async <T>(entry: string): Promise<T> => ((await import(pathToFileURL(path.join(root, entry)).href)) as { handler: T }).handler;
  type Ws = WsHandlers['connect'];
  return {
    handlers: {
      connect: await load<Ws>(WATCH_ENTRIES.connect),
      disconnect: await load<Ws>(WATCH_ENTRIES.disconnect),
      default: await load<Ws>(WATCH_ENTRIES.default),
    },
    fanout: await load(WATCH_ENTRIES.fanout),
    tick: await load(WATCH_ENTRIES.tick),
  };
}

/**
 * `IMPORT_ALLOWED_REGISTRIES` for a stack that must never leave loopback (tests, benchmarks):
 * a tag naming any other registry gets a prompt Forbidden import condition, with no DNS lookup
 * and no connection.
 */
export const LOOPBACK_REGISTRIES = 'localhost,127.0.0.1,[::1]';

/** The environment that keeps a stack's imports on loopback, unless `env` chose its own registry lists. */
export function loopbackOnly(env: Readonly<Record<string, string>> = {}): Record<string, string> {
  return env['IMPORT_ALLOWED_REGISTRIES'] !== undefined || env['IMPORT_BLOCKED_REGISTRIES'] !== undefined ? {} : { IMPORT_ALLOWED_REGISTRIES: LOOPBACK_REGISTRIES };
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  let ddb: DynamoDbLocal | undefined;
  let gateway: DevGateway | undefined;
  let ws: WsGateway | undefined;
  const pollers: StreamPoller[] = [];
  let ticker: NodeJS.Timeout | undefined;
  let importer: LocalImporter | undefined;
  const streams: DynamoDBStreamsClient[] = [];
  try {
    const endpoint = opts.dynamodbEndpoint ?? (ddb = await startDynamoDbLocal(opts.dataDir ? { dataDir: opts.dataDir } : {})).endpoint;
    const region = process.env['AWS_REGION'] ?? 'us-east-1';
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const client = new DynamoDBClient({ endpoint, region, credentials });
    const connectionsTableName = opts.connectionsTableName ?? `${opts.tableName}-connections`;
    await ensureTable(client, opts.tableName);
    await ensureConnectionsTable(client, connectionsTableName);
    const token = ensureTokens(opts.tokensFile);
    const tls = await ensureTls(path.join(opts.stateDir, 'tls'));
    const stage = opts.wsStage ?? 'local';
    ws = await startWsGateway({ stage, ...(opts.log ? { log: opts.log } : {}) });
    Object.assign(process.env, {
      TABLE_NAME: opts.tableName,
      DYNAMODB_ENDPOINT: endpoint,
      AWS_REGION: region,
      TOKENS_FILE: opts.tokensFile,
      CONNECTIONS_TABLE_NAME: connectionsTableName,
      WS_CALLBACK_URL: ws.callbackUrl,
      WS_STAGE: stage,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env['POWERTOOLS_LOG_LEVEL'] ?? 'WARN',
      // The local stack imports from registries on loopback (the AWS deployment does not).
      IMPORT_ALLOW_LOOPBACK: 'true',
      ...opts.env,
    });
    gateway = await startDevGateway({ port: opts.port, tls, root: opts.root, ...(opts.log ? { log: opts.log } : {}) });
    const watch = await loadWatchModules(opts.root);
    ws.attach(gateway.server, watch.handlers);
    // The event source mappings: the same filters, the same handler.
    for (const [tableName, filter] of [
      [opts.tableName, LOG_STREAM_FILTER],
      [connectionsTableName, SUBSCRIPTION_STREAM_FILTER],
    ] as const) {
      const streamsClient = new DynamoDBStreamsClient({ endpoint, region, credentials });
      streams.push(streamsClient);
      pollers.push(
        await startStreamPoller({
          dynamo: client,
          streams: streamsClient,
          tableName,
          handler: watch.fanout,
          filters: [filter as unknown as FilterPattern],
          pollMs: opts.streamPollMs ?? 50,
          batchSize: 100,
          maxRetryAttempts: 3,
          maxRecordAgeSeconds: 600,
          bisectBatchOnFunctionError: true,
          startingPosition: 'LATEST',
          ...(opts.log ? { log: opts.log } : {}),
        }),
      );
    }
    // The image importer: its own stream consumer (trigger), queue and schedule.
    if (opts.importer !== false) {
      const importerStreams = new DynamoDBStreamsClient({ endpoint, region, credentials });
      streams.push(importerStreams);
      importer = await startLocalImporter({
        root: opts.root,
        dynamo: client,
        streams: importerStreams,
        tableName: opts.tableName,
        pollMs: opts.streamPollMs ?? 50,
        ...(opts.log ? { log: opts.log } : {}),
      });
    }
    let ticking: Promise<unknown> = Promise.resolve();
    const tick = (): Promise<unknown> => (ticking = ticking.then(() => watch.tick()).catch((e: unknown) => opts.log?.(`watch tick failed: ${String(e)}`)));
    ticker = setInterval(() => void tick(), opts.watchTickMs ?? 10_000);
    ticker.unref();
    mkdirSync(path.dirname(opts.kubeconfigOut), { recursive: true });
    writeFileSync(opts.kubeconfigOut, kubeconfigYaml(gateway.url, token), { mode: 0o600 });
    const g = gateway;
    const w = ws;
    const d = ddb;
    const timer = ticker;
    const imp = importer;
    return {
      url: g.url,
      port: g.port,
      token,
      dynamodbEndpoint: endpoint,
      kubeconfig: opts.kubeconfigOut,
      tableName: opts.tableName,
      callbackUrl: w.callbackUrl,
      connectionsTableName,
      tick,
      stop: async () => {
        clearInterval(timer);
        await ticking;
        await imp?.stop();
        await w.close();
        await Promise.all(pollers.map((p) => p.stop()));
        streams.forEach((c) => c.destroy());
        client.destroy();
        await g.close();
        await d?.stop();
      },
    };
  } catch (e) {
    if (ticker) clearInterval(ticker);
    await importer?.stop();
    await ws?.close();
    await Promise.all(pollers.map((p) => p.stop()));
    await gateway?.close();
    await ddb?.stop();
    throw e;
  }
}
