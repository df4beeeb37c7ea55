/**
 * Saturation point and SLO capacity of a load sweep (concurrency levels or request rates).
 */
import type { RunSummary, Slo, SweepPoint, SweepSummary } from './types.ts';

export interface SaturationOptions {
  /**
   * Throughput gain below which more load "stops adding throughput": relative to the
   * throughput at a level, the best throughput at any higher level must exceed it by at least
   * this fraction. 0.1 sits at the top of the usual 5-10 % band so run-to-run noise (a few
   * percent on a shared machine) does not hide a plateau.
   * @default 0.1
   */
  minGain?: number;
  /**
   * Relative rise of p50 end-to-end latency at the next level that confirms the plateau is
   * saturation (requests queue) rather than a workload that is simply done.
   * @default 0.1
   */
  latencyRise?: number;
  /**
   * Percentile of each SLO metric that must be within its limit for a level to meet the SLOs.
   * @default 95
   */
  sloPercentile?: 50 | 90 | 95 | 99;
  /**
   * Success rate a level needs to meet the SLOs (errors are not fast answers).
   * @default 0.99
   */
  minSuccessRate?: number;
}

/** Throughput a sweep point is judged on: output tokens/s, or requests/s when tokens are unknown. */
export function throughputOf(s: RunSummary): number | null {
  return s.outputTokensPerS !== null && s.outputTokensPerS > 0 ? s.outputTokensPerS : s.requestsPerS;
}

/**
 * Whether a level meets the SLOs: the chosen percentile (p95 by default) of TTFT, TPOT and E2E
 * within their limits, and the success rate at least `minSuccessRate`. A metric with no samples
 * does not meet its limit.
 */
export function levelMeetsSlo(s: RunSummary, slo: Slo, opts: SaturationOptions = {}): boolean {
  const p = opts.sloPercentile ?? 95;
  const key = `p${p}` as const;
  if (s.successRate === null || s.successRate < (opts.minSuccessRate ?? 0.99)) return false;
  const checks: Array<[number | undefined, number | null]> = [
    [slo.ttftMs, s.ttft[key]],
    [slo.tpotMs, s.tpot[key]],
    [slo.e2eMs, s.e2e[key]],
  ];
  return checks.every(([limit, v]) => limit === undefined || (v !== null && v <= limit));
}

/**
 * The saturation load: the lowest level L such that no higher level adds more than `minGain`
 * throughput over L while p50 E2E at the next level rises by at least `latencyRise`. Beyond L,
 * extra load only queues. Null when throughput is still growing at the highest level (the sweep
 * did not reach saturation) or when throughput could not be measured.
 */
export function saturationLoad(points: ReadonlyArray<Pick<SweepPoint, 'load' | 'summary'>>, opts: SaturationOptions = {}): number | null {
  const minGain = opts.minGain ?? 0.1;
  const rise = opts.latencyRise ?? 0.1;
  const sorted = [...points].sort((a, b) => a.load - b.load);
  for (let i = 0; i < sorted.length - 1; i++) {
    const here = throughputOf(sorted[i]!.summary);
    if (here === null || here <= 0) continue;
    let bestAfter = -Infinity;
    for (let j = i + 1; j < sorted.length; j++) bestAfter = Math.max(bestAfter, throughputOf(sorted[j]!.summary) ?? -Infinity);
    if (bestAfter > here * (1 + minGain)) continue;
    const latHere = sorted[i]!.summary.e2e.p50;
    const latNext = sorted[i + 1]!.summary.e2e.p50;
    if (latHere !== null && latNext !== null && latNext >= latHere * (1 + rise)) return sorted[i]!.load;
  }
  return null;
}

/**
 * Highest load of the contiguous run of levels, from the lowest, that all meet the SLOs. A level
 * that passes above a failing one is not counted: capacity that holds only at some loads is not
 * capacity. Null when the lowest level already fails.
 */
export function maxLoadWithinSlo(points: ReadonlyArray<Pick<SweepPoint, 'load' | 'meetsSlo'>>): number | null {
  const sorted = [...points].sort((a, b) => a.load - b.load);
  let best: number | null = null;
  for (const p of sorted) {
    if (!p.meetsSlo) break;
    best = p.load;
  }
  return best;
}

/** Build the sweep summary from measured levels. */
export function summarizeSweep(
  axis: SweepSummary['axis'],
  measured: ReadonlyArray<{ load: number; summary: RunSummary }>,
  slo: Slo,
  opts: SaturationOptions = {},
): SweepSummary {
  const points: SweepPoint[] = [...measured]
    .sort((a, b) => a.load - b.load)
    .map((m) => ({ load: m.load, summary: m.summary, meetsSlo: levelMeetsSlo(m.summary, slo, opts) }));
  return { axis, points, saturationLoad: saturationLoad(points, opts), maxLoadWithinSlo: maxLoadWithinSlo(points), slo };
}
