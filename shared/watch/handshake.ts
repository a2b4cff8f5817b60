/**
 * @module handshake
 * The Kubernetes WebSocket handshake rules (conventions §6.7), as pure functions:
 * - `Origin` is required and must parse (upstream's x/net handler answers 403 otherwise);
 * - a bearer token may travel as the subprotocol `base64url.bearer.authorization.k8s.io.<token>`
 *   (base64url without padding), which must come with at least one other subprotocol and is
 *   removed before the handshake (apiserver `websocket/protocol.go`);
 * - after that, zero or one subprotocol may remain, and it is echoed back; two or more are a
 *   400 (x/net `hybi.go`).
 */
import { badRequest, StatusError, unauthorized } from '../apimachinery/status.js';

export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

export interface Handshake {
  /** The token carried by the subprotocol, if any. */
  readonly protocolToken?: string;
  /** The subprotocol to echo in `Sec-WebSocket-Protocol`, if any. */
  readonly protocol?: string;
}

const forbiddenOrigin = (message: string): StatusError =>
  new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Forbidden', code: 403 });

/** Throws 403 unless the request carries a parsable `Origin`. */
export function checkOrigin(origin: string | undefined): void {
  if (origin === undefined || origin.trim() === '') throw forbiddenOrigin('websocket: null origin');
  try {
    const u = new URL(origin.trim());
    if (u.protocol === '' || u.host === '') throw new Error('no host');
  } catch {
    throw forbiddenOrigin(`websocket: invalid origin ${JSON.stringify(origin)}`);
  }
}

/** The offered subprotocols (the header may be repeated; values are comma-separated). */
export function offeredProtocols(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((p) => p.trim()).filter((p) => p !== '');
}

/**
 * The token subprotocol (apiserver `websocket/protocol.go`): its token and the other offered
 * protocols. Throws 401 for the errors authentication reports (two tokens, bad encoding, no
 * other subprotocol to echo).
 */
export function extractBearerProtocol(protocols: readonly string[]): { token?: string; rest: string[] } {
  let token: string | undefined;
  const rest: string[] = [];
  for (const p of protocols) {
    if (!p.startsWith(BEARER_PROTOCOL_PREFIX)) {
      rest.push(p);
      continue;
    }
    if (token !== undefined) throw unauthorized('multiple base64.bearer.authorization tokens specified');
    const encoded = p.slice(BEARER_PROTOCOL_PREFIX.length);
    if (!/^[A-Za-z0-9_-]*$/.test(encoded) || encoded.length % 4 === 1) throw unauthorized('invalid base64.bearer.authorization token encoding');
    const bytes = Buffer.from(encoded, 'base64url');
    const text = new TextDecoder('utf-8').decode(bytes);
    if (Buffer.from(text, 'utf8').compare(bytes) !== 0) throw unauthorized('invalid base64.bearer.authorization token');
    token = text;
  }
  if (token !== undefined && token !== '' && rest.length === 0) throw unauthorized('missing additional subprotocol');
  return { ...(token !== undefined && token !== '' ? { token } : {}), rest };
}

/** The subprotocol to echo (x/net `hybi.go`): none or the only one offered; two or more are a 400. */
export function selectProtocol(rest: readonly string[]): string | undefined {
  if (rest.length > 1) throw badRequest(`websocket: more than one subprotocol offered: ${rest.join(', ')}`);
  return rest[0];
}

/** Both rules at once (token first, as authentication runs before the handshake). */
export function negotiate(protocols: readonly string[]): Handshake {
  const { token, rest } = extractBearerProtocol(protocols);
  const protocol = selectProtocol(rest);
  return { ...(token !== undefined ? { protocolToken: token } : {}), ...(protocol !== undefined ? { protocol } : {}) };
}

/** The `Sec-WebSocket-Protocol` value a client offers to carry `token` (with `base64.binary.k8s.io`). */
export function bearerProtocols(token: string, other = 'base64.binary.k8s.io'): string[] {
  return [`${BEARER_PROTOCOL_PREFIX}${Buffer.from(token, 'utf8').toString('base64url')}`, other];
}
