/**
 * Summaries computed from request records (definitions in docs/metrics.md). These travel in
 * TaskMeta to the reporter, so they hold numbers only: no per-request arrays.
 * A statistic that cannot be computed (no samples) is `null`, never 0.
 */

export interface Distribution {
  /** Number of samples the statistics were computed from. */
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

export interface ClientHealth {
  /** Event-loop delay of the measuring process during the run (ms). */
  eventLoopDelayP50Ms: number | null;
  eventLoopDelayP99Ms: number | null;
  eventLoopDelayMaxMs: number | null;
  /** Open loop: how late requests were sent relative to their scheduled time (ms). */
  schedulingLagP99Ms: number | null;
  /** True when the client's own lag is large next to the latencies it measured. */
  flagged: boolean;
  reason?: string;
}

export interface RunSummary {
  /** Requests sent and measured (warm-up excluded). */
  requests: number;
  succeeded: number;
  failed: number;
  /** succeeded / requests; null when requests = 0. */
  successRate: number | null;
  /** Failure counts keyed by kind, with HTTP status appended (`http_503`). */
  errors: Record<string, number>;
  /** First tSend to last tEnd over measured requests, seconds. */
  windowS: number | null;
  outputTokensPerS: number | null;
  totalTokensPerS: number | null;
  requestsPerS: number | null;
  /** Output tokens/s with warm-up and tail trimmed. */
  steadyOutputTokensPerS: number | null;
  /** Peak over 1-second buckets of real token event times. */
  peakOutputTokensPerS: number | null;
  /** Open loop: target and achieved send rates (req/s). */
  offeredRate?: number | null;
  achievedRate?: number | null;
  concurrency?: number;
  ttft: Distribution;
  ttfo: Distribution;
  ttfc: Distribution;
  tpot: Distribution;
  itl: Distribution;
  e2e: Distribution;
  /** Latency measured from the scheduled time (coordinated-omission view). */
  e2eFromSched: Distribution;
  queueDelay: Distribution;
  inputTokens: Distribution;
  outputTokens: Distribution;
  /** Requests with finish_reason "length" / all requests. */
  truncationRate: number | null;
  /** Goodput against the SLOs given to the summariser, when any. */
  goodput?: GoodputSummary;
  clientHealth?: ClientHealth;
}

export interface Slo {
  ttftMs?: number;
  tpotMs?: number;
  e2eMs?: number;
}

export interface GoodputSummary {
  slo: Slo;
  /** Successful requests meeting every SLO / window seconds. */
  goodRequestsPerS: number | null;
  /** Good requests / all requests (failures in the denominator). */
  goodFraction: number | null;
  good: number;
  total: number;
}

export interface WindowStats {
  fromS: number;
  toS: number;
  n: number;
  p50Ms: number | null;
  p95Ms: number | null;
  errorRate: number | null;
}

export interface DriftSummary {
  metric: string;
  first: WindowStats;
  last: WindowStats;
  /** last / first; null when either window is empty. */
  p50Ratio: number | null;
  p95Ratio: number | null;
  errorRateDelta: number | null;
}

export interface SweepPoint {
  /** Concurrency level or request rate. */
  load: number;
  summary: RunSummary;
  meetsSlo: boolean;
}

export interface SweepSummary {
  /** What was swept. */
  axis: 'concurrency' | 'rate';
  points: SweepPoint[];
  /** Load where more stops adding throughput while latency climbs; null if not reached. */
  saturationLoad: number | null;
  /** Highest load that still meets the SLOs; null if none does. */
  maxLoadWithinSlo: number | null;
  slo: Slo;
}
