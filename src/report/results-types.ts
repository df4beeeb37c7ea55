/**
 * GENERATED from schema/results.schema.json by scripts/gen-results-types.ts. Do not edit by hand.
 */

/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "Dimension".
 */
export type Dimension = 'accuracy' | 'latency' | 'throughput' | 'concurrency' | 'stability' | 'token-budget';
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "CheckStatus".
 */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/**
 * results.json of one benchmark run folder (reports/<run-id>/results.json). Generated types: src/report/results-types.ts (npx tsx scripts/gen-results-types.ts).
 */
export interface BenchResults {
  schemaVersion: 1;
  runId: string;
  generatedAt: string;
  outcome: Outcome;
  environment: Environment;
  models: ModelInfo[];
  tests: TestResult[];
  unhandledErrors: string[];
  regressionThresholds: RegressionThresholds;
  comparisons: Comparison[];
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "Outcome".
 */
export interface Outcome {
  exitCode: 0 | 1 | 2;
  status: 'passed' | 'failed' | 'error';
  reasons: string[];
  warnings: string[];
  passed: number;
  failed: number;
  skipped: number;
  total: number;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "Environment".
 */
export interface Environment {
  suiteVersion: string | null;
  vitestVersion: string | null;
  nodeVersion: string;
  profile: string;
  platform: string;
  osRelease: string;
  arch: string;
  cpuModel: string;
  cpus: number;
  memoryBytes: number;
  seeds: string[];
  startedAt: string | null;
  ci: boolean;
}
/**
 * A model as declared in models.yaml; baseUrl has userinfo and query stripped.
 *
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "ModelInfo".
 */
export interface ModelInfo {
  name: string;
  provider?: string;
  baseUrl?: string;
  /**
   * Path of the Unix domain socket the model is reached through (models.yaml unix_socket).
   */
  unixSocket?: string;
  servedModelName?: string;
  baseline?: string;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "TestResult".
 */
export interface TestResult {
  id: string;
  model: string;
  file: string;
  name: string;
  fullName: string;
  dimension: Dimension | null;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  skipReason?: string;
  durationMs: number | null;
  errors: string[];
  annotations: {
    type: string;
    message: string;
  }[];
  tags: string[];
  bench: BenchMeta | null;
}
/**
 * What a benchmark test left in task.meta.bench (src/matchers/meta.ts).
 *
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "BenchMeta".
 */
export interface BenchMeta {
  model: string;
  dimension: Dimension;
  workload?: string;
  checks: CheckResult[];
  summary?: RunSummary;
  sweep?: SweepSummary;
  drift?: DriftSummary[];
  timeline?: TimelineBucket[];
  ttftByPromptLength?: {
    inputTokens: number;
    ttft: Distribution;
  }[];
  tokenBudget?: TokenBudgetInfo;
  accuracyCases?: AccuracyCaseResult[];
  accuracy?: AccuracyAggregate;
  serverMetrics?: {
    name: string;
    first: number | null;
    last: number | null;
  }[];
  recordsFile?: string;
  warnings: string[];
  params?: {
    [k: string]: string | number | boolean;
  };
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "CheckResult".
 */
export interface CheckResult {
  name: string;
  metric: string;
  op: '<' | '<=' | '>' | '>=' | '==';
  limit: number;
  warn?: number;
  actual: number | null;
  n: number | null;
  unit?: string;
  status: CheckStatus;
  message: string;
  source?: string;
}
/**
 * Summary of one measured run (see metric definitions).
 *
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "RunSummary".
 */
export interface RunSummary {
  requests: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  errors: {
    [k: string]: number;
  };
  windowS: number | null;
  outputTokensPerS: number | null;
  totalTokensPerS: number | null;
  requestsPerS: number | null;
  steadyOutputTokensPerS: number | null;
  peakOutputTokensPerS: number | null;
  offeredRate?: number | null;
  achievedRate?: number | null;
  concurrency?: number;
  ttft: Distribution;
  ttfo: Distribution;
  ttfc: Distribution;
  tpot: Distribution;
  itl: Distribution;
  e2e: Distribution;
  e2eFromSched: Distribution;
  queueDelay: Distribution;
  inputTokens: Distribution;
  outputTokens: Distribution;
  truncationRate: number | null;
  goodput?: GoodputSummary;
  clientHealth?: ClientHealth;
}
/**
 * Statistics over n samples; percentiles by linear interpolation (numpy type 7). null when there are no samples.
 *
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "Distribution".
 */
export interface Distribution {
  n: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  stdev: number | null;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "GoodputSummary".
 */
export interface GoodputSummary {
  slo: Slo;
  goodRequestsPerS: number | null;
  goodFraction: number | null;
  good: number;
  total: number;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "Slo".
 */
export interface Slo {
  ttftMs?: number;
  tpotMs?: number;
  e2eMs?: number;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "ClientHealth".
 */
export interface ClientHealth {
  eventLoopDelayP50Ms: number | null;
  eventLoopDelayP99Ms: number | null;
  eventLoopDelayMaxMs: number | null;
  schedulingLagP99Ms: number | null;
  flagged: boolean;
  reason?: string;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "SweepSummary".
 */
export interface SweepSummary {
  axis: 'concurrency' | 'rate';
  points: SweepPoint[];
  saturationLoad: number | null;
  maxLoadWithinSlo: number | null;
  slo: Slo;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "SweepPoint".
 */
export interface SweepPoint {
  load: number;
  summary: RunSummary;
  meetsSlo: boolean;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "DriftSummary".
 */
export interface DriftSummary {
  metric: string;
  first: WindowStats;
  last: WindowStats;
  p50Ratio: number | null;
  p95Ratio: number | null;
  errorRateDelta: number | null;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "WindowStats".
 */
export interface WindowStats {
  fromS: number;
  toS: number;
  n: number;
  p50Ms: number | null;
  p95Ms: number | null;
  errorRate: number | null;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "TimelineBucket".
 */
export interface TimelineBucket {
  tS: number;
  n: number;
  p50Ms: number | null;
  p95Ms: number | null;
  errors: number;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "TokenBudgetInfo".
 */
export interface TokenBudgetInfo {
  inputTokens: Histogram;
  outputTokens: Histogram;
  truncationRate: number | null;
  silentPromptTruncations: number;
  silentOutputTruncations: number;
  contextOverflow?: {
    promptOverLimit: 'http_400' | 'silent_truncation' | 'accepted' | 'other';
    promptPlusMaxTokensOverLimit: 'http_400' | 'silent_truncation' | 'accepted' | 'other';
    detail: string;
  };
  oslMismatch?: {
    requested: number;
    received: Distribution;
    exactFraction: number | null;
  };
  cost?: {
    currency: string;
    perRequest: number | null;
    perMillionTokens: number | null;
    inputPricePerMillion: number;
    outputPricePerMillion: number;
  };
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "Histogram".
 */
export interface Histogram {
  edges: number[];
  counts: number[];
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "AccuracyCaseResult".
 */
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
  forbiddenHits: string[];
  numbers?: {
    expected: string[];
    missing: string[];
    found: string[];
  };
  json?: {
    valid: boolean;
    error?: string;
  };
  judged?: ItemHit[];
  latencyMs: number | null;
  finishReason?: string | null;
  promptTokens?: number;
  completionTokens?: number;
  answer: string;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "ItemHit".
 */
export interface ItemHit {
  item: string;
  found: boolean;
  matched?: string;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "AccuracyAggregate".
 */
export interface AccuracyAggregate {
  cases: number;
  trials: number;
  skipped: number;
  skipReason?: string;
  categoryAccuracy: number | null;
  perClass: ClassMetrics[];
  confusion: {
    labels: string[];
    matrix: number[][];
  };
  entityRecall: number | null;
  factRecall: number | null;
  forbiddenViolations: number;
  errorRate: number | null;
  truncationRate: number | null;
  p95LatencyMsImage: number | null;
  jsonValidRate: number | null;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "ClassMetrics".
 */
export interface ClassMetrics {
  label: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  support: number;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "RegressionThresholds".
 */
export interface RegressionThresholds {
  category_precision_drop_max: number;
  entity_recall_drop_max: number;
  fact_recall_drop_max: number;
  p95_latency_ratio_max: number;
  must_not_say_delta_max: number;
  source: string;
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "Comparison".
 */
export interface Comparison {
  candidate: string;
  baseline: string;
  source: string;
  rows: ComparisonRow[];
  canReplace: boolean;
  verdict: string;
  reasons: string[];
}
/**
 * This interface was referenced by `BenchResults`'s JSON-Schema
 * via the `definition` "ComparisonRow".
 */
export interface ComparisonRow {
  section: string;
  label: string;
  unit: string;
  higherIsBetter: boolean | null;
  baseline: number | null;
  candidate: number | null;
  delta: number | null;
  ratio: number | null;
  threshold?: {
    key: string;
    kind: 'drop_max' | 'ratio_max' | 'delta_max';
    limit: number;
  };
  status: 'pass' | 'fail' | 'missing' | 'info';
  note?: string;
}
