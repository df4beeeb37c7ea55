/**
 * Standard Vitest filters pick what a user names: a file filter (`latency`), `--tags-filter`
 * (dimension tags) and `--project <model>`. The cheap ones are shown with `vitest list`; tags and
 * project are also shown on a real run. And `BENCH_PROFILE=full` prints a plan with the older
 * tool's durations (listed only: nothing long runs).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, leftoverProcesses, readResults, readVitestJson, runBench, runDirOf, tempDir, testsOf, writeModelsFile, type BenchRun, removeTempDirs } from './helpers.ts';

afterAll(removeTempDirs);

/** `[sim-baseline] benchmarks/latency.spec.ts` lines of `vitest list --filesOnly`. */
function listedFiles(r: BenchRun): { project: string; file: string }[] {
  return [...r.stdout.matchAll(/^\[([^\]]+)\] (benchmarks\/\S+\.spec\.ts)$/gm)].map((m) => ({ project: m[1]!, file: m[2]! }));
}

describe('filters (vitest list)', () => {
  it('`latency` (a file filter) selects only the latency file, for every enabled model', async () => {
    const r = await runBench({ command: 'list', args: ['--filesOnly', 'latency'], killAfterMs: 60_000 });
    expect(r.code, describeRun(r)).toBe(0);
    expect(listedFiles(r)).toEqual([
      { project: 'sim-baseline', file: 'benchmarks/latency.spec.ts' },
      { project: 'sim-candidate', file: 'benchmarks/latency.spec.ts' },
    ]);
  }, 60_000);

  it('`--project sim-candidate` selects only that model, with every dimension', async () => {
    const r = await runBench({ command: 'list', args: ['--filesOnly', '--project', 'sim-candidate'], killAfterMs: 60_000 });
    expect(r.code, describeRun(r)).toBe(0);
    const listed = listedFiles(r);
    expect(new Set(listed.map((l) => l.project))).toEqual(new Set(['sim-candidate']));
    expect(listed.map((l) => l.file).sort()).toEqual(
      ['accuracy', 'concurrency', 'latency', 'stability', 'throughput', 'token-budget'].map((d) => `benchmarks/${d}.spec.ts`),
    );
    expect(r.stdout).toContain('models named with --project: sim-candidate');
    expect(r.stdout).not.toMatch(/^\[bench\] {3}sim-baseline /m);
  }, 60_000);
});

describe('filters (a real run): --project sim-candidate --tags-filter=stability', () => {
  let run: BenchRun;
  let modelsFile: string;

  beforeAll(async () => {
    modelsFile = writeModelsFile(tempDir(), () => {}, 'filters.yaml');
    run = await runBench({ modelsFile, args: ['--project', 'sim-candidate', '--tags-filter=stability'], killAfterMs: 120_000 });
  }, 130_000);

  afterAll(async () => {
    for (const p of await leftoverProcesses(modelsFile, 0)) process.kill(p.pid, 'SIGKILL');
  });

  it('passes, running the three stability tests and nothing else', () => {
    expect(run.code, describeRun(run)).toBe(0);
    const runDir = runDirOf(run);
    const ran = testsOf(readVitestJson(runDir)).filter((t) => t.status !== 'skipped');
    expect(ran.map((t) => t.file)).toEqual(['benchmarks/stability.spec.ts', 'benchmarks/stability.spec.ts', 'benchmarks/stability.spec.ts']);
    for (const t of ran) {
      expect(t.status).toBe('passed');
      expect(t.tags).toEqual(['stability']);
    }
    expect(run.stdout).toMatch(/^3 passed, 0 failed, \d+ skipped$/m);
  });

  it('only sim-candidate ran: results.json and the per-request records', () => {
    const runDir = runDirOf(run);
    const executed = readResults(runDir).tests.filter((t) => t.state !== 'skipped');
    expect(new Set(executed.map((t) => `${t.model} ${t.dimension}`))).toEqual(new Set(['sim-candidate stability']));
    expect(readdirSync(join(runDir, 'records')).sort()).toEqual(['sim-candidate--stability--soak.jsonl']);
    expect(run.stdout).not.toContain('sim-baseline');
  });
});

describe('BENCH_PROFILE=full: the plan', () => {
  it('prints the older tool\'s durations: concurrency 1/5/10/30/50 at 60 s each, throughput 60 s, a 1800 s soak in 300 s windows', async () => {
    // `--filesOnly` evaluates the config (which prints the plan) and starts nothing.
    const r = await runBench({ command: 'list', args: ['--filesOnly'], env: { BENCH_PROFILE: 'full' }, killAfterMs: 60_000 });
    expect(r.code, describeRun(r)).toBe(0);
    const plan = r.stdout.split('\n').filter((l) => l.startsWith('[bench]'));
    expect(plan[0]).toMatch(/^\[bench\] profile full, seed \d+; models enabled in models\.yaml; /);
    for (const m of ['sim-baseline', 'sim-candidate']) {
      const line = plan.find((l) => l.startsWith(`[bench]   ${m} (sim):`));
      expect(line, `plan line of ${m}:\n${plan.join('\n')}`).toBeDefined();
      // The older tool's levels, then the levels "and beyond" the full profile adds to find saturation.
      expect(line).toMatch(/; concurrency 1\/5\/10\/30\/50(\/\d+)* at 60s each;/);
      expect(line).toMatch(/; throughput 60s at c=\d+;/);
      expect(line).toMatch(/; stability 1800s in 300s windows;/);
    }
    expect(plan.at(-1)).toMatch(/^\[bench\] estimated duration ~\d+ min/);
    // The estimate covers at least the soak and the sweep of both models (2 x (30 + 5 x 1) min).
    expect(Number(/~(\d+) min/.exec(plan.at(-1)!)![1])).toBeGreaterThanOrEqual(70);
  }, 60_000);
});
