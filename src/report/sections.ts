/**
 * Builds the report tree from results.json: outcome, verdict table, comparisons, one section per
 * dimension, environment, metric definitions. Pure: data in, blocks out.
 */
import { DIMENSIONS, type Dimension } from '../matchers/meta.ts';
import { h, p, table, ul, type Block, type Inline, type Status, type TableCell } from './doc.ts';
import { bytes, ms, NA, num, pct, ratio, signed, withUnit } from './format.ts';
import type { BenchMeta, BenchResults, CheckResult, Comparison, Distribution, RunSummary, TestResult } from './results-types.ts';
import { viaUnixSocket } from '../client/unix-socket.ts';

/** A chart already rendered: where its SVG lives and its compiled spec for the HTML. */
export interface RenderedChart {
  id: string;
  title: string;
  section: string;
  file: string;
  spec: object;
}

const DIMENSION_TITLE: Record<Dimension, string> = {
  accuracy: 'Accuracy',
  latency: 'Latency',
  throughput: 'Throughput',
  concurrency: 'Concurrency',
  stability: 'Stability',
  'token-budget': 'Token budget',
};

/** Below this many samples a p95 is mostly noise (see metric definitions). */
const SMALL_N = 20;

function cellStatus(tests: readonly TestResult[]): TableCell {
  if (tests.length === 0) return { text: 'not run', status: 'skipped' };
  const failed = tests.filter((t) => t.state === 'failed');
  if (failed.length) {
    const msgs = failed.flatMap((t) => {
      const checks = (t.bench?.checks ?? []).filter((c) => c.status === 'fail').map((c) => c.message);
      return checks.length ? checks : [t.errors[0] ?? `${t.name} failed`];
    });
    return { status: 'fail', text: msgs.join('; ') };
  }
  const ran = tests.filter((t) => t.state === 'passed');
  if (ran.length === 0) {
    const why = [...new Set(tests.map((t) => t.skipReason ?? t.bench?.accuracy?.skipReason ?? 'skipped'))];
    return { status: 'skipped', text: why.join('; ') };
  }
  const warns = ran.flatMap((t) => (t.bench?.checks ?? []).filter((c) => c.status === 'warn').map((c) => c.message));
  if (warns.length) return { status: 'warn', text: warns.join('; ') };
  const checks = ran.reduce((a, t) => a + (t.bench?.checks.length ?? 0), 0);
  return { status: 'pass', text: `${ran.length} test${ran.length === 1 ? '' : 's'}, ${checks} check${checks === 1 ? '' : 's'}` };
}

function outcomeBlocks(r: BenchResults): Block[] {
  const o = r.outcome;
  const status: Status = o.status === 'passed' ? 'pass' : o.status === 'failed' ? 'fail' : 'error';
  const words = { passed: 'every threshold passed', failed: 'a threshold failed', error: 'the suite could not run' }[o.status];
  const blocks: Block[] = [
    p({ status, text: `${words} (exit code ${o.exitCode}): ${o.passed} passed, ${o.failed} failed${o.skipped ? `, ${o.skipped} skipped` : ''}.` }),
  ];
  if (o.reasons.length) blocks.push(p({ strong: 'Why:' }), ul(o.reasons.map((x) => [x])));
  if (o.warnings.length) blocks.push(p({ strong: 'Warnings:' }), ul(o.warnings.map((x) => [x])));
  return blocks;
}

function verdictTable(r: BenchResults): Block[] {
  const dims = DIMENSIONS.filter((d) => r.tests.some((t) => t.dimension === d));
  const rows = r.models.map((m) => [m.name, ...dims.map((d) => cellStatus(r.tests.filter((t) => t.model === m.name && t.dimension === d)))]);
  return [h(2, 'Verdict', 'verdict'), table(['model', ...dims], rows)];
}

