/**
 * Sweeps: the same workload at increasing concurrency levels or request rates, one after the
 * other, summarised into the saturation point and the highest load that still meets the SLOs.
 */
import { levelMeetsSlo, summarizeSweep, type SaturationOptions } from '../metrics/saturation.ts';
import type { RunSummary, Slo, SweepSummary } from '../metrics/types.ts';

export interface SweepOptions extends SaturationOptions {
  axis: SweepSummary['axis'];
  /** Loads to run, in the order given (ascending is usual). */
  levels: readonly number[];
  /** Runs one level and summarises it. */
  runLevel: (level: number) => Promise<RunSummary>;
  slo: Slo;
  /** Stops before the next level; levels already measured are still summarised. */
  signal?: AbortSignal;
  /**
   * Stop once this many consecutive levels (after at least one passing level) miss the SLOs:
   * higher loads only take longer to fail. 0 runs every level.
   * @default 0
   */
  stopAfterFailures?: number;
  /** Called after each level. */
  onLevel?: (load: number, summary: RunSummary, meetsSlo: boolean) => void;
}

export async function runSweep(opts: SweepOptions): Promise<SweepSummary> {
  if (opts.levels.length === 0) throw new Error('a sweep needs at least one level');
  const measured: Array<{ load: number; summary: RunSummary }> = [];
  const stopAfter = opts.stopAfterFailures ?? 0;
  let passedOnce = false;
  let failuresInRow = 0;
  for (const level of opts.levels) {
    if (opts.signal?.aborted) break;
    const summary = await opts.runLevel(level);
    measured.push({ load: level, summary });
    const ok = levelMeetsSlo(summary, opts.slo, opts);
    opts.onLevel?.(level, summary, ok);
    if (ok) {
      passedOnce = true;
      failuresInRow = 0;
    } else if (passedOnce) {
      failuresInRow++;
      if (stopAfter > 0 && failuresInRow >= stopAfter) break;
    }
  }
  return summarizeSweep(opts.axis, measured, opts.slo, opts);
}
