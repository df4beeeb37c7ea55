/**
 * Seeded pseudo-random numbers. Every random choice in the suite (prompts, arrivals, simulated
 * content, faults) draws from one of these so a run is reproducible from its recorded seed.
 */

/** A seeded generator of uniform numbers in [0, 1) (mulberry32: small, fast, good enough for load shaping). */
export interface Rng {
  (): number;
  readonly seed: number;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Object.assign(next, { seed });
}

/** Derive an independent seed from a parent seed and a label (e.g. a model name or request index). */
export function deriveSeed(seed: number, label: string | number): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  const s = String(label);
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Integer in [min, max] inclusive. */
export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Exponential variate with the given mean (Poisson-process inter-arrival times). */
export function exponential(rng: Rng, mean: number): number {
  // 1 - u is in (0, 1], so the log is finite.
  return -Math.log(1 - rng()) * mean;
}

function standardNormal(rng: Rng): number {
  // Box-Muller; 1 - u avoids log(0).
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Gamma variate with shape k and scale theta (Marsaglia-Tsang). Inter-arrival times drawn with
 * shape = burstiness and scale = mean / burstiness keep the mean rate while burstiness < 1 makes
 * arrivals burstier and > 1 more regular (the same convention as vLLM's `--burstiness`).
 */
export function gamma(rng: Rng, shape: number, scale: number): number {
  if (!(shape > 0) || !(scale > 0)) throw new RangeError(`gamma needs shape > 0 and scale > 0, got ${shape}, ${scale}`);
  if (shape < 1) {
    // Boost to shape + 1 and correct with u^(1/shape).
    return gamma(rng, shape + 1, scale) * Math.pow(1 - rng(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}
