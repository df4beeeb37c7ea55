/**
 * Prometheus text for `/metrics` with vLLM's metric names, so the suite's server-side metric
 * scraping can be tested against the simulator.
 */
import type { Engine } from './engine.ts';

/** vLLM's TTFT histogram buckets, seconds. */
export const TTFT_BUCKETS_S = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
/** vLLM's end-to-end latency buckets, seconds. */
export const E2E_BUCKETS_S = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

/**
 * Buckets of the simulator's own timing-fidelity histograms, seconds: fine below 5 ms, where
 * "the simulator kept to its model" is decided, coarse above.
 */
export const FIDELITY_BUCKETS_S = [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** A Prometheus histogram. Counts are kept per bucket (one increment per observation, cheap on the per-token path) and made cumulative when rendered. */
export class Histogram {
  private readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly buckets: readonly number[]) {
    this.counts = new Float64Array(buckets.length + 1);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    const b = this.buckets;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
  }
  /** Cumulative count at or below each bucket bound (Prometheus `le`). */
  cumulative(): number[] {
    let acc = 0;
    return this.buckets.map((_, i) => (acc += this.counts[i]!));
  }
  render(name: string, labels: string): string[] {
    const lines = [`# TYPE ${name} histogram`];
    this.cumulative().forEach((c, i) => lines.push(`${name}_bucket{${labels},le="${this.buckets[i]}"} ${c}`));
    lines.push(`${name}_bucket{${labels},le="+Inf"} ${this.count}`, `${name}_sum{${labels}} ${this.sum}`, `${name}_count{${labels}} ${this.count}`);
    return lines;
  }
}

/**
 * How faithfully streamed tokens left the process, measured at each write: `lag` is the write
 * time minus the token's modelled time (a whole batch's tokens share one modelled instant, so
 * the writes of a large batch spread over the time they take), `gapDrift` is the absolute
 * difference between a stream's actual and modelled gap to its previous write (what a client's
 * inter-token latency sees).
 */
export class EmitFidelity {
  readonly lag = new Histogram(FIDELITY_BUCKETS_S);
  readonly gapDrift = new Histogram(FIDELITY_BUCKETS_S);
  maxLagMs = 0;
  /** `lagMs` of this write; `prevLagMs` of the stream's previous write (NaN for its first). */
  observe(lagMs: number, prevLagMs: number): void {
    const l = lagMs > 0 ? lagMs : 0;
    if (l > this.maxLagMs) this.maxLagMs = l;
    this.lag.observe(l / 1000);
    if (prevLagMs === prevLagMs) this.gapDrift.observe(Math.abs(lagMs - prevLagMs) / 1000);
  }
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

export class SimMetrics {
  readonly ttft = new Histogram(TTFT_BUCKETS_S);
  readonly e2e = new Histogram(E2E_BUCKETS_S);
  readonly finished = { stop: 0, length: 0, abort: 0, error: 0 };
  readonly emit = new EmitFidelity();
  /** Per engine step end: how long writing its prepared token chunks took (prepared.ts), seconds. */
  readonly stepWrites = new Histogram(FIDELITY_BUCKETS_S);

  constructor(private readonly modelName: string, private readonly engine: Engine) {}

  render(): string {
    const l = `model_name="${this.modelName.replace(/["\\]/g, '\\$&')}"`;
    const c = this.engine.counters;
    const gauge = (name: string, help: string, v: number): string[] => [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name}{${l}} ${v}`];
    const counter = (name: string, help: string, v: number): string[] => [`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name}{${l}} ${v}`];
    const lines = [
      ...gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', this.engine.numRunning),
      ...gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', this.engine.numWaiting),
      ...gauge('vllm:gpu_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', this.engine.kvUsage),
      ...gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', this.engine.kvUsage),
      ...counter('vllm:prompt_tokens_total', 'Number of prefill tokens processed.', c.promptTokens),
      ...counter('vllm:generation_tokens_total', 'Number of generation tokens processed.', c.generationTokens),
      ...counter('vllm:num_preemptions_total', 'Cumulative number of preemptions from the engine.', c.preemptions),
      ...counter('vllm:prefix_cache_queries_total', 'Prefix cache queries, in terms of number of queried tokens.', c.prefixQueries),
      ...counter('vllm:prefix_cache_hits_total', 'Prefix cache hits, in terms of number of cached tokens.', c.prefixHits),
      '# HELP vllm:request_success_total Count of successfully processed requests.',
      '# TYPE vllm:request_success_total counter',
      ...(['stop', 'length', 'abort'] as const).map((r) => `vllm:request_success_total{${l},finished_reason="${r}"} ${this.finished[r]}`),
      '# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.',
      ...this.ttft.render('vllm:time_to_first_token_seconds', l),
      '# HELP vllm:e2e_request_latency_seconds Histogram of end to end request latency in seconds.',
      ...this.e2e.render('vllm:e2e_request_latency_seconds', l),
      // Simulator-only: how late the process delivered steps versus the model (timing fidelity).
      ...counter('sim:engine_steps_total', 'Engine steps executed.', c.steps),
      ...gauge('sim:step_lateness_mean_ms', 'Mean delivery lateness of step ends versus the model, ms.', c.steps ? c.latenessSumMs / c.steps : 0),
      ...gauge('sim:step_lateness_max_ms', 'Largest delivery lateness of a step end versus the model, ms.', c.latenessMaxMs),
      '# HELP sim:token_emit_lag_seconds Streamed tokens: socket write time minus the modelled token time.',
      ...this.emit.lag.render('sim:token_emit_lag_seconds', l),
      '# HELP sim:token_gap_drift_seconds Streamed tokens: |actual - modelled| gap to the same stream\'s previous write.',
      ...this.emit.gapDrift.render('sim:token_gap_drift_seconds', l),
      '# HELP sim:step_writes_seconds Per engine step end: time to write the token chunks prepared for it.',
      ...this.stepWrites.render('sim:step_writes_seconds', l),
      ...gauge('sim:token_emit_lag_max_ms', 'Largest lag of a streamed token write behind its modelled time, ms.', this.emit.maxLagMs),
      // Standard process metric (as prometheus_client exports it): lets a bench read the simulator's CPU use.
      '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
      '# TYPE process_cpu_seconds_total counter',
      `process_cpu_seconds_total ${cpuSeconds()}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
