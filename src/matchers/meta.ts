/**
 * The one contract between benchmark workers and the reporter: what a benchmark test leaves in
 * `task.meta.bench`. It is structured-cloned on every task update and copied into json/blob/html
 * reports, so it holds summary numbers only (kilobytes); per-request records live in files that
 * `recordsFile` points to.
 */
import type { Distribution, DriftSummary, RunSummary, SweepSummary } from '../metrics/types.ts';

export type Dimension = 'accuracy' | 'latency' | 'throughput' | 'concurrency' | 'stability' | 'token-budget';

export const DIMENSIONS: readonly Dimension[] = [
  'accuracy',
  'latency',
  'throughput',
  'concurrency',
  'stability',
  'token-budget',
];

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One threshold judged by one matcher call. */
export interface CheckResult {
  /** Human name, e.g. `p95 TTFT`. */
  name: string;
  /** Metric key, e.g. `ttft`, `output_tps`, `entity_recall`. */
  metric: string;
  /** Comparison the threshold makes. */
  op: '<' | '<=' | '>' | '>=' | '==';
  /** Fail level. */
  limit: number;
  /** Optional warn level (same direction, stricter). */
  warn?: number;
  /** Measured value; null when it could not be measured (and then status is fail). */
  actual: number | null;
  /** Samples behind `actual`. */
  n: number | null;
  unit?: string;
  status: CheckStatus;
  /** The matcher's message, e.g. `expected p95 TTFT below 2000 ms, got 3100.0 ms (n=40, concurrency 1)`. */
  message: string;
  /** Where the threshold was declared: `golden/expectations.json#acceptance_criteria.entity_recall_min`. */
  source?: string;
}

export interface Histogram {
  /** Bucket lower edges; the last bucket is [edges[i], edges[i+1]). */
  edges: number[];
  counts: number[];
}

export interface ItemHit {
  item: string;
  found: boolean;
  /** The text in the answer that matched, when found. */
  matched?: string;
}

export interface AccuracyCaseResult {
  caseId: string;
  modality: 'text' | 'image';
  trial: number;
  ok: boolean;
  error?: string;
  expectedCategory?: string;
  gotCategory?: string | null;
  entities: ItemHit[];
  facts: ItemHit[];
  /** Forbidden items found in the answer. */
  forbiddenHits: string[];
  numbers?: { expected: string[]; missing: string[]; found: string[] };
  json?: { valid: boolean; error?: string };
  /** Judge verdicts for free-form facts, when a judge model is configured. */
  judged?: ItemHit[];
  latencyMs: number | null;
  finishReason?: string | null;
  promptTokens?: number;
  completionTokens?: number;
  /** The answer, cut to 2,000 characters. Escaped by the reporter, never trusted. */
  answer: string;
}

export interface ClassMetrics {
  label: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  support: number;
}

export interface AccuracyAggregate {
  cases: number;
  trials: number;
  skipped: number;
  skipReason?: string;
  categoryAccuracy: number | null;
  perClass: ClassMetrics[];
  confusion: { labels: string[]; matrix: number[][] };
  entityRecall: number | null;
  factRecall: number | null;
  forbiddenViolations: number;
  errorRate: number | null;
  truncationRate: number | null;
  p95LatencyMsImage: number | null;
  jsonValidRate: number | null;
}

export interface TokenBudgetInfo {
  inputTokens: Histogram;
  outputTokens: Histogram;
  truncationRate: number | null;
  /** Requests where the server reported fewer prompt tokens than were sent. */
  silentPromptTruncations: number;
  /** Requests cut short with no finish reason. */
  silentOutputTruncations: number;
  /** What the server does past its context window. */
  contextOverflow?: {
    promptOverLimit: 'http_400' | 'silent_truncation' | 'accepted' | 'other';
    promptPlusMaxTokensOverLimit: 'http_400' | 'silent_truncation' | 'accepted' | 'other';
    detail: string;
  };
  /** Requested vs received output length. */
  oslMismatch?: { requested: number; received: Distribution; exactFraction: number | null };
  cost?: {
    currency: string;
    perRequest: number | null;
    perMillionTokens: number | null;
    inputPricePerMillion: number;
    outputPricePerMillion: number;
  };
}

export interface TimelineBucket {
  /** Seconds since the start of the run. */
  tS: number;
  n: number;
  p50Ms: number | null;
  p95Ms: number | null;
  errors: number;
}

export interface BenchMeta {
  model: string;
  dimension: Dimension;
  /** Workload in words, e.g. `chat 512 -> 128 at concurrency 1`. */
  workload?: string;
  checks: CheckResult[];
  summary?: RunSummary;
  sweep?: SweepSummary;
  drift?: DriftSummary[];
  timeline?: TimelineBucket[];
  ttftByPromptLength?: { inputTokens: number; ttft: Distribution }[];
  tokenBudget?: TokenBudgetInfo;
  accuracyCases?: AccuracyCaseResult[];
  accuracy?: AccuracyAggregate;
  /** Server-side metrics trend from /metrics, when exposed. */
  serverMetrics?: { name: string; first: number | null; last: number | null }[];
  /** Path of the JSONL records file, relative to the run folder. */
  recordsFile?: string;
  warnings: string[];
  /** Seeds and parameters that reproduce the test. */
  params?: Record<string, string | number | boolean>;
}
