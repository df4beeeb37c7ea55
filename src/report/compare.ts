/**
 * "Can the candidate replace the baseline?": side-by-side metrics of two models' matching tests,
 * the golden file's regression_thresholds applied, and a verdict with its reasons. Used for a
 * `baseline:` declared in models.yaml (same run) and by `report --compare` (two run folders).
 */
import type { BenchMeta, Comparison, ComparisonRow, RegressionThresholds, TestResult } from './results-types.ts';

const EPS = 1e-9;

type Threshold = NonNullable<ComparisonRow['threshold']>;

function ratio(c: number | null, b: number | null): number | null {
  return c !== null && b !== null && b !== 0 ? c / b : null;
}

function row(
  section: string,
  label: string,
  unit: string,
  higherIsBetter: boolean | null,
  baseline: number | null | undefined,
  candidate: number | null | undefined,
  threshold?: Threshold,
): ComparisonRow {
  const b = baseline ?? null;
  const c = candidate ?? null;
  const r: ComparisonRow = {
    section,
    label,
    unit,
    higherIsBetter,
    baseline: b,
    candidate: c,
    delta: b !== null && c !== null ? c - b : null,
    ratio: ratio(c, b),
    status: 'info',
  };
  if (!threshold) return r;
  r.threshold = threshold;
  if (b === null || c === null) {
    r.status = 'missing';
    r.note = b === null && c === null ? 'measured for neither model' : `not measured for the ${c === null ? 'candidate' : 'baseline'}`;
    return r;
  }
  let ok: boolean;
  if (threshold.kind === 'drop_max') ok = b - c <= threshold.limit + EPS;
  else if (threshold.kind === 'delta_max') ok = c - b <= threshold.limit + EPS;
  else ok = r.ratio === null ? c <= b : r.ratio <= threshold.limit + EPS;
  r.status = ok ? 'pass' : 'fail';
  return r;
}

/** Macro-averaged precision over categories the model predicted; plain accuracy when no per-class data. */
export function categoryPrecision(acc: NonNullable<BenchMeta['accuracy']>): number | null {
  const ps = acc.perClass.map((c) => c.precision).filter((x): x is number => x !== null);
  if (ps.length) return ps.reduce((a, b) => a + b, 0) / ps.length;
  return acc.categoryAccuracy;
}

function rowsFor(section: string, b: BenchMeta, c: BenchMeta, rt: RegressionThresholds): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const t = (key: keyof RegressionThresholds & string, kind: Threshold['kind']): Threshold => ({ key, kind, limit: rt[key] as number });
  if (b.accuracy || c.accuracy) {
    const ba = b.accuracy;
    const ca = c.accuracy;
    rows.push(
      row(section, 'category precision', 'ratio', true, ba && categoryPrecision(ba), ca && categoryPrecision(ca), t('category_precision_drop_max', 'drop_max')),
      row(section, 'entity recall', 'ratio', true, ba?.entityRecall, ca?.entityRecall, t('entity_recall_drop_max', 'drop_max')),
      row(section, 'fact recall', 'ratio', true, ba?.factRecall, ca?.factRecall, t('fact_recall_drop_max', 'drop_max')),
      row(section, 'must-not-say violations', 'count', false, ba?.forbiddenViolations, ca?.forbiddenViolations, t('must_not_say_delta_max', 'delta_max')),
    );
    if (ba?.p95LatencyMsImage != null || ca?.p95LatencyMsImage != null) {
      rows.push(row(section, 'p95 latency per image', 'ms', false, ba?.p95LatencyMsImage, ca?.p95LatencyMsImage, t('p95_latency_ratio_max', 'ratio_max')));
    }
    rows.push(row(section, 'error rate', 'ratio', false, ba?.errorRate, ca?.errorRate));
  }
  const bs = b.summary;
  const cs = c.summary;
  if (bs || cs) {
    // The latency dimension is where the seed's p95 latency ratio belongs; elsewhere p95 is context.
    const p95Threshold = b.dimension === 'latency' ? t('p95_latency_ratio_max', 'ratio_max') : undefined;
    rows.push(
      row(section, 'p95 end-to-end latency', 'ms', false, bs?.e2e.p95, cs?.e2e.p95, p95Threshold),
      row(section, 'p95 TTFT', 'ms', false, bs?.ttft.p95, cs?.ttft.p95),
      row(section, 'p50 TPOT', 'ms', false, bs?.tpot.p50, cs?.tpot.p50),
      row(section, 'output tokens/s', 'tok/s', true, bs?.outputTokensPerS, cs?.outputTokensPerS),
      row(section, 'success rate', 'ratio', true, bs?.successRate, cs?.successRate),
    );
  }
  if (b.sweep || c.sweep) {
    rows.push(
      row(section, 'max load within SLO', b.sweep?.axis ?? c.sweep?.axis ?? 'load', true, b.sweep?.maxLoadWithinSlo, c.sweep?.maxLoadWithinSlo),
      row(section, 'saturation load', b.sweep?.axis ?? c.sweep?.axis ?? 'load', true, b.sweep?.saturationLoad, c.sweep?.saturationLoad),
    );
  }
  const bd = b.drift?.[0];
  const cd = c.drift?.[0];
  if (bd || cd) rows.push(row(section, 'p95 drift last/first', 'ratio', false, bd?.p95Ratio, cd?.p95Ratio));
  if (b.tokenBudget || c.tokenBudget) {
    rows.push(row(section, 'truncation rate', 'ratio', false, b.tokenBudget?.truncationRate, c.tokenBudget?.truncationRate));
  }
  return rows;
}

