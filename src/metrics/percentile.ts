/**
 * Percentiles and distributions, computed the way numpy does by default (linear interpolation
 * between closest ranks, Hyndman-Fan "type 7"), which is also what vLLM bench, AIPerf and llmperf
 * use. For values 1..100 this gives p50 = 50.5 and p99 = 99.01.
 */
import type { Distribution } from './types.ts';

/**
 * Percentile p (0..100) of already sorted ascending values, linear interpolation (type 7).
 * Returns null for an empty array.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  const n = sorted.length;
  if (n === 0) return null;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (h - lo) * (b - a);
}

/** Percentile p (0..100) of unsorted values, linear interpolation (type 7); null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  return percentileSorted(Float64Array.from(values).sort(), p);
}

/**
 * Tail samples a percentile should have beyond it before it means much.
 * @default 2
 */
export const TAIL_SAMPLES = 2;

/**
 * The sample count below which percentile p is mostly noise, so a matcher should refuse to judge
 * it rather than pass or fail on it.
 *
 * Rule: at least {@link TAIL_SAMPLES} (2) samples must lie above the percentile, i.e.
 * n >= 2 / (1 - p/100), and never fewer than 5 samples. That gives p50: 5, p90: 20, p95: 40,
 * p99: 200. With fewer, a p95 is just the maximum (or an interpolation towards it) and moves with
 * a single slow request: a p95 over 5 samples is the maximum of 5.
 */
export function minSamplesFor(p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (p >= 100) return Number.POSITIVE_INFINITY;
  // Round before ceil so 2 / 0.05 (= 40.000000000000014 in floating point) stays 40.
  return Math.max(5, Math.ceil(Number((TAIL_SAMPLES / (1 - p / 100)).toFixed(9))));
}

/**
 * Summary statistics of a sample. Every statistic is null when there are no samples; `stdev` is
 * the sample standard deviation (n - 1 denominator) and is null for n < 2, where no spread can be
 * estimated. Percentiles are type 7; a p95 or p99 over fewer than {@link minSamplesFor} samples
 * is mostly noise, so report `n` next to it.
 */
export function distribution(values: readonly number[]): Distribution {
  const n = values.length;
  if (n === 0) return { n: 0, mean: null, min: null, max: null, p50: null, p90: null, p95: null, p99: null, stdev: null };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / n;
  let sq = 0;
  for (const v of sorted) sq += (v - mean) * (v - mean);
  return {
    n,
    mean,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p95: percentileSorted(sorted, 95),
    p99: percentileSorted(sorted, 99),
    stdev: n >= 2 ? Math.sqrt(sq / (n - 1)) : null,
  };
}
