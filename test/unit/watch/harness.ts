/**
 * The WebSocket watch in process: the App over a memory store, the memory subscription
 * store, the real `ApiGatewayPoster` over a mocked `@connections` client (aws-sdk-client-mock)
 * that records what each connection received, and DynamoDB stream records built from the
 * memory store's change log exactly as Lambda delivers them.
 */
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createApp, type App } from '../../../shared/api/app.js';
import { bodyText, queryFromSearchParams } from '../../../shared/api/http.js';
import { loadConfig } from '../../../shared/config.js';
import type { ImageStream } from '../../../shared/image/types.js';
import { MemoryConnectionStore } from '../../../shared/storage/memory-connection-store.js';
import { MemoryStore } from '../../../shared/storage/memory-store.js';
import { encodeBody, serializeForStorage } from '../../../shared/storage/dynamo/item-codec.js';
import { padRevision } from '../../../shared/storage/dynamo/keys.js';
import { ApiGatewayPoster } from '../../../shared/watch/apigw-poster.js';
import { LineAssembler } from '../../../shared/watch/framing.js';
import { createWatchRuntime, type WatchRuntime } from '../../../shared/watch/runtime.js';

export const TOKEN = 't0ken';
export const apigw = mockClient(ApiGatewayManagementApiClient);

export interface Received {
  readonly type: string;
  /** `ns/name@rv`, or the bookmark/status detail. */
  readonly what: string;
  readonly object: any;
}

export interface Harness {
  readonly app: App;
  readonly store: MemoryStore<ImageStream>;
  readonly subs: MemoryConnectionStore;
  readonly runtime: WatchRuntime;
  /** Raw messages posted to each connection. */
  readonly messages: Map<string, string[]>;
  readonly open: Set<string>;
  readonly closed: Set<string>;
  connect(id: string, path: string, opts?: { token?: string | null; protocols?: string[]; origin?: string | null; connectedAt?: number }): Promise<{ statusCode: number; headers?: Record<string, string>; body?: string }>;
  /** Connects and replays (as the subscription's INSERT record would). */
  watch(id: string, path: string): Promise<void>;
  events(id: string): Received[];
  call(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }>;
  create(ns: string, name: string, labels?: Record<string, string>): Promise<string>;
  update(ns: string, name: string, labels: Record<string, string>): Promise<string>;
  remove(ns: string, name: string): Promise<string>;
  /** Stream records of the log entries after `after` (with bodies unless `bare`). */
  logRecords(after?: number, opts?: { bare?: boolean }): DynamoDBRecord[];
  subscriptionRecord(id: string): DynamoDBRecord;
  fanout(records: DynamoDBRecord[]): Promise<string[]>;
}

const config = loadConfig({ TABLE_NAME: 'unused', WS_CALLBACK_URL: 'http://127.0.0.1:1/local', WATCH_POST_CONCURRENCY: '8' });

