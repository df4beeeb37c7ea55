import { describe, expect, it } from 'vitest';
import { judgeClientHealth, startClientHealthMonitor, type RawClientHealth } from '../../src/metrics/client-health.ts';

const raw = (loopP99: number | null, lagP99: number | null = null): RawClientHealth => ({
  eventLoopDelayP50Ms: loopP99 === null ? null : loopP99 / 4,
  eventLoopDelayP99Ms: loopP99,
  eventLoopDelayMaxMs: loopP99,
  schedulingLagP99Ms: lagP99,
  schedulingLagSamples: lagP99 === null ? 0 : 100,
  durationMs: 1000,
});

describe('judgeClientHealth', () => {
  it('scales the limit with the measured latency: 10 % of p50, between 2 and 20 ms', () => {
    expect(judgeClientHealth(raw(4), 50).flagged).toBe(false); // limit 5 ms
    expect(judgeClientHealth(raw(6), 50).flagged).toBe(true);
    expect(judgeClientHealth(raw(19), 2000).flagged).toBe(false); // limit 20 ms (capped)
    expect(judgeClientHealth(raw(21), 2000).flagged).toBe(true);
    expect(judgeClientHealth(raw(1.9), 1).flagged).toBe(false); // 2 ms floor
    expect(judgeClientHealth(raw(25), null).flagged).toBe(true);
  });

  it('flags scheduling lag too and says why', () => {
    const h = judgeClientHealth(raw(1, 30), 1000);
    expect(h.flagged).toBe(true);
    expect(h.reason).toMatch(/p99 scheduling lag 30\.0 ms exceeds 20\.0 ms/);
    expect(h.schedulingLagP99Ms).toBe(30);
    const ok = judgeClientHealth(raw(null, null), 100);
    expect(ok).toMatchObject({ flagged: false, eventLoopDelayP99Ms: null });
    expect(ok.reason).toBeUndefined();
  });
});

describe('startClientHealthMonitor', () => {
  it('sees a blocked event loop and takes the p99 of scheduling lags', async () => {
    const m = startClientHealthMonitor(2);
    await new Promise((r) => setTimeout(r, 30));
    const until = performance.now() + 80;
    while (performance.now() < until) {
      // Block the loop on purpose: the monitor must see ~80 ms of delay.
    }
    await new Promise((r) => setTimeout(r, 30));
    const lags = Array.from({ length: 100 }, (_, i) => i + 1);
    const r = m.stop(lags);
    expect(r.eventLoopDelayMaxMs).toBeGreaterThanOrEqual(60);
    expect(r.schedulingLagP99Ms).toBeCloseTo(99.01, 6);
    expect(r.schedulingLagSamples).toBe(100);
    expect(judgeClientHealth(r, 10).flagged).toBe(true);
    // stop is idempotent: the same numbers again.
    expect(m.stop()).toBe(r);
  });
});