export function comparisonBlocks(c: Comparison): Block[] {
  const rows = c.rows.map((x) => {
    const fmt = (v: number | null) => (x.unit === 'ms' ? ms(v) : x.unit === 'ratio' ? num(v, 3) : num(v, 2));
    const th = x.threshold ? `${x.threshold.key} ${x.threshold.limit}` : '';
    const st: TableCell = x.status === 'info' ? { text: '' } : { text: x.note ?? '', status: x.status === 'missing' ? 'skipped' : x.status };
    const delta = x.delta === null ? NA : `${x.delta > 0 ? '+' : ''}${fmt(x.delta)}`;
    return [x.section, x.label, fmt(x.baseline), fmt(x.candidate), delta, ratio(x.ratio), th, st];
  });
  return [
    h(3, `${c.candidate} vs ${c.baseline}`),
    p(`Baseline declared by ${c.source}. Delta = candidate - baseline; ratio = candidate / baseline.`),
    table(['test', 'metric', c.baseline, c.candidate, 'delta', 'ratio', 'threshold', 'status'], rows),
    p({ status: c.canReplace ? 'pass' : 'fail', text: `Verdict: ${c.verdict}.` }),
    ul(c.reasons.map((x) => [x])),
  ];
}

function checksTable(checks: readonly CheckResult[]): Block[] {
  if (!checks.length) return [];
  return [
    table(
      ['check', 'status', 'measured', 'threshold', 'warn at', 'n', 'declared in'],
      checks.map((c) => [
        c.name,
        { status: c.status, text: '' },
        withUnit(c.actual, c.unit),
        `${c.op} ${withUnit(c.limit, c.unit)}`,
        c.warn === undefined ? '' : withUnit(c.warn, c.unit),
        c.n === null ? NA : String(c.n),
        c.source ?? '',
      ]),
    ),
  ];
}

const DIST_ROWS: [keyof RunSummary, string, string][] = [
  ['ttft', 'TTFT', 'ms'],
  ['ttfo', 'TTFO', 'ms'],
  ['ttfc', 'TTFC', 'ms'],
  ['tpot', 'TPOT', 'ms'],
  ['itl', 'ITL', 'ms'],
  ['e2e', 'E2E latency', 'ms'],
  ['e2eFromSched', 'E2E from schedule', 'ms'],
  ['queueDelay', 'client queue delay', 'ms'],
  ['inputTokens', 'input tokens', 'tokens'],
  ['outputTokens', 'output tokens', 'tokens'],
];

function distRow(label: string, d: Distribution, unit: string): string[] {
  const f = (x: number | null) => (unit === 'ms' ? ms(x) : num(x, 1));
  return [label, String(d.n), f(d.mean), f(d.p50), f(d.p90), f(d.p95), f(d.p99), f(d.max)];
}

function percentileTable(s: RunSummary): Block[] {
  const rows = DIST_ROWS.filter(([k]) => (s[k] as Distribution).n > 0).map(([k, label, unit]) => distRow(label, s[k] as Distribution, unit));
  const blocks: Block[] = [table(['metric', 'n', 'mean', 'p50', 'p90', 'p95', 'p99', 'max'], rows)];
  const small = DIST_ROWS.filter(([k, , u]) => u === 'ms' && (s[k] as Distribution).n > 0 && (s[k] as Distribution).n < SMALL_N);
  if (small.length) blocks.push(p(`Few samples (n < ${SMALL_N}) for ${small.map(([, l]) => l).join(', ')}: their p95 and p99 are close to the maximum and mostly noise.`));
  return blocks;
}

