import { describe, expect, test } from 'vitest';
import { SseLineTooLongError, SseParser } from '../../src/client/sse.ts';

function parseAll(pieces: Uint8Array[]): { data: string; t: number }[] {
  const out: { data: string; t: number }[] = [];
  const p = new SseParser((data, t) => out.push({ data, t }));
  pieces.forEach((c, i) => p.push(c, i));
  p.end();
  return out;
}

// Every case of servers.md in one stream: CRLF and LF, comments (pings), a role-only chunk,
// multi-byte UTF-8 (2, 3 and 4 bytes), multi-line data, other fields, [DONE].
const WIRE =
  ': ping\r\n\r\n' +
  'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\r\n\r\n' +
  'event: message\nid: 7\ndata: {"choices":[{"delta":{"content":"héllo ¥1200 日本 🙂"}}]}\n\n' +
  ':\n' +
  'data:{"a":1,\ndata: "b":2}\n\n' +
  'retry: 1000\n' +
  'data: [DONE]\n\n';
const EXPECTED = [
  '{"choices":[{"delta":{"role":"assistant","content":""}}]}',
  '{"choices":[{"delta":{"content":"héllo ¥1200 日本 🙂"}}]}',
  '{"a":1,\n"b":2}',
  '[DONE]',
];

describe('SseParser', () => {
  test('one read with every wire case yields the events in order', () => {
    expect(parseAll([Buffer.from(WIRE)]).map((e) => e.data)).toEqual(EXPECTED);
  });

  test('a split at every byte offset (inside lines, CRLF, UTF-8 characters, JSON) changes nothing', () => {
    const bytes = Buffer.from(WIRE);
    for (let i = 1; i < bytes.length; i++) {
      const got = parseAll([bytes.subarray(0, i), bytes.subarray(i)]).map((e) => e.data);
      expect(got, `split at byte ${i}`).toEqual(EXPECTED);
    }
  });

  test('byte-by-byte delivery as plain Uint8Array views (not Buffers) changes nothing', () => {
    const bytes = new Uint8Array(Buffer.from(WIRE));
    const pieces = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    expect(parseAll(pieces).map((e) => e.data)).toEqual(EXPECTED);
  });

  test('three-way splits around every multi-byte character decode correctly', () => {
    const bytes = Buffer.from('data: {"t":"日本🙂"}\n\n');
    const start = bytes.indexOf(0xe6); // first byte of 日
    for (let i = start; i < start + 10; i++) {
      for (let j = i + 1; j <= start + 10; j++) {
        const got = parseAll([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]);
        expect(got.map((e) => e.data), `splits at ${i},${j}`).toEqual(['{"t":"日本🙂"}']);
      }
    }
  });

  test('an event is stamped with the read in which its data line completed, not a later read', () => {
    // The data line completes in read 1; the blank line arrives in read 2.
    const got = parseAll([Buffer.from('data: {"x"'), Buffer.from(':1}\n'), Buffer.from('\n'), Buffer.from('data: b\n\n')]);
    expect(got).toEqual([
      { data: '{"x":1}', t: 1 },
      { data: 'b', t: 3 },
    ]);
  });

  test('a last event without its blank line is flushed at end(); a trailing partial line too', () => {
    expect(parseAll([Buffer.from('data: a\n\ndata: b\n')]).map((e) => e.data)).toEqual(['a', 'b']);
    expect(parseAll([Buffer.from('data: a\n\ndata: {"z":')]).map((e) => e.data)).toEqual(['a', '{"z":']);
  });

  test('comments only and empty data lines produce nothing but a bare "data" line is an empty event', () => {
    expect(parseAll([Buffer.from(': keep-alive\n\n: again\n\n')])).toEqual([]);
    expect(parseAll([Buffer.from('data\n\n')]).map((e) => e.data)).toEqual(['']);
  });

  test('a line longer than the limit throws a typed error instead of growing without bound', () => {
    const p = new SseParser(() => undefined, { maxLineBytes: 16 });
    p.push(Buffer.from('data: 0123456789'), 0);
    expect(() => p.push(Buffer.from('abcdef'), 1)).toThrow(SseLineTooLongError);
  });
});
