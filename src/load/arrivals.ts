/**
 * Arrival schedules for open-loop runs, as offsets (ms) from the start of the run. Offsets are
 * cumulative sums of seeded inter-arrival gaps, so each arrival has an absolute intended time
 * and lateness of one send never shifts the ones after it (the achieved rate does not drift).
 */
import { createRng, exponential, gamma } from '../util/random.ts';

export type ArrivalProcess = 'poisson' | 'gamma' | 'constant';

export interface ArrivalOptions {
  /** Mean requests per second. */
  rate: number;
  arrival: ArrivalProcess;
  /**
   * Gamma shape: < 1 burstier than Poisson, > 1 more regular (vLLM's `--burstiness`); 1 equals Poisson.
   * @default 1
   */
  burstiness?: number;
  seed: number;
  /**
   * Ramp the arrival rate linearly from 0 to `rate` over this many ms, then hold it. The same
   * seeded arrivals are stretched in time, so a ramped and an unramped run share their draws.
   * @default 0
   */
  rampUpMs?: number;
}

/**
 * Map an offset of a full-rate schedule to the time it falls at under a linear ramp of length
 * R: the ramp's cumulative intensity rate * t^2 / (2R) (t < R), rate * (t - R/2) after, inverted.
 */
export function rampOffset(s: number, rampUpMs: number): number {
  if (rampUpMs <= 0) return s;
  return s < rampUpMs / 2 ? Math.sqrt(2 * rampUpMs * s) : s + rampUpMs / 2;
}

/**
 * An endless iterator of arrival offsets in ms; the first arrival is at 0 so a run starts at
 * once, and each next one is a gap later (constant 1000/rate, exponential, or gamma with the
 * same mean).
 */
export function* arrivalOffsets(opts: ArrivalOptions): Generator<number, never, void> {
  if (!(opts.rate > 0 && Number.isFinite(opts.rate))) throw new RangeError(`rate must be a positive number of requests/s, got ${opts.rate}`);
  const mean = 1000 / opts.rate;
  const shape = opts.burstiness ?? 1;
  if (!(shape > 0)) throw new RangeError(`burstiness must be > 0, got ${shape}`);
  const rng = createRng(opts.seed);
  const gap =
    opts.arrival === 'constant'
      ? (): number => mean
      : opts.arrival === 'poisson'
        ? (): number => exponential(rng, mean)
        : (): number => gamma(rng, shape, mean / shape);
  const ramp = opts.rampUpMs ?? 0;
  if (!(ramp >= 0)) throw new RangeError(`rampUpMs must be >= 0, got ${ramp}`);
  let i = 0;
  let offset = 0;
  for (;;) {
    yield rampOffset(opts.arrival === 'constant' ? i * mean : offset, ramp);
    i++;
    // Constant arrivals are i * mean exactly (no accumulated floating-point error).
    if (opts.arrival !== 'constant') offset += gap();
  }
}
