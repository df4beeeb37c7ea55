/**
 * The metric vocabulary thresholds are written in, and how the older tool's threshold keys map onto
 * it. Plain data: models.ts builds its schema from these tables, thresholds.ts parses against them,
 * and matchers/reporters can read labels and units from here instead of hard-coding them.
 * Definitions of the latency metrics are in docs/metrics.md (shared/design/metrics.md).
 */
import type { Dimension } from '../matchers/meta.ts';

/** Aggregations a threshold can apply to a metric (k6 names). `med` in expressions is `p(50)`. */
export type StatKind = 'p' | 'avg' | 'min' | 'max' | 'rate' | 'value' | 'count';
export type Stat = { kind: 'p'; p: number } | { kind: 'avg' | 'min' | 'max' | 'rate' | 'value' | 'count' };
export type ThresholdOp = '<' | '<=' | '>' | '>=';

/** What values a metric can take, used to reject limits that can never be met or never fail. */
export type Domain = 'duration' | 'fraction' | 'ratio' | 'count' | 'per_second' | 'delta';

export interface MetricInfo {
  name: string;
  /** The dimension whose spec judges it unless a threshold says otherwise. */
  dimension: Dimension;
  /** Short human name used in messages: `TTFT`, `output throughput`. */
  label: string;
  /** Aggregations this metric accepts. */
  stats: readonly StatKind[];
  /** Only these percentiles, when the metric is computed for a fixed set (drift: p50 and p95). */
  percentiles?: readonly number[];
  /** Unit of `value`/`p`/`avg`/... ; `rate` is always a fraction (unit ''). */
  unit: string;
  domain: Domain;
  description: string;
}

const LATENCY_STATS: readonly StatKind[] = ['p', 'avg', 'min', 'max'];

function latency(name: string, label: string, description: string): MetricInfo {
  return { name, dimension: 'latency', label, stats: LATENCY_STATS, unit: 'ms', domain: 'duration', description };
}
function fraction(name: string, dimension: Dimension, label: string, description: string, extra: StatKind[] = []): MetricInfo {
  return { name, dimension, label, stats: ['rate', ...extra], unit: '', domain: 'fraction', description };
}

/** Every metric a threshold may name, keyed by name. */
export const METRICS: Readonly<Record<string, MetricInfo>> = Object.fromEntries(
  ([
    latency('ttft', 'TTFT', 'time to first generated token on any channel, from send (ms)'),
    latency('ttfo', 'TTFO', 'time to first non-reasoning output token, from send (ms)'),
    latency('ttfc', 'TTFC', 'time to first chunk with non-empty choices, from send (ms)'),
    latency('tpot', 'TPOT', 'time per output token after the first: (E2E - TTFT) / (N - 1) (ms)'),
    latency('itl', 'ITL', 'gap between consecutive token events, per token, pooled (ms)'),
    latency('e2e', 'E2E latency', 'last token event minus send (ms)'),
    { name: 'output_tps', dimension: 'throughput', label: 'output throughput', stats: ['value'], unit: 'tok/s', domain: 'per_second', description: 'output tokens of successful requests / measured window (tokens/s)' },
    { name: 'total_tps', dimension: 'throughput', label: 'total throughput', stats: ['value'], unit: 'tok/s', domain: 'per_second', description: '(input + output tokens) / measured window (tokens/s)' },
    { name: 'rps', dimension: 'throughput', label: 'request throughput', stats: ['value'], unit: 'req/s', domain: 'per_second', description: 'successful requests / measured window (requests/s)' },
    { name: 'goodput', dimension: 'throughput', label: 'goodput', stats: ['value', 'rate'], unit: 'req/s', domain: 'per_second', description: 'value: requests meeting every SLO per second; rate: their share of all requests' },
    fraction('success_rate', 'concurrency', 'success rate', 'successful requests / all requests sent'),
    fraction('errors', 'concurrency', 'error rate', 'failed requests / all requests sent (count: number of failures)', ['count']),
    fraction('truncation', 'token-budget', 'truncation rate', 'requests with finish_reason "length" / all requests'),
    { name: 'latency_drift', dimension: 'stability', label: 'latency drift', stats: ['p'], percentiles: [50, 95], unit: 'x', domain: 'ratio', description: 'last-window / first-window latency percentile in a soak (ratio)' },
    { name: 'error_drift', dimension: 'stability', label: 'error-rate drift', stats: ['value'], unit: '', domain: 'delta', description: 'last-window minus first-window error rate in a soak' },
    fraction('category_accuracy', 'accuracy', 'category accuracy', 'cases whose category matches the expected one / cases'),
    fraction('category_precision', 'accuracy', 'category precision', 'macro-averaged precision over expected categories (the older tool reported plain accuracy under this name)'),
    fraction('entity_recall', 'accuracy', 'entity recall', 'required entities found / required entities'),
    fraction('fact_recall', 'accuracy', 'fact recall', 'required facts found / required facts'),
    fraction('number_recall', 'accuracy', 'number recall', 'expected numbers found as whole numbers after normalisation / expected numbers'),
    fraction('json_valid', 'accuracy', 'valid JSON rate', 'answers that parse as the requested JSON / answers'),
    { name: 'forbidden_violations', dimension: 'accuracy', label: 'forbidden-output violations', stats: ['count'], unit: '', domain: 'count', description: 'forbidden items (must_not_say) found in answers' },
    { name: 'image_latency', dimension: 'accuracy', label: 'per-image latency', stats: LATENCY_STATS, unit: 'ms', domain: 'duration', description: 'end-to-end latency of golden cases with an image (ms)' },
  ] satisfies MetricInfo[]).map((m) => [m.name, m]),
);

