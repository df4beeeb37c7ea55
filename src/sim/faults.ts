/**
 * Which faults hit request number i (1-based, in arrival order). Deterministic: the same seed and
 * arrival order give the same faults, so a test can predict exactly which request fails.
 */
import { createRng, deriveSeed } from '../util/random.ts';
import type { SimModelConfig } from './config.ts';

type Faults = SimModelConfig['faults'];
export type MidStreamFault = 'reset_mid_stream' | 'stall' | 'malformed_event' | 'error_event';

export interface FaultPlan {
  resetBeforeHeaders: boolean;
  /** HTTP error answered instead of a completion. */
  httpError?: { status: 429 | 500 | 503; retryAfterS?: number };
  /** Mid-stream faults and the token count after which each strikes, earliest first. */
  midStream: { kind: MidStreamFault; afterTokens: number; durationS?: number }[];
}

function hits(seed: number, kind: string, i: number, rate: number, every: number): boolean {
  if (every > 0 && i % every === 0) return true;
  return rate > 0 && createRng(deriveSeed(seed, `${kind}:${i}`))() < rate;
}

export function planFaults(f: Faults, seed: number, i: number): FaultPlan {
  const plan: FaultPlan = { resetBeforeHeaders: hits(seed, 'reset_before_headers', i, f.reset_before_headers.rate, f.reset_before_headers.every), midStream: [] };
  if (hits(seed, 'error', i, f.error_rate, f.error_every)) {
    const pick = createRng(deriveSeed(seed, `error_status:${i}`))();
    const status = f.error_statuses[Math.floor(pick * f.error_statuses.length)] ?? f.error_statuses[0]!;
    plan.httpError = status === 500 ? { status } : { status, retryAfterS: f.retry_after_s };
  }
  for (const kind of ['reset_mid_stream', 'error_event', 'malformed_event', 'stall'] as const) {
    const t = f[kind];
    if (hits(seed, kind, i, t.rate, t.every)) {
      plan.midStream.push(kind === 'stall' ? { kind, afterTokens: t.after_tokens, durationS: f.stall.duration_s } : { kind, afterTokens: t.after_tokens });
    }
  }
  plan.midStream.sort((a, b) => a.afterTokens - b.afterTokens);
  return plan;
}