function runTable(s: RunSummary): Block[] {
  const rows: string[][] = [
    ['requests (succeeded / failed)', `${s.requests} (${s.succeeded} / ${s.failed})`],
    ['success rate', pct(s.successRate, 2)],
    ['measured window', s.windowS === null ? NA : `${num(s.windowS, 2)} s`],
    ['output tokens/s', num(s.outputTokensPerS)],
    ['output tokens/s, steady state', num(s.steadyOutputTokensPerS)],
    ['output tokens/s, peak 1 s', num(s.peakOutputTokensPerS)],
    ['total tokens/s', num(s.totalTokensPerS)],
    ['requests/s', num(s.requestsPerS, 2)],
    ['truncation rate (finish_reason length)', pct(s.truncationRate)],
  ];
  if (s.concurrency !== undefined) rows.push(['concurrency', String(s.concurrency)]);
  if (s.offeredRate !== undefined || s.achievedRate !== undefined) rows.push(['offered / achieved rate (req/s)', `${num(s.offeredRate, 2)} / ${num(s.achievedRate, 2)}`]);
  if (s.goodput) {
    const slo = Object.entries(s.goodput.slo).map(([k, v]) => `${k} <= ${v}`).join(', ');
    rows.push(['goodput (req/s)', `${num(s.goodput.goodRequestsPerS, 2)} (SLO ${slo || 'none'})`], ['good fraction', `${pct(s.goodput.goodFraction)} (${s.goodput.good}/${s.goodput.total})`]);
  }
  const errs = Object.entries(s.errors);
  if (errs.length) rows.push(['errors by kind', errs.map(([k, v]) => `${k}: ${v}`).join(', ')]);
  return [table(['measure', 'value'], rows)];
}

function clientHealth(s: RunSummary | undefined): Block[] {
  const ch = s?.clientHealth;
  if (!ch) return [];
  const text = `Client event-loop delay p50 ${ms(ch.eventLoopDelayP50Ms)}, p99 ${ms(ch.eventLoopDelayP99Ms)}, max ${ms(ch.eventLoopDelayMaxMs)}; scheduling lag p99 ${ms(ch.schedulingLagP99Ms)}.`;
  return [p(ch.flagged ? { status: 'warn', text: `${text} The client itself was busy: ${ch.reason ?? 'latencies may be inflated'}.` } : text)];
}

function accuracyBlocks(b: BenchMeta): Block[] {
  const out: Block[] = [];
  const a = b.accuracy;
  if (a) {
    if (a.skipReason) out.push(p({ status: 'skipped', text: a.skipReason }));
    out.push(
      table(
        ['measure', 'value'],
        [
          ['cases / trials / skipped', `${a.cases} / ${a.trials} / ${a.skipped}`],
          ['category accuracy', pct(a.categoryAccuracy)],
          ['entity recall', pct(a.entityRecall)],
          ['fact recall', pct(a.factRecall)],
          ['must-not-say violations', String(a.forbiddenViolations)],
          ['error rate', pct(a.errorRate)],
          ['truncation rate', pct(a.truncationRate)],
          ['p95 latency per image', ms(a.p95LatencyMsImage)],
          ['valid JSON', pct(a.jsonValidRate)],
        ],
      ),
    );
    if (a.perClass.length) {
      out.push(table(['category', 'precision', 'recall', 'F1', 'support'], a.perClass.map((c) => [c.label, pct(c.precision), pct(c.recall), pct(c.f1), String(c.support)])));
    }
  }
  const cases = b.accuracyCases ?? [];
  if (cases.length) {
    const missed = (xs: { item: string; found: boolean }[]) => xs.filter((x) => !x.found).map((x) => x.item).join(', ') || 'none';
    out.push(
      h(4, 'Cases'),
      table(
        ['case', 'trial', 'result', 'category (expected / got)', 'entities missed', 'facts missed', 'forbidden said', 'numbers missing', 'latency', 'answer'],
        cases.map((c) => [
          c.caseId,
          String(c.trial),
          c.ok ? { status: 'pass', text: '' } : { status: 'fail', text: c.error ?? '' },
          `${c.expectedCategory ?? NA} / ${c.gotCategory ?? NA}`,
          missed(c.entities),
          missed(c.facts),
          c.forbiddenHits.join(', ') || 'none',
          c.numbers ? c.numbers.missing.join(', ') || 'none' : NA,
          ms(c.latencyMs),
          // Untrusted model output: the renderers escape it; cut it so the table stays readable.
          c.answer.length > 300 ? `${c.answer.slice(0, 300)}…` : c.answer,
        ]),
      ),
    );
  }
  return out;
}

