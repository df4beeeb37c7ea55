/**
 * One measurement: a workload driven by a load pattern against a target, every request appended
 * to the run's records file as it completes, then summarised. This is the seam between the
 * declarative specs and the machinery (workload, load engine, client, metrics); it knows nothing
 * of Vitest.
 */
import { join } from 'node:path';
import { createClient } from '../client/client.ts';
import type { GenerationRequest, RequestRecord } from '../client/types.ts';
import type { ScenarioPlan } from '../config/profiles.ts';
import { RecordsWriter } from '../load/records.ts';
import { runIdOf } from '../report/run-dir.ts';
import { runClosedLoop } from '../load/closed-loop.ts';
import { runOpenLoop } from '../load/open-loop.ts';
import type { LoopResult } from '../load/types.ts';
import { startClientHealthMonitor, judgeClientHealth } from '../metrics/client-health.ts';
import { summarize } from '../metrics/summary.ts';
import type { RunSummary, Slo } from '../metrics/types.ts';
import { deriveSeed } from '../util/random.ts';
import { createWorkload } from '../workload/requests.ts';
import type { ImageSource } from '../workload/images.ts';
import type { BenchTarget } from '../setup/target.ts';
import { tokenizerFor } from './tokenizer-cache.ts';

export interface MeasureOptions {
  /** File-safe name of this measurement, unique within the test (used for the records file). */
  name: string;
  scenario: ScenarioPlan;
  /** Closed loop: this many workers. Open loop (`rate` set): the cap on requests in flight. */
  concurrency: number;
  /** Open loop: target arrival rate in requests/s, scheduled on absolute times. */
  rate?: number;
  /** Open loop arrivals. @default 'poisson' */
  arrival?: 'poisson' | 'gamma' | 'constant';
  /** Gamma arrivals: < 1 burstier, > 1 more regular. @default 1 */
  burstiness?: number;
  /** Stop after this many measured requests. */
  requests?: number;
  /** Stop sending after this many seconds (in-flight requests get a grace period). */
  durationS?: number;
  warmup?: number;
  image?: ImageSource;
  slo?: Slo;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; ratePerS: number; p95TtftMs: number | null }) => void;
  /**
   * Force exactly `scenario.outputTokens` (ignore_eos/min_tokens) where the provider can; false
   * sends it as a max_tokens budget and lets answers end naturally.
   * @default true
   */
  forceOutputLength?: boolean;
  /** Use a request builder other than the scenario's (e.g. accuracy cases, overflow probes). */
  requestsOverride?: (i: number) => GenerationRequest;
  tags?: Record<string, string | number>;
}

export interface Measurement {
  model: string;
  /** In words: `chat 512 -> 32 at concurrency 8`. */
  label: string;
  concurrency: number;
  summary: RunSummary;
  /** Measured requests (warm-up excluded), in completion order. */
  records: RequestRecord[];
  /** Records file relative to the run folder. */
  recordsFile: string;
  tokenizerKind: 'server' | 'local' | 'approximate';
  /** The output length was asked for exactly (not just as a max_tokens budget). */
  outputLengthRequested: boolean;
  /** ...and the provider can honour that request. */
  forcesOutputLength: boolean;
  seed: number;
  warnings: string[];
}

const GRACE_MS = 10_000;
/** Distinct prompts built per measurement; longer runs reuse them (their unique prefixes then repeat). */
const MAX_DISTINCT_PROMPTS = 2048;

