/**
 * Profiles turn the `benchmarks:` block of models.yaml into a concrete plan: how many requests,
 * how long, at which loads. `full` is the older tool's settings (60 s steps, a 30-minute soak
 * compared on 5-minute windows) with enough TTFT samples that p95 means something; `quick` runs
 * every dimension for the shipped simulated models in under three minutes on two cores;
 * `standard` sits between, for a real server on a short CI budget. `smoke` proves every test runs
 * end to end in seconds (the project's own end-to-end tests use it); its numbers judge nothing.
 */

export type ProfileName = 'smoke' | 'quick' | 'standard' | 'full';
export const PROFILES: readonly ProfileName[] = ['smoke', 'quick', 'standard', 'full'];

export interface ScenarioPlan {
  name: string;
  inputTokens: number;
  outputTokens: number;
}

export interface Plan {
  profile: ProfileName;
  /** Root seed of every random choice in the run. */
  seed: number;
  /** SLOs used for goodput and for "highest load within SLO". */
  slo: { ttftMs: number; tpotMs: number };
  accuracy: { goldenFile: string; concurrency: number; skipForTaskType: string[] };
  latency: {
    scenarios: ScenarioPlan[];
    /** Measured requests per scenario at concurrency 1. */
    samples: number;
    warmup: number;
    /** Prompt lengths for the TTFT-by-prompt-length curve. */
    promptLengths: number[];
    samplesPerLength: number;
    /** Requests with an image (VLMs only). */
    imageSamples: number;
  };
  throughput: { concurrency: number; durationS: number; scenario: ScenarioPlan; warmup: number };
  concurrency: { levels: number[]; durationS: number; scenario: ScenarioPlan };
  stability: { durationS: number; windowS: number; concurrency: number; scenario: ScenarioPlan };
  /** `scenario.outputTokens` is the max_tokens budget of natural (not forced) answers. */
  tokenBudget: { samples: number; concurrency: number; scenario: ScenarioPlan };
}

/** The parts of the older tool's `benchmarks:` block a plan reads (all optional). */
export interface BenchmarksBlock {
  accuracy?: { skip_for_task_type?: string[]; golden_file?: string };
  ttft?: { samples?: number };
  throughput?: { duration_s?: number; concurrency?: number };
  concurrency?: { concurrencies?: number[]; duration_s?: number };
  stability?: { duration_s?: number; window_s?: number; concurrency?: number };
  token_budget?: { samples?: number };
  slo?: { ttft_ms?: number; tpot_ms?: number };
}

/** @default quick */
export function profileFromEnv(env: NodeJS.ProcessEnv = process.env): ProfileName {
  const raw = (env.BENCH_PROFILE ?? 'quick').trim().toLowerCase();
  if ((PROFILES as readonly string[]).includes(raw)) return raw as ProfileName;
  throw new Error(
    `BENCH_PROFILE=${JSON.stringify(env.BENCH_PROFILE)} is not a profile; use one of ${PROFILES.join(', ')} (default quick).`,
  );
}

const CHAT: ScenarioPlan = { name: 'chat', inputTokens: 512, outputTokens: 128 };
const SUMMARISATION: ScenarioPlan = { name: 'summarisation', inputTokens: 1024, outputTokens: 128 };
/** Natural answers under a max_tokens budget, for truncation and token distributions. */
const BUDGET: ScenarioPlan = { name: 'chat-budget', inputTokens: 512, outputTokens: 256 };

