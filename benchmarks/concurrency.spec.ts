/**
 * A sweep over concurrency levels: success rate and latency distribution at each, the saturation
 * point (more load stops adding throughput while latency climbs), and the highest load that still
 * meets the SLOs (what one node can carry: capacity planning).
 */
import { describe, expect } from 'vitest';
import { benchTest, plan, recordMeasurement, target, thresholdOf } from './support/bench.ts';
import { measure, type Measurement } from '../src/runs/measure.ts';
import { summarizeSweep } from '../src/metrics/saturation.ts';
import { judge } from '../src/matchers/judge.ts';

const { levels, durationS, scenario } = plan.concurrency;
const success = thresholdOf('success_rate', { kind: 'rate' }, {
  id: 'default.success_rate',
  dimension: 'concurrency',
  op: '>=',
  fail: 0.95,
  unit: '',
  source: 'default (the older tool\'s success_rate_min)',
  expr: 'rate >= 0.95',
});
const measured = new Map<number, Measurement>();

describe('concurrency', () => {
  for (const level of levels) {
    benchTest(
      'concurrency',
      `success rate at least ${(success.fail * 100).toFixed(0)}% at concurrency ${level} (${scenario.name} ${scenario.inputTokens} -> ${scenario.outputTokens}, ${durationS} s)`,
      async ({ meta, signal, progress }) => {
        const m = await measure(target, 'concurrency', {
          name: `c${level}`,
          scenario,
          concurrency: level,
          durationS,
          warmup: Math.min(level, 8),
          slo: plan.slo,
          signal,
          onProgress: progress,
        });
        measured.set(level, m);
        recordMeasurement(meta, m);
        expect.soft(m).toHaveSuccessRateAbove(success);
      },
      { timeoutS: durationS + 30 },
    );
  }

  benchTest(
    'concurrency',
    `capacity: the highest concurrency meeting TTFT p95 <= ${plan.slo.ttftMs} ms, TPOT p95 <= ${plan.slo.tpotMs} ms and 99% success is at least 1, and the saturation point is reported (levels ${levels.join('/')})`,
    async ({ meta }) => {
      const points = levels.filter((l) => measured.has(l)).map((l) => ({ load: l, summary: measured.get(l)!.summary }));
      const sweep = summarizeSweep('concurrency', points, { ttftMs: plan.slo.ttftMs, tpotMs: plan.slo.tpotMs });
      meta.sweep = sweep;
      meta.workload = `${scenario.name} ${scenario.inputTokens} -> ${scenario.outputTokens}, levels ${levels.join('/')} at ${durationS} s each`;
      // Say why each level missed: errors are not fast answers, and a latency SLO is not the only way to fail.
      const perLevel = sweep.points.map((p) => {
        const s = p.summary;
        const pct = s.successRate === null ? 'n/a' : `${(s.successRate * 100).toFixed(1)}%`;
        return `c=${p.load} ${p.meetsSlo ? 'meets' : 'misses'} (success rate ${pct}, TTFT p95 ${fmt(s.ttft.p95)} ms, TPOT p95 ${fmt(s.tpot.p95)} ms)`;
      });
      const check = judge({
        name: 'highest concurrency within the SLOs',
        metric: 'capacity',
        op: '>=',
        fail: 1,
        actual: points.length === levels.length ? sweep.maxLoadWithinSlo : null,
        n: points.length,
        context:
          points.length === levels.length
            ? `${perLevel.join('; ')}; saturation ${sweep.saturationLoad === null ? 'not reached' : `at c=${sweep.saturationLoad}`}`
            : `only ${points.length} of ${levels.length} levels were measured; run the whole concurrency file`,
      });
      if (check.actual === null && points.length === levels.length) {
        check.message = `no concurrency level met the SLOs: ${perLevel.join('; ')}`;
      }
      meta.checks.push(check);
      expect(check.status, check.message).not.toBe('fail');
    },
  );
});

function fmt(v: number | null): string {
  return v === null ? 'n/a' : v.toFixed(0);
}
