/**
 * The broken simulated models fail exactly the tests they should, each for the right reason with a
 * readable message, and the run exits 1: sim-degraded (errors, drift, truncation) and
 * sim-digit-drift (reads 120 yuan as 1200). Runs are sequential; each uses its own temp copy of
 * models.yaml so its simulators can be found afterwards (none may be left running).
 *
 * sim-degraded is strengthened in the temp copy (see the report of the e2e work):
 *  - faults: the shipped `error_rate: 0.10` is random per request; at smoke sizes (about 8
 *    requests at concurrency 1) a level often sees no error at all and passes. `error_every: 5`
 *    rejects every 5th request (20%), deterministically, with 503 or 429.
 *  - drift: sim-degraded's 3x/min slowdown grows with the simulator's uptime, so a short soak
 *    compares windows whose uptimes differ by a few percent and passes; the stability run uses the
 *    shipped sim-leaky model (stability alone), whose fast engine starts slowing down about when
 *    the soak starts and more than doubles within it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeRun,
  leftoverProcesses,
  readResults,
  readVitestJson,
  runBench,
  runDirOf,
  setNode,
  tempDir,
  testsOf,
  writeModelsFile,
  type AssertionResult,
  type BenchRun,
  removeTempDirs,
} from './helpers.ts';

afterAll(removeTempDirs);

type Test = AssertionResult & { file: string };

const messageOf = (t: Test | undefined): string => (t ? t.failureMessages.map((m) => m.split('\n    at ')[0]).join('\n') : '(test not found)');

function find(tests: Test[], pattern: RegExp): Test | undefined {
  const hits = tests.filter((t) => pattern.test(t.title));
  if (hits.length > 1) throw new Error(`${pattern} matches ${hits.length} tests: ${hits.map((h) => h.title).join(' | ')}`);
  return hits[0];
}

/** failed/passed state of each named test, for one readable comparison. */
function states(tests: Test[], expected: Record<string, RegExp>): Record<string, string> {
  return Object.fromEntries(Object.entries(expected).map(([k, re]) => [k, find(tests, re)?.status ?? 'missing']));
}

const DEGRADED_FAULTS = { error_rate: 0, error_every: 5, error_statuses: [503, 429], retry_after_s: 1 };

