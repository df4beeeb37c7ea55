/**
 * Hand-built, realistic results for two simulated models across all six dimensions, so the
 * renderers can be tested without running a benchmark. Numbers are shaped like a real run.
 */
import type { BenchMeta, Dimension } from '../../src/matchers/meta.ts';
import type { Distribution, RunSummary } from '../../src/metrics/types.ts';
import type { TestResult } from '../../src/report/results-types.ts';

export const XSS = '<script>alert(1)</script> | **x** [l](javascript:x)';

export function dist(p50: number, n = 40, spread = 0.3): Distribution {
  return { n, mean: p50 * 1.05, min: p50 * (1 - spread), max: p50 * (1 + 2 * spread), p50, p90: p50 * (1 + spread), p95: p50 * (1 + 1.3 * spread), p99: p50 * (1 + 1.8 * spread), stdev: p50 * spread * 0.5 };
}

export function summary(opts: { ttft: number; tpot: number; tps: number; n?: number; success?: number; concurrency?: number }): RunSummary {
  const n = opts.n ?? 40;
  const ok = Math.round(n * (opts.success ?? 1));
  const e2e = opts.ttft + opts.tpot * 127;
  return {
    requests: n, succeeded: ok, failed: n - ok, successRate: ok / n,
    errors: n - ok ? { http_503: n - ok } : {},
    windowS: 30, outputTokensPerS: opts.tps, totalTokensPerS: opts.tps * 5, requestsPerS: ok / 30,
    steadyOutputTokensPerS: opts.tps * 1.02, peakOutputTokensPerS: opts.tps * 1.3,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    ttft: dist(opts.ttft, ok), ttfo: dist(opts.ttft, ok), ttfc: dist(opts.ttft * 0.9, ok), tpot: dist(opts.tpot, ok), itl: dist(opts.tpot, ok * 127),
    e2e: dist(e2e, ok), e2eFromSched: dist(e2e * 1.01, ok), queueDelay: dist(0.2, ok), inputTokens: dist(512, ok, 0), outputTokens: dist(128, ok, 0),
    truncationRate: 0.05,
    goodput: { slo: { ttftMs: 2000, tpotMs: 50 }, goodRequestsPerS: ok / 30, goodFraction: ok / n, good: ok, total: n },
    clientHealth: { eventLoopDelayP50Ms: 0.4, eventLoopDelayP99Ms: 3, eventLoopDelayMaxMs: 9, schedulingLagP99Ms: null, flagged: false },
  };
}

export interface ModelShape {
  model: string;
  speed: number; // 1 = baseline; 2 = twice as slow
  entityRecall: number;
  factRecall: number;
  forbidden: number;
  answer?: string;
  failConcurrency?: boolean;
  warnLatency?: boolean;
}

function test(model: string, dimension: Dimension, name: string, bench: Omit<BenchMeta, 'model' | 'dimension'>, state: TestResult['state'] = 'passed'): TestResult {
  return {
    id: `${model}-${dimension}-${name}`, model, file: `benchmarks/${dimension}.spec.ts`, name, fullName: `${dimension} > ${name}`,
    dimension, state, durationMs: 1234, errors: state === 'failed' ? [`AssertionError: ${bench.checks.find((c) => c.status === 'fail')?.message ?? 'failed'}`] : [],
    annotations: [], tags: [dimension], bench: { model, dimension, ...bench },
  };
}

