/**
 * Stability over time: first-versus-last window drift and a per-bucket timeline of a run.
 * Requests are placed in time by when they were sent (`tSend`), relative to the first send.
 */
import type { RequestRecord } from '../client/types.ts';
import type { TimelineBucket } from '../matchers/meta.ts';
import { percentileSorted } from './percentile.ts';
import type { DriftSummary, WindowStats } from './types.ts';
import { metricValues, type LatencyMetric } from './values.ts';

export interface DriftOptions {
  /** Length of the first and of the last window, seconds (the seed soak uses 300 of 1800). */
  windowS: number;
  /**
   * Latency compared between the windows.
   * @default 'e2e'
   */
  metric?: Exclude<LatencyMetric, 'itl'>;
}

/**
 * Compare the first and last windows of a run on p50/p95 of a latency and on error rate.
 * Ratios are last / first. A window with no successful sample gives null ratios: callers must
 * treat null as a failure, never as a pass. When the run is shorter than two windows the windows
 * are cut at the middle so they never overlap (overlapping windows would share requests and make
 * any drift look smaller).
 */
export function drift(all: readonly RequestRecord[], opts: DriftOptions): DriftSummary {
  if (!(opts.windowS > 0)) throw new RangeError(`drift windowS must be > 0, got ${opts.windowS}`);
  const metric = opts.metric ?? 'e2e';
  const records = all.filter((r) => !r.warmup);
  let t0 = Infinity;
  let tLast = -Infinity;
  for (const r of records) {
    t0 = Math.min(t0, r.tSend);
    tLast = Math.max(tLast, r.tSend);
  }
  const spanS = records.length ? (tLast - t0) / 1000 : 0;
  const w = Math.min(opts.windowS, spanS / 2);
  // With no records (or one instant) both windows are empty: [0, 0) holds nothing.
  const first = records.length && w > 0 ? windowStats(records, t0, 0, w, metric, false) : emptyWindow(0, 0);
  const last = records.length && w > 0 ? windowStats(records, t0, spanS - w, spanS, metric, true) : emptyWindow(spanS, spanS);
  return {
    metric,
    first,
    last,
    p50Ratio: ratio(last.p50Ms, first.p50Ms),
    p95Ratio: ratio(last.p95Ms, first.p95Ms),
    errorRateDelta: first.errorRate !== null && last.errorRate !== null ? last.errorRate - first.errorRate : null,
  };
}

function ratio(last: number | null, first: number | null): number | null {
  return last !== null && first !== null && first > 0 ? last / first : null;
}

function emptyWindow(fromS: number, toS: number): WindowStats {
  return { fromS, toS, n: 0, p50Ms: null, p95Ms: null, errorRate: null };
}

/** Stats over requests sent in [fromS, toS) after t0 (closed at toS when `closedEnd`, so the last send is included). */
function windowStats(
  records: readonly RequestRecord[],
  t0: number,
  fromS: number,
  toS: number,
  metric: Exclude<LatencyMetric, 'itl'>,
  closedEnd: boolean,
): WindowStats {
  const inside = records.filter((r) => {
    const s = (r.tSend - t0) / 1000;
    return s >= fromS && (closedEnd ? s <= toS : s < toS);
  });
  const values = Float64Array.from(metricValues(inside, metric)).sort();
  return {
    fromS,
    toS,
    // n is the number of latency samples: what the percentiles rest on.
    n: values.length,
    p50Ms: percentileSorted(values, 50),
    p95Ms: percentileSorted(values, 95),
    errorRate: inside.length ? inside.filter((r) => !r.ok).length / inside.length : null,
  };
}

/**
 * Per-bucket latency and errors over a run, buckets of `bucketS` seconds from the first send.
 * Buckets with no request are kept (n 0, null percentiles) so gaps show on a chart.
 * @param metric latency shown, default `e2e`
 */
export function timeline(all: readonly RequestRecord[], bucketS: number, metric: Exclude<LatencyMetric, 'itl'> = 'e2e'): TimelineBucket[] {
  if (!(bucketS > 0)) throw new RangeError(`timeline bucketS must be > 0, got ${bucketS}`);
  const records = all.filter((r) => !r.warmup);
  if (records.length === 0) return [];
  // A loop, not Math.min(...): spreading a long soak's records overflows the stack.
  let t0 = Infinity;
  for (const r of records) t0 = Math.min(t0, r.tSend);
  const groups: RequestRecord[][] = [];
  for (const r of records) {
    const i = Math.floor((r.tSend - t0) / 1000 / bucketS);
    (groups[i] ??= []).push(r);
  }
  const out: TimelineBucket[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] ?? [];
    const values = Float64Array.from(metricValues(g, metric)).sort();
    out.push({
      tS: i * bucketS,
      n: g.length,
      p50Ms: percentileSorted(values, 50),
      p95Ms: percentileSorted(values, 95),
      errors: g.filter((r) => !r.ok).length,
    });
  }
  return out;
}