export function harness(opts: { retainEvents?: number; tuning?: Parameters<typeof createWatchRuntime>[0]['tuning'] } = {}): Harness {
  apigw.reset();
  const store = new MemoryStore<ImageStream>(opts.retainEvents !== undefined ? { retainEvents: opts.retainEvents } : {});
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const app = createApp({
    config,
    imageStreamStore: store,
    authenticator: { authenticate: (t) => (t === TOKEN ? { name: 'alice', groups: ['system:masters', 'system:authenticated'] } : undefined) },
    logger,
  });
  const subs = new MemoryConnectionStore();
  const messages = new Map<string, string[]>();
  const open = new Set<string>();
  const closed = new Set<string>();
  apigw.on(PostToConnectionCommand).callsFake((input: { ConnectionId: string; Data: Uint8Array }) => {
    if (!open.has(input.ConnectionId)) throw new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } });
    const list = messages.get(input.ConnectionId) ?? [];
    list.push(Buffer.from(input.Data).toString('utf8'));
    messages.set(input.ConnectionId, list);
    return {};
  });
  apigw.on(DeleteConnectionCommand).callsFake((input: { ConnectionId: string }) => {
    if (!open.delete(input.ConnectionId)) throw new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } });
    closed.add(input.ConnectionId);
    return {};
  });
  const poster = new ApiGatewayPoster(new ApiGatewayManagementApiClient({ region: 'us-east-1', endpoint: config.wsCallbackUrl!, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
  const runtime = createWatchRuntime({ config, app, store: subs, poster, logger, tuning: { connectGraceMs: 0, ...opts.tuning } });

  let seq = 0;
  const h: Harness = {
    app,
    store,
    subs,
    runtime,
    messages,
    open,
    closed,
    async connect(id, path, o = {}) {
      const u = new URL(path, 'https://local');
      const query: Record<string, string> = { path: u.pathname };
      for (const [k, v] of u.searchParams) query[k] = v;
      const headers: Record<string, string> = {};
      if (o.origin !== null) headers['Origin'] = o.origin ?? 'https://console.example.com';
      if (o.token !== null) headers['Authorization'] = `Bearer ${o.token ?? TOKEN}`;
      if (o.protocols) headers['Sec-WebSocket-Protocol'] = o.protocols.join(', ');
      const res = await runtime.connect({
        headers,
        queryStringParameters: query,
        requestContext: { connectionId: id, routeKey: '$connect', eventType: 'CONNECT', connectedAt: o.connectedAt ?? Date.now() },
      });
      if (res.statusCode === 200) open.add(id);
      return res;
    },
    async watch(id, path) {
      const res = await h.connect(id, path);
      if (res.statusCode !== 200) throw new Error(`connect ${path}: ${res.statusCode} ${res.body ?? ''}`);
      const out = await h.fanout([h.subscriptionRecord(id)]);
      if (out.length > 0) throw new Error(`replay of ${id} failed`);
    },
    events(id) {
      const asm = new LineAssembler();
      return (messages.get(id) ?? []).flatMap((m) => asm.push(m)).map((line) => {
        const ev = JSON.parse(line);
        const o = ev.object;
        const what =
          ev.type === 'ERROR'
            ? `${o.code} ${o.reason}`
            : ev.type === 'BOOKMARK'
              ? `${o.metadata.resourceVersion}${o.metadata.annotations?.['k8s.io/initial-events-end'] ? ' end' : ''}`
              : `${o.metadata.namespace}/${o.metadata.name}@${o.metadata.resourceVersion}`;
        return { type: ev.type, what, object: o };
      });
    },
    async call(method, url, body) {
      const u = new URL(url, 'https://local');
      const res = await app.handle({
        method,
        path: decodeURIComponent(u.pathname),
        params: {},
        query: queryFromSearchParams(u.searchParams),
        headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
      });
      const text = Buffer.isBuffer(res.body) ? res.body.toString() : await bodyText(res.body);
      return { status: res.statusCode, json: JSON.parse(text) };
    },
    async create(ns, name, labels = { app: 'demo' }) {
      const res = await h.call('POST', `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreams`, {
        apiVersion: 'image.openshift.io/v1',
        kind: 'ImageStream',
        metadata: { name, labels },
        spec: { lookupPolicy: { local: false } },
      });
      if (res.status !== 201) throw new Error(JSON.stringify(res.json));
      return res.json.metadata.resourceVersion;
    },
    async update(ns, name, labels) {
      const res = await h.call('GET', `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreams/${name}`);
      const put = await h.call('PUT', `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreams/${name}`, { ...res.json, metadata: { ...res.json.metadata, labels } });
      if (put.status !== 200) throw new Error(JSON.stringify(put.json));
      return put.json.metadata.resourceVersion;
    },
    async remove(ns, name) {
      const res = await h.call('DELETE', `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreams/${name}`);
      if (res.status !== 200) throw new Error(JSON.stringify(res.json));
      return String(store.events[store.events.length - 1]!.resourceVersion);
    },
    logRecords(after = 0, o = {}) {
      return store.events
        .filter((e) => Number(e.resourceVersion) > after)
        .map((e) => {
          const rev = Number(e.resourceVersion);
          const body = encodeBody(serializeForStorage(e.object));
          const image: Record<string, any> = {
            pk: { S: 'log#imagestreams.image.openshift.io' },
            sk: { S: padRevision(rev) },
            t: { S: e.type },
            ns: { S: e.object.metadata.namespace },
            n: { S: e.object.metadata.name },
            rv: { N: String(rev) },
            ttl: { N: String(Math.floor(Date.now() / 1000) + 3600) },
          };
          if (!o.bare) {
            image['enc'] = { S: body.enc };
            image['b'] = { B: body.bytes.toString('base64') };
            if (e.previous) image['pl'] = { S: JSON.stringify(e.previous.labels) };
          }
          return {
            eventID: `e${rev}`,
            eventName: 'INSERT',
            eventSource: 'aws:dynamodb',
            eventVersion: '1.1',
            awsRegion: 'us-east-1',
            eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x',
            dynamodb: { Keys: { pk: image['pk'], sk: image['sk'] }, NewImage: image, SequenceNumber: String(100 + rev).padStart(21, '0'), SizeBytes: 100, StreamViewType: 'NEW_AND_OLD_IMAGES' },
          } as DynamoDBRecord;
        });
    },
    subscriptionRecord(id) {
      const sub = subs.all().find((s) => s.connectionId === id);
      if (!sub) throw new Error(`no subscription ${id}`);
      seq++;
      return {
        eventID: `s${seq}`,
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        eventVersion: '1.1',
        awsRegion: 'us-east-1',
        eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/c/stream/y',
        dynamodb: { Keys: { pk: { S: `sub#${sub.resource}#${sub.scope}` }, sk: { S: id } }, SequenceNumber: `9${String(seq).padStart(20, '0')}`, SizeBytes: 50, StreamViewType: 'KEYS_ONLY' },
      };
    },
    async fanout(records) {
      const event: DynamoDBStreamEvent = { Records: records };
      try {
        const res = await runtime.fanout(event);
        return res.batchItemFailures.map((f) => f.itemIdentifier);
      } catch {
        return records.map((r) => r.dynamodb!.SequenceNumber!);
      }
    },
  };
  return h;
}

export const NS = (ns: string): string => `/apis/image.openshift.io/v1/namespaces/${ns}/imagestreams`;
export const ALL = '/apis/image.openshift.io/v1/imagestreams';
