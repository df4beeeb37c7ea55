/**
 * The suite's only augmentation of Vitest's types: the matchers, the test meta the reporter reads
 * and the context the global setup provides. Vitest 5 changes `Matchers<T>` to `Matchers<R, T>`:
 * this is the one place to change.
 */
import type { BenchMeta } from './meta.ts';
import type { BenchTarget } from '../setup/target.ts';
import type { Threshold } from '../config/thresholds.ts';
import type { LatencyMetric } from '../metrics/values.ts';
import type { Limit } from './performance.ts';
import type { GoldenItem } from '../config/golden.ts';

interface BenchMatchers<R = unknown> {
  /** p95 TTFT of a measurement below the limit (ms). */
  toHaveP95TTFTBelow(limit: Limit): R;
  /** Any percentile of a latency metric below the limit (ms). */
  toHavePercentileBelow(metric: LatencyMetric, p: number, limit: Limit): R;
  /** Output (default), total tokens/s or requests/s above the limit over the measured window. */
  toSustainThroughputAbove(limit: Limit, kind?: 'output' | 'total' | 'requests'): R;
  toHaveSuccessRateAbove(limit: Limit): R;
  /** Fraction of all requests that succeeded and met every SLO, at least the limit. */
  toMeetGoodput(limit: Limit): R;
  /** Drift summary: last/first window ratio of a latency percentile at most the limit. */
  toHaveLatencyDriftBelow(limit: Limit, stat?: 'p50' | 'p95'): R;
  toHaveTruncationRateBelow(limit: Limit): R;
  /** Every successful request's prompt and completion tokens inside the budget. */
  toStayWithinTokenBudget(budget: { input?: [number, number]; output?: [number, number] }): R;
  /** Any configured threshold (k6-style or the older tool's keys). */
  toMeetThreshold(threshold: Threshold): R;
  /** Answer text: every entity found (whole words/numbers, synonyms allowed). */
  toRecallEntities(items: GoldenItem[], minRecall?: number): R;
  toRecallFacts(items: GoldenItem[], minRecall?: number): R;
  /** Answer text: none of the forbidden items, on word and number boundaries. */
  toAvoidForbidden(items: string[]): R;
  /** Answer text: the category read from the answer equals the expected one (labels: the allowed set). */
  toMatchCategory(expected: string, labels?: string[]): R;
  /** Answer text: every expected number present as a whole number (120 is not 1200). */
  toMatchNumbers(expected: string[]): R;
  toBeValidJson(schema?: Record<string, unknown>): R;
}

declare module 'vitest' {
  interface Matchers<T = any> extends BenchMatchers<T> {}
  interface ProvidedContext {
    benchTarget: BenchTarget;
  }
}

// TaskMeta is declared in @vitest/runner and only re-exported by vitest, so it is augmented there.
declare module '@vitest/runner' {
  interface TaskMeta {
    bench?: BenchMeta;
  }
}
