/**
 * Run-level summary of request records, exactly as defined in docs/metrics.md.
 */
import type { RequestRecord } from '../client/types.ts';
import { distribution } from './percentile.ts';
import type { ClientHealth, GoodputSummary, RunSummary, Slo } from './types.ts';
import { e2e, e2eFromSched, endTime, metricValues, outputTokens, queueDelay, tpot, ttft } from './values.ts';

export interface SummarizeOptions {
  /** Per-request limits; when given, goodput is computed against them. */
  slo?: Slo;
  /** Open loop: the target request rate, reported next to the achieved send rate. */
  offeredRate?: number;
  /** Closed loop: the concurrency level, copied into the summary. */
  concurrency?: number;
  clientHealth?: ClientHealth;
  /**
   * Fraction of the window trimmed at each end for the steady-state throughput (ramp-up at the
   * start, draining tail at the end).
   * @default 0.1
   */
  trimFraction?: number;
}

/** Length of the buckets the peak throughput is taken over. */
const PEAK_BUCKET_MS = 1000;

/**
 * Summarise the measured requests of a run. Warm-up records are dropped here too, so passing
 * everything a loop produced is safe.
 */
export function summarize(all: readonly RequestRecord[], opts: SummarizeOptions = {}): RunSummary {
  const trim = opts.trimFraction ?? 0.1;
  if (!(trim >= 0 && trim < 0.5)) throw new RangeError(`trimFraction must be within [0, 0.5), got ${trim}`);
  const records = all.filter((r) => !r.warmup);
  const ok = records.filter((r) => r.ok);
  const requests = records.length;

  const errors: Record<string, number> = {};
  for (const r of records) {
    if (r.ok) continue;
    const key = errorKey(r);
    errors[key] = (errors[key] ?? 0) + 1;
  }

  const window = measuredWindow(records);
  const windowS = window ? (window.end - window.start) / 1000 : null;
  const perS = (x: number): number | null => (windowS !== null && windowS > 0 ? x / windowS : null);

  let outTokens = 0;
  let inTokens = 0;
  const inDist: number[] = [];
  const outDist: number[] = [];
  for (const r of ok) {
    const n = outputTokens(r);
    if (n !== undefined) {
      outTokens += n;
      outDist.push(n);
    }
    if (r.promptTokens !== undefined) {
      inTokens += r.promptTokens;
      inDist.push(r.promptTokens);
    }
  }

  const events = tokenEvents(ok);
  let steady: number | null = null;
  let peak: number | null = null;
  if (window && windowS !== null && windowS > 0) {
    const span = window.end - window.start;
    const a = window.start + trim * span;
    const b = window.end - trim * span;
    let inside = 0;
    for (const [t, k] of events) if (t >= a && t <= b) inside += k;
    steady = b > a ? inside / ((b - a) / 1000) : null;
    peak = peakRate(events, window.start, span);
  }

  const summary: RunSummary = {
    requests,
    succeeded: ok.length,
    failed: requests - ok.length,
    successRate: requests > 0 ? ok.length / requests : null,
    errors,
    windowS,
    outputTokensPerS: perS(outTokens),
    totalTokensPerS: perS(outTokens + inTokens),
    requestsPerS: perS(ok.length),
    steadyOutputTokensPerS: steady,
    peakOutputTokensPerS: peak,
    ttft: distribution(metricValues(ok, 'ttft')),
    ttfo: distribution(metricValues(ok, 'ttfo')),
    ttfc: distribution(metricValues(ok, 'ttfc')),
    tpot: distribution(metricValues(ok, 'tpot')),
    itl: distribution(metricValues(ok, 'itl')),
    e2e: distribution(metricValues(ok, 'e2e')),
    e2eFromSched: distribution(definedValues(ok, e2eFromSched)),
    queueDelay: distribution(records.map(queueDelay)),
    inputTokens: distribution(inDist),
    outputTokens: distribution(outDist),
    truncationRate: requests > 0 ? records.filter((r) => r.finishReason === 'length').length / requests : null,
  };
  if (opts.offeredRate !== undefined) {
    summary.offeredRate = opts.offeredRate;
    summary.achievedRate = achievedSendRate(records);
  }
  if (opts.concurrency !== undefined) summary.concurrency = opts.concurrency;
  if (opts.slo) summary.goodput = goodput(records, opts.slo, windowS);
  if (opts.clientHealth) summary.clientHealth = opts.clientHealth;
  return summary;
}

