/**
 * The continuous-batching engine model (vLLM-like). Time advances in engine steps; each step:
 *  1. admits waiting sequences FCFS while fewer than `max_num_seqs` run and the KV cache has
 *     blocks for their prompt (head-of-line blocking, like vLLM);
 *  2. decodes one token for every sequence past prefill, and spends the rest of the
 *     `max_num_batched_tokens` budget on prefill chunks (chunked prefill);
 *  3. lasts `(step_base_ms + step_per_seq_ms * batch + prefill_tokens / prefill_tokens_per_s) * drift`;
 *  4. at its modelled end, delivers one token to each decoding sequence and the first token to each
 *     sequence whose prefill completed, then the next step starts at that same modelled instant.
 * So at low load TTFT = queue wait + prefill steps and the inter-token gap = the current step time.
 * When a decoding sequence needs a new KV block and none is free, the most recently admitted
 * sequence is preempted and recomputed later (vLLM's RECOMPUTE preemption).
 */
import type { SimModelConfig } from './config.ts';
import { now as clockNow, runAt } from './clock.ts';

export interface Seq {
  readonly id: number;
  readonly promptLen: number;
  /** Chained hashes of the prompt's full KV blocks (prefix-cache keys). */
  readonly blockHashes: readonly number[];
  /** Tokens this sequence will generate in total. */
  readonly outputLen: number;
  /** Called at the modelled end of each step that produced a token; `emitted` is already incremented. */
  onToken: (seq: Seq, tModel: number) => void;
  /** Called when the engine cannot ever run the sequence (e.g. it needs more KV than exists). */
  onReject?: (seq: Seq, message: string) => void;
  /** Called when the sequence is preempted (it produces no token until it is recomputed). */
  onPreempt?: (seq: Seq) => void;
  /** Monotonic ms when the sequence was submitted. */
  readonly arrivalT: number;
  emitted: number;
  /** Prompt tokens served from the prefix cache at first admission. */
  cachedTokens: number;
  firstTokenT?: number;
  state: 'new' | 'waiting' | 'running' | 'done';
  /** @internal */ prefillRemaining: number;
  /** @internal */ computedLen: number;
  /** @internal */ privateBlocks: number;
  /** @internal */ sharedHashes: number[];
  /** @internal */ admittedOnce: boolean;
  /** @internal Tokens of prefill this step (0: decoding, -1: not in this step's batch). */
  stepChunk: number;
}

export interface SeqInit {
  /** When the request arrived (monotonic ms); defaults to now. A step never starts before the previous one ended. */
  arrivalT?: number;
  promptLen: number;
  blockHashes: readonly number[];
  outputLen: number;
  onToken: (seq: Seq, tModel: number) => void;
  onReject?: (seq: Seq, message: string) => void;
  onPreempt?: (seq: Seq) => void;
}

export interface EngineCounters {
  promptTokens: number;
  generationTokens: number;
  preemptions: number;
  prefixQueries: number;
  prefixHits: number;
  steps: number;
  /** Sum and count of (actual - modelled) step-end times, ms: how late the process delivered. */
  latenessSumMs: number;
  latenessMaxMs: number;
}

/** Chained hash of each full block of `ids` (FNV-1a over the previous hash and the block's ids). */
export function blockHashes(ids: readonly number[], blockSize: number): number[] {
  const out: number[] = [];
  let h = 0x811c9dc5;
  const full = Math.floor(ids.length / blockSize) * blockSize;
  for (let i = 0; i < full; i++) {
    h = Math.imul(h ^ ids[i]!, 0x01000193) >>> 0;
    if ((i + 1) % blockSize === 0) out.push(h);
  }
  return out;
}

/** Catch-up cap: if the process falls further behind the model than this, the model is rebased to now. */
const MAX_CATCH_UP_MS = 20;

