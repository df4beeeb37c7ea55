/**
 * A soak at steady concurrency, compared first window against last window on p50 and p95 latency
 * and on error rate, to catch drift and leaks. The server's own /metrics trend is recorded when it
 * exposes one. The full profile soaks 30 minutes in 5-minute windows.
 */
import { describe, expect } from 'vitest';
import { benchTest, progressPrinter, once, plan, recordMeasurement, target, thresholdOf } from './support/bench.ts';
import { measure } from '../src/runs/measure.ts';
import { drift, timeline } from '../src/metrics/drift.ts';
import { serverMetricsTrend } from '../src/runs/server-metrics.ts';
import { judge } from '../src/matchers/judge.ts';

const { durationS, windowS, concurrency, scenario } = plan.stability;
const driftMax = thresholdOf('latency_drift', { kind: 'p', p: 95 }, {
  id: 'default.latency_drift',
  dimension: 'stability',
  op: '<=',
  fail: 1.3,
  unit: 'x',
  source: 'default (the older tool\'s latency_drift_ratio_max)',
  expr: 'p(95) <= 1.3',
});
const errorDelta = thresholdOf('errors', { kind: 'rate' }, {
  id: 'default.errors',
  dimension: 'stability',
  op: '<=',
  fail: 0.05,
  unit: '',
  source: 'default (error rate of the last window at most 5%)',
  expr: 'rate <= 0.05',
});
const workload = `${scenario.name} ${scenario.inputTokens} -> ${scenario.outputTokens} at concurrency ${concurrency} for ${durationS} s, ${windowS} s windows`;

const soak = once(async () => {
  const before = await serverMetricsTrend(target.endpoint);
  const m = await measure(target, 'stability', {
    name: 'soak',
    scenario,
    concurrency,
    durationS,
    warmup: concurrency,
    slo: plan.slo,
    onProgress: progressPrinter('stability'),
  });
  const after = await serverMetricsTrend(target.endpoint);
  return {
    m,
    e2e: drift(m.records, { windowS, metric: 'e2e' }),
    ttft: drift(m.records, { windowS, metric: 'ttft' }),
    timeline: timeline(m.records, Math.max(1, windowS / 4)),
    server: before && after ? before.compare(after) : undefined,
  };
});

describe('stability', () => {
  for (const stat of ['p95', 'p50'] as const) {
    benchTest(
      'stability',
      `${stat} end-to-end latency drift at most ${driftMax.fail}x between the first and last ${windowS} s windows (${workload})`,
      async ({ meta }) => {
        const s = await soak();
        recordMeasurement(meta, s.m);
        meta.drift = [s.e2e, s.ttft];
        meta.timeline = s.timeline;
        if (s.server) meta.serverMetrics = s.server;
        expect.soft(s.e2e).toHaveLatencyDriftBelow(driftMax, stat);
      },
      { timeoutS: durationS + 60 },
    );
  }

  benchTest(
    'stability',
    `error rate of the last ${windowS} s window at most ${(errorDelta.fail * 100).toFixed(0)}% (${workload})`,
    async ({ meta }) => {
      const s = await soak();
      recordMeasurement(meta, s.m);
      meta.drift = [s.e2e];
      const last = s.e2e.last;
      const check = judge({
        name: 'last-window error rate',
        metric: 'errors',
        op: '<=',
        fail: errorDelta.fail,
        warn: errorDelta.warn,
        actual: last.n === 0 ? null : last.errorRate,
        n: last.n,
        minN: 1,
        context: `first window ${fmtRate(s.e2e.first.errorRate)}, last window ${fmtRate(last.errorRate)}`,
        source: errorDelta.source,
      });
      meta.checks.push(check);
      expect(check.status, check.message).not.toBe('fail');
    },
    { timeoutS: durationS + 60 },
  );
});

function fmtRate(r: number | null): string {
  return r === null ? 'n/a (empty)' : `${(r * 100).toFixed(1)}%`;
}
