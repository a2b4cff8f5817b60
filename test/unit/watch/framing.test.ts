/**
 * WebSocket framing of watch events: one line per message, and the split of lines above the
 * 128 KB message limit into UTF-8-safe parts that a line reader reassembles.
 */
import { describe, expect, it } from 'vitest';
import { eventLine, LineAssembler, MAX_MESSAGE_BYTES, MESSAGE_PART_BYTES, messagesFor } from '../../../shared/watch/framing.js';

describe('framing', () => {
  describe('eventLine', () => {
    it('is one JSON document on one line ending with a newline', () => {
      const line = eventLine('ADDED', { metadata: { name: 'a\nb' } });
      expect(line).toBe('{"type":"ADDED","object":{"metadata":{"name":"a\\nb"}}}\n');
      expect(line.indexOf('\n')).toBe(line.length - 1);
    });
  });

  describe('messagesFor', () => {
    it('sends a line up to the limit as one message', () => {
      // Prepare
      const line = 'x'.repeat(MAX_MESSAGE_BYTES - 1) + '\n';
      // Act
      const parts = messagesFor(line);
      // Assess
      expect(parts).toHaveLength(1);
      expect(parts[0]!.toString()).toBe(line);
    });

    it('splits a longer line into parts of at most the part size; only the last ends with a newline', () => {
      // Prepare
      const line = eventLine('MODIFIED', { blob: 'y'.repeat(300_000) });
      // Act
      const parts = messagesFor(line);
      // Assess
      expect(parts).toHaveLength(3);
      for (const p of parts) expect(p.length).toBeLessThanOrEqual(MESSAGE_PART_BYTES);
      expect(parts.slice(0, -1).every((p) => !p.toString().includes('\n'))).toBe(true);
      expect(Buffer.concat(parts).toString()).toBe(line);
    });

    it('never cuts a multi-byte UTF-8 character, so every part is valid text', () => {
      // Prepare: 4-byte characters straddling every boundary.
      const line = eventLine('ADDED', { s: 'a' + '😀'.repeat(80_000) });
      // Act
      const parts = messagesFor(line, 1000, 1001);
      // Assess
      for (const p of parts) {
        expect(p.length).toBeLessThanOrEqual(1001);
        expect(Buffer.from(p.toString('utf8'), 'utf8').equals(p)).toBe(true);
      }
      expect(parts.map((p) => p.toString('utf8')).join('')).toBe(line);
    });
  });

  describe('LineAssembler', () => {
    it('reassembles split events and several events in one feed', () => {
      // Prepare
      const a = eventLine('ADDED', { n: 1, blob: 'z'.repeat(200_000) });
      const b = eventLine('DELETED', { n: 2 });
      const asm = new LineAssembler();
      // Act
      const out = [...messagesFor(a), ...messagesFor(b)].flatMap((m) => asm.push(m.toString('utf8')));
      // Assess
      expect(out.map((l) => JSON.parse(l).type)).toEqual(['ADDED', 'DELETED']);
      expect(JSON.parse(out[0]!).object.blob).toHaveLength(200_000);
      expect(asm.pending).toBe(0);
    });
  });
});
