/** Fixed-width histograms for reports (token length distributions, latency spread). */
import type { Histogram } from '../matchers/meta.ts';

/**
 * Equal-width histogram from the minimum to the maximum value. Buckets are [edge_i, edge_i+1)
 * except the last, which includes the maximum. All-equal values give one bucket [v, v + 1).
 * @param bins number of buckets, default 20
 */
export function histogram(values: readonly number[], bins = 20): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`histogram bins must be a positive integer, got ${bins}`);
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { edges: [], counts: [] };
  let min = Infinity;
  let max = -Infinity;
  for (const v of finite) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) return { edges: [min, min + 1], counts: [finite.length] };
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) {
    const i = Math.min(bins - 1, Math.floor((v - min) / width));
    counts[i]!++;
  }
  return { edges, counts };
}
