/**
 * Incremental Server-Sent Events parser for streamed OpenAI responses.
 *
 * TCP splits a stream anywhere: inside a line, inside a UTF-8 character, inside a JSON value,
 * and one read may hold several events. The parser therefore works on bytes: it scans each chunk
 * for LF with the native `indexOf`, decodes only complete lines (so a split multi-byte character
 * is never decoded half-way), and keeps just the unfinished tail of the last line between reads,
 * as a list of slices that is joined once when its line completes (no quadratic re-copying).
 *
 * Handled: LF and CRLF line ends, `:` comment lines (keep-alive pings), `data:` with or without
 * the space, multi-line data (joined with `\n`), `event:`/`id:`/`retry:` fields (ignored), a final
 * event that is not followed by a blank line before the stream ends (flushed by `end()`).
 * Not handled: a lone CR as a line terminator (no OpenAI-compatible server emits it).
 */

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;

/**
 * Called once per complete event with its data (the `data:` lines joined by `\n`) and the time
 * of the read in which the event's first data line completed (when the client observed it).
 */
export type SseEventHandler = (data: string, t: number) => void;

export interface SseParserOptions {
  /**
   * Longest line accepted, in bytes; a longer line is an error (a server streaming garbage must
   * not grow memory without bound).
   * @default 16777216 (16 MiB)
   */
  maxLineBytes?: number;
}

export class SseLineTooLongError extends Error {
  readonly code = 'SSE_LINE_TOO_LONG';
  constructor(limit: number) {
    super(`an SSE line exceeded ${limit} bytes without a newline; the server is not sending an event stream`);
  }
}

function asBuffer(chunk: Uint8Array): Buffer {
  // A view over the same memory: no copy.
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

export class SseParser {
  private readonly onEvent: SseEventHandler;
  private readonly maxLineBytes: number;
  /** Slices of the current unfinished line, oldest first. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Data of the event being assembled; null when no data line has been seen since the last dispatch. */
  private data: string | null = null;
  private dataTime = 0;
  /** Time of the latest read: a line completed by `end()` was last observed then. */
  private lastTime = 0;

  constructor(onEvent: SseEventHandler, opts: SseParserOptions = {}) {
    this.onEvent = onEvent;
    this.maxLineBytes = opts.maxLineBytes ?? 16 * 1024 * 1024;
  }

  /** Feeds one read; `t` is when it was observed. Dispatches every event it completes. */
  push(chunk: Uint8Array, t: number): void {
    this.lastTime = t;
    const buf = asBuffer(chunk);
    const len = buf.length;
    let start = 0;
    let nl = buf.indexOf(LF, 0);
    if (nl === -1) {
      this.keep(buf, len);
      return;
    }
    if (this.pendingBytes > 0) {
      // The first line began in an earlier read: join its pieces once.
      this.pending.push(buf.subarray(0, nl));
      const line = Buffer.concat(this.pending, this.pendingBytes + nl);
      this.pending = [];
      this.pendingBytes = 0;
      this.line(line, 0, line.length, t);
      start = nl + 1;
      nl = start < len ? buf.indexOf(LF, start) : -1;
    }
    while (nl !== -1) {
      this.line(buf, start, nl, t);
      start = nl + 1;
      nl = start < len ? buf.indexOf(LF, start) : -1;
    }
    if (start < len) this.keep(buf.subarray(start), len - start);
  }

  /**
   * The stream ended: an event whose blank line never came is still dispatched (servers that
   * close right after their last `data:` line), with the time of its data line.
   */
  end(): void {
    if (this.pendingBytes > 0) {
      const line = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.line(line, 0, line.length, this.lastTime);
    }
    this.dispatch();
  }

  private keep(slice: Buffer, n: number): void {
    this.pendingBytes += n;
    if (this.pendingBytes > this.maxLineBytes) throw new SseLineTooLongError(this.maxLineBytes);
    this.pending.push(slice);
  }

  /** One line, `[s, e)` of `buf`, without its LF. */
  private line(buf: Buffer, s: number, e: number, t: number): void {
    if (e > s && buf[e - 1] === CR) e--;
    if (e === s) {
      this.dispatch();
      return;
    }
    const first = buf[s];
    if (first === COLON) return; // comment / keep-alive ping
    // Field name up to the first colon; the common case "data:" is checked byte by byte.
    if (
      e - s >= 5 &&
      first === 0x64 /* d */ &&
      buf[s + 1] === 0x61 /* a */ &&
      buf[s + 2] === 0x74 /* t */ &&
      buf[s + 3] === 0x61 /* a */ &&
      buf[s + 4] === COLON
    ) {
      let v = s + 5;
      if (v < e && buf[v] === 0x20) v++;
      const value = buf.toString('utf8', v, e);
      if (this.data === null) {
        this.data = value;
        this.dataTime = t;
      } else {
        this.data += '\n' + value;
      }
      return;
    }
    // A line "data" with no colon is a data field with an empty value (SSE spec).
    if (e - s === 4 && buf.toString('latin1', s, e) === 'data') {
      if (this.data === null) {
        this.data = '';
        this.dataTime = t;
      } else {
        this.data += '\n';
      }
    }
    // event:, id:, retry: and unknown fields carry nothing the client needs.
  }

  private dispatch(): void {
    const d = this.data;
    if (d === null) return;
    this.data = null;
    this.onEvent(d, this.dataTime);
  }
}
