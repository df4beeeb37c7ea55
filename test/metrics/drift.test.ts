import { describe, expect, it } from 'vitest';
import { drift, timeline } from '../../src/metrics/drift.ts';
import { histogram } from '../../src/metrics/histogram.ts';
import { failed, streamed } from './build.ts';

/** One request per second for `seconds`, E2E from `latency(i)`, failing where `fails(i)`. */
function soak(seconds: number, latency: (i: number) => number, fails: (i: number) => boolean = () => false) {
  return Array.from({ length: seconds }, (_, i) =>
    fails(i) ? failed(i * 1000, { kind: 'http', status: 500, message: 'boom' }) : streamed(i * 1000, [i * 1000 + 10, i * 1000 + latency(i)]),
  );
}

describe('drift', () => {
  it('compares the first and last windows: ratios last / first', () => {
    // 60 s: E2E 100 ms for the first 30 s, 200 ms after; errors only in the last 10 s (2 of 10).
    const records = soak(60, (i) => (i < 30 ? 100 : 200), (i) => i === 55 || i === 58);
    const d = drift(records, { windowS: 10 });
    expect(d.metric).toBe('e2e');
    expect(d.first).toMatchObject({ fromS: 0, toS: 10, n: 10, p50Ms: 100, p95Ms: 100, errorRate: 0 });
    expect(d.last).toMatchObject({ fromS: 49, toS: 59, n: 9, p50Ms: 200, errorRate: 2 / 11 });
    expect(d.p50Ratio).toBe(2);
    expect(d.p95Ratio).toBe(2);
    expect(d.errorRateDelta).toBeCloseTo(2 / 11, 10);
  });

  it('drifts on TTFT when asked', () => {
    const records = Array.from({ length: 20 }, (_, i) => streamed(i * 1000, [i * 1000 + (i < 10 ? 10 : 30), i * 1000 + 100]));
    const d = drift(records, { windowS: 5, metric: 'ttft' });
    expect(d.p50Ratio).toBe(3);
  });

  it('gives null ratios when a window has no successful sample (an error, not a pass)', () => {
    // Sends at 0..29 s: the last 5 s window is [24, 29] s.
    const lastAllFailed = soak(30, () => 100, (i) => i >= 24);
    const d = drift(lastAllFailed, { windowS: 5 });
    expect(d.last.n).toBe(0);
    expect(d.last.errorRate).toBe(1);
    expect(d.p50Ratio).toBeNull();
    expect(d.p95Ratio).toBeNull();

    const none = drift([], { windowS: 5 });
    expect(none.first.n).toBe(0);
    expect(none.p50Ratio).toBeNull();
    expect(none.errorRateDelta).toBeNull();
  });

  it('never lets the windows overlap on a short run', () => {
    const d = drift(soak(11, (i) => 100 + i), { windowS: 300 });
    expect(d.first).toMatchObject({ fromS: 0, toS: 5, n: 5 });
    expect(d.last).toMatchObject({ fromS: 5, toS: 10, n: 6 });
    expect(d.p50Ratio).toBeCloseTo(107.5 / 102, 10);
  });

  it('ignores warm-up requests', () => {
    const records = [streamed(-60_000, [-59_000, -50_000], { warmup: true }), ...soak(20, () => 100)];
    expect(drift(records, { windowS: 5 }).first.fromS).toBe(0);
    expect(drift(records, { windowS: 5 }).p50Ratio).toBe(1);
  });
});

describe('timeline', () => {
  it('buckets requests by send time and keeps empty buckets', () => {
    const records = [
      streamed(0, [10, 100]),
      streamed(500, [510, 800]),
      failed(900, { kind: 'connect', message: 'refused' }),
      // nothing in [1, 2) s
      streamed(2100, [2110, 2200]),
    ];
    const t = timeline(records, 1);
    expect(t).toHaveLength(3);
    expect(t[0]).toMatchObject({ tS: 0, n: 3, errors: 1, p50Ms: 200 });
    expect(t[1]).toEqual({ tS: 1, n: 0, p50Ms: null, p95Ms: null, errors: 0 });
    expect(t[2]).toMatchObject({ tS: 2, n: 1, p50Ms: 100 });
    expect(timeline([], 1)).toEqual([]);
  });
});

describe('histogram', () => {
  it('counts values into equal-width buckets, the maximum in the last', () => {
    const h = histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5);
    expect(h.edges).toEqual([0, 2, 4, 6, 8, 10]);
    expect(h.counts).toEqual([2, 2, 2, 2, 3]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(11);
  });

  it('handles empty and constant samples', () => {
    expect(histogram([])).toEqual({ edges: [], counts: [] });
    expect(histogram([128, 128, 128])).toEqual({ edges: [128, 129], counts: [3] });
    expect(() => histogram([1], 0)).toThrow(RangeError);
  });
});
