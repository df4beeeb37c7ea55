import { describe, expect, it } from 'vitest';
import { compareModels } from '../../src/report/compare.ts';
import { DEFAULT_REGRESSION_THRESHOLDS } from '../../src/report/config-info.ts';
import { computeOutcome, countsLine } from '../../src/report/outcome.ts';
import { BASELINE, CANDIDATE, modelTests, type ModelShape } from './fixtures.ts';

const thresholds = { ...DEFAULT_REGRESSION_THRESHOLDS, source: 'test' };

function compare(candidate: ModelShape) {
  return compareModels({
    candidate: candidate.model,
    baseline: BASELINE.model,
    candidateTests: modelTests(candidate),
    baselineTests: modelTests(BASELINE),
    thresholds,
    source: 'test',
  });
}

describe('can the candidate replace the baseline', () => {
  it('can, when every regression threshold holds', () => {
    const c = compare(CANDIDATE);
    expect(c.canReplace).toBe(true);
    expect(c.verdict).toBe('sim-candidate can replace sim-baseline');
    expect(c.rows.filter((r) => r.threshold).every((r) => r.status === 'pass')).toBe(true);
  });

  it('cannot, when entity recall drops more than entity_recall_drop_max', () => {
    const c = compare({ ...CANDIDATE, entityRecall: 0.8 });
    expect(c.canReplace).toBe(false);
    expect(c.verdict).toBe('sim-candidate cannot replace sim-baseline');
    expect(c.reasons.join('\n')).toMatch(/entity recall dropped by 0\.2 \(1 -> 0\.8\) in "accuracy > golden cases", more than entity_recall_drop_max = 0\.1/);
  });

  it('cannot, when p95 latency grows past p95_latency_ratio_max', () => {
    const c = compare({ ...CANDIDATE, speed: 1.6 });
    expect(c.canReplace).toBe(false);
    expect(c.reasons.some((r) => r.startsWith('p95 end-to-end latency is 1.60x the baseline') && r.includes('p95_latency_ratio_max = 1.5'))).toBe(true);
  });

  it('cannot, when the candidate says a forbidden thing the baseline did not', () => {
    const c = compare({ ...CANDIDATE, forbidden: 1 });
    expect(c.canReplace).toBe(false);
    expect(c.reasons.join('\n')).toContain('must-not-say violations rose by 1');
  });

  it('cannot, when the candidate failed one of its own thresholds', () => {
    const c = compare({ ...CANDIDATE, failConcurrency: true });
    expect(c.canReplace).toBe(false);
    expect(c.reasons.join('\n')).toContain('sim-candidate failed "concurrency > sweep 1/2/4/8": expected success rate >= 0.95 at concurrency 8');
  });

  it('cannot, when the candidate did not measure what the baseline did', () => {
    const tests = modelTests(CANDIDATE).map((t) => (t.dimension === 'accuracy' ? { ...t, bench: { ...t.bench!, accuracy: { ...t.bench!.accuracy!, entityRecall: null } } } : t));
    const c = compareModels({ candidate: 'sim-candidate', baseline: 'sim-baseline', candidateTests: tests, baselineTests: modelTests(BASELINE), thresholds, source: 'test' });
    expect(c.canReplace).toBe(false);
    expect(c.reasons.join('\n')).toContain('entity recall was not measured for sim-candidate');
  });
});

describe('exit codes', () => {
  const ok = modelTests(BASELINE);
  it('0 when every threshold passed, warnings listed', () => {
    const o = computeOutcome({ tests: modelTests(CANDIDATE), unhandledErrors: [], runErrors: [], interrupted: false });
    expect(o.exitCode).toBe(0);
    expect(o.warnings).toHaveLength(1);
    expect(countsLine(o)).toBe('6 passed, 0 failed');
  });
  it('1 when a threshold failed', () => {
    const o = computeOutcome({ tests: modelTests({ ...BASELINE, failConcurrency: true }), unhandledErrors: [], runErrors: [], interrupted: false });
    expect(o.exitCode).toBe(1);
    expect(o.reasons[0]).toContain('expected success rate >= 0.95 at concurrency 8');
    expect(countsLine(o)).toBe('5 passed, 1 failed');
  });
  it('2 when nothing ran, a file crashed, an error escaped, or the run was interrupted', () => {
    expect(computeOutcome({ tests: [], unhandledErrors: [], runErrors: [], interrupted: false }).exitCode).toBe(2);
    const skipped = ok.map((t) => ({ ...t, state: 'skipped' as const }));
    const o = computeOutcome({ tests: skipped, unhandledErrors: [], runErrors: [], interrupted: false });
    expect([o.exitCode, countsLine(o)]).toEqual([2, '0 passed, 0 failed, 6 skipped']);
    expect(computeOutcome({ tests: ok, unhandledErrors: [], runErrors: ['benchmarks/latency.spec.ts: worker exited'], interrupted: false }).exitCode).toBe(2);
    expect(computeOutcome({ tests: ok, unhandledErrors: ['ECONNRESET'], runErrors: [], interrupted: false }).exitCode).toBe(2);
    expect(computeOutcome({ tests: ok, unhandledErrors: [], runErrors: [], interrupted: true }).exitCode).toBe(2);
  });
});
