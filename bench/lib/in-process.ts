/**
 * An App called in process (no server, no Lambda adapter): `createApp` with an injected
 * store or DynamoDB client, a stub authenticator (every token is a cluster admin) and a
 * silent logger. The bench's own copy of what test/helpers/app.ts does.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createApp, type App } from '../../shared/api/app.js';
import { bodyText, queryFromSearchParams } from '../../shared/api/http.js';
import { loadConfig } from '../../shared/config.js';
import type { ImageStream } from '../../shared/image/types.js';
import type { ChangeLog, Store } from '../../shared/apimachinery/registry/store.js';

export interface InProcessResult {
  readonly status: number;
  readonly text: string;
}

export interface InProcessApp {
  readonly app: App;
  call(method: string, url: string, body?: string | Buffer, contentType?: string): Promise<InProcessResult>;
  /** As `call`, throwing unless 2xx, with the parsed body. */
  json<T = any>(method: string, url: string, body?: unknown, contentType?: string): Promise<T>;
}

export interface InProcessOptions {
  readonly env?: Record<string, string>;
  readonly store?: Store<ImageStream> & ChangeLog<ImageStream>;
  readonly dynamo?: DynamoDBClient;
}

export function inProcessApp(opts: InProcessOptions): InProcessApp {
  const app = createApp({
    config: loadConfig({ TABLE_NAME: 'bench', ...opts.env }),
    ...(opts.store ? { imageStreamStore: opts.store } : {}),
    ...(opts.dynamo ? { dynamo: opts.dynamo } : {}),
    authenticator: { authenticate: () => ({ name: 'bench-admin', uid: 'bench-admin', groups: ['system:masters', 'system:authenticated'] }) },
    logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
  });
  const headersFor = (body: unknown, contentType: string): Record<string, string> => ({
    authorization: 'Bearer bench',
    accept: 'application/json',
    ...(body === undefined ? {} : { 'content-type': contentType }),
  });
  const self: InProcessApp = {
    app,
    async call(method, url, body, contentType = 'application/json') {
      const u = new URL(url, 'https://local');
      const res = await app.handle({
        method,
        path: decodeURIComponent(u.pathname),
        params: {},
        query: queryFromSearchParams(u.searchParams),
        headers: headersFor(body, contentType),
        body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body),
      });
      const text = Buffer.isBuffer(res.body) ? res.body.toString('utf8') : await bodyText(res.body);
      return { status: res.statusCode, text };
    },
    async json(method, url, body, contentType) {
      const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const res = await self.call(method, url, payload, contentType);
      if (res.status < 200 || res.status > 299) throw new Error(`${method} ${url}: ${res.status} ${res.text.slice(0, 500)}`);
      return JSON.parse(res.text);
    },
  };
  return self;
}
