/**
 * Assembles results.json (the BenchResults document) from plain test results. Everything the
 * reports show is derived from this document, so a run folder can be re-rendered from it alone.
 */
import { compareModels } from './compare.ts';
import { readConfigInfo, readRegressionThresholds, type ConfigInfo } from './config-info.ts';
import { collectEnvironment } from './environment.ts';
import { computeOutcome } from './outcome.ts';
import type { BenchResults, Comparison, Environment, ModelInfo, RegressionThresholds, TestResult } from './results-types.ts';

export interface BuildInput {
  runId: string;
  tests: TestResult[];
  unhandledErrors?: string[];
  runErrors?: string[];
  interrupted?: boolean;
  startedAt?: string | null;
  /** Project root (models.yaml, package.json); default cwd. */
  root?: string;
  env?: NodeJS.ProcessEnv;
  /** Overrides for tests and for re-rendering elsewhere. */
  config?: ConfigInfo;
  environment?: Environment;
  regressionThresholds?: RegressionThresholds;
  now?: Date;
}

export function seedsOf(tests: readonly TestResult[]): string[] {
  const seeds = new Set<string>();
  for (const t of tests) {
    for (const [k, v] of Object.entries(t.bench?.params ?? {})) if (/seed/i.test(k)) seeds.add(`${k}=${String(v)}`);
  }
  return [...seeds].sort();
}

/** Models that ran, in config order, with config facts; models only seen in results are kept by name. */
export function modelsOf(tests: readonly TestResult[], config: ConfigInfo): ModelInfo[] {
  const ran = new Set(tests.map((t) => t.model));
  const out = config.models.filter((m) => ran.has(m.name));
  for (const name of ran) if (!out.some((m) => m.name === name)) out.push({ name });
  return out;
}

/** One comparison per model whose declared baseline also ran. */
export function baselineComparisons(models: readonly ModelInfo[], tests: readonly TestResult[], thresholds: RegressionThresholds): Comparison[] {
  const names = new Set(models.map((m) => m.name));
  return models
    .filter((m) => m.baseline !== undefined && names.has(m.baseline))
    .map((m) =>
      compareModels({
        candidate: m.name,
        baseline: m.baseline!,
        candidateTests: tests.filter((t) => t.model === m.name),
        baselineTests: tests.filter((t) => t.model === m.baseline),
        thresholds,
        source: `models.yaml: ${m.name}.baseline = ${m.baseline}`,
      }),
    );
}

export function buildResults(input: BuildInput): BenchResults {
  const config = input.config ?? readConfigInfo(input.root, input.env);
  const thresholds = input.regressionThresholds ?? readRegressionThresholds(config.goldenFile);
  const models = modelsOf(input.tests, config);
  const environment =
    input.environment ??
    collectEnvironment({ root: input.root, env: input.env, seeds: seedsOf(input.tests), startedAt: input.startedAt ?? null });
  const outcome = computeOutcome({
    tests: input.tests,
    unhandledErrors: input.unhandledErrors ?? [],
    runErrors: input.runErrors ?? [],
    interrupted: input.interrupted ?? false,
  });
  const comparisons = baselineComparisons(models, input.tests, thresholds);
  if (outcome.status === 'error') {
    // Part of the run is missing: a "can replace" drawn from what happened to finish would be a guess.
    for (const c of comparisons) {
      if (c.canReplace) c.reasons = [];
      c.canReplace = false;
      c.verdict = `${c.candidate} cannot replace ${c.baseline}`;
      c.reasons.push('the run did not complete (exit code 2), so the comparison is incomplete');
    }
  }
  return {
    schemaVersion: 1,
    runId: input.runId,
    generatedAt: (input.now ?? new Date()).toISOString(),
    outcome,
    environment,
    models,
    tests: input.tests,
    unhandledErrors: input.unhandledErrors ?? [],
    regressionThresholds: thresholds,
    comparisons,
  };
}
