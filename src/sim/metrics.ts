/**
 * Prometheus text for `/metrics` with vLLM's metric names, so the suite's server-side metric
 * scraping can be tested against the simulator.
 */
import type { Engine } from './engine.ts';

/** vLLM's TTFT histogram buckets, seconds. */
export const TTFT_BUCKETS_S = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
/** vLLM's end-to-end latency buckets, seconds. */
export const E2E_BUCKETS_S = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) this.counts[i]!++;
  }
  render(name: string, labels: string): string[] {
    const lines = [`# TYPE ${name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${name}_bucket{${labels},le="${b}"} ${this.counts[i]}`));
    lines.push(`${name}_bucket{${labels},le="+Inf"} ${this.count}`, `${name}_sum{${labels}} ${this.sum}`, `${name}_count{${labels}} ${this.count}`);
    return lines;
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
      // Standard process metric (as prometheus_client exports it): lets a bench read the simulator's CPU use.
      '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
      '# TYPE process_cpu_seconds_total counter',
      `process_cpu_seconds_total ${cpuSeconds()}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}
