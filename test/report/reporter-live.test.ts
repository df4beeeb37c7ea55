import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../../src/report/results-types.ts';
import { onlyRunDir, runVitest, tempDir } from './run-fixture.ts';

const KEY = 'sk_live_fixture_0123456789abcdef';

function lastLines(out: string, n: number): string[] {
  return out.trimEnd().split('\n').slice(-n);
}

describe('the reporter in real Vitest runs', () => {
  it('exit 0: writes the run folder, lists warnings, scrubs the key, ends with the counts line', async () => {
    const reports = tempDir();
    const r = await runVitest(['run'], { BENCH_REPORTS_DIR: reports, FIXTURE_API_KEY: KEY });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const runDir = onlyRunDir(reports);
    expect(lastLines(r.stdout, 2)).toEqual([`Run folder: ${runDir}`, '4 passed, 0 failed']);
    expect(r.stdout).toContain('[bench] warning: fx-cand chat 512 -> 128: p95 E2E 143 ms vs 150 ms (n=20)');
    expect(r.stdout).toContain('[bench] fx-cand can replace fx-base');
    expect(readdirSync(runDir).sort()).toEqual(['charts', 'records', 'report.html', 'report.md', 'results.json', 'summary.csv']);
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as BenchResults;
    expect(results.tests.map((t) => `${t.model}/${t.dimension}/${t.state}`).sort()).toEqual([
      'fx-base/latency/passed', 'fx-base/stability/passed', 'fx-cand/latency/passed', 'fx-cand/stability/passed',
    ]);
    expect(results.tests.find((t) => t.model === 'fx-cand' && t.dimension === 'latency')!.annotations[0]!.type).toBe('warning');
    for (const text of [r.stdout, r.stderr, ...['report.md', 'report.html', 'results.json', 'summary.csv'].map((f) => readFileSync(join(runDir, f), 'utf8'))]) {
      expect(text).not.toContain(KEY);
    }
  });

  it('exit 1: a threshold failed', async () => {
    const reports = tempDir();
    const r = await runVitest(['run'], { BENCH_REPORTS_DIR: reports, FIXTURE_MODE: 'fail' });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(lastLines(r.stdout, 1)).toEqual(['3 passed, 1 failed']);
    expect(r.stdout).toContain('[bench] failed: fx-cand chat 512 -> 128: p95 E2E 520 ms vs 150 ms (n=20)');
    const md = readFileSync(join(onlyRunDir(reports), 'report.md'), 'utf8');
    expect(md).toContain('**FAIL** Verdict: fx-cand cannot replace fx-base.');
  });

  it('exit 2: a spec file crashed, even though Vitest itself would exit 1', async () => {
    const reports = tempDir();
    const r = await runVitest(['run'], { BENCH_REPORTS_DIR: reports, FIXTURE_MODE: 'crash' });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('[bench] error: the suite could not run: stability.spec.ts (fx-base): worker crashed while loading the spec');
    expect(lastLines(r.stdout, 1)).toEqual(['2 passed, 0 failed']);
  });

  it('uses BENCH_RUN_DIR when the caller set it, and appends the report to the GitHub job summary', async () => {
    const tmp = tempDir();
    const runDir = join(tmp, 'my-run');
    const summary = join(tmp, 'step-summary.md');
    writeFileSync(summary, '# earlier step\n');
    const r = await runVitest(['run', 'latency'], { BENCH_RUN_DIR: runDir, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readdirSync(runDir)).toContain('report.md');
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('# earlier step\n')).toBe(true);
    expect(text).toContain(readFileSync(join(runDir, 'report.md'), 'utf8'));
  });
});
