import { describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSuite, projectsFromArgv } from '../../src/setup/suite.ts';
import { resolvePlan, profileFromEnv } from '../../src/config/profiles.ts';

const root = process.cwd();

describe('model selection', () => {
  test('--project names a model even when it is disabled', () => {
    expect(projectsFromArgv(['node', 'vitest', 'run', '--project', 'a', '--project=b'])).toEqual(['a', 'b']);
    const suite = loadSuite({ root, env: { BENCH_PROFILE: 'quick' }, argv: ['--project', 'sim-degraded'] });
    expect(suite.selected.map((m) => m.entry.name)).toEqual(['sim-degraded']);
  });

  test('without a name, the enabled models in file order', () => {
    const suite = loadSuite({ root, env: {}, argv: [] });
    expect(suite.selected.map((m) => m.entry.name)).toEqual(['sim-baseline', 'sim-candidate']);
    expect(suite.selected[0]!.thresholds.some((t) => t.metric === 'ttft')).toBe(true);
  });

  test('an unknown model name is an error that lists the models', () => {
    expect(() => loadSuite({ root, env: { BENCH_MODELS: 'nope' }, argv: [] })).toThrow(/BENCH_MODELS names model "nope".*sim-baseline/s);
  });

  test('a missing golden file is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'suite-'));
    const yaml = readFileSync(join(root, 'models.yaml'), 'utf8').replace('golden_file: golden/expectations.json', 'golden_file: golden/none.json');
    writeFileSync(join(dir, 'models.yaml'), yaml);
    expect(() => loadSuite({ root, env: { BENCH_MODELS_FILE: join(dir, 'models.yaml') }, argv: [] })).toThrow(/golden_file "golden\/none.json" does not exist/);
  });
});

describe('profiles', () => {
  test('full reads the older tool\'s benchmarks block and keeps p95 meaningful', () => {
    const plan = resolvePlan('full', {
      ttft: { samples: 5 },
      throughput: { duration_s: 60 },
      concurrency: { concurrencies: [1, 5, 10, 30, 50], duration_s: 60 },
      stability: { duration_s: 1800, window_s: 300 },
    });
    expect(plan.concurrency.levels.slice(0, 5)).toEqual([1, 5, 10, 30, 50]);
    expect(plan.concurrency.durationS).toBe(60);
    expect(plan.throughput.durationS).toBe(60);
    expect(plan.stability).toMatchObject({ durationS: 1800, windowS: 300 });
    expect(plan.latency.samples).toBeGreaterThanOrEqual(100);
  });

  test('an unknown profile is rejected with the valid names', () => {
    expect(() => profileFromEnv({ BENCH_PROFILE: 'fast' })).toThrow(/smoke, quick, standard, full/);
    expect(profileFromEnv({})).toBe('quick');
  });
});
