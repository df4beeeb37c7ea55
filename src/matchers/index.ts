/**
 * Registers the suite's matchers (loaded as a Vitest setup file). Each matcher judges through the
 * plain functions in performance.ts / accuracy.ts and appends its CheckResult to
 * `task.meta.bench.checks`, so the reporter sees every threshold that was judged, with the value.
 * Messages are built once; `pass` is never flipped for `.not`.
 */
import { expect } from 'vitest';
import './augment.ts';
import type { CheckResult } from './meta.ts';
import {
  checkDrift,
  checkGoodput,
  checkPercentile,
  checkSuccessRate,
  checkThreshold,
  checkThroughput,
  checkTokenBudget,
  checkTruncationRate,
  type Limit,
} from './performance.ts';
import { accuracyChecks } from './accuracy.ts';
import type { Measurement } from '../runs/measure.ts';
import type { DriftSummary } from '../metrics/types.ts';
import type { LatencyMetric } from '../metrics/values.ts';
import type { Threshold } from '../config/thresholds.ts';

interface State {
  task?: { meta: { bench?: { checks: CheckResult[] } } };
  isNot: boolean;
}

function report(state: State, check: CheckResult): { pass: boolean; message: () => string; actual: unknown; expected: unknown } {
  state.task?.meta.bench?.checks.push(check);
  // A warning passes the test; the reporter and the annotation show it.
  const pass = check.status !== 'fail';
  const message = check.message;
  return {
    pass,
    message: () => (state.isNot ? `expected the threshold to fail, but: ${message}` : message),
    actual: check.actual,
    expected: `${check.op} ${check.limit}`,
  };
}

function asMeasurement(received: unknown, matcher: string): Measurement {
  const m = received as Measurement;
  if (!m || typeof m !== 'object' || !('summary' in m) || !('records' in m)) {
    throw new TypeError(`${matcher} expects a Measurement returned by measure(), got ${typeof received}`);
  }
  return m;
}

expect.extend({
  toHaveP95TTFTBelow(received: unknown, limit: Limit) {
    return report(this as State, checkPercentile(asMeasurement(received, 'toHaveP95TTFTBelow'), 'ttft', 95, limit));
  },
  toHavePercentileBelow(received: unknown, metric: LatencyMetric, p: number, limit: Limit) {
    return report(this as State, checkPercentile(asMeasurement(received, 'toHavePercentileBelow'), metric, p, limit));
  },
  toSustainThroughputAbove(received: unknown, limit: Limit, kind: 'output' | 'total' | 'requests' = 'output') {
    return report(this as State, checkThroughput(asMeasurement(received, 'toSustainThroughputAbove'), limit, kind));
  },
  toHaveSuccessRateAbove(received: unknown, limit: Limit) {
    return report(this as State, checkSuccessRate(asMeasurement(received, 'toHaveSuccessRateAbove'), limit));
  },
  toMeetGoodput(received: unknown, limit: Limit) {
    return report(this as State, checkGoodput(asMeasurement(received, 'toMeetGoodput'), limit));
  },
  toHaveLatencyDriftBelow(received: unknown, limit: Limit, stat: 'p50' | 'p95' = 'p95') {
    return report(this as State, checkDrift(received as DriftSummary, limit, stat));
  },
  toHaveTruncationRateBelow(received: unknown, limit: Limit) {
    return report(this as State, checkTruncationRate(asMeasurement(received, 'toHaveTruncationRateBelow'), limit));
  },
  toStayWithinTokenBudget(received: unknown, budget: { input?: [number, number]; output?: [number, number] }) {
    return report(this as State, checkTokenBudget(asMeasurement(received, 'toStayWithinTokenBudget'), budget));
  },
  toMeetThreshold(received: unknown, threshold: Threshold) {
    return report(this as State, checkThreshold(asMeasurement(received, 'toMeetThreshold'), threshold));
  },
  ...Object.fromEntries(
    Object.entries(accuracyChecks).map(([name, fn]) => [
      name,
      function (this: State, received: unknown, ...args: unknown[]) {
        return report(this, (fn as (r: unknown, ...a: unknown[]) => CheckResult)(received, ...args));
      },
    ]),
  ),
});
