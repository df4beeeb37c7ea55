import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../src/config/errors.ts';
import { parseModelsConfig } from '../../src/config/load.ts';
import {
  checkExpression,
  describeThreshold,
  findThreshold,
  parseExpression,
  parseThresholdsBlock,
  resolveThresholds,
  ThresholdSyntaxError,
  type ThresholdIssue,
} from '../../src/config/thresholds.ts';

function syntaxError(text: string, key?: string): ThresholdSyntaxError {
  try {
    const e = parseExpression(text, key);
    checkExpression(e, JSON.stringify(text));
  } catch (err) {
    if (err instanceof ThresholdSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

describe('parseExpression', () => {
  test.each([
    ['p(95) < 2000', 'ttft', { metric: 'ttft', stat: { kind: 'p', p: 95 }, op: '<', value: 2000 }],
    ['p(99.9)<=250', 'itl', { metric: 'itl', stat: { kind: 'p', p: 99.9 }, op: '<=', value: 250 }],
    ['med < 800', 'e2e', { metric: 'e2e', stat: { kind: 'p', p: 50 }, op: '<', value: 800 }],
    ['avg < 1e3', 'tpot', { metric: 'tpot', stat: { kind: 'avg' }, op: '<', value: 1000 }],
    ['value > 30', 'output_tps', { metric: 'output_tps', stat: { kind: 'value' }, op: '>', value: 30 }],
    ['p(95)(ttft) < 2000', undefined, { metric: 'ttft', stat: { kind: 'p', p: 95 }, op: '<', value: 2000 }],
    ['rate(errors) < 0.05', undefined, { metric: 'errors', stat: { kind: 'rate' }, op: '<', value: 0.05 }],
    ['  count(forbidden_violations) <= 0 ', undefined, { metric: 'forbidden_violations', stat: { kind: 'count' }, op: '<=', value: 0 }],
  ] as const)('%s', (text, key, parsed) => {
    expect(parseExpression(text, key)).toEqual(parsed);
  });

  test.each([
    ['p(0) < 5', 'ttft', 'percentile 0 is outside (0, 100]'],
    ['p(100.5) < 5', 'ttft', 'percentile 100.5 is outside (0, 100]'],
    ['p(x) < 5', 'ttft', 'percentile "x" is not a number'],
    ['p95 < 2000', 'ttft', 'write percentiles as p(95)'],
    ['mean < 2000', 'ttft', 'unknown aggregation "mean"'],
    ['ttft < 2000', undefined, 'put an aggregation before the metric, e.g. "p(95)(ttft) < 2000"'],
    ['p(95) < 2000', undefined, 'expression does not name its metric'],
    ['p(95)(tfft) < 2000', undefined, 'did you mean "ttft"?'],
    ['p(95)(e2e) < 2000', 'ttft', 'expression names metric "e2e" but sits under key "ttft"'],
    ['p(95) 2000', 'ttft', 'missing comparison'],
    ['p(95) == 2000', 'ttft', 'equality never holds for measured values'],
    ['p(95) < ', 'ttft', 'missing limit after the comparison'],
    ['p(95) < 2s', 'ttft', 'write the number alone; TTFT is in ms'],
    ['rate < 5%', 'errors', 'rates are fractions: write 0.05 for 5%'],
    ['rate < 0.05', 'ttft', 'ttft does not take "rate"'],
    ['p(99)(latency_drift) < 1.3', undefined, 'latency_drift is computed for p(50) and p(95) only'],
    ['rate > 1.5', 'success_rate', 'limit 1.5 is out of range for success rate'],
    ['count <= 0.5', 'errors', 'limit 0.5 is out of range'],
    ['rate <= 1', 'errors', 'can never fail'],
    ['p(95) < 0', 'ttft', 'can never pass'],
  ])('rejects %s', (text, key, message) => {
    expect(syntaxError(text, key).message).toContain(message);
  });
});

describe('parseThresholdsBlock', () => {
  test('keyed and self-contained forms, with warn levels, give normalised thresholds', () => {
    const issues: ThresholdIssue[] = [];
    const keyed = parseThresholdsBlock(
      { ttft: ['p(95) < 2000', 'avg < 800'], errors: 'rate < 0.05', output_tps: [{ fail: 'value > 30', warn: 'value > 50' }] },
      'models.yaml',
      ['thresholds'],
      issues,
    );
    expect(issues).toEqual([]);
    expect(keyed).toEqual([
      { id: 'latency.ttft.p95', dimension: 'latency', metric: 'ttft', stat: { kind: 'p', p: 95 }, op: '<', fail: 2000, unit: 'ms', source: 'models.yaml#thresholds.ttft[0]', expr: 'p(95) < 2000' },
      { id: 'latency.ttft.avg', dimension: 'latency', metric: 'ttft', stat: { kind: 'avg' }, op: '<', fail: 800, unit: 'ms', source: 'models.yaml#thresholds.ttft[1]', expr: 'avg < 800' },
      { id: 'concurrency.errors.rate', dimension: 'concurrency', metric: 'errors', stat: { kind: 'rate' }, op: '<', fail: 0.05, unit: '', source: 'models.yaml#thresholds.errors', expr: 'rate < 0.05' },
      { id: 'throughput.output_tps.value', dimension: 'throughput', metric: 'output_tps', stat: { kind: 'value' }, op: '>', fail: 30, warn: 50, unit: 'tok/s', source: 'models.yaml#thresholds.output_tps[0]', expr: 'value > 30' },
    ]);
    const list = parseThresholdsBlock(['rate(errors) < 0.02', { fail: 'p(95)(e2e) < 3000', warn: 2000, dimension: 'stability' }], 'm.yaml', ['thresholds'], issues);
    expect(issues).toEqual([]);
    expect(list.map((t) => [t.id, t.warn, t.source])).toEqual([
      ['concurrency.errors.rate', undefined, 'm.yaml#thresholds[0]'],
      ['stability.e2e.p95', 2000, 'm.yaml#thresholds[1]'],
    ]);
  });

  test('warn must share the aggregation and comparison, and two thresholds on one statistic clash', () => {
    const issues: ThresholdIssue[] = [];
    parseThresholdsBlock({ ttft: [{ fail: 'p(95) < 2000', warn: 'p(99) < 1000' }, 'p(90) < 1', 'p(90) < 2'] }, 'models.yaml', ['thresholds'], issues);
    expect(issues.map((i) => [i.code, i.path.join('.'), i.problem])).toEqual([
      ['INVALID_THRESHOLD', 'thresholds.ttft.0.warn', 'warn must use the same metric, aggregation and comparison as fail'],
      ['DUPLICATE_THRESHOLD', 'thresholds.ttft.2', 'a second threshold on latency.ttft.p90'],
    ]);
  });
});

describe('resolveThresholds', () => {
  const yaml = [
    'benchmarks:',
    '  ttft: { thresholds: { p95_ttft_ms_max: 2000 } }',
    '  accuracy: { thresholds: { entity_recall_min: 0.6 } }',
    'thresholds:',
    '  ttft: ["p(95) < 1800"]',
    '  tpot: ["p(95) < 100"]',
    'models:',
    '  - name: a',
    '    port: 8000',
    '    thresholds:',
    '      ttft: [{ fail: "p(95) < 1500", warn: "p(95) < 900" }]',
    '  - name: b',
    '    port: 8001',
    '    benchmarks: { throughput: { thresholds: { tps_min: 45 } } }',
  ].join('\n');
  const config = parseModelsConfig(yaml);
  const golden = { entity_recall_min: 0.5, fact_recall_min: 0.5, p95_latency_ms_max_per_image: 20000, error_rate_max: 0.05 };

  test('later levels replace earlier ones on the same metric and aggregation', () => {
    const a = resolveThresholds(config, 'a', golden);
    expect(findThreshold(a, 'ttft', { kind: 'p', p: 95 })).toMatchObject({ fail: 1500, warn: 900, op: '<', source: 'models.yaml#models[0].thresholds.ttft[0]' });
    // models.yaml outranks the golden set.
    expect(findThreshold(a, 'entity_recall')).toMatchObject({ fail: 0.6, source: 'models.yaml#benchmarks.accuracy.thresholds.entity_recall_min' });
    expect(findThreshold(a, 'fact_recall')).toMatchObject({ fail: 0.5, op: '>=', source: 'golden/expectations.json#acceptance_criteria.fact_recall_min' });
    expect(findThreshold(a, 'errors')).toMatchObject({ dimension: 'accuracy', fail: 0.05 });
    expect(findThreshold(a, 'image_latency', { kind: 'p', p: 95 })).toMatchObject({ op: '<=', fail: 20000, unit: 'ms' });

    const b = resolveThresholds(config, 'b');
    expect(findThreshold(b, 'ttft', { kind: 'p', p: 95 })).toMatchObject({ fail: 1800, source: 'models.yaml#thresholds.ttft[0]' });
    expect(findThreshold(b, 'output_tps')).toMatchObject({ op: '>=', fail: 45, source: 'models.yaml#models[1].benchmarks.throughput.thresholds.tps_min' });
    expect(findThreshold(b, 'ttft', { kind: 'p', p: 99 })).toBeUndefined();
    expect(new Set(b.map((t) => t.id)).size).toBe(b.length);
  });

  test("the golden set's extension keys map onto the vocabulary", () => {
    const a = resolveThresholds(config, 'a', { json_valid_rate_min: 0.9, number_recall_min: 0.75 });
    expect(findThreshold(a, 'json_valid')).toMatchObject({ id: 'accuracy.json_valid.rate', op: '>=', fail: 0.9 });
    expect(findThreshold(a, 'number_recall')).toMatchObject({ id: 'accuracy.number_recall.rate', op: '>=', fail: 0.75 });
  });

  test('invalid acceptance criteria name the golden file and key', () => {
    expect(() => resolveThresholds(config, 'a', { entity_recal_min: 0.5 }, 'golden/mine.json')).toThrow(
      'golden/mine.json acceptance_criteria.entity_recal_min: unknown threshold key; expected one of',
    );
    let err: unknown;
    try {
      resolveThresholds(config, 'a', { error_rate_max: 5 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: 'INVALID_THRESHOLD', field: 'acceptance_criteria.error_rate_max', hint: 'rates are fractions: 5% is 0.05' });
  });

  test('an unknown model name is an error with the nearest name', () => {
    expect(() => resolveThresholds(config, 'c')).toThrow(/no model named "c"; expected one of a, b/);
  });
});

describe('describeThreshold', () => {
  const issues: ThresholdIssue[] = [];
  const [ttft, errors, tps, drift, forbidden] = parseThresholdsBlock(
    ['p(95)(ttft) < 2000', { fail: 'rate(errors) <= 0.05', warn: 0.01 }, 'value(output_tps) >= 30', 'p(95)(latency_drift) <= 1.3', 'count(forbidden_violations) <= 0'],
    'models.yaml',
    ['thresholds'],
    issues,
  );
  test.each([
    [ttft, 'p95 TTFT < 2000 ms'],
    [errors, 'error rate <= 5% (warn <= 1%)'],
    [tps, 'output throughput >= 30 tok/s'],
    [drift, 'p95 latency drift <= 1.3 x'],
    [forbidden, 'forbidden-output violations <= 0'],
  ])('%#: %s', (t, text) => {
    expect(issues).toEqual([]);
    expect(describeThreshold(t!)).toBe(text);
  });
});


