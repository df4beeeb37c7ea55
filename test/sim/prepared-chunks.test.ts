/**
 * PreparedChunks (src/sim/prepared.ts) on its own: chunks reserved for a step end are framed as
 * HTTP chunks and written in order to their descriptors, cancelled and dead-socket slots are
 * skipped, and its columns and buffer grow past their first size. The descriptor here is a file,
 * so the bytes written can be read back exactly.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHAT_POST_NULL, ChunkSuffix } from '../../src/sim/chunk-bytes.ts';
import { PreparedChunks, type PreparedOwner } from '../../src/sim/prepared.ts';

/** Splits HTTP chunked framing into payloads, checking every size line against its payload. */
function chunksOf(bytes: Buffer): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    const eol = bytes.indexOf('\r\n', i);
    const size = Number.parseInt(bytes.subarray(i, eol).toString('latin1'), 16);
    const payload = bytes.subarray(eol + 2, eol + 2 + size);
    expect(bytes.subarray(eol + 2 + size, eol + 4 + size).toString('latin1')).toBe('\r\n');
    out.push(payload.toString('utf8'));
    i = eol + 4 + size;
  }
  return out;
}

describe('PreparedChunks', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the step end chunks in order, framed, skipping cancelled slots and closed sockets', () => {
    dir = mkdtempSync(join(tmpdir(), 'prepared-'));
    const file = join(dir, 'out');
    const fd = openSync(file, 'w');
    // Step ends in the past, so write lags are positive.
    const epoch = performance.now() - 5000;
    const chunks = new PreparedChunks(true, epoch);
    const suffix = new ChunkSuffix(CHAT_POST_NULL);
    const owner: PreparedOwner = { preparedRest: () => expect.fail('a file takes every byte') };
    const handle = {};
    const live = { _handle: handle } as unknown as Socket;
    const closed = { _handle: handle } as unknown as Socket;
    const reserveAll = (from: number, to: number): { step: number; slots: number[] } => {
      const step = chunks.stepNumber;
      const slots: number[] = [];
      for (let i = from; i < to; i++) {
        // Multi-byte text: sizes are bytes, not characters.
        const payload = Buffer.from(`data: {"i":${i},"x":"¥${'a'.repeat(i % 40)}`);
        const slot = chunks.reserve(owner, fd, i === 7 ? closed : live, handle, suffix, payload.length);
        payload.copy(chunks.buffer, chunks.bodyStartOf(slot));
        chunks.setBodyEnd(slot, chunks.bodyStartOf(slot) + payload.length);
        slots.push(slot);
      }
      return { step, slots };
    };
    const expected = (i: number, ms: string): string => `data: {"i":${i},"x":"¥${'a'.repeat(i % 40)}${CHAT_POST_NULL},"sim_t_ms":${ms}}\n\n`;

    // 3,000 slots: past the first column size (1,024) and the first buffer (256 KiB).
    const first = reserveAll(0, 3000);
    chunks.cancel(first.slots[5]!, first.step);
    (closed as unknown as { _handle: unknown })._handle = null; // destroyed after its chunk was built
    chunks.complete(epoch + 1234.5);
    chunks.flush(epoch + 1234.5);
    expect(chunks.wasWritten(first.step, first.slots[0]!)).toBe(true);
    expect(chunks.wasWritten(first.step, first.slots[5]!)).toBe(false);
    expect(chunks.wasWritten(first.step, first.slots[7]!)).toBe(false);
    expect(chunks.lagOf(first.slots[0]!)).toBeGreaterThan(3000);

    // The next step end: completed by flush itself; the previous outcome is no longer reported.
    const second = reserveAll(3000, 3010);
    chunks.flush(epoch + 2000);
    expect(chunks.wasWritten(first.step, first.slots[0]!)).toBe(false);
    expect(second.slots.every((k) => chunks.wasWritten(second.step, k))).toBe(true);
    closeSync(fd);

    const got = chunksOf(readFileSync(file));
    const want = [
      ...Array.from({ length: 3000 }, (_, i) => i)
        .filter((i) => i !== 5 && i !== 7)
        .map((i) => expected(i, '1234.500')),
      ...Array.from({ length: 10 }, (_, i) => expected(3000 + i, '2000.000')),
    ];
    expect(got).toHaveLength(want.length);
    expect(got).toEqual(want);
  });
});
