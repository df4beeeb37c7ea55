/**
 * The bench's load generator: one streaming HTTP/1.1 request per raw `node:net` connection, read
 * with `onread` into one shared buffer (no Readable stream, no per-read allocation, no string
 * decoding), scanning the bytes for the simulator's `"sim_t_ms":` stamp.
 *
 * Why not undici or node:http: at 100k tokens/s on a 2-core machine the client shares the CPU
 * with the simulator it measures, and a general-purpose client's per-read cost (stream machinery,
 * buffer allocation, chunk decoding) is what would saturate first. This client only has to count
 * tokens and time them, so it does only that.
 */
import { connect, type Socket } from 'node:net';

export interface RawTarget {
  /** Unix domain socket path, or undefined for TCP. */
  socketPath?: string;
  host: string;
  port: number;
}

export interface StreamObservation {
  /** HTTP status (0 when the connection failed before a status line). */
  status: number;
  /** Tokens seen (chunks carrying `"sim_t_ms":`). */
  tokens: number;
  /** Error code when the stream failed (connection error, non-200, or ended before `[DONE]`). */
  error?: string;
}

/** Called for every token: receive time (performance.now()), the modelled time it carries (ms). */
export type OnToken = (tRecv: number, tModel: number) => void;

const KEY = Buffer.from('"sim_t_ms":');
const DONE = Buffer.from('data: [DONE]');
const HEADER_END = Buffer.from('\r\n\r\n');
const EVENT_END = Buffer.from('\n\n');
/** One buffer for every socket's reads: each read is consumed synchronously in its callback. */
const SHARED = Buffer.allocUnsafe(256 * 1024);

/** Parse the decimal number at `buf[j..]` (digits, optional fraction) without making a string. */
function readNumber(buf: Buffer, j: number, end: number): number {
  let v = 0;
  let c = buf[j]!;
  while (j < end && c >= 48 && c <= 57) {
    v = v * 10 + (c - 48);
    c = buf[++j]!;
  }
  if (j < end && c === 46) {
    let scale = 0.1;
    c = buf[++j]!;
    while (j < end && c >= 48 && c <= 57) {
      v += (c - 48) * scale;
      scale /= 10;
      c = buf[++j]!;
    }
  }
  return v;
}

/** True when `b` holds only CR, LF and '0': the end of a chunk or the terminating zero-length chunk. */
function isFramingTail(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 13 && c !== 10 && c !== 48) return false;
  }
  return true;
}

/**
 * POST `requestBytes` (a complete HTTP/1.1 request with `Connection: close`) and read the SSE
 * response until the server closes the connection.
 */
export function streamOnce(target: RawTarget, requestBytes: Buffer, onToken: OnToken): Promise<StreamObservation> {
  return new Promise((resolve) => {
    const obs: StreamObservation = { status: 0, tokens: 0 };
    let inBody = false;
    let sawDone = false;
    // Bytes of an incomplete header block or event carried to the next read (rare: most reads hold whole events).
    let carry: Buffer | null = null;

    const scan = (buf: Buffer, end: number, t: number): void => {
      let i = buf.indexOf(KEY, 0);
      while (i >= 0 && i < end) {
        onToken(t, readNumber(buf, i + KEY.length, end));
        obs.tokens++;
        i = buf.indexOf(KEY, i + KEY.length);
      }
      if (!sawDone) {
        const d = buf.indexOf(DONE, 0);
        if (d >= 0 && d < end) sawDone = true;
      }
    };

    const onRead = (n: number, readBuf: Buffer): boolean => {
      const t = performance.now();
      let buf = readBuf.subarray(0, n);
      if (carry !== null) {
        buf = Buffer.concat([carry, buf]);
        carry = null;
      }
      if (!inBody) {
        const h = buf.indexOf(HEADER_END);
        if (h < 0) {
          carry = Buffer.from(buf);
          return true;
        }
        // "HTTP/1.1 200 ..."
        obs.status = readNumber(buf, 9, 12);
        inBody = true;
        buf = buf.subarray(h + HEADER_END.length);
      }
      // Only complete events are scanned; an event split across reads waits for its end.
      const e = buf.lastIndexOf(EVENT_END);
      if (e < 0) {
        if (buf.length > 0) carry = Buffer.from(buf);
        return true;
      }
      scan(buf, e, t);
      if (e + EVENT_END.length < buf.length) {
        const rest = buf.subarray(e + EVENT_END.length);
        // Only chunked framing after the last event ("\r\n", the terminating "0\r\n\r\n") is dropped;
        // anything else is the start of the next chunk.
        if (!isFramingTail(rest)) carry = Buffer.from(rest);
      }
      return true;
    };

    const onread = { buffer: SHARED, callback: onRead };
    const socket: Socket =
      target.socketPath !== undefined ? connect({ path: target.socketPath, onread }) : connect({ host: target.host, port: target.port, noDelay: true, onread });
    socket.once('connect', () => socket.write(requestBytes));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      obs.error ??= err.code ?? err.message;
    });
    socket.once('close', () => {
      if (obs.error === undefined) {
        if (obs.status !== 200) obs.error = obs.status === 0 ? 'NO_RESPONSE' : `HTTP_${obs.status}`;
        else if (!sawDone) obs.error = 'NO_DONE';
      }
      resolve(obs);
    });
  });
}

/** A complete HTTP/1.1 POST request (the connection closes after the response). */
export function postRequest(host: string, path: string, json: string): Buffer {
  const body = Buffer.from(json);
  return Buffer.concat([
    Buffer.from(`POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`),
    body,
  ]);
}
