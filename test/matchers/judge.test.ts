import { describe, expect, test } from 'vitest';
import { judge } from '../../src/matchers/judge.ts';
import { checkDrift, checkPercentile } from '../../src/matchers/performance.ts';
import { accuracyChecks } from '../../src/matchers/accuracy.ts';
import { summarize } from '../../src/metrics/summary.ts';
import type { RequestRecord } from '../../src/client/types.ts';
import type { Measurement } from '../../src/runs/measure.ts';
import type { DriftSummary } from '../../src/metrics/types.ts';

function record(i: number, ttft: number): RequestRecord {
  const tSend = i * 1000;
  return {
    id: `req-${i}`,
    ok: true,
    tSched: tSend,
    tSend,
    tFirstToken: tSend + ttft,
    tEnd: tSend + ttft + 40,
    tokenTimes: [tSend + ttft, tSend + ttft + 20, tSend + ttft + 40],
    completionTokens: 3,
    promptTokens: 10,
    usageSource: 'server',
    finishReason: 'stop',
    outputText: 'a b c',
  };
}

function measurement(ttfts: number[]): Measurement {
  const records = ttfts.map((t, i) => record(i, t));
  return {
    model: 'm',
    label: 'chat 10 -> 3 at concurrency 1',
    concurrency: 1,
    summary: summarize(records),
    records,
    recordsFile: 'records/x.jsonl',
    tokenizerKind: 'server',
    outputLengthRequested: true,
    forcesOutputLength: true,
    seed: 1,
    warnings: [],
  };
}

describe('judge', () => {
  test('pass, warn and fail levels, with the message users read', () => {
    const base = { name: 'p95 TTFT', metric: 'ttft', op: '<' as const, fail: 2000, warn: 1000, n: 40, unit: 'ms', context: 'concurrency 1' };
    expect(judge({ ...base, actual: 500 }).status).toBe('pass');
    const warn = judge({ ...base, actual: 1500 });
    expect(warn.status).toBe('warn');
    expect(warn.message).toContain('warn level');
    const fail = judge({ ...base, actual: 3100 });
    expect(fail.status).toBe('fail');
    expect(fail.message).toBe('expected p95 TTFT below 2000.0 ms, got 3100.0 ms (n=40, concurrency 1)');
  });

  test('never passes what was not measured or measured too few times', () => {
    const base = { name: 'p95 TTFT', metric: 'ttft', op: '<' as const, fail: 2000, unit: 'ms' };
    const none = judge({ ...base, actual: null, n: 0 });
    expect(none.status).toBe('fail');
    expect(none.message).toContain('could not be measured');
    const few = judge({ ...base, actual: 10, n: 5, minN: 40 });
    expect(few.status).toBe('fail');
    expect(few.message).toContain('too few to judge');
  });
});

describe('performance checks on measurements', () => {
  test('p95 TTFT uses linear interpolation over the measured requests', () => {
    const ttfts = Array.from({ length: 100 }, (_, i) => i + 1);
    const c = checkPercentile(measurement(ttfts), 'ttft', 95, 2000);
    expect(c.status).toBe('pass');
    expect(c.actual).toBeCloseTo(95.05, 6);
    expect(c.n).toBe(100);
    expect(checkPercentile(measurement(ttfts), 'ttft', 95, 90).status).toBe('fail');
  });

  test('an empty drift window fails instead of passing', () => {
    const d: DriftSummary = {
      metric: 'e2e',
      first: { fromS: 0, toS: 300, n: 0, p50Ms: null, p95Ms: null, errorRate: null },
      last: { fromS: 1500, toS: 1800, n: 200, p50Ms: 100, p95Ms: 120, errorRate: 0 },
      p50Ratio: null,
      p95Ratio: null,
      errorRateDelta: null,
    };
    const c = checkDrift(d, 1.3, 'p95');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('n=0');
  });
});

describe('accuracy checks on answers', () => {
  test('120 read as 1200 fails, naming expected and received numbers', () => {
    const c = accuracyChecks.toMatchNumbers('{"total": "¥1200"}', ['¥120']);
    expect(c.status).toBe('fail');
    expect(c.message).toContain('"¥120"');
    expect(c.message).toContain('1200');
    expect(accuracyChecks.toMatchNumbers('{"total": "120 yuan"}', ['¥120']).status).toBe('pass');
  });

  test('a correct ¥1200 does not violate the forbidden list ["120", "12"]', () => {
    expect(accuracyChecks.toAvoidForbidden('Alice received ¥1200', ['120', '12', '1200000']).status).toBe('pass');
    expect(accuracyChecks.toAvoidForbidden('Alice received ¥120', ['120', '12']).status).toBe('fail');
  });
});
