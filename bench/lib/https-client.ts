/** A benchmark HTTPS client: its own keep-alive agent, bearer token, self-signed certificate accepted. */
import { Agent, request } from 'node:https';

export interface HttpResult {
  readonly status: number;
  readonly body: string;
  /** From sending the request to the last byte of the response. */
  readonly ms: number;
}

export interface HttpsClient {
  request(method: string, path: string, body?: string | Buffer, contentType?: string): Promise<HttpResult>;
  /** Parses the JSON body; throws unless the status is 2xx. */
  json<T = any>(method: string, path: string, body?: unknown, contentType?: string): Promise<{ object: T; ms: number; status: number }>;
  close(): void;
}

export function httpsClient(port: number, token: string, opts: { maxSockets?: number } = {}): HttpsClient {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 1, rejectUnauthorized: false });
  const client: HttpsClient = {
    request(method, path, body, contentType = 'application/json') {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
        if (body !== undefined) {
          headers['Content-Type'] = contentType;
          headers['Content-Length'] = String(Buffer.byteLength(body));
        }
        const started = performance.now();
        const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (d: Buffer) => parts.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), ms: performance.now() - started }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    async json(method, path, body, contentType) {
      const text = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const res = await client.request(method, path, text, contentType);
      if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: ${res.status} ${res.body.slice(0, 500)}`);
      return { object: JSON.parse(res.body), ms: res.ms, status: res.status };
    },
    close() {
      agent.destroy();
    },
  };
  return client;
}

export const IS_PATH = '/apis/image.openshift.io/v1';
export const collectionPath = (namespace: string): string => `${IS_PATH}/namespaces/${namespace}/imagestreams`;
export const objectPath = (namespace: string, name: string): string => `${collectionPath(namespace)}/${name}`;
