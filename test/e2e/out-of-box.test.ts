/**
 * Out of the box: `npm test` on the shipped models.yaml (both simulated models, every dimension),
 * smoke profile. One real run (about 80 s on two cores); every check reads the same run folder.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, lastNonEmptyLine, readResults, readVitestJson, runBench, runDirOf, testsOf, type BenchRun, removeTempDirs } from './helpers.ts';

afterAll(removeTempDirs);

const DIMENSIONS = ['accuracy', 'latency', 'throughput', 'concurrency', 'stability', 'token-budget'] as const;
const SECTIONS = ['Accuracy', 'Latency', 'Throughput', 'Concurrency', 'Stability', 'Token budget'];
const MODELS = ['sim-baseline', 'sim-candidate'];

describe('out of the box: the shipped models.yaml, smoke profile, every dimension', () => {
  let run: BenchRun;
  let runDir: string;
  let md: string;

  beforeAll(async () => {
    run = await runBench({ killAfterMs: 240_000 });
    runDir = runDirOf(run);
    md = existsSync(join(runDir, 'report.md')) ? readFileSync(join(runDir, 'report.md'), 'utf8') : '';
  }, 250_000);

  it('exits 0, prints the plan first and the verdict of the comparison', () => {
    expect(run.code, describeRun(run)).toBe(0);
    const out = run.stdout.split('\n');
    expect(out[0], describeRun(run)).toMatch(/^\[bench\] profile smoke, seed \d+; models enabled in models\.yaml; run folder /);
    for (const m of MODELS) expect(run.stdout).toMatch(new RegExp(`^\\[bench\\] {3}${m} \\(sim\\): latency `, 'm'));
    expect(run.stdout).toContain('[bench] sim-candidate can replace sim-baseline');
    expect(run.stdout).not.toContain('cannot replace');
    expect(run.stdout).toContain(`Run folder: ${runDir}`);
  });

  it('ends its output with the plain "N passed, 0 failed" line, N matching the tests that ran', () => {
    const json = readVitestJson(runDir);
    expect(json.numFailedTests).toBe(0);
    expect(json.numPassedTests).toBeGreaterThan(0);
    // reporters/README.md: "The last line of the output is always `N passed, N failed`".
    expect(lastNonEmptyLine(run.stdout), describeRun(run)).toBe(`${json.numPassedTests} passed, 0 failed`);
  });

  it('ran all six dimensions for both simulated models, and every test passed', () => {
    const tests = testsOf(readVitestJson(runDir));
    const files = new Set(tests.map((t) => t.file));
    for (const d of DIMENSIONS) expect(files).toContain(`benchmarks/${d}.spec.ts`);
    expect(tests.filter((t) => t.status !== 'passed').map((t) => `${t.status}: ${t.fullName}`)).toEqual([]);

    const results = readResults(runDir);
    expect(results.outcome.exitCode).toBe(0);
    for (const m of MODELS) {
      for (const d of DIMENSIONS) {
        expect(results.tests.filter((t) => t.model === m && t.dimension === d && t.state === 'passed').length, `${m} ${d}`).toBeGreaterThan(0);
      }
    }
  });

  it('report.md has the verdict table with both models passing every dimension', () => {
    expect(md, `no report.md in ${runDir}`).not.toBe('');
    expect(md).toMatch(/^## Verdict$/m);
    expect(md).toContain(`| model | ${DIMENSIONS.join(' | ')} |`);
    for (const m of MODELS) {
      const row = md.split('\n').find((l) => l.startsWith(`| ${m} |`));
      expect(row, `verdict row of ${m}`).toBeDefined();
      const cells = row!.split('|').slice(2, -1).map((c) => c.trim());
      expect(cells).toHaveLength(DIMENSIONS.length);
      for (const c of cells) expect(c).toMatch(/^\*\*pass\*\*/);
    }
  });

  it('report.md has a section per dimension', () => {
    for (const s of SECTIONS) expect(md).toMatch(new RegExp(`^## ${s}$`, 'm'));
    for (const m of MODELS) {
      for (const s of SECTIONS) {
        // Each dimension section holds a subsection per test of each model.
        const body = md.split(/^## /m).find((part) => part.startsWith(`${s}\n`)) ?? '';
        expect(body, `section ${s}`).toContain(`### ${m}: `);
      }
    }
  });

  it('report.md compares the two models and concludes "sim-candidate can replace sim-baseline"', () => {
    expect(md).toMatch(/^## Can the candidate replace the baseline\?$/m);
    expect(md).toMatch(/^### sim-candidate vs sim-baseline$/m);
    // The verdict wording of src/report/compare.ts: `${candidate} can replace ${baseline}`.
    expect(md).toContain('Verdict: sim-candidate can replace sim-baseline.');
    expect(md).not.toContain('cannot replace');
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { comparisons: { candidate: string; baseline: string; canReplace: boolean; verdict: string }[] };
    expect(results.comparisons).toEqual([expect.objectContaining({ candidate: 'sim-candidate', baseline: 'sim-baseline', canReplace: true, verdict: 'sim-candidate can replace sim-baseline' })]);
  });

  it('every chart report.md references exists as a non-empty SVG, covering every kind of chart', () => {
    const refs = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const file = join(runDir, ref);
      expect(existsSync(file), `${ref} referenced by report.md`).toBe(true);
      const svg = readFileSync(file, 'utf8');
      expect(svg, ref).toMatch(/^<svg[\s>]/);
      expect(svg, ref).toContain('</svg>');
    }
    expect(refs.map((r) => r.replace(/^charts\//, '')).sort()).toEqual(
      expect.arrayContaining([
        'latency-vs-concurrency.svg',
        'throughput-vs-concurrency.svg',
        'ttft-by-prompt-length.svg',
        'soak-latency-timeline.svg',
        'input-token-histogram.svg',
        'output-token-histogram.svg',
      ]),
    );
  });

  it('the run folder holds results.json and the other outputs', () => {
    for (const f of ['report.md', 'report.html', 'results.json', 'summary.csv', 'vitest-results.json', 'junit.xml']) {
      const p = join(runDir, f);
      expect(existsSync(p), f).toBe(true);
      expect(statSync(p).size, f).toBeGreaterThan(0);
    }
    expect(() => JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as unknown).not.toThrow();
    const records = readdirSync(join(runDir, 'records')).filter((f) => f.endsWith('.jsonl'));
    for (const m of MODELS) for (const d of DIMENSIONS) expect(records.some((r) => r.startsWith(`${m}--${d}--`)), `records of ${m} ${d}`).toBe(true);
  });
});
