/**
 * A tiny protobuf wire-format decoder for tests: splits a message into its fields and offers typed
 * accessors (strings, bools, nested messages). Independent of the writer under test.
 */

export interface ProtoField {
  readonly field: number;
  readonly wire: number;
  /** Varint (wire 0) value. */
  readonly varint?: bigint;
  /** Length-delimited (wire 2), fixed64 (wire 1) or fixed32 (wire 5) payload. */
  readonly bytes?: Uint8Array;
}

function readVarint(buf: Uint8Array, start: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  let i = start;
  for (;;) {
    if (i >= buf.length) throw new Error(`truncated varint at ${start}`);
    const b = buf[i++] ?? 0;
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value, next: i };
    shift += 7n;
    if (shift > 63n) throw new Error(`varint too long at ${start}`);
  }
}

/** All fields of one message, in wire order. Throws on malformed input. */
export function decodeFields(buf: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let i = 0;
  while (i < buf.length) {
    const key = readVarint(buf, i);
    i = key.next;
    const field = Number(key.value >> 3n);
    const wire = Number(key.value & 7n);
    if (field === 0) throw new Error('field number 0');
    switch (wire) {
      case 0: {
        const v = readVarint(buf, i);
        i = v.next;
        fields.push({ field, wire, varint: v.value });
        break;
      }
      case 1:
      case 5: {
        const n = wire === 1 ? 8 : 4;
        if (i + n > buf.length) throw new Error('truncated fixed field');
        fields.push({ field, wire, bytes: buf.subarray(i, i + n) });
        i += n;
        break;
      }
      case 2: {
        const len = readVarint(buf, i);
        i = len.next;
        const end = i + Number(len.value);
        if (end > buf.length) throw new Error(`truncated length-delimited field ${field}`);
        fields.push({ field, wire, bytes: buf.subarray(i, end) });
        i = end;
        break;
      }
      default:
        throw new Error(`unsupported wire type ${wire} for field ${field}`);
    }
  }
  return fields;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A decoded message with accessors by field number. */
export class ProtoMessage {
  readonly fields: readonly ProtoField[];

  constructor(readonly raw: Uint8Array) {
    this.fields = decodeFields(raw);
  }

  all(field: number): ProtoField[] {
    return this.fields.filter((f) => f.field === field);
  }

  has(field: number): boolean {
    return this.fields.some((f) => f.field === field);
  }

  private lengthDelimited(field: number): Uint8Array[] {
    return this.all(field).map((f) => {
      if (f.wire !== 2 || !f.bytes) throw new Error(`field ${field} is not length-delimited (wire ${f.wire})`);
      return f.bytes;
    });
  }

  strings(field: number): string[] {
    return this.lengthDelimited(field).map((b) => utf8.decode(b));
  }

  /** The last occurrence (protobuf "last one wins"), or undefined. */
  string(field: number): string | undefined {
    return this.strings(field).at(-1);
  }

  bool(field: number): boolean | undefined {
    const f = this.all(field).at(-1);
    if (!f) return undefined;
    if (f.wire !== 0 || f.varint === undefined) throw new Error(`field ${field} is not a varint`);
    return f.varint !== 0n;
  }

  messages(field: number): ProtoMessage[] {
    return this.lengthDelimited(field).map((b) => new ProtoMessage(b));
  }

  message(field: number): ProtoMessage | undefined {
    return this.messages(field).at(-1);
  }

  /** Like {@link message} but throws when absent. */
  req(field: number): ProtoMessage {
    const m = this.message(field);
    if (!m) throw new Error(`missing message field ${field}`);
    return m;
  }
}
