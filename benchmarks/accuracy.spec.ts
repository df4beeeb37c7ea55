/**
 * Accuracy on the golden set: one test per case (so a failing case is named in standard test
 * output, with the expected and received values), then the set's acceptance criteria on the
 * aggregate. Numbers are compared as whole numbers: reading "120 yuan" as "1200 yuan" fails.
 */
import { describe, expect } from 'vitest';
import { benchTest, once, recordMeasurement, target } from './support/bench.ts';
import { loadGoldenSet } from '../src/config/golden.ts';
import { describeThreshold, type Threshold } from '../src/config/thresholds.ts';
import { judge } from '../src/matchers/judge.ts';
import { partitionCases, runGoldenSet } from '../src/runs/accuracy.ts';
import type { AccuracyAggregateExt } from '../src/scoring/index.ts';

const set = loadGoldenSet(target.goldenFile);
const { runnable, skipped, skipReason } = partitionCases(set, target);
const run = once(() => runGoldenSet(target, set));
const criteria = target.thresholds.filter((t) => t.dimension === 'accuracy');
const trials = set.trials > 1 ? ` x ${set.trials} trials` : '';

describe(`accuracy (${set.name})`, () => {
  for (const c of runnable) {
    const parts = [
      c.expected_category ? `category ${c.expected_category}` : '',
      c.must_identify_entities.length ? `${c.must_identify_entities.length} entities` : '',
      c.must_identify_facts.length ? `${c.must_identify_facts.length} facts` : '',
      c.expected_numbers.length ? `numbers ${c.expected_numbers.join(', ')}` : '',
      c.must_not_say.length ? `${c.must_not_say.length} forbidden` : '',
    ].filter(Boolean);
    benchTest('accuracy', `case ${c.id} (${c.modality}): ${parts.join(', ')}`, async ({ meta }) => {
      const r = await run();
      meta.accuracyCases = r.results.get(c.id) ?? [];
      meta.workload = `golden case ${c.id} from ${c.source}${trials}`;
      meta.recordsFile = r.measurement.recordsFile;
      for (const [trial, answer] of (r.answers.get(c.id) ?? []).entries()) {
        const res = r.results.get(c.id)![trial]!;
        const label = `case ${c.id}${set.trials > 1 ? ` trial ${trial + 1}` : ''}`;
        if (res.error) {
          const check = judge({ name: `${label} answered`, metric: 'errors', op: '==', fail: 0, actual: null, n: 0, context: res.error });
          meta.checks.push(check);
          expect.soft(check.status, check.message).not.toBe('fail');
          continue;
        }
        if (c.expected_category) expect.soft(answer, label).toMatchCategory(c.expected_category, set.categories);
        if (c.must_identify_entities.length) expect.soft(answer, label).toRecallEntities(c.must_identify_entities);
        if (c.must_identify_facts.length && !c.judge) expect.soft(answer, label).toRecallFacts(c.must_identify_facts);
        if (c.expected_numbers.length) expect.soft(answer, label).toMatchNumbers(c.expected_numbers);
        if (c.must_not_say.length) expect.soft(answer, label).toAvoidForbidden(c.must_not_say);
        if (set.answer_format === 'json') expect.soft(answer, label).toBeValidJson(set.json_schema);
      }
    });
  }
  for (const c of skipped) {
    benchTest('accuracy', `case ${c.id} (${c.modality})`, async () => {}, { skip: skipReason ?? 'not runnable' });
  }

  for (const t of criteria) {
    benchTest('accuracy', `${describeThreshold(t)} over ${runnable.length} cases${trials} (${set.name})`, async ({ meta }) => {
      const r = await run();
      recordMeasurement(meta, r.measurement);
      meta.accuracy = r.aggregate;
      meta.workload = `${runnable.length} golden cases${trials} from ${set.name}${skipReason ? `; ${skipReason}` : ''}`;
      const { actual, n, unit } = aggregateValue(r.aggregate, t);
      const check = judge({
        name: describeThreshold({ ...t, warn: undefined }).replace(/ (<|<=|>|>=) .*$/, ''),
        metric: t.metric,
        op: t.op,
        fail: t.fail,
        warn: t.warn,
        actual,
        n,
        unit,
        minN: t.metric === 'image_latency' && t.stat.kind === 'p' ? 1 : undefined,
        source: t.source,
      });
      meta.checks.push(check);
      expect(check.status, check.message).not.toBe('fail');
    });
  }
});

function aggregateValue(a: AccuracyAggregateExt, t: Threshold): { actual: number | null; n: number; unit?: string } {
  const trialsRun = a.cases * a.trials;
  switch (t.metric) {
    case 'category_accuracy':
      return { actual: a.categoryAccuracy, n: trialsRun };
    case 'category_precision':
      return { actual: a.categoryMacroPrecision, n: trialsRun };
    case 'entity_recall':
      return { actual: a.entityRecall, n: trialsRun };
    case 'fact_recall':
      return { actual: a.factRecall, n: trialsRun };
    case 'json_valid':
      return { actual: a.jsonValidRate, n: trialsRun };
    case 'forbidden_violations':
      return { actual: a.forbiddenViolations, n: trialsRun };
    case 'errors':
      return { actual: a.errorRate, n: trialsRun };
    case 'truncation':
      return { actual: a.truncationRate, n: trialsRun };
    case 'image_latency':
      return { actual: a.p95LatencyMsImage, n: a.imageLatencySamples, unit: 'ms' };
    default:
      return { actual: null, n: 0 };
  }
}
