/**
 * Writing one generation's response: SSE chunks for streams (templates built once per request,
 * one socket write per chunk, everything at the end in a single write) or one JSON body.
 *
 * At thousands of streams the per-token write is the simulator's whole cost, so a token chunk is
 * assembled as bytes and written with a single write(2) on the socket's descriptor: no strings to
 * build, flatten and encode, and none of net.Socket's per-write request objects. A plain chunk is
 * built during the engine step, right after the stream's previous token, and written with the
 * rest of the step's batch at the step end (`prepareNext`, prepared.ts); the first, last and any
 * unusual chunk (faults, usage, several tokens) is built at its step end in the stream's own
 * buffer (`writeTokensDirect`). Measured with `npm run bench:sim` (2,000 streams over a Unix
 * socket): 9.6 µs of simulator CPU per token through `socket.write`, ~7.5 µs with direct writes,
 * of which ~4 µs is the kernel's write itself (README, "Simulator capacity", for the batch write
 * times). Writing to the descriptor is safe because it happens only while the socket still holds
 * the handle it had when the stream started (net.Socket drops it in the call that closes the
 * descriptor), and only the event loop closes sockets, so the number cannot be reused by another
 * connection within the callback that writes.
 * Mid-stream faults (reset, error event, malformed event, stall) are applied here because they
 * are properties of the wire, not of the engine.
 */
import { writeSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { SimModelConfig } from './config.ts';
import type { OutputPlan } from './content.ts';
import type { FaultPlan } from './faults.ts';
import type { Seq } from './engine.ts';
import type { EmitFidelity } from './metrics.ts';
import { CHAT_POST_NULL, ChunkSuffix, COMPLETION_POST_NULL, frameChunk, HEAD_ROOM, MAX_SUFFIX, TAIL, TIMING_KEY } from './chunk-bytes.ts';
import type { PreparedChunks, PreparedOwner } from './prepared.ts';

const CHAT_SUFFIX = new ChunkSuffix(CHAT_POST_NULL);
const COMPLETION_SUFFIX = new ChunkSuffix(COMPLETION_POST_NULL);

export interface WireJob {
  kind: 'chat' | 'completions';
  id: string;
  created: number;
  model: string;
  promptTokens: number;
  includeUsage: boolean;
  continuousUsage: boolean;
  plan: OutputPlan;
  faults: FaultPlan;
  /** Monotonic ms the engine timeline is measured from (for `sim_t_ms`). */
  epoch: number;
}

export interface WireCallbacks {
  /** The response is over (completed or cut by a fault): abort the sequence if still running. */
  onEnd(outcome: 'done' | 'fault'): void;
  /** Where each token write's lag behind its modelled time is recorded. */
  fidelity?: EmitFidelity;
  /** Where the stream's next chunk waits for its step end (prepared.ts); without it every chunk is built at its step end. */
  prepared?: PreparedChunks;
}

function usageJson(prompt: number, completion: number, cached: number | undefined): string {
  const details = cached === undefined ? '' : `,"prompt_tokens_details":{"cached_tokens":${cached}}`;
  return `{"prompt_tokens":${prompt},"total_tokens":${prompt + completion},"completion_tokens":${completion}${details}}`;
}

/** Node internals read to decide whether chunks may bypass `res.write` (checked once per response). */
interface OutgoingInternals {
  chunkedEncoding?: boolean;
  outputData?: unknown[];
  socket: (Socket & { _httpMessage?: unknown }) | null;
}

/**
 * The socket's file descriptor when chunks may be written to it with write(2) directly (Unix:
 * TCP and Unix-socket handles expose it), else -1 (then every chunk goes through `socket.write`).
 */
function directFd(sock: Socket): number {
  if (process.platform === 'win32') return -1;
  const fd = (sock as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

/**
 * Streams a sequence's tokens as SSE. Created after headers are sent.
 *
 * Hot path (one call per token per stream): the chunk is the per-request prefix, the token's
 * pre-escaped JSON text and the step's suffix; it goes to the socket as one write with its own
 * HTTP chunked framing (`res.write` would cork, schedule an uncork and issue four writes).
 */
export class SseWriter implements PreparedOwner {
  private readonly head: string;
  private sent = 0; // tokens written
  private pending = 0; // tokens generated, not yet written
  private stalledUntil = 0;
  private ended = false;
  private roleSent: boolean;
  private lastWrite = performance.now();
  private ping: NodeJS.Timeout | undefined;
  private readonly faults: FaultPlan['midStream'];
  private lastT = 0;
  /** Lag of this stream's previous token write behind its modelled time, ms (NaN before the first). */
  private prevLagMs = Number.NaN;
  /** Token chunk up to the token text: after the role was sent, and carrying the role. */
  private readonly pre: string;
  private readonly preRole: string;
  /** Token chunk after the token text, for a non-final and the final chunk (up to `]`). */
  private readonly postNull: string;
  private readonly postFinal: string;
  /** UTF-8 byte lengths of the templates above (the chunked framing needs each chunk's size). */
  private readonly preLen: number;
  private readonly preRoleLen: number;
  private readonly postNullLen: number;
  private readonly postFinalLen: number;
  /** The socket when chunks can be written to it directly (headers out, chunked, nothing buffered). */
  private sock: Socket | null = null;
  /** `sock`'s descriptor for direct writes, -1 when they are not possible. */
  private fd = -1;
  /**
   * `sock._handle` when the stream started: while the socket still holds it, the descriptor is
   * open and still this connection's (net.Socket drops its handle in the same call that closes
   * the descriptor). One property read instead of the `writable` getter's walk through stream state.
   */
  private handle: unknown = null;
  /** Set when something went through `sock.write` and may still be queued there: direct writes wait for it to drain. */
  private queued = false;
  /**
   * The direct path's chunk buffer: HEAD_ROOM bytes for the chunk-size line, then `pre` as bytes
   * (written once), then the token text and the step's suffix (written per chunk).
   */
  private out: Buffer = Buffer.alloc(0);
  private readonly suffix: ChunkSuffix;
  private readonly trackWrites: boolean;
  /** `pre` as bytes, copied into each prepared chunk. */
  private preBytes: Buffer = Buffer.alloc(0);
  /** The next token's chunk waiting in `cb.prepared`: its slot (-1: none) and step-end number. */
  private preparedSlot = -1;
  private preparedStep = -1;

  constructor(
    private readonly res: ServerResponse,
    private readonly job: WireJob,
    private readonly wire: SimModelConfig['wire'],
    private readonly cachedTokens: () => number | undefined,
    private readonly cb: WireCallbacks,
  ) {
    const obj = job.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    this.head = `data: {"id":"${job.id}","object":"${obj}","created":${job.created},"model":${JSON.stringify(job.model)},"choices":[{"index":0,`;
    this.faults = job.faults.midStream.slice();
    if (job.kind === 'chat') {
      this.pre = `${this.head}"delta":{"content":"`;
      this.preRole = `${this.head}"delta":{"role":"assistant","content":"`;
      this.postNull = CHAT_POST_NULL;
      this.postFinal = `"}${TAIL}"${job.plan.finishReason}"}]`;
      this.suffix = CHAT_SUFFIX;
    } else {
      this.pre = this.preRole = `${this.head}"text":"`;
      this.postNull = COMPLETION_POST_NULL;
      this.postFinal = `"${TAIL}"${job.plan.finishReason}"}]`;
      this.suffix = COMPLETION_SUFFIX;
    }
    this.preLen = Buffer.byteLength(this.pre);
    this.preRoleLen = Buffer.byteLength(this.preRole);
    this.postNullLen = Buffer.byteLength(this.postNull);
    this.postFinalLen = Buffer.byteLength(this.postFinal);
    this.trackWrites = wire.comment_ping_ms > 0;
    // Headers go out at once, as vLLM's streaming response does, so TTFB is not tied to the first token.
    res.flushHeaders();
    const o = res as unknown as OutgoingInternals;
    const sock = o.socket;
    if (sock && sock._httpMessage === res && o.chunkedEncoding === true && Array.isArray(o.outputData) && o.outputData.length === 0) {
      this.sock = sock;
      this.fd = directFd(sock);
      if (this.fd >= 0) {
        this.handle = (sock as unknown as { _handle: unknown })._handle;
        this.queued = sock.writableLength !== 0;
        this.out = this.chunkBuffer(256);
        this.preBytes = Buffer.from(this.pre);
      }
    }
    this.roleSent = job.kind !== 'chat' || wire.role_chunk === 'none';
    if (job.kind === 'chat' && wire.role_chunk === 'start') this.write(this.roleChunk());
    if (wire.comment_ping_ms > 0) {
      this.ping = setInterval(() => {
        if (performance.now() - this.lastWrite >= wire.comment_ping_ms) this.write(': ping\n\n');
      }, Math.max(1, wire.comment_ping_ms / 4));
    }
    // A zero-length output still needs its finish chunk.
    if (job.plan.length === 0) queueMicrotask(() => this.finish());
  }

  private roleChunk(): string {
    this.roleSent = true;
    const content = this.wire.role_chunk_content === 'null' ? 'null' : '""';
    return `${this.head}"delta":{"role":"assistant","content":${content}}${TAIL}null}]}\n\n`;
  }

  /** `bytes`: the UTF-8 length of `s` when the caller knows it. */
  private write(s: string, bytes = -1): void {
    if (this.ended) return;
    if (this.trackWrites) this.lastWrite = performance.now();
    const sock = this.sock;
    if (sock === null) this.res.write(s);
    else if (sock.writable) {
      this.queued = true;
      sock.write(`${(bytes < 0 ? Buffer.byteLength(s) : bytes).toString(16)}\r\n${s}\r\n`);
    }
  }

  /** Engine callback: one more token exists at modelled time t. */
  onToken(seq: Seq, t: number): void {
    if (this.ended) return;
    this.lastT = t;
    const slot = this.preparedSlot;
    if (slot >= 0) {
      this.preparedSlot = -1;
      const prepared = this.cb.prepared!;
      if (prepared.wasWritten(this.preparedStep, slot)) {
        // Written at the start of this step end (prepared.ts): only account for it.
        this.sent++;
        const lag = prepared.lagOf(slot);
        this.cb.fidelity?.observe(lag, this.prevLagMs);
        this.prevLagMs = lag;
        this.prepareNext();
        return;
      }
    }
    this.pending++;
    if (this.stalledUntil > 0) return;
    const final = seq.emitted >= this.job.plan.length;
    if (!final && this.pending < this.wire.tokens_per_chunk) return;
    this.flush(final);
    this.prepareNext();
  }

  /** Engine callback: the sequence was preempted, so the prepared chunk is not written at this step end. */
  preempted(): void {
    this.cancelPrepared();
  }

  private cancelPrepared(): void {
    if (this.preparedSlot < 0) return;
    this.cb.prepared!.cancel(this.preparedSlot, this.preparedStep);
    this.preparedSlot = -1;
  }

  /**
   * Builds the next token's chunk now when it will be a plain one (one token, not the last, no
   * fault due, no usage, nothing queued or written to the socket in between) and leaves it for
   * the step end (prepared.ts).
   */
  private prepareNext(): void {
    const prepared = this.cb.prepared;
    if (
      prepared === undefined ||
      this.fd < 0 ||
      this.ended ||
      this.queued ||
      this.pending !== 0 ||
      !this.roleSent ||
      this.stalledUntil > 0 ||
      this.trackWrites ||
      this.wire.tokens_per_chunk !== 1 ||
      this.job.continuousUsage ||
      this.sent + 1 >= this.job.plan.length ||
      (this.faults.length > 0 && this.faults[0]!.afterTokens <= this.sent)
    )
      return;
    const token = this.job.plan.jsonBytes(this.sent);
    const slot = prepared.reserve(this, this.fd, this.sock!, this.handle, this.suffix, this.preLen + token.length);
    const buf = prepared.buffer;
    let o = prepared.bodyStartOf(slot);
    buf.set(this.preBytes, o);
    o += this.preLen;
    const len = token.length;
    if (len <= 16) for (let j = 0; j < len; j++) buf[o + j] = token[j]!;
    else buf.set(token, o);
    prepared.setBodyEnd(slot, o + len);
    this.preparedSlot = slot;
    this.preparedStep = prepared.stepNumber;
  }

  /** Prepared-chunk callback: the kernel took only part of the chunk; the rest goes through net.Socket. */
  preparedRest(rest: Buffer): void {
    this.queued = true;
    this.sock!.write(rest);
  }

  private flush(final: boolean): void {
    while (!this.ended && this.pending > 0) {
      // Faults strike once `afterTokens` tokens are on the wire.
      const f = this.faults[0];
      if (f && this.sent >= f.afterTokens) {
        this.faults.shift();
        if (this.strike(f)) return;
        continue;
      }
      let n = Math.min(this.pending, this.wire.tokens_per_chunk);
      if (f) n = Math.min(n, f.afterTokens - this.sent);
      const isLast = final && this.sent + n === this.job.plan.length;
      this.writeTokens(n, isLast);
      if (isLast) return this.finish();
    }
  }

  /** Returns true when the fault ended or paused the stream. */
  private strike(f: FaultPlan['midStream'][number]): boolean {
    switch (f.kind) {
      case 'reset_mid_stream':
        this.end('fault');
        // resetAndDestroy sends a TCP RST (clients see ECONNRESET). Give the tokens already written a
        // moment to reach the peer first: an RST makes the kernel drop unread received data.
        setTimeout(() => this.res.socket?.resetAndDestroy(), 20);
        return true;
      case 'error_event':
        this.write(`data: {"error":{"message":"simulated engine failure mid-stream (sim.faults.error_event)","type":"InternalServerError","param":null,"code":500}}\n\n`);
        this.res.end();
        this.end('fault');
        return true;
      case 'malformed_event':
        this.write(`${this.head}"delta":{"content":"\n\n`);
        return false;
      case 'stall':
        this.stalledUntil = performance.now() + (f.durationS ?? 0) * 1000;
        setTimeout(() => {
          this.stalledUntil = 0;
          this.flush(this.sent + this.pending >= this.job.plan.length);
        }, (f.durationS ?? 0) * 1000);
        return true;
    }
  }

  private writeTokens(n: number, isLast: boolean): void {
    const fidelity = this.cb.fidelity;
    if (fidelity !== undefined) {
      const lag = performance.now() - this.lastT;
      fidelity.observe(lag, this.prevLagMs);
      this.prevLagMs = lag;
    }
    // The common chunk (role already sent, not the last, no per-chunk usage) goes out as bytes.
    if (this.fd >= 0 && this.roleSent && !isLast && !this.job.continuousUsage) {
      this.writeTokensDirect(n);
      return;
    }
    const plan = this.job.plan;
    let text = plan.json(this.sent);
    for (let k = 1; k < n; k++) text += plan.json(this.sent + k);
    this.sent += n;
    this.pending -= n;
    let s = (this.roleSent ? this.pre : this.preRole) + text + (isLast ? this.postFinal : this.postNull);
    // Byte length from the templates' known lengths: only the (short) token text is measured.
    let bytes = (this.roleSent ? this.preLen : this.preRoleLen) + Buffer.byteLength(text) + (isLast ? this.postFinalLen : this.postNullLen) + 3;
    this.roleSent = true;
    if (this.job.continuousUsage || (isLast && this.wire.usage === 'last_choices_chunk')) {
      const u = `,"usage":${usageJson(this.job.promptTokens, this.sent, this.cachedTokens())}`;
      s += u;
      bytes += u.length; // ASCII
    }
    if (this.wire.timing_field) {
      const tt = (this.lastT - this.job.epoch).toFixed(3);
      s += TIMING_KEY;
      s += tt;
      bytes += TIMING_KEY.length + tt.length; // ASCII
    }
    s += '}\n\n';
    if (!isLast) this.write(s, bytes);
    else this.finalWrite = s;
  }

  private finalWrite = '';

  /** A chunk buffer with room for `room` bytes of token text and suffix after `pre`. */
  private chunkBuffer(room: number): Buffer {
    const buf = Buffer.allocUnsafe(HEAD_ROOM + this.preLen + room);
    buf.write(this.pre, HEAD_ROOM, 'utf8');
    return buf;
  }

  /**
   * Writes the next `n` tokens' chunk (HTTP chunk framing included) with one write(2) on the
   * socket's descriptor: the token text and the step's suffix go after the stream's prefix in
   * `out`.
   */
  private writeTokensDirect(n: number): void {
    const first = this.sent;
    this.sent += n;
    this.pending -= n;
    if (this.ended) return;
    if (this.trackWrites) this.lastWrite = performance.now();
    this.sendChunk(this.appendTokens(first, n), this.lastT);
  }

  /** Puts tokens first..first+n-1 after the prefix in `out`; returns where their text ends. */
  private appendTokens(first: number, n: number): number {
    const plan = this.job.plan;
    const body = HEAD_ROOM + this.preLen;
    let buf = this.out;
    let o = body;
    for (let k = 0; k < n; k++) {
      const t = plan.jsonBytes(first + k);
      const len = t.length;
      // Room for the text and the longest suffix (its `sim_t_ms` digits vary).
      if (o + len + MAX_SUFFIX > buf.length) {
        const grown = this.chunkBuffer(2 * (o - body + len + MAX_SUFFIX));
        buf.copy(grown, body, body, o);
        this.out = buf = grown;
      }
      // Token pieces are a few bytes: a loop beats TypedArray#set's call overhead.
      if (len <= 16) for (let j = 0; j < len; j++) buf[o + j] = t[j]!;
      else buf.set(t, o);
      o += len;
    }
    return o;
  }

  /**
   * Completes the chunk whose token text ends at `o` in `out` (the suffix for modelled time
   * `tModel`, the chunk-size line) and writes it. Only while net.Socket has nothing queued, so
   * bytes never overtake earlier ones; a partial write (full socket buffer) queues the rest
   * through `socket.write`, and later chunks follow it there until it drains.
   */
  private sendChunk(o: number, tModel: number): void {
    const sock = this.sock!;
    // Destroyed (the descriptor is closed, its number may be reused): 'close' ends the stream.
    if ((sock as unknown as { _handle: unknown })._handle !== this.handle) return;
    const suffix = this.suffix.get(this.wire.timing_field ? tModel - this.job.epoch : undefined);
    let buf = this.out;
    if (o + suffix.length > buf.length) {
      const grown = this.chunkBuffer(2 * (o + suffix.length));
      buf.copy(grown, HEAD_ROOM, HEAD_ROOM, o);
      this.out = buf = grown;
    }
    buf.set(suffix, o);
    o += suffix.length;
    const start = frameChunk(buf, HEAD_ROOM, o);
    if (this.queued) {
      if (sock.writableLength !== 0) {
        sock.write(Buffer.from(buf.subarray(start, o)));
        return;
      }
      this.queued = false;
    }
    let written = 0;
    try {
      written = writeSync(this.fd, buf, start, o - start);
    } catch (e) {
      // EAGAIN: the socket buffer is full; anything else: the peer is gone.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') {
        sock.destroy(e as Error);
        return;
      }
    }
    if (written === o - start) return;
    // Copy: `out` is reused by the next chunk.
    this.queued = true;
    sock.write(Buffer.from(buf.subarray(start + written, o)));
  }

  private finish(): void {
    if (this.ended) return;
    let s = this.finalWrite;
    if (this.job.plan.length === 0) {
      if (!this.roleSent) s += this.roleChunk();
      const field = this.job.kind === 'chat' ? '"delta":{}' : '"text":""';
      s += `${this.head}${field}${TAIL}"${this.job.plan.finishReason}"}]}\n\n`;
    }
    if (this.wire.usage === 'final_chunk' && this.job.includeUsage) {
      const obj = this.job.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
      s += `data: {"id":"${this.job.id}","object":"${obj}","created":${this.job.created},"model":${JSON.stringify(this.job.model)},"choices":[],"usage":${usageJson(this.job.promptTokens, this.sent, this.cachedTokens())}}\n\n`;
    }
    s += 'data: [DONE]\n\n';
    this.res.end(s);
    this.end('done');
  }

  private end(outcome: 'done' | 'fault'): void {
    if (this.ended) return;
    this.ended = true;
    this.cancelPrepared();
    if (this.ping) clearInterval(this.ping);
    this.cb.onEnd(outcome);
  }

  /** Client went away. */
  close(): void {
    this.ended = true;
    this.cancelPrepared();
    if (this.ping) clearInterval(this.ping);
  }
}

/** The non-streaming body. */
export function completionBody(job: WireJob, completion: number, cached: number | undefined): string {
  let text = '';
  for (let i = 0; i < completion; i++) text += job.plan.text(i);
  const usage = JSON.parse(usageJson(job.promptTokens, completion, cached)) as unknown;
  if (job.kind === 'chat') {
    return JSON.stringify({
      id: job.id,
      object: 'chat.completion',
      created: job.created,
      model: job.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text, tool_calls: [] }, logprobs: null, finish_reason: job.plan.finishReason, stop_reason: null }],
      usage,
    });
  }
  return JSON.stringify({
    id: job.id,
    object: 'text_completion',
    created: job.created,
    model: job.model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: job.plan.finishReason, stop_reason: null }],
    usage,
  });
}
