/**
 * Performance matchers: each reads a Measurement (or a drift summary), judges one threshold and
 * records the check in the test's meta for the reporter. A matcher that cannot judge (too few
 * samples, an empty window, nothing measured) fails and says why; it never passes by default.
 */
import type { Threshold } from '../config/thresholds.ts';
import type { Distribution, DriftSummary } from '../metrics/types.ts';
import { minSamplesFor, percentile } from '../metrics/percentile.ts';
import { metricValues, type LatencyMetric } from '../metrics/values.ts';
import type { Measurement } from '../runs/measure.ts';
import { judge, type CheckSpec } from './judge.ts';
import type { CheckResult } from './meta.ts';

export type Limit = number | Threshold;

const LATENCY_NAMES: Record<LatencyMetric, string> = {
  ttft: 'TTFT',
  ttfo: 'TTFO',
  ttfc: 'TTFC',
  tpot: 'TPOT',
  itl: 'ITL',
  e2e: 'end-to-end latency',
  queue: 'client queue delay',
};

function levels(limit: Limit): { fail: number; warn?: number; source?: string } {
  return typeof limit === 'number' ? { fail: limit } : { fail: limit.fail, warn: limit.warn, source: `${limit.source} (${limit.expr})` };
}

function ctx(m: Measurement): string {
  return m.label;
}

function fromDistribution(d: Distribution, p: number): number | null {
  const key = `p${p}` as keyof Distribution;
  return p === 50 || p === 90 || p === 95 || p === 99 ? (d[key] as number | null) : null;
}

/** Percentile p of a latency metric over a measurement's successful requests. */
export function latencyPercentile(m: Measurement, metric: LatencyMetric, p: number): { value: number | null; n: number } {
  // The summary already holds p50/p90/p95/p99 with their n; other percentiles come from the records.
  const dist = (m.summary as unknown as Partial<Record<string, Distribution>>)[metric];
  const fromSummary = dist ? fromDistribution(dist, p) : null;
  if (dist && fromSummary !== null) return { value: fromSummary, n: dist.n };
  const values = metricValues(m.records, metric);
  return { value: values.length ? percentile(values, p) : null, n: values.length };
}

export function checkPercentile(m: Measurement, metric: LatencyMetric, p: number, limit: Limit): CheckResult {
  const { value, n } = latencyPercentile(m, metric, p);
  return judge({
    name: `p${p} ${LATENCY_NAMES[metric]}`,
    metric,
    op: '<',
    ...levels(limit),
    actual: value,
    n,
    unit: 'ms',
    minN: minSamplesFor(p),
    context: ctx(m),
  });
}

export function checkThroughput(m: Measurement, limit: Limit, kind: 'output' | 'total' | 'requests' = 'output'): CheckResult {
  const s = m.summary;
  const actual = kind === 'output' ? s.outputTokensPerS : kind === 'total' ? s.totalTokensPerS : s.requestsPerS;
  return judge({
    name: kind === 'requests' ? 'request throughput' : `${kind} throughput`,
    metric: kind === 'output' ? 'output_tps' : kind === 'total' ? 'total_tps' : 'rps',
    op: '>',
    ...levels(limit),
    actual,
    n: s.succeeded,
    unit: kind === 'requests' ? 'req/s' : 'tok/s',
    minN: 1,
    context: `${ctx(m)}, over ${s.windowS?.toFixed(1) ?? '?'} s`,
  });
}

export function checkSuccessRate(m: Measurement, limit: Limit): CheckResult {
  const s = m.summary;
  const errors = Object.entries(s.errors).map(([k, v]) => `${k}: ${v}`).join(', ');
  return judge({
    name: 'success rate',
    metric: 'success_rate',
    op: '>=',
    ...levels(limit),
    actual: s.successRate,
    n: s.requests,
    minN: 1,
    context: `${ctx(m)}${errors ? `; errors ${errors}` : ''}`,
  });
}

export function checkGoodput(m: Measurement, limit: Limit): CheckResult {
  const g = m.summary.goodput;
  const slo = g ? Object.entries(g.slo).map(([k, v]) => `${k} <= ${v}`).join(', ') : 'no SLO given';
  return judge({
    name: 'goodput (fraction of requests meeting every SLO)',
    metric: 'goodput',
    op: '>=',
    ...levels(limit),
    actual: g ? g.goodFraction : null,
    n: g ? g.total : 0,
    minN: 1,
    context: `${ctx(m)}; SLO ${slo}; ${g?.goodRequestsPerS?.toFixed(2) ?? '?'} good req/s`,
  });
}

