/**
 * Turns Vitest's reported tasks into plain TestResult objects (results.json). The only place,
 * with bench-reporter.ts, that knows Vitest's reporter API; works the same for a live run and for
 * `--merge-reports`, where meta, annotations and results are restored from blobs.
 */
import { basename, relative } from 'node:path';
import type { TestCase, TestModule } from 'vitest/node';
import { DIMENSIONS, type BenchMeta, type Dimension } from '../src/matchers/meta.ts';
import type { TestResult } from '../src/report/results-types.ts';

const ANSI = /\u001b\[[0-9;]*m/g;

export function errorText(e: { name?: string; message?: string } | undefined): string {
  if (!e) return 'unknown error';
  const msg = (e.message ?? '').replace(ANSI, '');
  return e.name && e.name !== 'Error' && !msg.startsWith(e.name) ? `${e.name}: ${msg}` : msg || e.name || 'unknown error';
}

function dimensionOf(test: TestCase, bench: BenchMeta | undefined): Dimension | null {
  if (bench?.dimension) return bench.dimension;
  const tagged = DIMENSIONS.find((d) => test.tags.includes(d));
  if (tagged) return tagged;
  // benchmarks/<dimension>.spec.ts
  const stem = basename(test.module.moduleId).replace(/\.(spec|test)\.[cm]?[jt]s$/, '');
  return DIMENSIONS.find((d) => d === stem) ?? null;
}

export function collectTest(test: TestCase, root: string): TestResult {
  // meta.ts augments TaskMeta through 'vitest'; vitest/node's TestCase sees @vitest/runner's copy.
  const bench = (test.meta() as { bench?: BenchMeta }).bench;
  const result = test.result();
  const out: TestResult = {
    id: test.id,
    model: bench?.model ?? test.project.name,
    file: relative(root, test.module.moduleId),
    name: test.name,
    fullName: test.fullName,
    dimension: dimensionOf(test, bench),
    state: result.state,
    durationMs: test.diagnostic()?.duration ?? null,
    errors: (result.errors ?? []).map(errorText),
    annotations: test.annotations().map((a) => ({ type: a.type, message: a.message })),
    tags: [...test.tags],
    bench: bench ?? null,
  };
  if (result.state === 'skipped' && result.note) out.skipReason = result.note;
  return out;
}

export interface Collected {
  tests: TestResult[];
  /** Whole-file failures: a spec that failed to import or crashed its worker. */
  runErrors: string[];
}

export function collectModules(modules: ReadonlyArray<TestModule>, root: string): Collected {
  const tests: TestResult[] = [];
  const runErrors: string[] = [];
  for (const m of modules) {
    for (const e of m.errors()) runErrors.push(`${relative(root, m.moduleId)} (${m.project.name}): ${errorText(e)}`);
    for (const t of m.children.allTests()) tests.push(collectTest(t, root));
  }
  return { tests, runErrors };
}
