/**
 * Open loop: requests arrive on a schedule (Poisson, gamma or constant) whether or not earlier
 * ones have finished, as real users do. Each arrival is sent at its intended absolute time;
 * `tSched` records that intended time so latency from the schedule (coordinated omission) can
 * be reported next to latency from the actual send.
 */
import type { RequestRecord } from '../client/types.ts';
import { distribution } from '../metrics/percentile.ts';
import type { Distribution } from '../metrics/types.ts';
import { arrivalOffsets, type ArrivalOptions } from './arrivals.ts';
import { startProgress } from './progress.ts';
import { DEFAULT_GRACE_MS, sleep, validateBounds, type LoopOptions, type LoopResult } from './types.ts';

export interface OpenLoopOptions extends LoopOptions, ArrivalOptions {
  /**
   * Cap on requests in flight. Arrivals over the cap wait in a FIFO queue and are released one
   * per completed request, never as a burst. Their `tSched` stays the arrival time, so the wait
   * shows up as client queue delay. Unlimited when absent.
   */
  maxConcurrency?: number;
  /**
   * The last stretch before each arrival, ms, is waited out with setImmediate instead of a timer
   * (timers fire up to about a millisecond late). Measured at 500 req/s on 2 cores
   * (scripts/bench-openloop.ts): 0 gives lag p50 0.1-0.4 ms at 30-53 % of a core; 1 gives
   * p50 < 0.02 ms at 51-63 %; 2 gives p99 ~1.4 ms but busy-waits a whole core, which a server
   * sharing the machine would feel. Latency is measured from tSend either way.
   * @default 1
   */
  spinMs?: number;
}

export interface OpenLoopResult extends LoopResult {
  /** The target rate, req/s. */
  offeredRate: number;
  /** Rate of the arrival schedule actually drawn ((n-1) / span of intended times); differs from offeredRate by sampling noise. */
  scheduledRate: number | null;
  /** Rate at which requests were actually dispatched ((n-1) / span of dispatch times). */
  achievedRate: number | null;
  /** Arrivals (warm-up included) dispatched to the sender. */
  sent: number;
  /** Arrivals still queued under the cap when sending stopped; never sent, not in records. */
  unsent: number;
  /** How late the scheduler woke for each arrival (dispatch or enqueue time minus intended time), ms. */
  schedulingLag: Distribution;
  /** Per-arrival scheduling lag samples, for the client-health monitor. */
  schedulingLagMs: number[];
  /** Time arrivals waited in the cap queue, ms (n = arrivals that waited). */
  capWait: Distribution;
  /** Highest number of requests in flight at once. */
  maxInFlight: number;
}

