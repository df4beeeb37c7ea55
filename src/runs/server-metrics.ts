/**
 * The server's own view during a soak, from its Prometheus /metrics when it exposes one: the
 * counters and gauges worth comparing before and after (vLLM, SGLang, TGI and llama-server names).
 */
import { fetchServerMetrics } from '../client/client.ts';
import type { Endpoint } from '../client/types.ts';

const WATCHED = [
  'vllm:num_requests_running',
  'vllm:num_requests_waiting',
  'vllm:kv_cache_usage_perc',
  'vllm:gpu_cache_usage_perc',
  'vllm:prompt_tokens_total',
  'vllm:generation_tokens_total',
  'sglang:num_running_reqs',
  'sglang:num_queue_reqs',
  'sglang:token_usage',
  'tgi_queue_size',
  'tgi_batch_current_size',
  'llamacpp:requests_processing',
  'llamacpp:requests_deferred',
  'llamacpp:prompt_tokens_total',
  'llamacpp:tokens_predicted_total',
  'process_resident_memory_bytes',
];

export interface ServerSnapshot {
  values: Map<string, number>;
  compare(later: ServerSnapshot): { name: string; first: number | null; last: number | null }[];
}

export async function serverMetricsTrend(endpoint: Endpoint): Promise<ServerSnapshot | null> {
  const values = await fetchServerMetrics(endpoint.baseUrl, undefined, endpoint).catch(() => null);
  if (!values) return null;
  return {
    values,
    compare(later) {
      return WATCHED.filter((n) => values.has(n) || later.values.has(n)).map((name) => ({
        name,
        first: values.get(name) ?? null,
        last: later.values.get(name) ?? null,
      }));
    },
  };
}
