/**
 * Token chunks built ahead of their engine step's end and written together the moment it comes.
 *
 * At thousands of streams a step's token writes are serial, so a stream's write time depends on
 * how long the writes before it in the batch took, and any variation in that moves every later
 * stream's token. So each stream builds its next chunk during the step, right after its previous
 * token (`reserve`), into one buffer shared by the step; when the step starts and its modelled
 * end is known the chunks get their suffix and size line (`complete`); at the step end `flush`
 * only checks each socket and calls write(2), walking typed arrays and one buffer in order
 * instead of each stream's objects. Measured with `npm run bench:sim` (README, "Simulator
 * capacity").
 *
 * A slot is cancelled when its stream ends or its sequence is preempted (no token at this step
 * end). A socket destroyed meanwhile is caught by its handle: net.Socket drops `_handle` in the
 * same call that closes the descriptor, so a number reused by a new connection is never written.
 */
import { writeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { type ChunkSuffix, frameChunk, HEAD_ROOM, MAX_SUFFIX } from './chunk-bytes.ts';

/** The stream a slot belongs to. */
export interface PreparedOwner {
  /** The bytes of its chunk the kernel did not take (socket buffer full): queue them in order. */
  preparedRest(rest: Buffer): void;
}

interface SocketInternals {
  _handle: unknown;
}

export class PreparedChunks {
  private buf = Buffer.allocUnsafe(256 * 1024);
  /** Bytes of `buf` reserved by this step's slots. */
  private used = 0;
  /** Slots reserved for the coming step end. */
  private n = 0;
  private cap = 0;
  /** Flushes so far: the coming step end's number. */
  private step = 0;
  /** The step end whose outcome `doneWritten`/`doneLag` hold. */
  private doneStep = -1;
  /** Modelled step end the slots were completed for (NaN: not yet). */
  private completedT = Number.NaN;
  private fds = new Int32Array(0);
  private bodyStart = new Int32Array(0);
  private bodyEnd = new Int32Array(0);
  private start = new Int32Array(0);
  private end = new Int32Array(0);
  private owners: PreparedOwner[] = [];
  private socks: SocketInternals[] = [];
  private handles: unknown[] = [];
  private suffixes: ChunkSuffix[] = [];
  /** Told after each step end that wrote chunks: how long its writes took, ms, and how many there were. */
  onFlushed: ((ms: number, writes: number) => void) | undefined;
  // Outcome per slot of the step end being flushed (fill) and of the last one (done): the
  // streams read theirs while the next step's slots are already being reserved.
  private fillWritten = new Uint8Array(0);
  private fillLag = new Float64Array(0);
  private doneWritten = new Uint8Array(0);
  private doneLag = new Float64Array(0);

  /**
   * @param timing whether chunks carry `sim_t_ms` (wire.timing_field)
   * @param epoch monotonic ms that `sim_t_ms` counts from
   */
  constructor(
    private readonly timing: boolean,
    private readonly epoch: number,
  ) {}

  /** The coming step end's number (pass it back to `cancel` and `wasWritten`). */
  get stepNumber(): number {
    return this.step;
  }

  /**
   * A slot for a chunk whose payload (the stream's prefix and token text) is at most `bytes`:
   * write the payload into `buffer` from `bodyStartOf(slot)`, then call `setBodyEnd`.
   */
  reserve(owner: PreparedOwner, fd: number, sock: Socket, handle: unknown, suffix: ChunkSuffix, bytes: number): number {
    if (this.n === this.cap) this.grow(Math.max(1024, 2 * this.cap));
    const need = HEAD_ROOM + bytes + MAX_SUFFIX;
    if (this.used + need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.used + need));
      this.buf.copy(grown, 0, 0, this.used);
      this.buf = grown;
    }
    const k = this.n++;
    this.fds[k] = fd;
    this.owners[k] = owner;
    this.socks[k] = sock as unknown as SocketInternals;
    this.handles[k] = handle;
    this.suffixes[k] = suffix;
    this.bodyStart[k] = this.used + HEAD_ROOM;
    this.used += need;
    return k;
  }

  /** The buffer the payloads go into (replaced when it grows: fetch it after `reserve`). */
  get buffer(): Buffer {
    return this.buf;
  }
  bodyStartOf(slot: number): number {
    return this.bodyStart[slot]!;
  }
  setBodyEnd(slot: number, end: number): void {
    this.bodyEnd[slot] = end;
  }

  /** The slot's stream ended or its sequence was preempted: nothing is written for it. */
  cancel(slot: number, step: number): void {
    if (step === this.step && slot < this.n) this.fds[slot] = -1;
  }

  /** The step ending at modelled time `t` started: finish every chunk (suffix, size line). */
  complete(t: number): void {
    const ms = this.timing ? t - this.epoch : undefined;
    const buf = this.buf;
    for (let k = 0; k < this.n; k++) {
      if (this.fds[k]! < 0) continue;
      const suffix = this.suffixes[k]!.get(ms);
      const o = this.bodyEnd[k]!;
      buf.set(suffix, o);
      this.end[k] = o + suffix.length;
      this.start[k] = frameChunk(buf, this.bodyStart[k]!, o + suffix.length);
    }
    this.completedT = t;
  }

  /** The step end at modelled time `t`: write every chunk not cancelled, in the order reserved. */
  flush(t: number): void {
    const n = this.n;
    if (n > 0 && this.completedT !== t) this.complete(t);
    const { buf, fds, start, end, socks, handles } = this;
    const written = this.fillWritten;
    const lag = this.fillLag;
    const t0 = performance.now();
    for (let k = 0; k < n; k++) {
      written[k] = 0;
      const fd = fds[k]!;
      if (fd < 0 || socks[k]!._handle !== handles[k]) continue;
      lag[k] = performance.now() - t;
      const s = start[k]!;
      const len = end[k]! - s;
      let w = 0;
      try {
        w = writeSync(fd, buf, s, len);
      } catch (e) {
        // EAGAIN: the socket buffer is full (all of it is queued below); anything else: the peer is gone.
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') {
          (socks[k] as unknown as Socket).destroy(e as Error);
          continue;
        }
      }
      written[k] = 1;
      // Copy: `buf` is reused by the next step.
      if (w !== len) this.owners[k]!.preparedRest(Buffer.from(buf.subarray(s + w, s + len)));
    }
    if (n > 0) this.onFlushed?.(performance.now() - t0, n);
    this.fillWritten = this.doneWritten;
    this.fillLag = this.doneLag;
    this.doneWritten = written;
    this.doneLag = lag;
    this.doneStep = this.step;
    this.step++;
    this.n = 0;
    this.used = 0;
    this.completedT = Number.NaN;
    // Let ended streams be collected (slots are overwritten from 0 on anyway).
    this.owners.fill(undefined as unknown as PreparedOwner, 0, n);
    this.socks.fill(undefined as unknown as SocketInternals, 0, n);
  }

  /** Whether the chunk in `slot` for step end `step` was written (call right after that step end). */
  wasWritten(step: number, slot: number): boolean {
    return step === this.doneStep && this.doneWritten[slot] === 1;
  }
  /** How long after its modelled time that chunk's write started, ms. */
  lagOf(slot: number): number {
    return this.doneLag[slot]!;
  }

  private grow(cap: number): void {
    this.fds = withCapacity(this.fds, cap);
    this.bodyStart = withCapacity(this.bodyStart, cap);
    this.bodyEnd = withCapacity(this.bodyEnd, cap);
    this.start = withCapacity(this.start, cap);
    this.end = withCapacity(this.end, cap);
    this.fillWritten = withCapacity(this.fillWritten, cap);
    this.doneWritten = withCapacity(this.doneWritten, cap);
    this.fillLag = withCapacity(this.fillLag, cap);
    this.doneLag = withCapacity(this.doneLag, cap);
    this.cap = cap;
  }
}

type Column = Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Float64Array<ArrayBuffer>;

/** A copy of `a` (same element type) with room for `cap` elements. */
function withCapacity<A extends Column>(a: A, cap: number): A {
  const b = new (a.constructor as new (n: number) => A)(cap);
  (b as Float64Array<ArrayBuffer>).set(a as Float64Array<ArrayBuffer>);
  return b;
}
