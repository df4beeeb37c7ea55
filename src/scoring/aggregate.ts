/**
 * Run-level accuracy over every trial of every case: what the acceptance criteria are judged on.
 *
 * Definitions (each over all trials, micro-averaged):
 * - categoryAccuracy: correct categories / results whose case has an expected category. The older
 *   tool's `category_precision_min` was this number; per-class precision is in `perClass`.
 * - entityRecall, factRecall: items found / items asked. For a case with judge verdicts the
 *   verdicts replace lexical matching of its facts (they are the stricter reading of free text).
 * - forbiddenViolations: forbidden items said, summed over results.
 * - errorRate: failed requests / results. truncationRate: `finish_reason: length` / results.
 * - p95LatencyMsImage: linear-interpolated p95 ("type 7", as in metrics.md) of successful image
 *   cases' latency; null with no such sample.
 * - jsonValidRate: valid / results that were checked for JSON.
 * - numberRecall (extension): expected numbers found / expected numbers.
 */
import { percentile } from '../metrics/percentile.ts';
import type { GoldenSet } from '../config/golden.ts';
import type { AccuracyAggregate, AccuracyCaseResult } from '../matchers/meta.ts';
import { categoryMetrics } from './category.ts';

export interface AccuracyAggregateExt extends AccuracyAggregate {
  /** Expected numbers found / expected; null when no case expects numbers. */
  numberRecall: number | null;
  /** Mean per-class precision (classes that were predicted at least once). */
  categoryMacroPrecision: number | null;
  /** Successful image results behind p95LatencyMsImage. */
  imageLatencySamples: number;
}

export interface AggregateOptions {
  /** Why cases of the set have no result (e.g. `text-only model: 6 image cases skipped`). */
  skipReason?: string;
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

export function aggregateAccuracy(
  results: readonly AccuracyCaseResult[],
  set: Pick<GoldenSet, 'cases' | 'categories'>,
  opts: AggregateOptions = {},
): AccuracyAggregateExt {
  const scoredIds = new Set(results.map((r) => r.caseId));
  const skippedCases = set.cases.filter((c) => !scoredIds.has(c.id));
  const trialsPerCase = new Map<string, number>();
  for (const r of results) trialsPerCase.set(r.caseId, (trialsPerCase.get(r.caseId) ?? 0) + 1);

  const withCategory = results.filter((r) => r.expectedCategory !== undefined);
  const cat = categoryMetrics(
    withCategory.map((r) => ({ expected: r.expectedCategory!, got: r.gotCategory ?? null })),
    set.categories,
  );
  const count = (pick: (r: AccuracyCaseResult) => { found: boolean }[]): [number, number] => {
    let found = 0;
    let total = 0;
    for (const r of results) {
      for (const h of pick(r)) {
        total++;
        if (h.found) found++;
      }
    }
    return [found, total];
  };
  const [entFound, entTotal] = count((r) => r.entities);
  const [factFound, factTotal] = count((r) => r.judged ?? r.facts);
  let numExpected = 0;
  let numMissing = 0;
  for (const r of results) {
    numExpected += r.numbers?.expected.length ?? 0;
    numMissing += r.numbers?.missing.length ?? 0;
  }
  const jsonChecked = results.filter((r) => r.json !== undefined);
  const imageLatencies = results.filter((r) => r.modality === 'image' && r.ok && r.latencyMs !== null).map((r) => r.latencyMs!);
  const skipped = skippedCases.length;
  return {
    cases: set.cases.length - skipped,
    trials: Math.max(0, ...trialsPerCase.values()),
    skipped,
    ...(skipped ? { skipReason: opts.skipReason ?? `${skipped} case${skipped === 1 ? ' has' : 's have'} no result: ${skippedCases.slice(0, 5).map((c) => c.id).join(', ')}${skipped > 5 ? ', ...' : ''}` } : {}),
    categoryAccuracy: cat.accuracy,
    perClass: cat.perClass,
    confusion: cat.confusion,
    entityRecall: ratio(entFound, entTotal),
    factRecall: ratio(factFound, factTotal),
    forbiddenViolations: results.reduce((a, r) => a + r.forbiddenHits.length, 0),
    errorRate: ratio(results.filter((r) => !r.ok).length, results.length),
    truncationRate: ratio(results.filter((r) => r.finishReason === 'length').length, results.length),
    p95LatencyMsImage: percentile(imageLatencies, 95),
    jsonValidRate: ratio(jsonChecked.filter((r) => r.json!.valid).length, jsonChecked.length),
    numberRecall: ratio(numExpected - numMissing, numExpected),
    categoryMacroPrecision: cat.macroPrecision,
    imageLatencySamples: imageLatencies.length,
  };
}