function concurrencyBlocks(b: BenchMeta): Block[] {
  const sw = b.sweep;
  if (!sw) return [];
  const slo = Object.entries(sw.slo).map(([k, v]) => `${k} <= ${v}`).join(', ') || 'none';
  return [
    table(
      [sw.axis, 'requests', 'success rate', 'p50 E2E', 'p95 E2E', 'p95 TTFT', 'p50 TPOT', 'output tokens/s', 'meets SLO'],
      sw.points.map((pt) => [
        num(pt.load, 2),
        String(pt.summary.requests),
        pct(pt.summary.successRate, 2),
        ms(pt.summary.e2e.p50),
        ms(pt.summary.e2e.p95),
        ms(pt.summary.ttft.p95),
        ms(pt.summary.tpot.p50),
        num(pt.summary.outputTokensPerS),
        { status: pt.meetsSlo ? 'pass' : 'fail', text: '' },
      ]),
    ),
    p(
      `Saturation point: ${sw.saturationLoad === null ? 'not reached in the levels tried' : `${sw.axis} ${num(sw.saturationLoad, 2)}`}. ` +
        `Max load within SLO (${slo}): ${sw.maxLoadWithinSlo === null ? 'no level met the SLO' : `${sw.axis} ${num(sw.maxLoadWithinSlo, 2)}`}.`,
    ),
  ];
}

function stabilityBlocks(b: BenchMeta): Block[] {
  const out: Block[] = [];
  const win = (w: { fromS: number; toS: number; n: number; p50Ms: number | null; p95Ms: number | null; errorRate: number | null }) =>
    `${num(w.fromS, 0)}-${num(w.toS, 0)} s, n=${w.n}, p50 ${ms(w.p50Ms)}, p95 ${ms(w.p95Ms)}, errors ${pct(w.errorRate)}`;
  if (b.drift?.length) {
    out.push(
      table(
        ['metric', 'first window', 'last window', 'p50 last/first', 'p95 last/first', 'error rate delta'],
        b.drift.map((d) => [d.metric, win(d.first), win(d.last), ratio(d.p50Ratio), ratio(d.p95Ratio), signed(d.errorRateDelta, 4)]),
      ),
    );
    for (const d of b.drift) if (d.first.n === 0 || d.last.n === 0) out.push(p({ status: 'fail', text: `${d.metric}: an empty window cannot show stability.` }));
  }
  if (b.timeline?.length) {
    out.push(table(['t (s)', 'n', 'p50', 'p95', 'errors'], b.timeline.map((w) => [num(w.tS, 0), String(w.n), ms(w.p50Ms), ms(w.p95Ms), String(w.errors)])));
  }
  if (b.serverMetrics?.length) {
    out.push(table(['server metric', 'first', 'last'], b.serverMetrics.map((m) => [m.name, num(m.first, 2), num(m.last, 2)])));
  }
  return out;
}

function tokenBudgetBlocks(b: BenchMeta): Block[] {
  const tb = b.tokenBudget;
  if (!tb) return [];
  const rows: string[][] = [
    ['truncation rate (finish_reason length)', pct(tb.truncationRate)],
    ['silent prompt truncations', String(tb.silentPromptTruncations)],
    ['silent output truncations', String(tb.silentOutputTruncations)],
  ];
  if (tb.contextOverflow) {
    rows.push(
      ['prompt over the context window', tb.contextOverflow.promptOverLimit],
      ['prompt + max_tokens over the context window', tb.contextOverflow.promptPlusMaxTokensOverLimit],
      ['context overflow detail', tb.contextOverflow.detail],
    );
  }
  if (tb.oslMismatch) {
    const o = tb.oslMismatch;
    rows.push(['output length requested / received p50 (min-max)', `${o.requested} / ${num(o.received.p50)} (${num(o.received.min)}-${num(o.received.max)}), exact ${pct(o.exactFraction)}`]);
  }
  if (tb.cost) {
    const c = tb.cost;
    rows.push(
      ['cost per request', c.perRequest === null ? NA : `${c.perRequest.toFixed(6)} ${c.currency}`],
      ['cost per million tokens', c.perMillionTokens === null ? NA : `${c.perMillionTokens.toFixed(4)} ${c.currency}`],
      ['prices (input / output per million)', `${c.inputPricePerMillion} / ${c.outputPricePerMillion} ${c.currency}`],
    );
  }
  const histRows = (name: string, hst: { edges: number[]; counts: number[] }) =>
    hst.counts.map((count, i) => [name, `${num(hst.edges[i])}-${num(hst.edges[i + 1])}`, String(count)]);
  return [table(['measure', 'value'], rows), table(['tokens', 'bucket', 'requests'], [...histRows('input', tb.inputTokens), ...histRows('output', tb.outputTokens)])];
}