export async function measure(target: BenchTarget, test: string, opts: MeasureOptions): Promise<Measurement> {
  const seed = deriveSeed(target.plan.seed, `${target.model}/${test}/${opts.name}`);
  const tokenizer = await tokenizerFor(target);
  const warmup = opts.warmup ?? 0;
  // Duration-bound runs do not know their request count: build a generous pool of distinct
  // prompts up front (building must not disturb timing) and wrap around only past it.
  const expected = opts.requests ?? Math.ceil((opts.durationS ?? 10) * opts.concurrency * 4);
  const workload = opts.requestsOverride
    ? undefined
    : await createWorkload({
        endpoint: target.endpoint,
        scenario: opts.scenario,
        tokenizer: tokenizer.tokenizer,
        seed,
        forceOutputLength: opts.forceOutputLength ?? true,
        image: opts.image,
        count: Math.max(1, Math.min(expected + warmup, MAX_DISTINCT_PROMPTS)),
        signal: opts.signal,
      });
  const next = opts.requestsOverride ?? ((i: number) => workload!.next(i % workload!.count));
  const tagsOf = (id: string): Record<string, string | number> | undefined => {
    if (!workload) return opts.tags;
    const i = Number(id.slice(id.lastIndexOf('-') + 1));
    return { ...workload.tags(i % workload.count), ...opts.tags };
  };

  const recordsFile = join('records', `${slug(target.model)}--${slug(test)}--${slug(opts.name)}.jsonl`);
  const writer = new RecordsWriter(join(target.runDir, recordsFile), {
    type: 'header',
    runId: runIdOf(target.runDir),
    model: target.model,
    test: `${test} / ${opts.name}`,
    timeOriginMs: performance.timeOrigin,
    startedAt: new Date().toISOString(),
    seed,
    params: {
      scenario: opts.scenario.name,
      inputTokens: opts.scenario.inputTokens,
      outputTokens: opts.scenario.outputTokens,
      concurrency: opts.concurrency,
      forceOutputLength: opts.forceOutputLength ?? true,
      ...(workload ? { nonce: workload.nonce, tokenizer: workload.tokenizerSource } : {}),
    },
  });
  const client = createClient({ connections: opts.concurrency + 2 });
  const monitor = startClientHealthMonitor();
  const common = {
    send: (req: GenerationRequest, ctx: { signal: AbortSignal; tSched: number; id: string; warmup: boolean }) =>
      client.send(target.endpoint, req, { signal: ctx.signal, tSched: ctx.tSched, id: ctx.id, warmup: ctx.warmup, tags: tagsOf(ctx.id) }),
    next,
    maxRequests: opts.requests !== undefined ? opts.requests + warmup : undefined,
    durationMs: opts.durationS !== undefined ? opts.durationS * 1000 : undefined,
    graceMs: GRACE_MS,
    warmupRequests: warmup,
    signal: opts.signal,
    onRecord: (r: RequestRecord) => writer.append(r),
    onProgress: opts.onProgress,
  };
  let result: LoopResult;
  let schedulingLagMs: number[] | undefined;
  try {
    if (opts.rate !== undefined) {
      const open = await runOpenLoop({
        ...common,
        rate: opts.rate,
        arrival: opts.arrival ?? 'poisson',
        burstiness: opts.burstiness,
        seed,
        maxConcurrency: opts.concurrency,
      });
      result = open;
      schedulingLagMs = open.schedulingLagMs;
    } else {
      result = await runClosedLoop({ ...common, concurrency: opts.concurrency });
    }
  } finally {
    writer.close();
    await client.close();
  }
  const measured = result.records.filter((r) => !r.warmup);
  const first = summarize(measured, { slo: opts.slo, concurrency: opts.concurrency, ...(opts.rate !== undefined ? { offeredRate: opts.rate } : {}) });
  const health = judgeClientHealth(monitor.stop(schedulingLagMs), first.ttft.p50 ?? first.e2e.p50 ?? null);
  const summary: RunSummary = { ...first, clientHealth: health };
  const warnings: string[] = [];
  if (health.flagged) warnings.push(`client health: ${health.reason ?? 'the client was busy enough to distort latencies'}`);
  if (tokenizer.tokenizer.kind === 'approximate') {
    warnings.push(`prompt lengths are approximate: ${tokenizer.why}`);
  }
  if (workload && workload.count < expected + warmup && result.records.length + warmup > workload.count) {
    warnings.push(`prompts were reused after ${workload.count} distinct ones; a prefix cache may flatter later requests`);
  }
  if (workload && (opts.forceOutputLength ?? true) && !workload.forcesOutputLength) {
    warnings.push(`${target.endpoint.provider} cannot force the output length; see the OSL mismatch`);
  }
  return {
    model: target.model,
    label:
      `${opts.scenario.name} ${opts.scenario.inputTokens} -> ${opts.scenario.outputTokens}${opts.image ? ' + image' : ''}` +
      (opts.rate !== undefined ? ` at ${opts.rate} req/s (${opts.arrival ?? 'poisson'}, cap ${opts.concurrency})` : ` at concurrency ${opts.concurrency}`),
    concurrency: opts.concurrency,
    summary,
    records: measured,
    recordsFile,
    tokenizerKind: tokenizer.tokenizer.kind,
    outputLengthRequested: !opts.requestsOverride && (opts.forceOutputLength ?? true),
    forcesOutputLength: workload?.forcesOutputLength ?? false,
    seed,
    warnings,
  };
}

export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'x';
}
