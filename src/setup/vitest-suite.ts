/**
 * Builds the benchmark suite's Vitest configuration from models.yaml: one project per selected
 * model (so `--project <model>` picks one), dimension tags (so `--tags-filter=latency` picks one),
 * benchmarks run one file at a time (parallel files would disturb each other's timings), our
 * reporter plus the standard CI outputs, and the plan printed before anything starts.
 */
import { join, relative } from 'node:path';
import type { ViteUserConfig } from 'vitest/config';
import { loadSuite, type Suite } from './suite.ts';
import { ConfigError, formatConfigError } from '../config/errors.ts';
import { estimateSeconds } from '../config/profiles.ts';
import { ensureRunDir } from '../report/run-dir.ts';
import { DIMENSIONS } from '../matchers/meta.ts';

const DIMENSION_DESCRIPTIONS: Record<string, string> = {
  accuracy: 'golden cases scored on category, entities, facts, forbidden outputs and exact numbers',
  latency: 'TTFT, TTFO, TPOT, ITL and end-to-end percentiles at concurrency 1',
  throughput: 'sustained output and total tokens/s and requests/s under load, with goodput',
  concurrency: 'a sweep of concurrency levels: success rate, latency distribution, saturation',
  stability: 'a soak comparing the first and last windows for drift',
  'token-budget': 'token distributions, truncation, context overflow and cost',
};

function printPlan(suite: Suite, runDir: string): void {
  const lines: string[] = [];
  const first = suite.selected[0]!;
  lines.push(`[bench] profile ${first.plan.profile}, seed ${first.plan.seed}; models ${suite.selection}; run folder ${relative(process.cwd(), runDir) || runDir}`);
  let total = 0;
  for (const m of suite.selected) {
    const est = estimateSeconds(m.plan, m.entry.provider === 'sim' ? 0.5 : 2);
    const sum = Object.values(est).reduce((a, b) => a + b, 0);
    total += sum;
    const p = m.plan;
    lines.push(
      `[bench]   ${m.entry.name} (${m.entry.provider}): latency ${p.latency.samples}x${p.latency.scenarios.length} scenarios; ` +
        `throughput ${p.throughput.durationS}s at c=${p.throughput.concurrency}; concurrency ${p.concurrency.levels.join('/')} at ${p.concurrency.durationS}s each; ` +
        `stability ${p.stability.durationS}s in ${p.stability.windowS}s windows; token budget ${p.tokenBudget.samples} requests; ` +
        `${m.thresholds.length} thresholds; est. ~${Math.ceil(sum / 60)} min`,
    );
  }
  lines.push(`[bench] estimated duration ~${Math.max(1, Math.round(total / 60))} min (dimensions filtered out are skipped)`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function suiteConfig(root = process.cwd()): ViteUserConfig {
  const merging = process.argv.includes('--merge-reports');
  let suite: Suite | undefined;
  if (!merging) {
    try {
      suite = loadSuite({ root });
    } catch (err) {
      const message = err instanceof ConfigError ? formatConfigError(err) : err instanceof Error ? err.message : String(err);
      process.stderr.write(`\n[bench] Invalid configuration; no request was sent.\n${message}\n\n`);
      process.exit(2);
    }
  }
  // Created here (not only in the reporter's onInit) because the junit/json/html output paths need it.
  const runDir = ensureRunDir(process.env, root);
  // Vitest evaluates this config again for projects that extend it: print the plan once.
  if (suite && !process.env.BENCH_PLAN_PRINTED) {
    process.env.BENCH_PLAN_PRINTED = '1';
    printPlan(suite, runDir);
  }

  const reporters: NonNullable<NonNullable<ViteUserConfig['test']>['reporters']> = [
    'default',
    'junit',
    'json',
    'html',
  ];
  if (process.env.GITHUB_ACTIONS === 'true') reporters.push('github-actions');
  // Last, so its plain "N passed, N failed" line closes the output.
  reporters.push('./reporters/bench-reporter.ts');

  return {
    test: {
      include: ['benchmarks/**/*.spec.ts'],
      globalSetup: ['./src/setup/global-setup.ts'],
      setupFiles: ['./src/matchers/index.ts'],
      // One benchmark at a time: parallel files would measure each other's load.
      fileParallelism: false,
      maxWorkers: 1,
      // A retry would hide exactly the instability the stability dimension measures.
      retry: 0,
      testTimeout: 600_000,
      hookTimeout: 120_000,
      reporters,
      outputFile: {
        junit: join(runDir, 'junit.xml'),
        json: join(runDir, 'vitest-results.json'),
        html: join(runDir, 'vitest-html', 'index.html'),
      },
      tags: DIMENSIONS.map((name) => ({ name, description: DIMENSION_DESCRIPTIONS[name] })),
      projects: (suite?.selected ?? []).map((m) => ({
        extends: true,
        test: { name: m.entry.name },
      })),
    },
  };
}
