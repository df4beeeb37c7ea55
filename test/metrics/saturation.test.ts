import { describe, expect, it } from 'vitest';
import { runSweep } from '../../src/load/sweep.ts';
import { levelMeetsSlo, maxLoadWithinSlo, saturationLoad, summarizeSweep } from '../../src/metrics/saturation.ts';
import { summarize } from '../../src/metrics/summary.ts';
import type { Distribution, RunSummary } from '../../src/metrics/types.ts';

function dist(p50: number, p95 = p50): Distribution {
  return { n: 100, mean: p50, min: p50, max: p95, p50, p90: p95, p95, p99: p95, stdev: 0 };
}

/** A level's summary with the numbers saturation looks at. */
function level(outputTps: number, e2eP50: number, opts: { ttftP95?: number; successRate?: number } = {}): RunSummary {
  return {
    ...summarize([]),
    requests: 100,
    succeeded: Math.round(100 * (opts.successRate ?? 1)),
    successRate: opts.successRate ?? 1,
    outputTokensPerS: outputTps,
    e2e: dist(e2eP50),
    ttft: dist(opts.ttftP95 ?? 50),
  };
}

const sweep = (rows: Array<[number, number, number]>) => rows.map(([load, tps, e2e]) => ({ load, summary: level(tps, e2e) }));

describe('saturationLoad', () => {
  it('finds the level past which more load adds < 10 % throughput while latency climbs', () => {
    const points = sweep([
      [1, 100, 100],
      [2, 195, 102],
      [4, 380, 105],
      [8, 700, 114],
      [16, 740, 216],
      [32, 745, 430],
    ]);
    expect(saturationLoad(points)).toBe(8);
    // A stricter gain (5 %) still sees 740 vs 700 (+5.7 %) as growth: the knee moves to 16.
    expect(saturationLoad(points, { minGain: 0.05 })).toBe(16);
  });

  it('returns null while throughput still grows at the highest level', () => {
    expect(saturationLoad(sweep([[1, 100, 100], [2, 200, 100], [4, 400, 101], [8, 790, 103]]))).toBeNull();
  });

  it('does not mistake a noisy dip for saturation when a higher level gains again', () => {
    expect(saturationLoad(sweep([[1, 100, 100], [2, 200, 100], [4, 190, 130], [8, 400, 140]]))).toBeNull();
  });

  it('needs latency to climb: a flat plateau with flat latency is not saturation', () => {
    expect(saturationLoad(sweep([[1, 100, 100], [2, 200, 100], [4, 205, 101], [8, 206, 102]]))).toBeNull();
  });

  it('sees a throughput collapse as saturation', () => {
    expect(saturationLoad(sweep([[10, 500, 100], [20, 950, 110], [40, 600, 900]]))).toBe(20);
  });

  it('falls back to requests/s when token throughput is unknown', () => {
    const points = [
      { load: 1, summary: { ...level(0, 100), outputTokensPerS: null, requestsPerS: 10 } },
      { load: 2, summary: { ...level(0, 180), outputTokensPerS: null, requestsPerS: 10.2 } },
    ];
    expect(saturationLoad(points)).toBe(1);
  });
});

describe('SLO capacity', () => {
  it('judges a level on p95 of each SLO metric and on success rate', () => {
    expect(levelMeetsSlo(level(100, 100, { ttftP95: 900 }), { ttftMs: 1000 })).toBe(true);
    expect(levelMeetsSlo(level(100, 100, { ttftP95: 1100 }), { ttftMs: 1000 })).toBe(false);
    expect(levelMeetsSlo(level(100, 100, { ttftP95: 10, successRate: 0.9 }), { ttftMs: 1000 })).toBe(false);
    // No TPOT samples: the TPOT limit is not met.
    expect(levelMeetsSlo({ ...level(100, 100), tpot: summarize([]).tpot }, { tpotMs: 50 })).toBe(false);
  });

  it('reports the highest load of the passing run from the lowest level', () => {
    expect(maxLoadWithinSlo([{ load: 1, meetsSlo: true }, { load: 2, meetsSlo: true }, { load: 4, meetsSlo: false }, { load: 8, meetsSlo: true }])).toBe(2);
    expect(maxLoadWithinSlo([{ load: 1, meetsSlo: false }, { load: 2, meetsSlo: true }])).toBeNull();
  });

  it('summarises a sweep', () => {
    const s = summarizeSweep('rate', [
      { load: 40, summary: level(2000, 400, { ttftP95: 1800 }) },
      { load: 10, summary: level(600, 300, { ttftP95: 200 }) },
      { load: 20, summary: level(1150, 320, { ttftP95: 400 }) },
      { load: 80, summary: level(2050, 2400, { ttftP95: 5000 }) },
    ], { ttftMs: 1000 });
    expect(s.points.map((p) => p.load)).toEqual([10, 20, 40, 80]);
    expect(s.points.map((p) => p.meetsSlo)).toEqual([true, true, false, false]);
    expect(s.maxLoadWithinSlo).toBe(20);
    expect(s.saturationLoad).toBe(40);
    expect(s.axis).toBe('rate');
  });
});

describe('runSweep', () => {
  it('runs each level in order and summarises them', async () => {
    const ran: number[] = [];
    const model = (c: number): RunSummary => level(Math.min(c, 8) * 100, c <= 8 ? 100 : 100 * (c / 8), { ttftP95: c <= 8 ? 200 : 200 * (c / 8) });
    const s = await runSweep({
      axis: 'concurrency',
      levels: [1, 2, 4, 8, 16, 32, 64],
      slo: { ttftMs: 500 },
      runLevel: (c) => {
        ran.push(c);
        return Promise.resolve(model(c));
      },
    });
    expect(ran).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(s.saturationLoad).toBe(8);
    expect(s.maxLoadWithinSlo).toBe(16); // p95 TTFT 400 ms at 16, 800 ms at 32
  });

  it('stops after consecutive failing levels and on abort', async () => {
    const ran: number[] = [];
    const s = await runSweep({
      axis: 'concurrency',
      levels: [1, 2, 4, 8, 16],
      slo: { ttftMs: 100 },
      stopAfterFailures: 2,
      runLevel: (c) => {
        ran.push(c);
        return Promise.resolve(level(c * 10, 100, { ttftP95: c >= 4 ? 1000 : 10 }));
      },
    });
    expect(ran).toEqual([1, 2, 4, 8]);
    expect(s.points).toHaveLength(4);

    const ctl = new AbortController();
    const ran2: number[] = [];
    await runSweep({
      axis: 'rate',
      levels: [1, 2, 3],
      slo: {},
      signal: ctl.signal,
      runLevel: (r) => {
        ran2.push(r);
        if (r === 2) ctl.abort();
        return Promise.resolve(level(r, 100));
      },
    });
    expect(ran2).toEqual([1, 2]);
  });
});
