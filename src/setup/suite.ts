/**
 * Everything a run needs, loaded and validated before any request is sent: models.yaml, the
 * golden set, every threshold, and the profile's plan. Used by vitest.config.ts (to make one
 * Vitest project per model) and by the global setup (to start and check each model).
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { loadModelsConfig } from '../config/load.ts';
import { benchmarksFor, type ModelEntry, type ModelsConfig } from '../config/models.ts';
import { loadGoldenSet } from '../config/golden.ts';
import { resolveThresholds, type Threshold } from '../config/thresholds.ts';
import { profileFromEnv, resolvePlan, type Plan, type BenchmarksBlock } from '../config/profiles.ts';

export interface SuiteModel {
  entry: ModelEntry;
  thresholds: Threshold[];
  plan: Plan;
  goldenFile: string;
}

export interface Suite {
  root: string;
  modelsFile: string;
  config: ModelsConfig;
  /** The models this run benchmarks, in models.yaml order. */
  selected: SuiteModel[];
  /** Why these models were selected (printed in the plan). */
  selection: string;
}

/** `--project a --project=b` from the command line, so a disabled model can be named directly. */
export function projectsFromArgv(argv: string[] = process.argv): string[] {
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--project' && argv[i + 1]) names.push(argv[++i]!);
    else if (a.startsWith('--project=')) names.push(a.slice('--project='.length));
  }
  return names;
}

export function loadSuite(opts: { root?: string; env?: NodeJS.ProcessEnv; argv?: string[] } = {}): Suite {
  const root = resolve(opts.root ?? process.cwd());
  const env = opts.env ?? process.env;
  const modelsFile = resolve(root, env.BENCH_MODELS_FILE ?? 'models.yaml');
  const config = loadModelsConfig(modelsFile);
  const profile = profileFromEnv(env);

  const named = projectsFromArgv(opts.argv);
  const fromEnv = (env.BENCH_MODELS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  let chosen: ModelEntry[];
  let selection: string;
  const byName = new Map(config.models.map((m) => [m.name, m]));
  const pick = (names: string[], source: string): ModelEntry[] =>
    names.map((n) => {
      const m = byName.get(n);
      if (!m) {
        throw new Error(
          `${source} names model "${n}", which is not in ${modelsFile}. Models there: ${[...byName.keys()].join(', ')}.`,
        );
      }
      return m;
    });
  if (named.length) {
    chosen = pick(named, '--project');
    selection = `named with --project: ${named.join(', ')}`;
  } else if (fromEnv.length) {
    chosen = pick(fromEnv, 'BENCH_MODELS');
    selection = `named in BENCH_MODELS: ${fromEnv.join(', ')}`;
  } else {
    chosen = config.models.filter((m) => m.enabled);
    selection = 'enabled in models.yaml';
  }
  if (chosen.length === 0) {
    throw new Error(`No model to benchmark: none is enabled in ${modelsFile}. Set "enabled: true" on one, or name one with --project.`);
  }

  const selected = chosen.map((entry): SuiteModel => {
    const block = benchmarksFor(config, entry) as BenchmarksBlock;
    const plan = resolvePlan(profile, block, numberEnv(env.BENCH_SEED) ?? 20261123);
    const goldenFile = resolve(root, plan.accuracy.goldenFile);
    if (!existsSync(goldenFile)) {
      throw new Error(`${modelsFile}: benchmarks.accuracy.golden_file "${plan.accuracy.goldenFile}" does not exist (looked at ${goldenFile}).`);
    }
    const golden = loadGoldenSet(goldenFile);
    const thresholds = resolveThresholds(config, entry.name, golden.acceptance_criteria, relative(root, goldenFile));
    return { entry, thresholds, plan, goldenFile };
  });
  return { root, modelsFile, config, selected, selection };
}

function numberEnv(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`BENCH_SEED must be an integer, got ${JSON.stringify(raw)}.`);
  return n;
}
