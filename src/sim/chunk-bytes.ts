/**
 * The bytes of a streamed token chunk as the simulator writes it straight to a socket: one HTTP
 * chunk (size line, payload, CRLF) holding one SSE event. Shared by the per-stream writer
 * (wire.ts) and the step's prepared chunks (prepared.ts).
 */

/** Bytes in front of a chunk's payload, where its HTTP chunk-size line is written right-aligned. */
export const HEAD_ROOM = 16;
export const TIMING_KEY = ',"sim_t_ms":';
/** What follows the token text in every chunk but the last: finish_reason null and the choice's end. */
export const TAIL = ',"logprobs":null,"finish_reason":';
export const CHAT_POST_NULL = `"}${TAIL}null}]`;
export const COMPLETION_POST_NULL = `"${TAIL}null}]`;
/** The longest suffix `ChunkSuffix` builds (post-null text, a `sim_t_ms` of up to 16 digits, the ends). */
export const MAX_SUFFIX = CHAT_POST_NULL.length + TIMING_KEY.length + 24 + 5;

const HEX_DIGITS = Buffer.from('0123456789abcdef');

/**
 * The bytes after the token text of a chunk that is not the stream's last: the rest of the
 * choice, the optional `sim_t_ms` field, `}` `\n\n` (end of the event) and `\r\n` (end of the
 * HTTP chunk). Every stream of an engine step shares the modelled time, so this is built once
 * per step, not per token.
 */
export class ChunkSuffix {
  private key: number | undefined | null = null;
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly postNull: string) {}
  /** `ms`: the modelled time for `sim_t_ms`, undefined when the field is off. */
  get(ms: number | undefined): Buffer {
    if (ms !== this.key) {
      this.key = ms;
      this.buf = Buffer.from(`${this.postNull}${ms === undefined ? '' : TIMING_KEY + ms.toFixed(3)}}\n\n\r\n`, 'utf8');
    }
    return this.buf;
  }
}

/**
 * Writes the chunk-size line (hex, CRLF) right-aligned in front of the payload that starts at
 * `payloadStart` and whose chunk ends at `end` (the payload excludes the final CRLF); returns
 * where the chunk starts. Needs HEAD_ROOM bytes before the payload.
 */
export function frameChunk(buf: Buffer, payloadStart: number, end: number): number {
  let start = payloadStart - 2;
  buf[start] = 13;
  buf[start + 1] = 10;
  let v = end - 2 - payloadStart;
  do {
    buf[--start] = HEX_DIGITS[v & 15]!;
    v >>>= 4;
  } while (v > 0);
  return start;
}
