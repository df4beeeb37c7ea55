/**
 * What the load engine needs from the outside: a request builder and a sender. The sender is
 * injected so the engine does not depend on the HTTP client (and tests can drive it with fakes).
 */
import type { GenerationRequest, RequestRecord } from '../client/types.ts';
import type { Progress } from './progress.ts';

export interface SendContext {
  /** Aborted when the run is cancelled or the grace period after the deadline runs out. */
  signal: AbortSignal;
  /** When the scheduler meant the request to go (`performance.now()` ms). */
  tSched: number;
  /** Unique within the run. */
  id: string;
  /** Warm-up request: recorded, flagged, excluded from results. */
  warmup: boolean;
}

/** Sends one request and resolves its record; must not throw (failures are records with ok false). */
export type Send = (req: GenerationRequest, ctx: SendContext) => Promise<RequestRecord>;

/** The request for the index-th send (warm-up included), 0-based. */
export type NextRequest = (index: number) => GenerationRequest | Promise<GenerationRequest>;

/** Options both loops share. */
export interface LoopOptions {
  send: Send;
  next: NextRequest;
  /** Total requests to send, warm-up included. At least one of maxRequests and durationMs is required. */
  maxRequests?: number;
  /** No new sends after this many ms from the start (warm-up included). */
  durationMs?: number;
  /**
   * After the deadline, how long in-flight requests may finish before they are aborted, ms.
   * @default 30000
   */
  graceMs?: number;
  /**
   * The first this-many requests are warm-up: flagged `warmup`, kept out of `records`.
   * @default 0
   */
  warmupRequests?: number;
  /** Cancels the run: no new sends, in-flight requests aborted at once. */
  signal?: AbortSignal;
  /** Called with every record (warm-up included) as it completes: append it to the records file here. */
  onRecord?: (r: RequestRecord) => void;
  /** Called every `progressIntervalMs` during the run. */
  onProgress?: (p: Progress) => void;
  /**
   * @default 5000
   */
  progressIntervalMs?: number;
  /**
   * Prefix of request ids (`${idPrefix}${index}`).
   * @default 'req-'
   */
  idPrefix?: string;
}

export interface LoopResult {
  /** Measured records (warm-up excluded), in completion order. */
  records: RequestRecord[];
  warmupRecords: RequestRecord[];
  /** `performance.now()` at the start and at the end of the run. */
  startedAt: number;
  endedAt: number;
  /** True when the run was cancelled by the caller's signal. */
  aborted: boolean;
  /** Requests aborted because the grace period after the deadline ran out. */
  abortedAfterGrace: number;
}

export const DEFAULT_GRACE_MS = 30_000;

export function validateBounds(opts: LoopOptions): void {
  if (opts.maxRequests === undefined && opts.durationMs === undefined) {
    throw new Error('a load loop needs maxRequests and/or durationMs: an unbounded run never ends');
  }
  if (opts.maxRequests !== undefined && !(Number.isInteger(opts.maxRequests) && opts.maxRequests >= 0)) {
    throw new RangeError(`maxRequests must be a non-negative integer, got ${opts.maxRequests}`);
  }
  if (opts.durationMs !== undefined && !(opts.durationMs >= 0)) throw new RangeError(`durationMs must be >= 0, got ${opts.durationMs}`);
  if (opts.graceMs !== undefined && !(opts.graceMs >= 0)) throw new RangeError(`graceMs must be >= 0, got ${opts.graceMs}`);
}

/** Resolve after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