export function checkTruncationRate(m: Measurement, limit: Limit): CheckResult {
  return judge({
    name: 'truncation rate (finish_reason length)',
    metric: 'truncation',
    op: '<=',
    ...levels(limit),
    actual: m.summary.truncationRate,
    n: m.summary.requests,
    minN: 1,
    context: ctx(m),
  });
}

export function checkDrift(d: DriftSummary, limit: Limit, stat: 'p50' | 'p95' = 'p95'): CheckResult {
  const ratio = stat === 'p50' ? d.p50Ratio : d.p95Ratio;
  const first = d.first;
  const last = d.last;
  const spec: CheckSpec = {
    name: `${stat} ${d.metric} drift (last window / first window)`,
    metric: 'latency_drift',
    op: '<=',
    ...levels(limit),
    actual: ratio,
    n: Math.min(first.n, last.n),
    minN: minSamplesFor(stat === 'p50' ? 50 : 95),
    context: `first ${first.fromS.toFixed(0)}-${first.toS.toFixed(0)} s n=${first.n} ${stat}=${fmt(stat === 'p50' ? first.p50Ms : first.p95Ms)} ms, last ${last.fromS.toFixed(0)}-${last.toS.toFixed(0)} s n=${last.n} ${stat}=${fmt(stat === 'p50' ? last.p50Ms : last.p95Ms)} ms`,
  };
  if (first.n === 0 || last.n === 0) {
    // An empty window is an error, not a pass.
    spec.actual = null;
  }
  return judge(spec);
}

export function checkTokenBudget(m: Measurement, budget: { input?: [number, number]; output?: [number, number] }): CheckResult {
  const ok = m.records.filter((r) => r.ok);
  let outside = 0;
  for (const r of ok) {
    const inOk = !budget.input || (r.promptTokens !== undefined && r.promptTokens >= budget.input[0] && r.promptTokens <= budget.input[1]);
    const outOk = !budget.output || (r.completionTokens !== undefined && r.completionTokens >= budget.output[0] && r.completionTokens <= budget.output[1]);
    if (!inOk || !outOk) outside++;
  }
  const parts = [budget.input ? `input ${budget.input[0]}..${budget.input[1]}` : '', budget.output ? `output ${budget.output[0]}..${budget.output[1]}` : '']
    .filter(Boolean)
    .join(', ');
  return judge({
    name: `share of requests outside the token budget (${parts})`,
    metric: 'token_budget',
    op: '==',
    fail: 0,
    actual: ok.length ? outside / ok.length : null,
    n: ok.length,
    minN: 1,
    context: `${outside} of ${ok.length} outside, ${ctx(m)}`,
  });
}

function fmt(v: number | null): string {
  return v === null ? 'n/a' : v.toFixed(1);
}

/** Judge any configured threshold against a measurement (k6-style thresholds from config). */
export function checkThreshold(m: Measurement, t: Threshold): CheckResult {
  const latency: Record<string, LatencyMetric> = { ttft: 'ttft', ttfo: 'ttfo', ttfc: 'ttfc', tpot: 'tpot', itl: 'itl', e2e: 'e2e' };
  const lm = latency[t.metric];
  if (lm) {
    if (t.stat.kind === 'p') return checkPercentile(m, lm, t.stat.p, t);
    const values = metricValues(m.records, lm);
    const actual = !values.length
      ? null
      : t.stat.kind === 'avg'
        ? values.reduce((a, b) => a + b, 0) / values.length
        : t.stat.kind === 'min'
          ? Math.min(...values)
          : Math.max(...values);
    return judge({ name: `${t.stat.kind} ${LATENCY_NAMES[lm]}`, metric: t.metric, op: t.op, fail: t.fail, warn: t.warn, actual, n: values.length, unit: 'ms', minN: 1, context: m.label, source: t.source });
  }
  const s = m.summary;
  const scalar: Record<string, [number | null, string?]> = {
    output_tps: [s.outputTokensPerS, 'tok/s'],
    total_tps: [s.totalTokensPerS, 'tok/s'],
    rps: [s.requestsPerS, 'req/s'],
    goodput: [s.goodput?.goodRequestsPerS ?? null, 'req/s'],
    success_rate: [s.successRate],
    errors: [s.successRate === null ? null : 1 - s.successRate],
    truncation: [s.truncationRate],
  };
  const hit = scalar[t.metric];
  if (!hit) {
    return judge({ name: t.metric, metric: t.metric, op: t.op, fail: t.fail, actual: null, n: null, context: `metric "${t.metric}" is not measured by ${m.label}`, source: t.source });
  }
  return judge({ name: t.metric.replace(/_/g, ' '), metric: t.metric, op: t.op, fail: t.fail, warn: t.warn, actual: hit[0], n: s.requests, unit: hit[1], minN: 1, context: m.label, source: t.source });
}