describe('sim-degraded: concurrency and token budget', () => {
  let run: BenchRun;
  let modelsFile: string;
  let tests: Test[];

  beforeAll(async () => {
    modelsFile = writeModelsFile(tempDir(), (doc, model) => setNode(doc, model('sim-degraded'), ['sim', 'faults'], DEGRADED_FAULTS), 'degraded-a.yaml');
    run = await runBench({ modelsFile, args: ['--project', 'sim-degraded', 'concurrency', 'token-budget'], killAfterMs: 150_000 });
    tests = testsOf(readVitestJson(runDirOf(run)));
  }, 160_000);

  afterAll(async () => {
    // Nothing of this run may survive it (checked in the last test); never leave one behind either.
    for (const p of await leftoverProcesses(modelsFile, 0)) process.kill(p.pid, 'SIGKILL');
  });

  it('exits 1 with the "N passed, N failed" line', () => {
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stdout).toMatch(/^3 passed, 4 failed$/m);
  });

  it('ran only the two files it was given, for sim-degraded only', () => {
    expect([...new Set(tests.filter((t) => t.status !== 'skipped').map((t) => t.file))].sort()).toEqual(['benchmarks/concurrency.spec.ts', 'benchmarks/token-budget.spec.ts']);
    expect(run.stdout).toContain('models named with --project: sim-degraded');
  });

  it('fails exactly the success-rate, capacity and truncation tests; the others pass', () => {
    expect(
      states(tests, {
        successC1: /^success rate at least 95% at concurrency 1 /,
        successC8: /^success rate at least 95% at concurrency 8 /,
        capacity: /^capacity: /,
        truncation: /^truncation rate at most 10% /,
        silentTruncation: /^no silent truncation: /,
        outputLength: /^output length matches the requested /,
        contextWindow: /^past the context window /,
      }),
    ).toEqual({
      successC1: 'failed',
      successC8: 'failed',
      capacity: 'failed',
      truncation: 'failed',
      silentTruncation: 'passed',
      outputLength: 'passed',
      contextWindow: 'passed',
    });
  });

  it('the success-rate failures give the rate and name the HTTP 503/429 errors', () => {
    for (const re of [/^success rate at least 95% at concurrency 1 /, /^success rate at least 95% at concurrency 8 /]) {
      const msg = messageOf(find(tests, re));
      expect(msg).toMatch(/expected success rate at least 0\.950, got 0\.\d+ \(n=\d+/);
      expect(msg).toMatch(/errors http_(503|429): \d+/);
    }
  });

  it('the capacity failure says the levels failed on success rate (errors), not on latency', () => {
    // The latency of every level is far inside the SLOs; only the errors keep a level out.
    const msg = messageOf(find(tests, /^capacity: /));
    expect(msg).toMatch(/no concurrency level met the SLOs/);
    // "AssertionError:" itself does not count as naming the errors.
    expect(msg.replace(/^\w*Error: /gm, '')).toMatch(/success rate|http_\d{3}/i);
  });

  it('the truncation failure gives the finish_reason "length" rate', () => {
    expect(messageOf(find(tests, /^truncation rate at most 10% /))).toMatch(/expected truncation rate \(finish_reason length\) at most 0\.100, got 0\.\d+ \(n=\d+/);
  });

  it('leaves no simulator running after the failed run', async () => {
    expect(await leftoverProcesses(modelsFile)).toEqual([]);
  });
});

describe('sim-leaky: stability', () => {
  let run: BenchRun;
  let modelsFile: string;
  let tests: Test[];

  beforeAll(async () => {
    modelsFile = writeModelsFile(
      tempDir(),
      // The shipped leak model as it is (a temp copy only so its simulator can be found afterwards).
      () => {},
      'leaky.yaml',
    );
    run = await runBench({ modelsFile, args: ['--project', 'sim-leaky', 'stability'], killAfterMs: 120_000 });
    tests = testsOf(readVitestJson(runDirOf(run)));
  }, 130_000);

  afterAll(async () => {
    for (const p of await leftoverProcesses(modelsFile, 0)) process.kill(p.pid, 'SIGKILL');
  });

  it('exits 1 and fails the p50 drift and last-window error rate tests', () => {
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stdout).toMatch(/^[01] passed, [23] failed$/m);
    expect(
      states(tests, {
        p50: /^p50 end-to-end latency drift at most 1\.3x /,
        errors: /^error rate of the last 2 s window at most 5% /,
      }),
    ).toEqual({ p50: 'failed', errors: 'failed' });
  });

  it('the p50 drift failure gives the measured last/first ratio, above 1.3', () => {
    const msg = messageOf(find(tests, /^p50 end-to-end latency drift /));
    expect(msg).toContain('expected p50 e2e drift (last window / first window) at most 1.30, got ');
    const got = /got (\d+(?:\.\d+)?)/.exec(msg);
    expect(got, msg).not.toBeNull();
    expect(Number(got![1]), msg).toBeGreaterThan(1.3);
  });

  it('the p95 drift test shows the drift and fails exactly when its ratio is above 1.3', () => {
    // A 4 s smoke soak puts the first window's p95 near its own end, where the drift has already
    // grown; on a busy machine the p95 ratio lands anywhere from about 1.25 to 2.2. So this checks
    // the judgement (fail iff the measured ratio exceeds the limit), and that drift is visible.
    const t = find(tests, /^p95 end-to-end latency drift /);
    const drift = readResults(runDirOf(run)).tests.find((r) => r.name === t?.title) as unknown as { bench?: { drift?: { metric: string; p95Ratio: number | null }[] } };
    const ratio = drift?.bench?.drift?.find((d) => d.metric === 'e2e')?.p95Ratio ?? null;
    expect(ratio, 'p95 e2e drift ratio in results.json').not.toBeNull();
    expect(ratio!).toBeGreaterThan(1.1);
    expect(t?.status, `p95 ratio ${ratio}`).toBe(ratio! > 1.3 ? 'failed' : 'passed');
    if (t?.status === 'failed') expect(messageOf(t)).toContain(`got ${ratio!.toFixed(2)}`);
  });

  it('the error-rate failure gives the last window rate and both windows', () => {
    const msg = messageOf(find(tests, /^error rate of the last 2 s window /));
    expect(msg).toMatch(/expected last-window error rate at most 0\.050, got 0\.\d+ \(n=\d+, first window [\d.]+%, last window [\d.]+%\)/);
  });

  it('leaves no simulator running after the failed run', async () => {
    expect(await leftoverProcesses(modelsFile)).toEqual([]);
  });
});

describe('sim-digit-drift: accuracy', () => {
  let run: BenchRun;
  let modelsFile: string;
  let tests: Test[];

  beforeAll(async () => {
    modelsFile = writeModelsFile(tempDir(), () => {}, 'digit-drift.yaml');
    run = await runBench({ modelsFile, args: ['--project', 'sim-digit-drift', 'accuracy'], killAfterMs: 120_000 });
    tests = testsOf(readVitestJson(runDirOf(run)));
  }, 130_000);

  afterAll(async () => {
    for (const p of await leftoverProcesses(modelsFile, 0)) process.kill(p.pid, 'SIGKILL');
  });

  it('exits 1, running only the accuracy file', () => {
    expect(run.code, describeRun(run)).toBe(1);
    expect([...new Set(tests.map((t) => t.file))]).toEqual(['benchmarks/accuracy.spec.ts']);
    expect(run.stdout).toMatch(/^\d+ passed, [1-9]\d* failed$/m);
  });

  it('fails the 120-yuan receipt case (and the 1200-yuan one, read as 12000)', () => {
    expect(find(tests, /^case img-receipt-noodles-120 /)?.status).toBe('failed');
    expect(find(tests, /^case img-receipt-desk-1200 /)?.status).toBe('failed');
    // Cases without a number to misread stay correct.
    expect(find(tests, /^case txt-meeting-en /)?.status).toBe('passed');
  });

  it('the failure names the case, the expected number (¥120) and the received number (1200)', () => {
    const msg = messageOf(find(tests, /^case img-receipt-noodles-120 /));
    expect(msg).toContain('img-receipt-noodles-120');
    // "¥120" on its own, not as the start of "¥1200".
    expect(msg).toMatch(/¥120(?![\d,])/);
    expect(msg).toMatch(/(?<![\d,])1,?200(?!\d)/);
  });

  it('leaves no simulator running after the failed run', async () => {
    expect(await leftoverProcesses(modelsFile)).toEqual([]);
  });
});
