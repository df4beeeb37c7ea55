/**
 * Per-request metric values, exactly as defined in docs/metrics.md. Every latency is measured
 * from `tSend` (the coordinated-omission view from `tSched` is `e2eFromSched`). Only successful
 * requests contribute latencies: a failed request's partial timings describe the failure, not
 * the server's speed.
 */
import type { RequestRecord } from '../client/types.ts';

export type LatencyMetric = 'ttft' | 'ttfo' | 'ttfc' | 'tpot' | 'itl' | 'e2e' | 'queue';

/**
 * Output token count N: `usage.completion_tokens` (or the client's tokenizer estimate, which the
 * client stores in the same field), else the sum of per-event token counts, else undefined.
 * Never the number of events: a chunk may carry several tokens.
 */
export function outputTokens(r: RequestRecord): number | undefined {
  if (r.completionTokens !== undefined) return r.completionTokens;
  if (r.tokensPerEvent && r.tokensPerEvent.length > 0) return r.tokensPerEvent.reduce((a, b) => a + b, 0);
  return undefined;
}

/** End of generation: the last token-bearing event; `tClose` only when no token time was seen (non-streaming). */
export function endTime(r: RequestRecord): number | undefined {
  return r.tEnd ?? r.tClose;
}

export function ttft(r: RequestRecord): number | undefined {
  return r.tFirstToken !== undefined ? r.tFirstToken - r.tSend : undefined;
}

export function ttfo(r: RequestRecord): number | undefined {
  return r.tFirstOutput !== undefined ? r.tFirstOutput - r.tSend : undefined;
}

export function ttfc(r: RequestRecord): number | undefined {
  return r.tFirstChunk !== undefined ? r.tFirstChunk - r.tSend : undefined;
}

export function e2e(r: RequestRecord): number | undefined {
  const end = endTime(r);
  return end !== undefined ? end - r.tSend : undefined;
}

export function e2eFromSched(r: RequestRecord): number | undefined {
  const end = endTime(r);
  return end !== undefined ? end - r.tSched : undefined;
}

/** Client queue delay: how long after its scheduled time the request was actually sent. */
export function queueDelay(r: RequestRecord): number {
  return r.tSend - r.tSched;
}

/** TPOT = (E2E - TTFT) / (N - 1), defined for N >= 2 output tokens. */
export function tpot(r: RequestRecord): number | undefined {
  const n = outputTokens(r);
  if (n === undefined || n < 2 || r.tFirstToken === undefined || r.tEnd === undefined) return undefined;
  return (r.tEnd - r.tFirstToken) / (n - 1);
}

/**
 * Inter-token latencies of one request, per token: the gap before an event that carried k tokens
 * counts as k tokens of gap/k each, so a server that batches tokens into chunks is not reported
 * as having k-times-slower ITL (and the pool stays weighted by tokens, like vLLM's).
 */
export function itlGaps(r: RequestRecord, into: number[] = []): number[] {
  const t = r.tokenTimes;
  const k = r.tokensPerEvent;
  for (let i = 1; i < t.length; i++) {
    const gap = t[i]! - t[i - 1]!;
    const tokens = k && k.length === t.length ? Math.max(1, Math.round(k[i]!)) : 1;
    const per = gap / tokens;
    for (let j = 0; j < tokens; j++) into.push(per);
  }
  return into;
}

/**
 * All values of one metric over the successful requests given (ITL pooled over requests).
 * `queue` covers every request sent, failed or not: queueing happens before the outcome.
 */
export function metricValues(records: readonly RequestRecord[], metric: LatencyMetric): number[] {
  const out: number[] = [];
  if (metric === 'queue') {
    for (const r of records) out.push(queueDelay(r));
    return out;
  }
  if (metric === 'itl') {
    for (const r of records) if (r.ok) itlGaps(r, out);
    return out;
  }
  const f = { ttft, ttfo, ttfc, tpot, e2e }[metric];
  for (const r of records) {
    if (!r.ok) continue;
    const v = f(r);
    if (v !== undefined) out.push(v);
  }
  return out;
}