function testBlocks(t: TestResult): Block[] {
  const b = t.bench;
  const state: Status = t.state === 'passed' ? 'pass' : t.state === 'failed' ? 'fail' : 'skipped';
  const out: Block[] = [h(3, `${t.model}: ${t.name}`)];
  const head: Inline[] = [{ status: state, text: '' }];
  if (b?.workload) head.push(` ${b.workload}`);
  if (t.durationMs !== null) head.push(` (${num(t.durationMs / 1000, 1)} s)`);
  out.push(p(...head));
  if (t.state === 'skipped' && t.skipReason) out.push(p(`Skipped: ${t.skipReason}`));
  if (t.errors.length && t.state === 'failed') out.push(ul(t.errors.map((e) => [e])));
  if (!b) return out;
  out.push(...checksTable(b.checks));
  if (b.dimension === 'accuracy') out.push(...accuracyBlocks(b));
  if (b.summary && b.dimension !== 'accuracy') out.push(...percentileTable(b.summary), ...runTable(b.summary));
  if (b.ttftByPromptLength?.length) {
    out.push(table(['prompt tokens', 'n', 'p50 TTFT', 'p95 TTFT'], b.ttftByPromptLength.map((x) => [String(x.inputTokens), String(x.ttft.n), ms(x.ttft.p50), ms(x.ttft.p95)])));
  }
  out.push(...concurrencyBlocks(b), ...stabilityBlocks(b), ...tokenBudgetBlocks(b), ...clientHealth(b.summary));
  const notes: Inline[][] = b.warnings.map((w) => [w]);
  for (const a of t.annotations) if (a.type !== 'notice') notes.push([`${a.type}: ${a.message}`]);
  if (notes.length) out.push(p({ strong: 'Notes:' }), ul(notes));
  const facts: Inline[] = [];
  if (b.params && Object.keys(b.params).length) facts.push('Parameters: ', { code: Object.entries(b.params).map(([k, v]) => `${k}=${String(v)}`).join(' ') });
  if (b.recordsFile) facts.push(facts.length ? '; records: ' : 'Records: ', { code: b.recordsFile });
  if (facts.length) out.push(p(...facts));
  return out;
}

function environmentBlocks(r: BenchResults): Block[] {
  const e = r.environment;
  return [
    h(2, 'Environment', 'environment'),
    table(
      ['item', 'value'],
      [
        ['run id', r.runId],
        ['started', e.startedAt ?? NA],
        ['report generated', r.generatedAt],
        ['suite version', e.suiteVersion ?? NA],
        ['Vitest', e.vitestVersion ?? NA],
        ['Node.js', e.nodeVersion],
        ['profile', e.profile],
        ['seeds', e.seeds.join(', ') || NA],
        ['client machine', `${e.platform} ${e.osRelease} ${e.arch}, ${e.cpus} x ${e.cpuModel}, ${bytes(e.memoryBytes)} RAM${e.ci ? ', CI' : ''}`],
      ],
    ),
    table(
      ['model', 'provider', 'base URL', 'served model name', 'baseline'],
      r.models.map((m) => [m.name, m.provider ?? NA, m.baseUrl === undefined ? NA : `${m.baseUrl}${viaUnixSocket(m)}`, m.servedModelName ?? NA, m.baseline ?? '']),
    ),
  ];
}