async function waitUntil(target: number, spinMs: number, signal: AbortSignal): Promise<void> {
  const remaining = target - performance.now();
  if (remaining > spinMs) await sleep(remaining - spinMs, signal);
  while (performance.now() < target && !signal.aborted) {
    // setImmediate yields to I/O (responses keep being read) while waiting out the last stretch.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

interface Arrival {
  index: number;
  tSched: number;
  queuedAt?: number;
}

export async function runOpenLoop(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  validateBounds(opts);
  const cap = opts.maxConcurrency;
  if (cap !== undefined && !(Number.isInteger(cap) && cap >= 1)) throw new RangeError(`maxConcurrency must be a positive integer, got ${cap}`);
  const graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
  const warmupN = opts.warmupRequests ?? 0;
  const idPrefix = opts.idPrefix ?? 'req-';
  const spinMs = opts.spinMs ?? 1;
  const offsets = arrivalOffsets(opts);

  const records: RequestRecord[] = [];
  const warmupRecords: RequestRecord[] = [];
  const inFlight = new Set<AbortController>();
  const queue: Arrival[] = [];
  let queueHead = 0;
  const lags: number[] = [];
  const capWaits: number[] = [];
  const dispatchTimes: number[] = [];
  const schedTimes: number[] = [];
  let maxInFlight = 0;
  let busy = 0; // slots taken, including requests still being built by next()
  // The schedule is over when the count is reached or the deadline passes; a count-only run
  // keeps releasing queued arrivals after that, a deadline-bounded or cancelled one does not.
  let sendingOpen = true;
  let aborted = false;
  let abortedAfterGrace = 0;
  let failure: unknown;
  const stopScheduling = new AbortController();
  const pending = new Set<Promise<void>>();
  const progress = opts.onProgress ? startProgress({ onProgress: opts.onProgress, intervalMs: opts.progressIntervalMs }) : undefined;

  const abortInFlight = (): number => {
    const count = inFlight.size;
    for (const c of inFlight) c.abort();
    return count;
  };
  const onCancel = (): void => {
    aborted = true;
    sendingOpen = false;
    stopScheduling.abort();
    queueHead = queue.length;
    abortInFlight();
  };
  if (opts.signal?.aborted) onCancel();
  else opts.signal?.addEventListener('abort', onCancel, { once: true });

  const dispatch = (a: Arrival): void => {
    busy++;
    maxInFlight = Math.max(maxInFlight, busy);
    const now = performance.now();
    if (a.queuedAt !== undefined) capWaits.push(now - a.queuedAt);
    dispatchTimes.push(now);
    schedTimes.push(a.tSched);
    const warmup = a.index < warmupN;
    const p = (async (): Promise<void> => {
      const ctl = new AbortController();
      inFlight.add(ctl);
      try {
        const req = await opts.next(a.index);
        let rec = await opts.send(req, { signal: ctl.signal, tSched: a.tSched, id: `${idPrefix}${a.index}`, warmup });
        if (warmup && !rec.warmup) rec = { ...rec, warmup: true };
        (warmup ? warmupRecords : records).push(rec);
        opts.onRecord?.(rec);
        progress?.record(rec);
      } catch (err) {
        // A sender or onRecord that throws is a bug: stop the run and report it.
        failure ??= err;
        onCancel();
      } finally {
        inFlight.delete(ctl);
        busy--;
        // One completion frees one slot and releases exactly one queued arrival: no bursts.
        if (queueHead < queue.length && sendingOpen) dispatch(queue[queueHead++]!);
      }
    })();
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const startedAt = performance.now();
  for (let i = 0; ; i++) {
    if (opts.maxRequests !== undefined && i >= opts.maxRequests) break;
    const offset = offsets.next().value;
    if (opts.durationMs !== undefined && offset >= opts.durationMs) break;
    const target = startedAt + offset;
    await waitUntil(target, spinMs, stopScheduling.signal);
    if (stopScheduling.signal.aborted) break;
    const now = performance.now();
    lags.push(now - target);
    const arrival: Arrival = { index: i, tSched: target };
    if (cap !== undefined && busy >= cap) {
      arrival.queuedAt = now;
      queue.push(arrival);
    } else {
      dispatch(arrival);
    }
  }
  let graceTimer: NodeJS.Timeout | undefined;
  if (opts.durationMs !== undefined) {
    // The last arrival comes up to one gap before the deadline; queued arrivals may still be
    // released until then. Past it nothing new is sent: the rest are dropped and counted as unsent.
    await sleep(startedAt + opts.durationMs - performance.now(), stopScheduling.signal);
    sendingOpen = false;
    queueHead = queue.length;
    graceTimer = setTimeout(() => {
      abortedAfterGrace += abortInFlight();
    }, graceMs);
  }
  stopScheduling.abort();
  while (pending.size > 0) await Promise.all([...pending]);
  clearTimeout(graceTimer);
  progress?.stop();
  opts.signal?.removeEventListener('abort', onCancel);
  if (failure !== undefined) throw failure;

  const sent = dispatchTimes.length;
  return {
    records,
    warmupRecords,
    startedAt,
    endedAt: performance.now(),
    aborted,
    abortedAfterGrace,
    offeredRate: opts.rate,
    scheduledRate: spanRate(schedTimes),
    achievedRate: spanRate(dispatchTimes),
    sent,
    // Every queued arrival either waited and was dispatched (one cap-wait sample) or was dropped.
    unsent: queue.length - capWaits.length,
    schedulingLag: distribution(lags),
    schedulingLagMs: lags,
    capWait: distribution(capWaits),
    maxInFlight,
  };
}

/** (n - 1) / (last - first) in per-second units: exactly r for times spaced 1/r apart. */
function spanRate(times: readonly number[]): number | null {
  if (times.length < 2) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const t of times) {
    first = Math.min(first, t);
    last = Math.max(last, t);
  }
  return last > first ? ((times.length - 1) * 1000) / (last - first) : null;
}