/** Error breakdown key: the failure kind, with the HTTP status appended for `http` (`http_503`). */
export function errorKey(r: RequestRecord): string {
  const e = r.error;
  if (!e) return 'unknown';
  return e.kind === 'http' && e.status !== undefined ? `http_${e.status}` : e.kind;
}

/** W: from the first `tSend` to the last end of generation over the records given; null when nothing ended. */
export function measuredWindow(records: readonly RequestRecord[]): { start: number; end: number } | null {
  let start = Infinity;
  let end = -Infinity;
  for (const r of records) {
    if (r.tSend < start) start = r.tSend;
    const e = endTime(r);
    if (e !== undefined && e > end) end = e;
  }
  return start < Infinity && end > -Infinity && end >= start ? { start, end } : null;
}

/**
 * Sends per second between the first and the last send: (n - 1) / (last tSend - first tSend).
 * For arrivals spaced exactly 1/r apart this is exactly r, which n / span is not.
 */
export function achievedSendRate(records: readonly RequestRecord[]): number | null {
  if (records.length < 2) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    first = Math.min(first, r.tSend);
    last = Math.max(last, r.tSend);
  }
  return last > first ? ((records.length - 1) * 1000) / (last - first) : null;
}

/**
 * Whether a successful request meets every SLO given. A metric that was not measured (no TTFT
 * on a non-streaming request) does not meet its SLO; TPOT is vacuous for N < 2 output tokens,
 * where no time per output token exists.
 */
export function meetsSlo(r: RequestRecord, slo: Slo): boolean {
  if (!r.ok) return false;
  if (slo.ttftMs !== undefined) {
    const v = ttft(r);
    if (v === undefined || v > slo.ttftMs) return false;
  }
  if (slo.tpotMs !== undefined) {
    const n = outputTokens(r);
    const v = tpot(r);
    if (v === undefined ? n === undefined || n >= 2 : v > slo.tpotMs) return false;
  }
  if (slo.e2eMs !== undefined) {
    const v = e2e(r);
    if (v === undefined || v > slo.e2eMs) return false;
  }
  return true;
}

/** Goodput: good requests / W, and good / all requests sent (failures count against). */
export function goodput(records: readonly RequestRecord[], slo: Slo, windowS: number | null): GoodputSummary {
  const measured = records.filter((r) => !r.warmup);
  const good = measured.filter((r) => meetsSlo(r, slo)).length;
  return {
    slo,
    goodRequestsPerS: windowS !== null && windowS > 0 ? good / windowS : null,
    goodFraction: measured.length > 0 ? good / measured.length : null,
    good,
    total: measured.length,
  };
}

/**
 * (time, tokens) for every token-bearing event of the records. Tokens per event come from
 * `tokensPerEvent` when the server said; else N is spread evenly over the events; a request with
 * no event times (non-streaming) puts all N at its end.
 */
export function tokenEvents(records: readonly RequestRecord[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const r of records) {
    const n = outputTokens(r);
    const t = r.tokenTimes;
    if (t.length === 0) {
      const end = endTime(r);
      if (n !== undefined && end !== undefined) out.push([end, n]);
      continue;
    }
    const k = r.tokensPerEvent;
    if (k && k.length === t.length) {
      for (let i = 0; i < t.length; i++) out.push([t[i]!, k[i]!]);
    } else {
      const each = (n ?? t.length) / t.length;
      for (const ti of t) out.push([ti, each]);
    }
  }
  return out;
}

/**
 * Highest tokens/s over consecutive 1-second buckets from the window start. Only whole buckets
 * count (a partial last bucket would be scaled up from a fraction of a second); a window shorter
 * than one bucket reports its average instead.
 */
function peakRate(events: Array<[number, number]>, start: number, spanMs: number): number | null {
  if (spanMs <= 0) return null;
  const full = Math.floor(spanMs / PEAK_BUCKET_MS);
  if (full === 0) {
    let total = 0;
    for (const [, k] of events) total += k;
    return total / (spanMs / 1000);
  }
  const buckets = new Float64Array(full);
  for (const [t, k] of events) {
    const i = Math.floor((t - start) / PEAK_BUCKET_MS);
    if (i >= 0 && i < full) buckets[i]! += k;
  }
  let max = 0;
  for (const b of buckets) max = Math.max(max, b);
  return (max * 1000) / PEAK_BUCKET_MS;
}

function definedValues(records: readonly RequestRecord[], f: (r: RequestRecord) => number | undefined): number[] {
  const out: number[] = [];
  for (const r of records) {
    const v = f(r);
    if (v !== undefined) out.push(v);
  }
  return out;
}
