import type { UserInfo } from '../apimachinery/user.js';

/**
 * @module http
 * The transport-neutral request and response the handlers work with. The Lambda adapter
 * builds them from API Gateway events; tests build them directly.
 */

export interface ApiRequest {
  readonly method: string;
  /** Decoded path, e.g. `/apis/image.openshift.io/v1/namespaces/demo/imagestreams/x`. */
  readonly path: string;
  /** Path parameters matched by the route (`namespace`, `name`). */
  readonly params: Readonly<Record<string, string>>;
  /** Query parameters; repeated names keep every value in order. */
  readonly query: ReadonlyMap<string, readonly string[]>;
  /** Header names lower-cased; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** Raw body bytes, or undefined when there is none. */
  readonly body: Buffer | undefined;
  /** Identity established by authentication, if any. */
  readonly user?: UserInfo;
  /** Aborted when the client goes away (long-lived responses stop their work). */
  readonly signal?: AbortSignal;
}

export type { UserInfo } from '../apimachinery/user.js';

export interface ApiResponse {
  statusCode: number;
  /** Header values; a list sends the header once per value (e.g. several `Warning`s). */
  headers: Record<string, string | string[]>;
  /** The body; an async iterable is streamed chunk by chunk (watch), each chunk flushed. */
  body: string | Buffer | AsyncIterable<string>;
}

export const isStreamingBody = (body: ApiResponse['body']): body is AsyncIterable<string> =>
  typeof body !== 'string' && !Buffer.isBuffer(body);

/** Collects a streamed body (tests and non-streaming transports). */
export async function bodyText(body: ApiResponse['body']): Promise<string> {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  let out = '';
  for await (const chunk of body) out += chunk;
  return out;
}

export function firstQuery(req: Pick<ApiRequest, 'query'>, name: string): string | undefined {
  return req.query.get(name)?.[0];
}

export function queryFromSearchParams(params: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of params) {
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}
