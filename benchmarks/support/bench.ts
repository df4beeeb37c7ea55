/**
 * What every benchmark spec shares: the target the global setup provided, a `benchTest` that
 * tags the test with its dimension and gives it a fresh BenchMeta, and helpers to read thresholds.
 */
import { inject, test, type TestContext } from 'vitest';
import type { BenchMeta, Dimension } from '../../src/matchers/meta.ts';
import type { Threshold } from '../../src/config/thresholds.ts';
import type { Measurement } from '../../src/runs/measure.ts';

export const target = inject('benchTarget');
export const plan = target.plan;

export interface BenchContext {
  meta: BenchMeta;
  signal: AbortSignal;
  /** Print progress of a long test (requests done, current rate, current p95). */
  progress: (p: { done: number; ratePerS: number; p95TtftMs: number | null }) => void;
  context: TestContext;
}

export function benchTest(
  dimension: Dimension,
  name: string,
  fn: (ctx: BenchContext) => Promise<void>,
  opts: { timeoutS?: number; skip?: string } = {},
): void {
  const timeout = Math.max(60, Math.ceil((opts.timeoutS ?? 60) * 2 + 30)) * 1000;
  const run = async (context: TestContext): Promise<void> => {
    const meta: BenchMeta = { model: target.model, dimension, checks: [], warnings: [] };
    context.task.meta.bench = meta;
    const progress = progressPrinter(dimension);
    try {
      await fn({ meta, signal: context.signal, progress, context });
    } finally {
      for (const c of meta.checks) if (c.status === 'warn') await context.annotate(c.message, 'warning');
      for (const w of meta.warnings) await context.annotate(w, 'notice');
    }
  };
  if (opts.skip) test.skip(`${name} (skipped: ${opts.skip})`, { tags: [dimension] }, run);
  else test(name, { tags: [dimension], timeout }, run);
}

/** A progress printer for long measurements: requests done, current rate, current p95 TTFT. */
export function progressPrinter(dimension: Dimension): (p: { done: number; ratePerS: number; p95TtftMs: number | null }) => void {
  return (p) => {
    const p95 = p.p95TtftMs === null ? 'n/a' : `${p.p95TtftMs.toFixed(0)} ms`;
    process.stdout.write(`[bench] ${target.model} ${dimension}: ${p.done} requests, ${p.ratePerS.toFixed(1)} req/s, p95 TTFT ${p95}\n`);
  };
}

/** Copy a measurement's summary into the test's meta. */
export function recordMeasurement(meta: BenchMeta, m: Measurement): void {
  meta.summary = m.summary;
  meta.workload = m.label;
  meta.recordsFile = m.recordsFile;
  meta.params = { ...(meta.params ?? {}), seed: m.seed, concurrency: m.concurrency, tokenizer: m.tokenizerKind };
  for (const w of m.warnings) if (!meta.warnings.includes(w)) meta.warnings.push(w);
}

/** The configured threshold for a metric (and percentile), else the documented default. */
export function thresholdOf(metric: string, stat: Threshold['stat'], fallback: Omit<Threshold, 'metric' | 'stat'>): Threshold {
  const found = target.thresholds.find(
    (t) =>
      t.dimension === fallback.dimension &&
      t.metric === metric &&
      t.stat.kind === stat.kind &&
      (stat.kind !== 'p' || (t.stat.kind === 'p' && t.stat.p === stat.p)),
  );
  return found ?? { ...fallback, metric, stat };
}

/** Thresholds configured for a dimension other than the ones a spec judges explicitly. */
export function extraThresholds(dimension: Dimension, judged: Threshold[]): Threshold[] {
  return target.thresholds.filter((t) => t.dimension === dimension && !judged.some((j) => j.id === t.id));
}

/** Share one expensive measurement between several tests of a file. */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
