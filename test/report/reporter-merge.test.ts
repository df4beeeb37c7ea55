import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../../src/report/results-types.ts';
import { onlyRunDir, runVitest, tempDir } from './run-fixture.ts';

describe('shards on several machines, merged', () => {
  it('produces the same reports from --shard + blob + --merge-reports', async () => {
    const tmp = tempDir();
    const blobs = join(tmp, 'blobs');
    for (const i of [1, 2]) {
      const r = await runVitest(['run', `--shard=${i}/2`, '--reporter=blob', `--outputFile=${join(blobs, `blob-${i}-2.json`)}`], { BENCH_REPORTS_DIR: join(tmp, `machine-${i}`) });
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    const merged = join(tmp, 'merged');
    const r = await runVitest([`--merge-reports=${blobs}`], { BENCH_REPORTS_DIR: merged });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('4 passed, 0 failed');
    const runDir = onlyRunDir(merged);
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as BenchResults;
    // Meta (the summaries) and annotations survive the blobs.
    expect(results.tests.filter((t) => t.bench?.summary?.e2e.n === 20)).toHaveLength(4);
    expect(results.tests.find((t) => t.model === 'fx-cand' && t.dimension === 'latency')!.annotations).toHaveLength(1);
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(md).toContain('| fx-cand | **warn** p95 E2E 143 ms vs 150 ms (n=20) | **pass** 1 test, 0 checks |');
    expect(md).toContain('Verdict: fx-cand can replace fx-base.');
  });
});