/** A test's identity across models and runs: the project (model) name is not part of it. */
const testKey = (t: TestResult): string => `${t.dimension ?? ''}\u0000${t.fullName}`;

export function compareModels(opts: {
  candidate: string;
  baseline: string;
  candidateTests: readonly TestResult[];
  baselineTests: readonly TestResult[];
  thresholds: RegressionThresholds;
  source: string;
}): Comparison {
  const { candidate, baseline, thresholds } = opts;
  const rows: ComparisonRow[] = [];
  const reasons: string[] = [];
  const byKey = new Map(opts.baselineTests.map((t) => [testKey(t), t]));
  let matched = 0;
  const seen = new Set<string>();
  for (const ct of opts.candidateTests) {
    const bt = byKey.get(testKey(ct));
    if (ct.state === 'failed') {
      const failing = (ct.bench?.checks ?? []).filter((c) => c.status === 'fail').map((c) => c.message);
      reasons.push(`${candidate} failed "${ct.fullName}"${failing.length ? `: ${failing.join('; ')}` : ct.errors[0] ? `: ${ct.errors[0]}` : ''}`);
    }
    if (!bt?.bench || !ct.bench) continue;
    matched++;
    // Tests that share one measurement (the accuracy aggregates, throughput and goodput) carry the
    // same numbers: show each comparison once, under the first test that has it.
    for (const row of rowsFor(ct.fullName, bt.bench, ct.bench, thresholds)) {
      const sig = `${ct.bench.dimension}|${row.label}|${row.baseline}|${row.candidate}`;
      if (seen.has(sig)) continue;
      seen.add(sig);
      rows.push(row);
    }
  }
  if (matched === 0) reasons.push(`no test measured both ${candidate} and ${baseline}: nothing to compare`);
  for (const r of rows) {
    if (!r.threshold) continue;
    const lim = r.threshold.limit;
    const fmt = (x: number | null) => (x === null ? 'n/a' : r.unit === 'ms' ? `${x.toFixed(0)} ms` : Number(x.toFixed(4)).toString());
    if (r.status === 'fail') {
      if (r.threshold.kind === 'drop_max') {
        reasons.push(`${r.label} dropped by ${fmt((r.baseline ?? 0) - (r.candidate ?? 0))} (${fmt(r.baseline)} -> ${fmt(r.candidate)}) in "${r.section}", more than ${r.threshold.key} = ${lim}`);
      } else if (r.threshold.kind === 'delta_max') {
        reasons.push(`${r.label} rose by ${fmt(r.delta)} (${fmt(r.baseline)} -> ${fmt(r.candidate)}) in "${r.section}", more than ${r.threshold.key} = ${lim}`);
      } else {
        reasons.push(`${r.label} is ${r.ratio === null ? 'not comparable' : `${r.ratio.toFixed(2)}x`} the baseline (${fmt(r.baseline)} -> ${fmt(r.candidate)}) in "${r.section}", above ${r.threshold.key} = ${lim}`);
      }
    } else if (r.status === 'missing' && r.candidate === null && r.baseline !== null) {
      // Only a metric the candidate lost blocks; one neither model measured says nothing.
      reasons.push(`${r.label} was not measured for ${candidate} in "${r.section}" (baseline has ${fmt(r.baseline)})`);
    }
  }
  const canReplace = reasons.length === 0;
  const applied = rows.filter((r) => r.status === 'pass').length;
  const verdict = canReplace
    ? `${candidate} can replace ${baseline}`
    : `${candidate} cannot replace ${baseline}`;
  if (canReplace) reasons.push(`all ${applied} regression checks passed and ${candidate} passed every threshold`);
  return { candidate, baseline, source: opts.source, rows, canReplace, verdict, reasons };
}
