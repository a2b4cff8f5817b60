/**
 * @module framing
 * WebSocket framing of watch events (conventions §6.7): one text message per event, the
 * same JSON line as the HTTP stream (`{"type":…,"object":…}\n`).
 *
 * API Gateway refuses messages above 128 KB. An event whose line is longer is split into
 * consecutive text messages of at most `MESSAGE_PART_BYTES` UTF-8 bytes, cut on character
 * boundaries; only the last part ends with `\n`. A line-oriented reader (client-node,
 * the Python client, `kubectl`-style line decoders) that appends messages to a buffer and
 * splits on `\n` reassembles the event exactly; no JSON line ever contains a raw newline, so
 * a part without a trailing `\n` is always a continuation. Events at or below the limit — in
 * practice all of them — are one message, exactly as upstream sends them.
 */

/** API Gateway's WebSocket message limit (no raise possible). */
export const MAX_MESSAGE_BYTES = 128 * 1024;

/** The largest part of a split event (leaves headroom under the limit). */
export const MESSAGE_PART_BYTES = 120 * 1024;

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One watch event as its line (`\n`-terminated JSON). */
export function eventLine(type: EventType, object: unknown): string {
  return JSON.stringify({ type, object }) + '\n';
}

/** Whether byte `b` continues a UTF-8 sequence (10xxxxxx). */
const isContinuation = (b: number): boolean => (b & 0xc0) === 0x80;

/**
 * The messages that carry `line`: one when it fits in `MAX_MESSAGE_BYTES`, else parts of at
 * most `partBytes` bytes, never splitting a UTF-8 character (each part is valid UTF-8 text).
 */
export function messagesFor(line: string, maxBytes = MAX_MESSAGE_BYTES, partBytes = MESSAGE_PART_BYTES): Buffer[] {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= maxBytes) return [bytes];
  if (partBytes < 4) throw new RangeError('partBytes must hold at least one UTF-8 character');
  const parts: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + partBytes, bytes.length);
    while (end < bytes.length && end > start && isContinuation(bytes[end]!)) end--;
    parts.push(bytes.subarray(start, end));
    start = end;
  }
  return parts;
}

/**
 * The reader side of the scheme (tests, the benchmark, and any client that wants it):
 * feed every text message, get back the complete event lines.
 */
export class LineAssembler {
  #buffer = '';

  push(message: string): string[] {
    this.#buffer += message;
    const lines: string[] = [];
    let nl = this.#buffer.indexOf('\n');
    while (nl >= 0) {
      lines.push(this.#buffer.slice(0, nl));
      this.#buffer = this.#buffer.slice(nl + 1);
      nl = this.#buffer.indexOf('\n');
    }
    return lines;
  }

  /** Bytes of an incomplete event still buffered. */
  get pending(): number {
    return this.#buffer.length;
  }
}
