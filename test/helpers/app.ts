/**
 * An App over an in-memory store, called in process (no server), with a fixed clock and
 * one token ("t0ken" → user alice, a member of system:masters).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createApp, type App } from '../../shared/api/app.js';
import { bodyText, queryFromSearchParams, type ApiResponse } from '../../shared/api/http.js';
import { loadConfig } from '../../shared/config.js';
import type { ImageStream } from '../../shared/image/types.js';
import { MemoryStore } from '../../shared/storage/memory-store.js';

export const TOKEN = 't0ken';

export interface TestApp {
  readonly app: App;
  readonly store: MemoryStore<ImageStream>;
  call(method: string, url: string, init?: { body?: unknown; headers?: Record<string, string>; token?: string | null }): Promise<TestResponse>;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly text: string;
   
  readonly json: any;
}

export function testApp(env: Record<string, string> = {}): TestApp {
  const store = new MemoryStore<ImageStream>();
  const app = createApp({
    config: loadConfig({ TABLE_NAME: 'unused', ...env }),
    imageStreamStore: store,
    // alice is a cluster admin (system:masters): these suites test the API, not authorization (test/unit/auth does).
    authenticator: { authenticate: (t) => (t === TOKEN ? { name: 'alice', groups: ['system:masters', 'system:authenticated'] } : undefined) },
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    clock: () => new Date('2026-11-26T21:08:37.123Z'),
  });
  return { app, store, call: appCaller(app, TOKEN) };
}

/**
 * A test client of an App, in process: headers lower-cased, `Bearer <token>` unless `token`
 * is null (default `defaultToken`), a JSON body unless a string is given, the body read back
 * as text and (when it parses) JSON.
 */
export function appCaller(app: App, defaultToken: string): TestApp['call'] {
  return async (method, url, init = {}) => {
    const u = new URL(url, 'https://local');
    const headers: Record<string, string> = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    if (init.token !== null) headers['authorization'] = `Bearer ${init.token ?? defaultToken}`;
    let body: Buffer | undefined;
    if (init.body !== undefined) {
      body = Buffer.from(typeof init.body === 'string' ? init.body : JSON.stringify(init.body));
      headers['content-type'] ??= 'application/json';
    }
    const res: ApiResponse = await app.handle({ method, path: decodeURIComponent(u.pathname), params: {}, query: queryFromSearchParams(u.searchParams), headers, body });
    const text = Buffer.isBuffer(res.body) ? res.body.toString('latin1') : await bodyText(res.body);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, headers: res.headers, text, json };
  };
}

export const NS_URL = '/apis/image.openshift.io/v1/namespaces/demo/imagestreams';

export function imageStream(name: string, extra: Partial<ImageStream> = {}): Record<string, unknown> {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name, labels: { app: 'demo' } },
    spec: {
      lookupPolicy: { local: false },
      tags: [
        { name: 'latest', from: { kind: 'DockerImage', name: 'quay.io/example/app:latest' } },
        { name: 'v1', from: { kind: 'DockerImage', name: 'quay.io/example/app:v1' } },
      ],
    },
    ...extra,
  };
}
