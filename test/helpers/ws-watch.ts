/**
 * A WebSocket watch client (the `ws` package) for the black-box tests and the benchmark:
 * opens a Kubernetes watch URL on the local stack, reassembles event lines (split events
 * included) and lets a test wait for events.
 */
import WebSocket from 'ws';
import { LineAssembler } from '../../shared/watch/framing.js';

export interface WatchEvent {
  readonly type: string;
  readonly object: any;
  /** When the event's last message arrived (performance.now()). */
  readonly at: number;
}

export interface WsWatch {
  readonly ws: WebSocket;
  /** The subprotocol the server chose ('' when none). */
  readonly protocol: string;
  readonly events: WatchEvent[];
  /** Resolves with the close code when the server or the client closes. */
  readonly closed: Promise<number>;
  /** Waits until `pred` holds for the events so far. */
  until(pred: (events: readonly WatchEvent[]) => boolean, timeoutMs?: number): Promise<WatchEvent[]>;
  /** Waits for at least `n` events. */
  next(n: number, timeoutMs?: number): Promise<WatchEvent[]>;
  close(): Promise<void>;
}

export class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`handshake refused: ${status} ${body}`);
  }
}

export interface OpenOptions {
  /** Bearer token in the Authorization header; null: none. */
  readonly token?: string | null;
  readonly protocols?: string[];
  /** Origin header; null: none (the server then refuses with 403). */
  readonly origin?: string | null;
}

/** `wss://127.0.0.1:<port><path>`; resolves once open, rejects with HandshakeRefused. */
export function openWatch(port: number, path: string, opts: OpenOptions = {}): Promise<WsWatch> {
  const headers: Record<string, string> = {};
  if (opts.token !== null && opts.token !== undefined) headers['Authorization'] = `Bearer ${opts.token}`;
  const ws = new WebSocket(`wss://127.0.0.1:${port}${path}`, opts.protocols ?? [], {
    headers,
    ...(opts.origin !== null ? { origin: opts.origin ?? 'https://console.example.com' } : {}),
    rejectUnauthorized: false,
  });
  const events: WatchEvent[] = [];
  const asm = new LineAssembler();
  const waiters = new Set<() => void>();
  ws.on('message', (data, isBinary) => {
    if (isBinary) throw new Error('watch events must be text messages');
    const at = performance.now();
    for (const line of asm.push(String(data))) events.push({ ...(JSON.parse(line) as { type: string; object: unknown }), at });
    for (const w of waiters) w();
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  void closed.then(() => waiters.forEach((w) => w()));
  const watch: WsWatch = {
    ws,
    get protocol() {
      return ws.protocol;
    },
    events,
    closed,
    until(pred, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (pred(events)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve([...events]);
          } else if (ws.readyState === WebSocket.CLOSED) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`watch closed; events so far: ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name, e.object?.metadata?.resourceVersion ?? e.object?.message]))}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; events so far: ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name, e.object?.metadata?.resourceVersion ?? e.object?.code]))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    next(n, timeoutMs) {
      return watch.until((evs) => evs.length >= n, timeoutMs);
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await closed;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(watch));
    ws.once('unexpected-response', (_req, res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => reject(new HandshakeRefused(res.statusCode ?? 0, Buffer.concat(parts).toString('utf8'))));
    });
    ws.once('error', (e) => reject(e));
  });
}