export const METRIC_NAMES: readonly string[] = Object.keys(METRICS);

/** Unit of a metric under an aggregation: `rate` is a fraction, `count` a number of requests. */
export function unitOf(info: MetricInfo, stat: Stat): string {
  if (stat.kind === 'rate' || stat.kind === 'count') return '';
  return info.unit;
}

/** How one of the older tool's keys reads in this vocabulary. `_max` keys are `<=`, `_min` keys `>=`. */
export interface LegacyKey {
  metric: string;
  stat: Stat;
  op: ThresholdOp;
  /** Overrides the metric's default dimension (e.g. error_rate_max over golden cases is accuracy). */
  dimension?: Dimension;
  description: string;
}

const ACCURACY_KEYS = {
  category_precision_min: { metric: 'category_precision', stat: { kind: 'rate' }, op: '>=', description: 'minimum category precision over golden cases (0-1)' },
  entity_recall_min: { metric: 'entity_recall', stat: { kind: 'rate' }, op: '>=', description: 'minimum share of must_identify_entities found (0-1)' },
  fact_recall_min: { metric: 'fact_recall', stat: { kind: 'rate' }, op: '>=', description: 'minimum share of must_identify_facts found (0-1)' },
  must_not_say_violation_max: { metric: 'forbidden_violations', stat: { kind: 'count' }, op: '<=', description: 'maximum number of must_not_say items found in answers' },
  output_token_truncation_rate_max: { metric: 'truncation', stat: { kind: 'rate' }, op: '<=', dimension: 'accuracy', description: 'maximum share of golden answers cut by max_tokens (0-1)' },
  p95_latency_ms_max_per_image: { metric: 'image_latency', stat: { kind: 'p', p: 95 }, op: '<=', description: 'maximum p95 end-to-end latency per image case (ms)' },
  error_rate_max: { metric: 'errors', stat: { kind: 'rate' }, op: '<=', dimension: 'accuracy', description: 'maximum share of golden requests that failed (0-1)' },
  json_valid_rate_min: { metric: 'json_valid', stat: { kind: 'rate' }, op: '>=', description: 'minimum share of answers that are valid JSON (and match json_schema) (0-1)' },
  number_recall_min: { metric: 'number_recall', stat: { kind: 'rate' }, op: '>=', description: 'minimum share of expected numbers found (0-1)' },
} as const satisfies Record<string, LegacyKey>;

/**
 * `benchmarks.<section>.thresholds.<key>` of the older tool's models.yaml. The accuracy section also
 * takes every `acceptance_criteria` key, so a golden-set threshold can be overridden per model.
 */
export const LEGACY_BENCHMARK_KEYS = {
  accuracy: ACCURACY_KEYS,
  ttft: {
    p95_ttft_ms_max: { metric: 'ttft', stat: { kind: 'p', p: 95 }, op: '<=', description: 'maximum p95 time to first token (ms)' },
  },
  throughput: {
    tps_min: { metric: 'output_tps', stat: { kind: 'value' }, op: '>=', description: 'minimum sustained output throughput (tokens/s)' },
  },
  concurrency: {
    success_rate_min: { metric: 'success_rate', stat: { kind: 'rate' }, op: '>=', description: 'minimum success rate at every concurrency level (0-1)' },
  },
  stability: {
    latency_drift_ratio_max: { metric: 'latency_drift', stat: { kind: 'p', p: 95 }, op: '<=', description: 'maximum last/first window ratio of p95 latency in the soak' },
  },
  token_budget: {
    truncation_rate_max: { metric: 'truncation', stat: { kind: 'rate' }, op: '<=', description: 'maximum share of requests ending with finish_reason "length" (0-1)' },
  },
} as const satisfies Record<string, Record<string, LegacyKey>>;

export type LegacySection = keyof typeof LEGACY_BENCHMARK_KEYS;

/** `golden/expectations.json#acceptance_criteria` keys. */
export const ACCEPTANCE_KEYS: Readonly<Record<string, LegacyKey>> = ACCURACY_KEYS;

/** `regression_thresholds` keys and the older tool's values, used when a key is absent. */
export const REGRESSION_DEFAULTS = {
  category_precision_drop_max: 0.05,
  entity_recall_drop_max: 0.1,
  fact_recall_drop_max: 0.1,
  p95_latency_ratio_max: 1.5,
  must_not_say_delta_max: 0,
} as const;
