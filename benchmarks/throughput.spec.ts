/**
 * Sustained throughput at a saturating concurrency: output and total tokens/s and requests/s over
 * the measured window, and goodput under the SLOs.
 */
import { describe, expect } from 'vitest';
import { benchTest, progressPrinter, extraThresholds, once, plan, recordMeasurement, target, thresholdOf } from './support/bench.ts';
import { measure } from '../src/runs/measure.ts';

const { concurrency, durationS, scenario, warmup } = plan.throughput;
const tps = thresholdOf('output_tps', { kind: 'value' }, {
  id: 'default.output_tps',
  dimension: 'throughput',
  op: '>',
  fail: 30,
  unit: 'tok/s',
  source: 'default (the older tool\'s tps_min)',
  expr: 'value > 30',
});
const goodput = thresholdOf('goodput', { kind: 'rate' }, {
  id: 'default.goodput',
  dimension: 'throughput',
  op: '>=',
  fail: 0.9,
  unit: '',
  source: 'default (90% of requests meet every SLO)',
  expr: 'rate >= 0.9',
});
const others = extraThresholds('throughput', [tps, goodput]);
const workload = `${scenario.name} ${scenario.inputTokens} -> ${scenario.outputTokens}, concurrency ${concurrency} for ${durationS} s`;

const run = once(() =>
  measure(target, 'throughput', {
    name: 'sustained',
    scenario,
    concurrency,
    durationS,
    warmup,
    slo: plan.slo,
    onProgress: progressPrinter('throughput'),
  }),
);

describe('throughput', () => {
  benchTest(
    'throughput',
    `output throughput above ${tps.fail} tok/s (${workload})`,
    async ({ meta }) => {
      const m = await run();
      recordMeasurement(meta, m);
      expect.soft(m).toSustainThroughputAbove(tps, 'output');
      for (const t of others) expect.soft(m).toMeetThreshold(t);
    },
    { timeoutS: durationS + 30 },
  );

  benchTest(
    'throughput',
    `goodput: at least ${(goodput.fail * 100).toFixed(0)}% of requests meet TTFT <= ${plan.slo.ttftMs} ms and TPOT <= ${plan.slo.tpotMs} ms (${workload})`,
    async ({ meta }) => {
      const m = await run();
      recordMeasurement(meta, m);
      expect.soft(m).toMeetGoodput(goodput);
    },
    { timeoutS: durationS + 30 },
  );
});
