/** summary.csv: one row per test with the headline numbers, for spreadsheets and dashboards. */
import type { BenchResults } from './results-types.ts';

/** RFC 4180 quoting, plus a leading quote on text a spreadsheet would run as a formula. */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const safe = /^[=+\-@\t\r]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_COLUMNS = [
  'model', 'dimension', 'test', 'state', 'checks_pass', 'checks_warn', 'checks_fail',
  'requests', 'success_rate', 'ttft_p50_ms', 'ttft_p95_ms', 'tpot_p50_ms', 'e2e_p50_ms', 'e2e_p95_ms',
  'output_tokens_per_s', 'requests_per_s', 'truncation_rate', 'max_load_within_slo', 'saturation_load',
  'p95_drift_ratio', 'category_accuracy', 'entity_recall', 'fact_recall', 'forbidden_violations',
] as const;

export function renderCsv(r: BenchResults): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const t of r.tests) {
    const b = t.bench;
    const s = b?.summary;
    const checks = b?.checks ?? [];
    const count = (st: string) => checks.filter((c) => c.status === st).length;
    const row: (string | number | null | undefined)[] = [
      t.model, t.dimension ?? '', t.fullName, t.state, count('pass'), count('warn'), count('fail'),
      s?.requests, s?.successRate, s?.ttft.p50, s?.ttft.p95, s?.tpot.p50, s?.e2e.p50, s?.e2e.p95,
      s?.outputTokensPerS, s?.requestsPerS, s?.truncationRate ?? b?.tokenBudget?.truncationRate,
      b?.sweep?.maxLoadWithinSlo, b?.sweep?.saturationLoad, b?.drift?.[0]?.p95Ratio,
      b?.accuracy?.categoryAccuracy, b?.accuracy?.entityRecall, b?.accuracy?.factRecall, b?.accuracy?.forbiddenViolations,
    ];
    lines.push(row.map(csvField).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
