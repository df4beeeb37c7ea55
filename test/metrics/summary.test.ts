import { describe, expect, it } from 'vitest';
import { goodput, meetsSlo, summarize } from '../../src/metrics/summary.ts';
import { metricValues } from '../../src/metrics/values.ts';
import { failed, rec, streamed } from './build.ts';

// A: scheduled at 0, sent at 10; role-only chunk at 20, first token at 50.
const a = rec({
  tSched: 0,
  tSend: 10,
  tHeaders: 15,
  tFirstChunk: 20,
  tFirstToken: 50,
  tFirstOutput: 60,
  tokenTimes: [50, 60, 80, 100],
  tEnd: 100,
  tClose: 105,
  completionTokens: 4,
  promptTokens: 10,
});
// B: the server batched tokens: events carry 1, 2 and 3 tokens.
const b = rec({
  tSend: 100,
  tFirstChunk: 150,
  tFirstToken: 150,
  tFirstOutput: 150,
  tokenTimes: [150, 170, 230],
  tokensPerEvent: [1, 2, 3],
  tEnd: 230,
  tClose: 240,
  completionTokens: 6,
  promptTokens: 20,
  finishReason: 'length',
});
const c = failed(200, { kind: 'http', status: 503, message: 'overloaded' });
const d = failed(210, { kind: 'stall_timeout', message: 'no bytes for 30 s' });
// Warm-up: far outside the window; must not count anywhere.
const w = streamed(-5000, [-4000, 9000], { warmup: true });
const all = [w, a, b, c, d];

describe('summarize', () => {
  const s = summarize(all);

  it('takes TTFT from the first token event, not the role-only chunk', () => {
    expect(s.ttft.n).toBe(2);
    expect(s.ttft.min).toBe(40); // A: 50 - 10, not 20 - 10
    expect(s.ttft.max).toBe(50); // B: 150 - 100
    expect(s.ttfc.min).toBe(10); // A's role chunk
    expect(s.ttfo.min).toBe(50); // A's first non-reasoning token
  });

  it('computes E2E from tSend to the last token event and from tSched too', () => {
    expect(metricValues([a, b], 'e2e')).toEqual([90, 130]);
    expect(s.e2eFromSched.max).toBe(130);
    expect(s.e2eFromSched.min).toBe(100); // A: 100 - 0
  });

  it('computes TPOT as (E2E - TTFT) / (N - 1)', () => {
    expect(metricValues([a], 'tpot')[0]).toBeCloseTo(50 / 3, 10);
    expect(metricValues([b], 'tpot')[0]).toBeCloseTo(80 / 5, 10);
    expect(metricValues([rec({ tSend: 0, tFirstToken: 5, tEnd: 5, tokenTimes: [5], completionTokens: 1 })], 'tpot')).toEqual([]);
  });

  it('pools ITL per token, splitting a gap over the tokens its event carried', () => {
    expect(metricValues([a], 'itl')).toEqual([10, 20, 20]);
    expect(metricValues([b], 'itl')).toEqual([10, 10, 20, 20, 20]);
    expect(s.itl.n).toBe(8);
    expect(s.itl.mean).toBeCloseTo(130 / 8, 10);
  });

  it('measures the window from the first send to the last token over measured requests', () => {
    expect(s.windowS).toBeCloseTo(0.22, 10); // 10 .. 230
    expect(s.outputTokensPerS).toBeCloseTo(10 / 0.22, 6);
    expect(s.totalTokensPerS).toBeCloseTo(40 / 0.22, 6);
    expect(s.requestsPerS).toBeCloseTo(2 / 0.22, 6);
  });

  it('counts outcomes, errors by kind and truncation', () => {
    expect(s).toMatchObject({ requests: 4, succeeded: 2, failed: 2, successRate: 0.5, truncationRate: 0.25 });
    expect(s.errors).toEqual({ http_503: 1, stall_timeout: 1 });
    expect(s.queueDelay.n).toBe(4);
    expect(s.queueDelay.max).toBe(10);
    expect(s.inputTokens.mean).toBe(15);
    expect(s.outputTokens.max).toBe(6);
  });

  it('reports nulls, not zeros, when nothing was measured', () => {
    const e = summarize([]);
    expect(e).toMatchObject({ requests: 0, successRate: null, windowS: null, outputTokensPerS: null, truncationRate: null, peakOutputTokensPerS: null });
    expect(e.ttft.p50).toBeNull();
  });

  it('reports peak tokens/s over whole 1-second buckets and a trimmed steady state', () => {
    const steady = streamed(0, [500, 1500, 2500, 3500]);
    const burst = streamed(0, [...Array.from({ length: 50 }, (_, i) => 1000 + i * 20), 4000]);
    const r = summarize([steady, burst]);
    expect(r.windowS).toBe(4);
    // Bucket [1, 2) s holds 1 + 50 tokens; the event at exactly 4 s is in no whole bucket.
    expect(r.peakOutputTokensPerS).toBe(51);
    // Trim 10 % each side: [0.4, 3.6] s holds 54 tokens over 3.2 s.
    expect(r.steadyOutputTokensPerS).toBeCloseTo(54 / 3.2, 10);
    expect(summarize([steady, burst], { trimFraction: 0 }).steadyOutputTokensPerS).toBeCloseTo(55 / 4, 10);
  });

  it('weights peak buckets by the tokens each event carried', () => {
    const r = summarize([rec({ tSend: 0, tFirstToken: 100, tEnd: 2500, tokenTimes: [100, 200, 2500], tokensPerEvent: [1, 9, 5], completionTokens: 15 })]);
    expect(r.peakOutputTokensPerS).toBe(10);
  });

  it('reports the achieved send rate next to the offered rate', () => {
    const sends = Array.from({ length: 11 }, (_, i) => streamed(i * 100, [i * 100 + 5]));
    const r = summarize(sends, { offeredRate: 12, concurrency: 3 });
    expect(r.offeredRate).toBe(12);
    expect(r.achievedRate).toBeCloseTo(10, 10);
    expect(r.concurrency).toBe(3);
  });
});

describe('goodput', () => {
  it('counts successful requests meeting every SLO, with failures in the denominator', () => {
    const g = summarize(all, { slo: { ttftMs: 45 } }).goodput!;
    expect(g).toMatchObject({ good: 1, total: 4, goodFraction: 0.25 });
    expect(g.goodRequestsPerS).toBeCloseTo(1 / 0.22, 6);
  });

  it('needs every SLO to hold at once', () => {
    expect(goodput([a, b], { tpotMs: 16.5 }, 1).good).toBe(1); // only B (16 ms)
    expect(goodput([a, b], { tpotMs: 16.5, ttftMs: 45 }, 1).good).toBe(0);
    expect(goodput([a, b], { e2eMs: 130 }, 1).good).toBe(2);
    expect(goodput([a, b], {}, 2).goodRequestsPerS).toBe(1);
  });

  it('does not count a request whose SLO metric was not measured', () => {
    const nonStreaming = rec({ tSend: 0, tEnd: 100, completionTokens: 20 });
    expect(meetsSlo(nonStreaming, { ttftMs: 1000 })).toBe(false);
    expect(meetsSlo(nonStreaming, { e2eMs: 1000 })).toBe(true);
    // One output token has no TPOT: the TPOT limit cannot be broken.
    expect(meetsSlo(streamed(0, [10]), { tpotMs: 1 })).toBe(true);
    expect(meetsSlo(failed(0, { kind: 'connect', message: 'refused' }), {})).toBe(false);
  });
});
