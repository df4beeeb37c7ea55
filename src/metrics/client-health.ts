/**
 * Health of the measuring client during a run. The load generator shares an event loop (and, on
 * small machines, the CPU) with everything else in its Vitest worker; when that loop is late,
 * every timestamp is late and measured latencies include the client's own delay.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { percentile } from './percentile.ts';
import type { ClientHealth } from './types.ts';

/** Raw numbers from a monitor, before judgement. */
export interface RawClientHealth {
  eventLoopDelayP50Ms: number | null;
  eventLoopDelayP99Ms: number | null;
  eventLoopDelayMaxMs: number | null;
  /** Open loop: p99 of how late requests left relative to their scheduled time. */
  schedulingLagP99Ms: number | null;
  /** Scheduling-lag samples behind the p99. */
  schedulingLagSamples: number;
  durationMs: number;
}

export interface ClientHealthMonitor {
  /** Stop sampling; `schedulingLagMs` are the open loop's per-request lags, when any. */
  stop(schedulingLagMs?: readonly number[]): RawClientHealth;
}

/**
 * Start sampling event-loop delay.
 * @param resolutionMs sampling timer period, default 5 ms. Node's histogram includes this period
 *   in every sample (an idle loop reads ~resolution), so it is subtracted from the reported values.
 */
export function startClientHealthMonitor(resolutionMs = 5): ClientHealthMonitor {
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  const started = performance.now();
  h.enable();
  let stopped: RawClientHealth | undefined;
  return {
    stop(lags?: readonly number[]): RawClientHealth {
      if (stopped) return stopped;
      h.disable();
      const has = h.count > 0;
      const ms = (ns: number): number => Math.max(0, ns / 1e6 - resolutionMs);
      stopped = {
        eventLoopDelayP50Ms: has ? ms(h.percentile(50)) : null,
        eventLoopDelayP99Ms: has ? ms(h.percentile(99)) : null,
        eventLoopDelayMaxMs: has ? ms(h.max) : null,
        schedulingLagP99Ms: lags && lags.length ? percentile(lags, 99) : null,
        schedulingLagSamples: lags?.length ?? 0,
        durationMs: performance.now() - started,
      };
      return stopped;
    },
  };
}

/** Absolute lag above which a run is always flagged, ms. @default 20 */
export const ABSOLUTE_LAG_LIMIT_MS = 20;
/** Lag as a fraction of the measured p50 latency above which a run is flagged. @default 0.1 */
export const RELATIVE_LAG_LIMIT = 0.1;
/** Lag below which a run is never flagged (timer granularity, not a busy client), ms. @default 2 */
export const LAG_FLOOR_MS = 2;

/**
 * Judge whether the client's own lag is large next to what it measured. Rule: the run is flagged
 * when the p99 event-loop delay or the p99 scheduling lag exceeds
 * min(20 ms, max(2 ms, 10 % of the measured p50 latency)). So a 2 s TTFT tolerates 20 ms of
 * client lag, a 50 ms TTFT only 5 ms, and lag under 2 ms is timer noise. Pass the p50 of the
 * latency the test is about (TTFT, else E2E); null (nothing measured) applies the 20 ms limit.
 */
export function judgeClientHealth(raw: RawClientHealth, measuredLatencyP50Ms: number | null): ClientHealth {
  const limit =
    measuredLatencyP50Ms === null
      ? ABSOLUTE_LAG_LIMIT_MS
      : Math.min(ABSOLUTE_LAG_LIMIT_MS, Math.max(LAG_FLOOR_MS, RELATIVE_LAG_LIMIT * measuredLatencyP50Ms));
  const reasons: string[] = [];
  const against = measuredLatencyP50Ms === null ? '' : ` (measured p50 latency ${measuredLatencyP50Ms.toFixed(1)} ms)`;
  if (raw.eventLoopDelayP99Ms !== null && raw.eventLoopDelayP99Ms > limit) {
    reasons.push(`p99 event-loop delay ${raw.eventLoopDelayP99Ms.toFixed(1)} ms exceeds ${limit.toFixed(1)} ms${against}`);
  }
  if (raw.schedulingLagP99Ms !== null && raw.schedulingLagP99Ms > limit) {
    reasons.push(`p99 scheduling lag ${raw.schedulingLagP99Ms.toFixed(1)} ms exceeds ${limit.toFixed(1)} ms${against}`);
  }
  const health: ClientHealth = {
    eventLoopDelayP50Ms: raw.eventLoopDelayP50Ms,
    eventLoopDelayP99Ms: raw.eventLoopDelayP99Ms,
    eventLoopDelayMaxMs: raw.eventLoopDelayMaxMs,
    schedulingLagP99Ms: raw.schedulingLagP99Ms,
    flagged: reasons.length > 0,
  };
  if (reasons.length) health.reason = `the client was busy: ${reasons.join('; ')}; latencies include client delay`;
  return health;
}