export function resolvePlan(profile: ProfileName, block: BenchmarksBlock = {}, seed = 20261123): Plan {
  const accuracy = {
    goldenFile: block.accuracy?.golden_file ?? 'golden/expectations.json',
    concurrency: 4,
    skipForTaskType: block.accuracy?.skip_for_task_type ?? [],
  };
  const slo = { ttftMs: block.slo?.ttft_ms ?? 2000, tpotMs: block.slo?.tpot_ms ?? 100 };
  if (profile === 'full') {
    // The older tool's settings, read from its block; p95 needs far more than its 5 samples.
    const levels = block.concurrency?.concurrencies ?? [1, 5, 10, 30, 50];
    return {
      profile,
      seed,
      slo,
      accuracy,
      latency: {
        scenarios: [CHAT, SUMMARISATION, { name: 'generation', inputTokens: 128, outputTokens: 1024 }],
        samples: Math.max(block.ttft?.samples ?? 0, 100),
        warmup: 3,
        promptLengths: [128, 512, 1024, 2048, 4096],
        samplesPerLength: 20,
        imageSamples: 40,
      },
      throughput: {
        concurrency: block.throughput?.concurrency ?? Math.max(...levels),
        durationS: block.throughput?.duration_s ?? 60,
        scenario: CHAT,
        warmup: 10,
      },
      concurrency: { levels: [...levels, ...extendLevels(levels)], durationS: block.concurrency?.duration_s ?? 60, scenario: CHAT },
      stability: {
        durationS: block.stability?.duration_s ?? 1800,
        windowS: block.stability?.window_s ?? 300,
        concurrency: block.stability?.concurrency ?? 8,
        scenario: CHAT,
      },
      tokenBudget: { samples: block.token_budget?.samples ?? 200, concurrency: 8, scenario: BUDGET },
    };
  }
  if (profile === 'standard') {
    return {
      profile,
      seed,
      slo,
      accuracy,
      latency: {
        scenarios: [CHAT, SUMMARISATION],
        samples: 40,
        warmup: 2,
        promptLengths: [128, 512, 1024, 2048],
        samplesPerLength: 10,
        imageSamples: 20,
      },
      throughput: { concurrency: 32, durationS: 20, scenario: CHAT, warmup: 8 },
      concurrency: { levels: [1, 5, 10, 30, 50], durationS: 15, scenario: CHAT },
      stability: { durationS: 300, windowS: 60, concurrency: 8, scenario: CHAT },
      tokenBudget: { samples: 80, concurrency: 8, scenario: BUDGET },
    };
  }
  if (profile === 'smoke') {
    const tiny: ScenarioPlan = { name: 'chat', inputTokens: 128, outputTokens: 8 };
    return {
      profile,
      seed,
      slo,
      accuracy,
      latency: { scenarios: [tiny], samples: 40, warmup: 1, promptLengths: [128, 1024], samplesPerLength: 5, imageSamples: 5 },
      throughput: { concurrency: 8, durationS: 1.5, scenario: tiny, warmup: 2 },
      concurrency: { levels: [1, 8], durationS: 1, scenario: tiny },
      stability: { durationS: 4, windowS: 2, concurrency: 8, scenario: tiny },
      tokenBudget: { samples: 16, concurrency: 8, scenario: { name: 'chat-budget', inputTokens: 128, outputTokens: 256 } },
    };
  }
  // quick: every dimension, short outputs so the simulated models finish in about a minute each.
  const quickChat: ScenarioPlan = { name: 'chat', inputTokens: 512, outputTokens: 32 };
  return {
    profile,
    seed,
    slo,
    accuracy,
    latency: {
      scenarios: [{ name: 'chat', inputTokens: 512, outputTokens: 16 }],
      samples: 40,
      warmup: 2,
      promptLengths: [128, 1024, 4096],
      samplesPerLength: 5,
      imageSamples: 5,
    },
    throughput: { concurrency: 32, durationS: 5, scenario: quickChat, warmup: 4 },
    concurrency: { levels: [1, 8, 32, 64], durationS: 3, scenario: quickChat },
    stability: { durationS: 16, windowS: 4, concurrency: 8, scenario: quickChat },
    tokenBudget: { samples: 24, concurrency: 8, scenario: BUDGET },
  };
}

/** "and beyond": add levels past the largest configured one to find where the server saturates. */
function extendLevels(levels: number[]): number[] {
  const top = Math.max(...levels);
  return [top * 2, top * 4].filter((l) => !levels.includes(l));
}

/** Estimated wall time of one model's run, in seconds, for the plan printed before a run. */
export function estimateSeconds(plan: Plan, perRequestS: number): Record<string, number> {
  const latencyRequests =
    plan.latency.scenarios.length * (plan.latency.samples + plan.latency.warmup) +
    plan.latency.promptLengths.length * plan.latency.samplesPerLength +
    plan.latency.imageSamples;
  return {
    accuracy: 10,
    latency: Math.round(latencyRequests * perRequestS),
    throughput: plan.throughput.durationS + 2,
    concurrency: plan.concurrency.levels.length * (plan.concurrency.durationS + 1),
    stability: plan.stability.durationS + 2,
    'token-budget': Math.round((plan.tokenBudget.samples / plan.tokenBudget.concurrency) * perRequestS) + 3,
  };
}