export const METRIC_DEFINITIONS: [string, string, string][] = [
  ['TTFT', 'first event carrying a non-empty generated token on any channel (content, reasoning, tool calls) minus send time', 'GuideLLM/AIPerf TTFT'],
  ['TTFO', 'first non-reasoning output token minus send time', 'GuideLLM TTFOT, AIPerf TTFO'],
  ['TTFC', 'first SSE chunk with a non-empty choices array (may be role-only) minus send time', 'vLLM bench / EvalScope "TTFT"'],
  ['E2E latency', 'last token-bearing event minus send time (usage-only chunk and [DONE] excluded)', 'vLLM E2EL, AIPerf request latency'],
  ['E2E from schedule', 'E2E measured from the scheduled send time (coordinated-omission view)', ''],
  ['TPOT', '(E2E - TTFT) / (N - 1) for N >= 2 output tokens', 'vLLM TPOT, AIPerf/GuideLLM ITL'],
  ['ITL', 'gaps between consecutive token-bearing events, pooled; a k-token chunk counts gap/k per token', 'vLLM ITL, AIPerf ICL'],
  ['output tokens', 'usage.completion_tokens (includes reasoning); tokenizer count when the server sends none', ''],
  ['throughput', 'sum of output tokens of successful requests / window from first send to last token', ''],
  ['goodput', 'successful requests meeting every SLO / window; good fraction counts failures in the denominator', 'vLLM goodput'],
  ['truncation rate', 'requests with finish_reason "length" / all requests', ''],
  ['drift', 'last window / first window of the soak, on p50 and p95 latency; error-rate delta', ''],
];

function definitionsBlocks(): Block[] {
  return [
    h(2, 'Metric definitions', 'metric-definitions'),
    table(['metric', 'definition', 'also called'], METRIC_DEFINITIONS),
    p(
      'Percentiles: linear interpolation between closest ranks (numpy default, "type 7"; same as vLLM, AIPerf and llmperf); for values 1..100, p50 = 50.5 and p99 = 99.01. ' +
        'n is printed next to every percentile; latencies are in milliseconds on a monotonic clock.',
    ),
  ];
}

function thresholdsLine(rt: BenchResults['regressionThresholds']): Block {
  return p(`Regression thresholds from ${rt.source}: category precision drop <= ${rt.category_precision_drop_max}, entity recall drop <= ${rt.entity_recall_drop_max}, fact recall drop <= ${rt.fact_recall_drop_max}, p95 latency ratio <= ${rt.p95_latency_ratio_max}, must-not-say delta <= ${rt.must_not_say_delta_max}.`);
}

/** The stand-alone report of `report --compare <runA> <runB>`. */
export function buildComparisonReport(title: string, comparisons: readonly Comparison[], rt: BenchResults['regressionThresholds']): Block[] {
  return [h(1, title), thresholdsLine(rt), ...comparisons.flatMap(comparisonBlocks)];
}

export function buildReport(r: BenchResults, charts: readonly RenderedChart[] = []): Block[] {
  const out: Block[] = [h(1, `Benchmark report ${r.runId}`), ...outcomeBlocks(r), ...verdictTable(r)];
  if (r.comparisons.length) {
    out.push(h(2, 'Can the candidate replace the baseline?', 'comparison'), thresholdsLine(r.regressionThresholds));
    for (const c of r.comparisons) out.push(...comparisonBlocks(c));
  }
  for (const d of DIMENSIONS) {
    const tests = r.tests.filter((t) => t.dimension === d);
    if (!tests.length) continue;
    out.push(h(2, DIMENSION_TITLE[d], d));
    for (const c of charts.filter((c) => c.section === d)) out.push({ kind: 'chart', id: c.id, title: c.title, file: c.file, spec: c.spec });
    for (const t of tests) out.push(...testBlocks(t));
  }
  const other = r.tests.filter((t) => t.dimension === null);
  if (other.length) {
    out.push(h(2, 'Other tests', 'other'));
    for (const t of other) out.push(...testBlocks(t));
  }
  if (r.unhandledErrors.length) out.push(h(2, 'Unhandled errors', 'errors'), ul(r.unhandledErrors.map((e) => [e])));
  out.push(...environmentBlocks(r), ...definitionsBlocks());
  return out;
}