export class Engine {
  private readonly cfg: SimModelConfig['engine'];
  private readonly drift: SimModelConfig['drift'];
  private readonly totalBlocks: number;
  private readonly startT: number;
  private readonly waiting: Seq[] = [];
  private running: Seq[] = [];
  /** Sequences in state 'running' (`running` may still hold aborted ones until the next step end). */
  private runningCount = 0;
  private aborted = false;
  private busy = false;
  /** Modelled end of the last step before the engine went idle: a new step never starts earlier. */
  private idleSince = -Infinity;
  private nextId = 1;
  private privateBlocks = 0;
  /** Prefix cache: block hash -> number of running sequences using it. */
  private readonly cache = new Map<number, number>();
  /** Cached blocks nobody uses, least recently used first: reclaimable on demand. */
  private readonly evictable = new Set<number>();
  readonly counters: EngineCounters = {
    promptTokens: 0,
    generationTokens: 0,
    preemptions: 0,
    prefixQueries: 0,
    prefixHits: 0,
    steps: 0,
    latenessSumMs: 0,
    latenessMaxMs: 0,
  };

  /**
   * Called when a step starts, with its modelled end: every running sequence past prefill will
   * produce a token then unless it is aborted or preempted (`Seq.onPreempt`) first.
   */
  onStepStart: ((tEnd: number) => void) | undefined;
  /**
   * Called at each step end (modelled time `tEnd`) before any token is delivered (the wire
   * writes the chunks it prepared during the step here, see prepared.ts).
   */
  onStepEnd: ((tEnd: number) => void) | undefined;

  constructor(sim: Pick<SimModelConfig, 'engine' | 'drift'>, private readonly now: () => number = clockNow) {
    this.cfg = sim.engine;
    this.drift = sim.drift;
    this.totalBlocks = Math.floor(this.cfg.kv_cache_tokens / this.cfg.block_size);
    this.startT = this.now();
  }

  get numRunning(): number {
    return this.runningCount;
  }
  get numWaiting(): number {
    return this.waiting.length;
  }
  /** Fraction of KV blocks held by running sequences, 0..1. */
  get kvUsage(): number {
    return (this.privateBlocks + this.cache.size - this.evictable.size) / this.totalBlocks;
  }
  /** The largest prompt + output the KV cache can ever hold. */
  get kvCapacityTokens(): number {
    return this.totalBlocks * this.cfg.block_size;
  }

  /** Step-time multiplier from the configured drift at modelled time `t`. */
  driftFactor(t: number): number {
    const minutes = Math.max(0, (t - this.startT) / 1000 - this.drift.start_after_s) / 60;
    return Math.min(this.drift.max_factor, 1 + this.drift.slowdown_per_min * minutes);
  }

  submit(init: SeqInit): Seq {
    const seq: Seq = {
      id: this.nextId++,
      promptLen: init.promptLen,
      blockHashes: init.blockHashes,
      outputLen: init.outputLen,
      onToken: init.onToken,
      arrivalT: Math.min(init.arrivalT ?? this.now(), this.now()),
      emitted: 0,
      cachedTokens: 0,
      state: 'waiting',
      prefillRemaining: init.promptLen,
      computedLen: 0,
      privateBlocks: 0,
      sharedHashes: [],
      admittedOnce: false,
      stepChunk: -1,
    };
    if (init.onReject) seq.onReject = init.onReject;
    if (init.onPreempt) seq.onPreempt = init.onPreempt;
    const need = Math.ceil((init.promptLen + init.outputLen) / this.cfg.block_size);
    if (need > this.totalBlocks) {
      seq.state = 'done';
      queueMicrotask(() =>
        seq.onReject?.(seq, `request needs ${init.promptLen + init.outputLen} tokens of KV cache but sim.engine.kv_cache_tokens holds ${this.kvCapacityTokens}`),
      );
      return seq;
    }
    this.counters.promptTokens += init.promptLen;
    this.waiting.push(seq);
    if (!this.busy) {
      this.busy = true;
      // Start on a fresh turn so that requests arriving together share the first step; the step
      // is timed from the request's arrival (its parsing overlapped the step).
      const t = Math.max(seq.arrivalT, this.idleSince);
      setImmediate(() => this.startStep(Math.max(t, this.now() - MAX_CATCH_UP_MS)));
    }
    return seq;
  }

  /** Remove a sequence (client went away); frees its KV blocks. */
  abort(seq: Seq): void {
    if (seq.state === 'done') return;
    if (seq.state === 'waiting') {
      const i = this.waiting.indexOf(seq);
      if (i >= 0) this.waiting.splice(i, 1);
    } else if (seq.state === 'running') {
      this.release(seq);
      // Removed from `running` at the next step end (one O(n) pass for any number of aborts).
      this.aborted = true;
      this.runningCount--;
    }
    seq.state = 'done';
  }

