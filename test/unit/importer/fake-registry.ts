/**
 * A tiny in-process registry for registry-client tests: an HTTP server on 127.0.0.1 whose
 * answers are scripted per test (recorded distribution responses: status, headers, body).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface FakeRegistry {
  readonly host: string;
  readonly requests: Recorded[];
  route(path: string | RegExp, handler: Route): void;
  close(): Promise<void>;
}

export const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(text.length), ...headers });
  res.end(text);
}

export function errors(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  json(res, status, { errors: [{ code, message, detail: null }] }, { 'Docker-Distribution-Api-Version': 'registry/2.0', ...headers });
}

export async function startFakeRegistry(): Promise<FakeRegistry> {
  const routes: [string | RegExp, Route][] = [];
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? 'GET', url: url.pathname + url.search, headers: req.headers });
    const hit = [...routes].reverse().find(([p]) => (typeof p === 'string' ? p === url.pathname : p.test(url.pathname)));
    if (!hit) return errors(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    void Promise.resolve(hit[1](req, res, url)).catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    route: (p, h) => void routes.push([p, h]),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