export function modelTests(s: ModelShape): TestResult[] {
  const k = s.speed;
  const latencyCheck = {
    name: 'p95 TTFT', metric: 'ttft', op: '<=' as const, limit: 2000, warn: 100, actual: 60 * k * 1.39, n: 40, unit: 'ms',
    status: (s.warnLatency ? 'warn' : 'pass') as 'warn' | 'pass',
    message: `p95 TTFT ${(60 * k * 1.39).toFixed(1)} ms within 2000 ms (n=40)`, source: 'models.yaml#benchmarks.ttft.thresholds.p95_ttft_ms_max',
  };
  const levels = [1, 2, 4, 8];
  const points = levels.map((c) => ({
    load: c,
    summary: summary({ ttft: 50 * k * (1 + c / 4), tpot: 8 * k * (1 + c / 8), tps: (120 / k) * Math.min(c, 4), concurrency: c, success: s.failConcurrency && c === 8 ? 0.8 : 1 }),
    meetsSlo: !(s.failConcurrency && c === 8),
  }));
  const conc = test(s.model, 'concurrency', 'sweep 1/2/4/8', {
    workload: 'chat 512 -> 128, 20 s per level',
    checks: [{
      name: 'success rate at every level', metric: 'success_rate', op: '>=', limit: 0.95, actual: s.failConcurrency ? 0.8 : 1, n: 160,
      status: s.failConcurrency ? 'fail' : 'pass', message: s.failConcurrency ? 'expected success rate >= 0.95 at concurrency 8, got 0.800 (n=40)' : 'success rate >= 0.95 at every level',
    }],
    sweep: { axis: 'concurrency', points, saturationLoad: 4, maxLoadWithinSlo: s.failConcurrency ? 4 : 8, slo: { ttftMs: 2000, tpotMs: 50 } },
    warnings: [], recordsFile: `records/${s.model}-concurrency.jsonl`, params: { seed: 20261123 },
  }, s.failConcurrency ? 'failed' : 'passed');
  return [
    test(s.model, 'accuracy', 'golden cases', {
      workload: '3 cases x 1 trial',
      checks: [{ name: 'entity recall', metric: 'entity_recall', op: '>=', limit: 0.6, actual: s.entityRecall, n: 6, status: s.entityRecall >= 0.6 ? 'pass' : 'fail', message: `entity recall ${s.entityRecall}`, source: 'golden/expectations.json#acceptance_criteria.entity_recall_min' }],
      accuracy: {
        cases: 3, trials: 3, skipped: 0, categoryAccuracy: 2 / 3,
        perClass: [{ label: 'finance', precision: 1, recall: 0.5, f1: 0.667, support: 2 }, { label: 'receipt', precision: 0.5, recall: 1, f1: 0.667, support: 1 }],
        confusion: { labels: ['finance', 'receipt'], matrix: [[1, 1], [0, 1]] },
        entityRecall: s.entityRecall, factRecall: s.factRecall, forbiddenViolations: s.forbidden, errorRate: 0, truncationRate: 0, p95LatencyMsImage: 900 * k, jsonValidRate: 1,
      },
      accuracyCases: [
        {
          caseId: 'demo-reconciliation', modality: 'image', trial: 0, ok: true, expectedCategory: 'finance', gotCategory: 'finance',
          entities: [{ item: 'Alice', found: true, matched: 'Alice' }, { item: '¥1200', found: s.entityRecall > 0.9, matched: '¥1,200' }],
          facts: [{ item: 'reconciliation', found: true }, { item: 'balance_diff_1200', found: false }], forbiddenHits: s.forbidden ? ['12000'] : [],
          numbers: { expected: ['1200'], missing: [], found: ['1200'] }, latencyMs: 812 * k, finishReason: 'stop', promptTokens: 900, completionTokens: 120,
          answer: s.answer ?? 'Alice reconciled the account; balance difference ¥1,200 received.',
        },
      ],
      warnings: [], params: { seed: 20261123 },
    }),
    test(s.model, 'latency', 'chat 512 -> 128', {
      workload: 'chat 512 -> 128 at concurrency 1',
      checks: [latencyCheck],
      summary: summary({ ttft: 60 * k, tpot: 9 * k, tps: 100 / k, concurrency: 1 }),
      ttftByPromptLength: [128, 512, 2048].map((len) => ({ inputTokens: len, ttft: dist(40 * k * (1 + len / 1024), 10) })),
      warnings: [], recordsFile: `records/${s.model}-latency.jsonl`, params: { seed: 20261123, samples: 40 },
    }),
    test(s.model, 'throughput', 'sustained 30 s at c=8', {
      workload: 'chat 512 -> 128, closed loop c=8 for 30 s',
      checks: [{ name: 'output tokens/s', metric: 'output_tps', op: '>=', limit: 30, actual: 480 / k, n: 300, unit: 'tok/s', status: 'pass', message: `output ${(480 / k).toFixed(1)} tok/s >= 30` }],
      summary: summary({ ttft: 80 * k, tpot: 12 * k, tps: 480 / k, n: 300, concurrency: 8 }), warnings: [],
    }),
    conc,
    test(s.model, 'stability', 'soak 60 s', {
      workload: 'closed loop c=2 for 60 s, 10 s windows',
      checks: [{ name: 'p95 drift', metric: 'drift_p95', op: '<=', limit: 1.3, actual: 1.08, n: 60, status: 'pass', message: 'p95 last/first 1.08 <= 1.30' }],
      drift: [{ metric: 'e2e', first: { fromS: 0, toS: 10, n: 30, p50Ms: 1100 * k, p95Ms: 1300 * k, errorRate: 0 }, last: { fromS: 50, toS: 60, n: 31, p50Ms: 1150 * k, p95Ms: 1404 * k, errorRate: 0 }, p50Ratio: 1.045, p95Ratio: 1.08, errorRateDelta: 0 }],
      timeline: [0, 10, 20, 30, 40, 50].map((t, i) => ({ tS: t, n: 30, p50Ms: (1100 + i * 10) * k, p95Ms: (1300 + i * 20) * k, errors: 0 })),
      serverMetrics: [{ name: 'vllm:num_requests_waiting', first: 0, last: 1 }], warnings: [],
    }),
    test(s.model, 'token-budget', 'distributions and overflow', {
      workload: '50 requests with golden token budgets',
      checks: [{ name: 'truncation rate', metric: 'truncation_rate', op: '<=', limit: 0.1, actual: 0.04, n: 50, status: 'pass', message: 'truncation 0.04 <= 0.10' }],
      tokenBudget: {
        inputTokens: { edges: [0, 256, 512, 1024, 2048], counts: [5, 20, 15, 10] },
        outputTokens: { edges: [0, 32, 64, 128, 256], counts: [2, 8, 30, 10] },
        truncationRate: 0.04, silentPromptTruncations: 0, silentOutputTruncations: 1,
        contextOverflow: { promptOverLimit: 'http_400', promptPlusMaxTokensOverLimit: 'silent_truncation', detail: 'HTTP 400 "maximum context length is 4096 tokens"; prompt+max_tokens truncated at n_ctx with finish_reason length' },
        oslMismatch: { requested: 128, received: dist(128, 50, 0.05), exactFraction: 0.9 },
        cost: { currency: 'USD', perRequest: 0.000123, perMillionTokens: 0.2, inputPricePerMillion: 0.1, outputPricePerMillion: 0.4 },
      },
      warnings: ['output length differs from the requested 128 tokens in 10% of requests'],
    }),
  ];
}

export const BASELINE: ModelShape = { model: 'sim-baseline', speed: 1, entityRecall: 1, factRecall: 0.5, forbidden: 0 };
export const CANDIDATE: ModelShape = { model: 'sim-candidate', speed: 1.2, entityRecall: 0.95, factRecall: 0.5, forbidden: 0, warnLatency: true };

export const MODELS_YAML = `
models:
  - name: sim-baseline
    provider: sim
    base_url: http://user:pw@127.0.0.1:8011/v1?token=abc
    served_model_name: sim-base
  - name: sim-candidate
    provider: sim
    base_url: http://127.0.0.1:8012/v1
    served_model_name: sim-cand
    baseline: sim-baseline
    api_key_env: BENCH_TEST_API_KEY
`;
