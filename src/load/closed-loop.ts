/**
 * Closed loop: N workers, each sending its next request when its previous one ends (plus an
 * optional think time). The server's speed sets the rate; the concurrency never exceeds N.
 */
import type { RequestRecord } from '../client/types.ts';
import { startProgress } from './progress.ts';
import { DEFAULT_GRACE_MS, sleep, validateBounds, type LoopOptions, type LoopResult } from './types.ts';

export interface ClosedLoopOptions extends LoopOptions {
  /** Number of workers (maximum requests in flight). */
  concurrency: number;
  /**
   * Pause between a worker's response and its next send, ms.
   * @default 0
   */
  thinkTimeMs?: number;
  /**
   * Spread worker starts evenly over this many ms (worker k starts at k * rampUpMs / N), so the
   * server is not hit by N simultaneous prefills at t = 0.
   * @default 0
   */
  rampUpMs?: number;
}

export async function runClosedLoop(opts: ClosedLoopOptions): Promise<LoopResult> {
  validateBounds(opts);
  const n = opts.concurrency;
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`concurrency must be a positive integer, got ${n}`);
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  const warmupN = opts.warmupRequests ?? 0;
  const rampUpMs = opts.rampUpMs ?? 0;
  const thinkTimeMs = opts.thinkTimeMs ?? 0;
  const idPrefix = opts.idPrefix ?? 'req-';

  const startedAt = performance.now();
  const deadline = opts.durationMs !== undefined ? startedAt + opts.durationMs : Infinity;
  const records: RequestRecord[] = [];
  const warmupRecords: RequestRecord[] = [];
  const inFlight = new Set<AbortController>();
  // Aborted when sending must stop (deadline, cancellation or an error): wakes sleeping workers.
  const stopSending = new AbortController();
  let aborted = false;
  let abortedAfterGrace = 0;
  let issued = 0;
  let graceTimer: NodeJS.Timeout | undefined;

  const abortInFlight = (): number => {
    const count = inFlight.size;
    for (const c of inFlight) c.abort();
    return count;
  };
  const onCancel = (): void => {
    aborted = true;
    stopSending.abort();
    abortInFlight();
  };
  if (opts.signal?.aborted) onCancel();
  else opts.signal?.addEventListener('abort', onCancel, { once: true });

  const deadlineTimer =
    opts.durationMs !== undefined
      ? setTimeout(() => {
          stopSending.abort();
          graceTimer = setTimeout(() => {
            abortedAfterGrace += abortInFlight();
          }, graceMs);
        }, opts.durationMs)
      : undefined;

  const progress = opts.onProgress ? startProgress({ onProgress: opts.onProgress, intervalMs: opts.progressIntervalMs }) : undefined;

  const worker = async (k: number): Promise<void> => {
    await sleep((k * rampUpMs) / n, stopSending.signal);
    for (;;) {
      // The clock as well as the timer: a busy loop can fire the deadline timer late.
      if (stopSending.signal.aborted || performance.now() >= deadline) return;
      if (opts.maxRequests !== undefined && issued >= opts.maxRequests) return;
      const index = issued++;
      const warmup = index < warmupN;
      const req = await opts.next(index);
      if (stopSending.signal.aborted || performance.now() >= deadline) return;
      const ctl = new AbortController();
      inFlight.add(ctl);
      let rec: RequestRecord;
      try {
        rec = await opts.send(req, { signal: ctl.signal, tSched: performance.now(), id: `${idPrefix}${index}`, warmup });
      } finally {
        inFlight.delete(ctl);
      }
      // The flag is the engine's decision; do not rely on every sender copying it.
      if (warmup && !rec.warmup) rec = { ...rec, warmup: true };
      (warmup ? warmupRecords : records).push(rec);
      opts.onRecord?.(rec);
      progress?.record(rec);
      if (thinkTimeMs > 0) await sleep(thinkTimeMs, stopSending.signal);
    }
  };

  const outcomes = await Promise.allSettled(
    Array.from({ length: n }, (_, k) =>
      worker(k).catch((err: unknown) => {
        // A sender or onRecord that throws is a bug: stop everything, then report it.
        stopSending.abort();
        abortInFlight();
        throw err;
      }),
    ),
  );
  clearTimeout(deadlineTimer);
  clearTimeout(graceTimer);
  progress?.stop();
  opts.signal?.removeEventListener('abort', onCancel);
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  return { records, warmupRecords, startedAt, endedAt: performance.now(), aborted, abortedAfterGrace };
}