  private freeBlocks(): number {
    return this.totalBlocks - this.privateBlocks - this.cache.size + this.evictable.size;
  }

  /** Take `n` private blocks, evicting unused cached blocks as needed. Caller checked freeBlocks(). */
  private allocate(seq: Seq, n: number): void {
    while (this.totalBlocks - this.privateBlocks - this.cache.size < n) {
      const victim = this.evictable.values().next().value as number;
      this.evictable.delete(victim);
      this.cache.delete(victim);
    }
    this.privateBlocks += n;
    seq.privateBlocks += n;
  }

  private release(seq: Seq): void {
    this.privateBlocks -= seq.privateBlocks;
    seq.privateBlocks = 0;
    for (const h of seq.sharedHashes) {
      const ref = (this.cache.get(h) ?? 1) - 1;
      this.cache.set(h, ref);
      if (ref === 0) this.evictable.add(h);
    }
    seq.sharedHashes = [];
  }

  private admit(): void {
    const bs = this.cfg.block_size;
    while (this.waiting.length > 0 && this.runningCount < this.cfg.max_num_seqs) {
      const seq = this.waiting[0]!;
      // A recomputed (preempted) sequence must rebuild KV for what it already generated too.
      const tokens = seq.promptLen + seq.emitted;
      let hit = 0;
      if (this.cfg.prefix_caching) {
        // vLLM always recomputes the last prompt token, so at most (promptLen - 1) tokens hit.
        const maxHit = Math.min(seq.blockHashes.length, Math.floor((seq.promptLen - 1) / bs));
        while (hit < maxHit && this.cache.has(seq.blockHashes[hit]!)) hit++;
      }
      const need = Math.ceil(tokens / bs) - hit;
      if (this.freeBlocks() < need) break;
      this.waiting.shift();
      for (let i = 0; i < hit; i++) {
        const h = seq.blockHashes[i]!;
        const ref = this.cache.get(h)!;
        if (ref === 0) this.evictable.delete(h);
        this.cache.set(h, ref + 1);
        seq.sharedHashes.push(h);
      }
      this.allocate(seq, need);
      if (!seq.admittedOnce) {
        seq.admittedOnce = true;
        seq.cachedTokens = hit * bs;
        this.counters.prefixQueries += seq.promptLen;
        this.counters.prefixHits += hit * bs;
      }
      seq.computedLen = hit * bs;
      seq.prefillRemaining = tokens - hit * bs;
      seq.state = 'running';
      this.runningCount++;
      this.running.push(seq);
    }
  }

  /** Move the newest running sequence back to the head of the queue, dropping its KV. */
  private preemptNewest(): Seq | undefined {
    let victim = this.running.pop();
    while (victim && victim.state !== 'running') victim = this.running.pop();
    if (!victim) return undefined;
    this.runningCount--;
    this.release(victim);
    victim.state = 'waiting';
    victim.computedLen = 0;
    this.waiting.unshift(victim);
    this.counters.preemptions++;
    victim.onPreempt?.(victim);
    return victim;
  }

