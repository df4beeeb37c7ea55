/**
 * Periodic progress for long runs: requests done, the current completion rate and the current
 * p95 TTFT over a sliding window. Callers decide how to print it.
 */
import type { RequestRecord } from '../client/types.ts';
import { percentile } from '../metrics/percentile.ts';
import { ttft } from '../metrics/values.ts';

export interface Progress {
  /** Measured requests completed so far (warm-up excluded). */
  done: number;
  /** Completions per second over the sliding window (or since the start, if shorter). */
  ratePerS: number;
  /** p95 TTFT of successful completions in the sliding window; null when none had a TTFT. */
  p95TtftMs: number | null;
  /** Failures so far. */
  failed: number;
  elapsedS: number;
}

export interface ProgressOptions {
  onProgress: (p: Progress) => void;
  /**
   * Reporting period, ms.
   * @default 5000
   */
  intervalMs?: number;
  /**
   * Sliding window for the rate and p95, ms.
   * @default 30000
   */
  windowMs?: number;
}

export interface ProgressTracker {
  record(r: RequestRecord): void;
  /** Current numbers, without waiting for the timer. */
  snapshot(): Progress;
  /** Stop the timer (does not emit). */
  stop(): void;
}

export function startProgress(opts: ProgressOptions): ProgressTracker {
  const intervalMs = opts.intervalMs ?? 5000;
  const windowMs = opts.windowMs ?? 30_000;
  const started = performance.now();
  // (completion time, ttft or NaN) in completion order, pruned to the window.
  const recent: Array<[number, number]> = [];
  let head = 0;
  let done = 0;
  let failed = 0;

  const prune = (now: number): void => {
    while (head < recent.length && recent[head]![0] < now - windowMs) head++;
    if (head > 1024 && head > recent.length / 2) {
      recent.splice(0, head);
      head = 0;
    }
  };

  const snapshot = (): Progress => {
    const now = performance.now();
    prune(now);
    const span = Math.min(windowMs, now - started);
    const ttfts: number[] = [];
    for (let i = head; i < recent.length; i++) {
      const v = recent[i]![1];
      if (!Number.isNaN(v)) ttfts.push(v);
    }
    return {
      done,
      ratePerS: span > 0 ? ((recent.length - head) * 1000) / span : 0,
      p95TtftMs: percentile(ttfts, 95),
      failed,
      elapsedS: (now - started) / 1000,
    };
  };

  const timer = setInterval(() => opts.onProgress(snapshot()), intervalMs);
  // Progress must never keep a finished process alive.
  timer.unref();

  return {
    record(r: RequestRecord): void {
      if (r.warmup) return;
      done++;
      if (!r.ok) failed++;
      const v = r.ok ? ttft(r) : undefined;
      recent.push([performance.now(), v ?? Number.NaN]);
    },
    snapshot,
    stop(): void {
      clearInterval(timer);
    },
  };
}