  private startStep(t0: number): void {
    this.admit();
    if (this.running.length === 0) {
      this.busy = false;
      this.idleSince = t0;
      return;
    }
    const bs = this.cfg.block_size;
    // Decoding sequences that cross into a new block need one; preempt from the back if none is free.
    for (let i = 0; i < this.running.length; i++) {
      const s = this.running[i]!;
      if (s.prefillRemaining > 0) continue;
      if (Math.ceil((s.computedLen + 1) / bs) > s.privateBlocks + s.sharedHashes.length) {
        while (this.freeBlocks() < 1) {
          const v = this.preemptNewest();
          if (!v || v === s) break;
        }
        if (s.state !== 'running') break;
        this.allocate(s, 1);
      }
    }
    // One pass: decoders take one budget token each, prefill chunks share the rest in FCFS order.
    // The step's batch is `this.running` itself: between here and endStep the array is only ever
    // replaced (never mutated in place), so no copy is needed.
    const batch = this.running;
    let decoding = 0;
    for (let i = 0; i < batch.length; i++) if (batch[i]!.prefillRemaining === 0) decoding++;
    let budget = Math.max(0, this.cfg.max_num_batched_tokens - decoding);
    let prefillTokens = 0;
    let inBatch = decoding;
    for (let i = 0; i < batch.length; i++) {
      const s = batch[i]!;
      if (s.prefillRemaining === 0) {
        s.stepChunk = 0;
        continue;
      }
      const c = Math.min(s.prefillRemaining, budget);
      s.stepChunk = c > 0 ? c : -1;
      if (c === 0) continue;
      budget -= c;
      prefillTokens += c;
      inBatch++;
    }
    const duration =
      (this.cfg.step_base_ms + this.cfg.step_per_seq_ms * inBatch + (prefillTokens / this.cfg.prefill_tokens_per_s) * 1000) *
      this.driftFactor(t0);
    const tEnd = t0 + duration;
    this.stepBatch = batch;
    this.stepEnd = tEnd;
    this.onStepStart?.(tEnd);
    runAt(tEnd, this.endStepBound);
  }

  private stepBatch: Seq[] = [];
  private stepEnd = 0;
  /** Set while a step end runs; a step end that falls due meanwhile is run after it, not inside it. */
  private endingStep = false;
  private endDue = false;
  /**
   * Runs due step ends one after another. When the process is behind the model, `runAt` calls
   * back at once, so without this loop each caught-up step would nest inside the previous one:
   * with short steps (sub-millisecond) and a 20 ms catch-up, thousands deep, past the stack limit.
   */
  private readonly endStepBound = (): void => {
    if (this.endingStep) {
      this.endDue = true;
      return;
    }
    this.endingStep = true;
    try {
      do {
        this.endDue = false;
        this.endStep(this.stepBatch, this.stepEnd);
      } while (this.endDue);
    } finally {
      this.endingStep = false;
    }
  };

  private endStep(batch: Seq[], tEnd: number): void {
    const late = this.now() - tEnd;
    this.onStepEnd?.(tEnd);
    this.counters.steps++;
    this.counters.latenessSumMs += late;
    if (late > this.counters.latenessMaxMs) this.counters.latenessMaxMs = late;
    let finished = false;
    let generated = 0;
    for (let i = 0; i < batch.length; i++) {
      const s = batch[i]!;
      if (s.state !== 'running') continue; // aborted or preempted during the step
      const c = s.stepChunk;
      if (c < 0) continue; // waited for prefill budget this step
      if (c > 0) {
        s.prefillRemaining -= c;
        s.computedLen += c;
        if (s.prefillRemaining > 0) continue;
        this.registerPrefix(s);
      } else {
        s.computedLen++;
      }
      s.emitted++;
      generated++;
      if (s.firstTokenT === undefined) s.firstTokenT = tEnd;
      if (s.emitted >= s.outputLen) {
        s.state = 'done';
        this.runningCount--;
        this.release(s);
        finished = true;
      }
      s.onToken(s, tEnd);
    }
    this.counters.generationTokens += generated;
    // Drop finished (and aborted) sequences; a new array, so a batch reference is never mutated.
    if (finished || this.aborted) {
      this.aborted = false;
      this.running = this.running.filter((s) => s.state === 'running');
    }
    // Keep the modelled timeline unless the process fell far behind it (then do not burst to catch up).
    this.startStep(Math.max(tEnd, this.now() - MAX_CATCH_UP_MS));
  }

  /** Publish the sequence's freshly computed full prompt blocks to the prefix cache. */
  private registerPrefix(s: Seq): void {
    if (!this.cfg.prefix_caching) return;
    const bs = this.cfg.block_size;
    const full = Math.min(s.blockHashes.length, Math.floor(s.promptLen / bs));
    for (let i = s.sharedHashes.length; i < full; i++) {
      const h = s.blockHashes[i]!;
      if (this.cache.has(h) || s.privateBlocks === 0) break;
      this.cache.set(h, 1);
      this.privateBlocks--;
      s.privateBlocks--;
      s.sharedHashes.push(h);
    }
  }
}
