/**
 * The `sim:` block of a `provider: sim` model entry in models.yaml: how the built-in simulator
 * behaves (engine timing, context overflow policy, answer quality, faults, drift, wire details).
 *
 * Every engine parameter has a default that resembles a ~7B model served by vLLM on one
 * datacenter GPU, so `sim: {}` is a plausible server. Keys are snake_case like the rest of
 * models.yaml; every object is strict so a typo (`max_num_seq`) is an error, not a silent default.
 */
import { z } from 'zod';

/**
 * A fault that hits selected requests. Selection is deterministic: request number i (1-based,
 * in arrival order) is hit when `every > 0 && i % every === 0`, or when a draw from a generator
 * seeded by (sim seed, fault kind, i) falls below `rate`.
 */
const triggerShape = {
  /** @default 0 Fraction of requests hit, 0..1. */
  rate: z.number().min(0).max(1).default(0).describe('Fraction of requests hit (0..1), drawn deterministically from the seed.'),
  /** @default 0 Hit every Nth request (0 = off). */
  every: z.number().int().min(0).default(0).describe('Hit every Nth request in arrival order (0 = off).'),
};

const midStreamShape = {
  ...triggerShape,
  /** @default 3 Tokens streamed before the fault happens. */
  after_tokens: z.number().int().min(0).default(3).describe('Generated tokens streamed before the fault strikes.'),
};

export const engineSchema = z
  .object({
    /** @default 256 vLLM's default `--max-num-seqs`: sequences decoded together; the rest wait. */
    max_num_seqs: z.number().int().min(1).default(256).describe('At most this many running sequences (continuous batching); further requests wait.'),
    /** @default 2048 vLLM's chunked-prefill token budget per engine step (decode tokens count against it). */
    max_num_batched_tokens: z.number().int().min(1).default(2048).describe('Token budget of one engine step (prefill chunks + one token per decoding sequence).'),
    /** @default 20000 Prefill throughput of a 7B model on one A100/H100-class GPU, tokens/s. */
    prefill_tokens_per_s: z.number().positive().default(20_000).describe('Prefill speed in tokens/s: a step that prefills k tokens takes k / this longer.'),
    /** @default 12 Fixed cost of one engine step in ms (weights read once per step: ~80 tokens/s at batch 1). */
    step_base_ms: z.number().min(0).default(12).describe('Fixed cost of one engine step, ms.'),
    /** @default 0.1 Extra step cost per sequence in the batch, ms (attention/KV reads grow with the batch). */
    step_per_seq_ms: z.number().min(0).default(0.1).describe('Extra cost of one engine step per sequence in the batch, ms.'),
    /** @default 200000 KV-cache capacity in tokens (a 7B model's KV cache on an 80 GB GPU at 0.9 utilisation, roughly). */
    kv_cache_tokens: z.number().int().min(1).default(200_000).describe('KV-cache capacity in tokens; admission waits while it is full.'),
    /** @default 16 vLLM's KV block size: allocation and prefix-cache granularity. */
    block_size: z.number().int().min(1).default(16).describe('KV block size in tokens (allocation and prefix-cache granularity).'),
    /** @default true vLLM V1 enables automatic prefix caching by default. */
    prefix_caching: z.boolean().default(true).describe('Reuse KV blocks of repeated prompt prefixes (reported as cached_tokens).'),
  })
  .strict();

export const imageSchema = z
  .object({
    /** @default 14 Vision patch size in pixels (Qwen2/2.5-VL: 14; Qwen3-VL: 16). */
    patch_size: z.number().int().min(1).default(14).describe('Vision encoder patch size in pixels.'),
    /** @default 2 Patches merged per side into one token (Qwen-VL: 2, so one token per 28x28 pixels). */
    merge_size: z.number().int().min(1).default(2).describe('Patches merged per side into one LLM token.'),
    /** @default 3136 Qwen-VL `min_pixels` (56*56): smaller images are scaled up. */
    min_pixels: z.number().int().min(1).default(3136).describe('Images are resized up to at least this many pixels.'),
    /** @default 12845056 Qwen-VL `max_pixels` (16384*28*28): larger images are scaled down. */
    max_pixels: z.number().int().min(1).default(12_845_056).describe('Images are resized down to at most this many pixels.'),
  })
  .strict();

export const outputSchema = z
  .object({
    /** @default 48 Shortest natural (EOS-terminated) answer when no answer-bank entry matches. */
    natural_tokens_min: z.number().int().min(1).default(48).describe('Shortest generated answer (tokens) before EOS when ignore_eos is off.'),
    /** @default 160 Longest natural answer; the length is drawn from the seed and the prompt. */
    natural_tokens_max: z.number().int().min(1).default(160).describe('Longest generated answer (tokens) before EOS when ignore_eos is off.'),
  })
  .strict()
  .refine((o) => o.natural_tokens_max >= o.natural_tokens_min, {
    message: 'natural_tokens_max must be >= natural_tokens_min',
    path: ['natural_tokens_max'],
  });

export const faultsSchema = z
  .object({
    /** @default 0 Fraction of requests answered with an HTTP error status instead of a completion. */
    error_rate: z.number().min(0).max(1).default(0).describe('Fraction of requests answered with an HTTP error (statuses from error_statuses).'),
    /** @default 0 Every Nth request gets an HTTP error (0 = off). */
    error_every: z.number().int().min(0).default(0).describe('Every Nth request gets an HTTP error (0 = off).'),
    /** @default [503] Statuses used for injected errors, picked deterministically per request. */
    error_statuses: z.array(z.union([z.literal(429), z.literal(500), z.literal(503)])).min(1).default([503]).describe('HTTP statuses for injected errors (429, 500, 503).'),
    /** @default 1 `Retry-After` seconds sent with injected 429 and 503. */
    retry_after_s: z.number().int().min(0).default(1).describe('Retry-After header (seconds) on injected 429/503.'),
    /** Destroy the socket before any response byte. */
    reset_before_headers: z.object(triggerShape).strict().prefault({}).describe('Reset the connection before sending headers.'),
    /** Destroy the socket after `after_tokens` streamed tokens. */
    reset_mid_stream: z.object(midStreamShape).strict().prefault({}).describe('Reset the connection mid-stream.'),
    /** Send nothing for `duration_s` after `after_tokens` tokens, then continue. */
    stall: z
      .object({
        ...midStreamShape,
        /** @default 5 Length of the silence, seconds. */
        duration_s: z.number().min(0).default(5).describe('Seconds without a byte.'),
      })
      .strict()
      .prefault({})
      .describe('Stop sending bytes for a while mid-stream.'),
    /** Send one `data:` line that is not JSON after `after_tokens` tokens. */
    malformed_event: z.object(midStreamShape).strict().prefault({}).describe('Send a data line that is not valid JSON mid-stream.'),
    /** Send `data: {"error": ...}` after `after_tokens` tokens and close without `[DONE]`. */
    error_event: z.object(midStreamShape).strict().prefault({}).describe('Send a mid-stream error event and close without [DONE].'),
  })
  .strict();

export const driftSchema = z
  .object({
    /** @default 0 Step time grows by this fraction of itself per minute of uptime (0.1 = +10 %/min), like a leak. */
    slowdown_per_min: z.number().min(0).default(0).describe('Fractional step-time increase per minute after start_after_s (0.1 = +10 % per minute).'),
    /** @default 0 Seconds of uptime before the drift starts. */
    start_after_s: z.number().min(0).default(0).describe('Uptime in seconds before the drift starts.'),
    /** @default 10 Upper bound of the slowdown factor. */
    max_factor: z.number().min(1).default(10).describe('Largest step-time multiplier the drift reaches.'),
  })
  .strict();

export const wireSchema = z
  .object({
    /** @default 'start' When the role-only chat chunk is sent: at request start (before prefill), with the first token, or never. */
    role_chunk: z.enum(['start', 'with_first_token', 'none']).default('start').describe('When the role-only chat chunk is sent.'),
    /** @default 'empty' The role-only chunk's content: `""` (vLLM) or `null`. */
    role_chunk_content: z.enum(['empty', 'null']).default('empty').describe('Content of the role-only chunk: "" or null.'),
    /**
     * @default 'final_chunk' Where streamed usage goes: a usage-only chunk when
     * `stream_options.include_usage` is set (vLLM); on the last chunk that has choices, always
     * (llama-server completions); or never.
     */
    usage: z.enum(['final_chunk', 'last_choices_chunk', 'omitted']).default('final_chunk').describe('Placement of usage in streams.'),
    /** @default 0 Send an SSE comment `: ping` after this many ms without data (0 = never). llama-server uses 30000. */
    comment_ping_ms: z.number().min(0).default(0).describe('Send an SSE comment after this many ms of silence (0 = off).'),
    /** @default 1 Tokens per SSE chunk (vLLM `--stream-interval`); the last chunk may carry fewer. */
    tokens_per_chunk: z.number().int().min(1).default(1).describe('Generated tokens per streamed chunk.'),
    /** @default false Add `sim_t_ms` (the modelled emission time, ms on the server's clock) to each chunk, so a bench can compare measured gaps with modelled ones. */
    timing_field: z.boolean().default(false).describe('Add the modelled emission time `sim_t_ms` to every chunk (for fidelity benchmarks).'),
  })
  .strict();

export const simModelSchema = z
  .object({
    /** @default 0 Seed of every random choice (fault selection, generated text, answer lengths). */
    seed: z.number().int().default(0).describe('Seed for generated text, answer lengths and fault selection.'),
    engine: engineSchema.prefault({}).describe('Continuous-batching engine timing.'),
    /**
     * @default 'error' prompt + max_tokens over max_model_len: HTTP 400 with vLLM's message
     * (`error`), or llama-server-style silent truncation at the context (`truncate`). A prompt
     * alone over the context is a 400 either way, in the matching server's wording.
     */
    overflow: z.enum(['error', 'truncate']).default('error').describe('Context overflow policy: vLLM 400 (error) or llama-server truncation (truncate).'),
    /** @default 'accurate' How answer-bank answers are degraded, to simulate a weaker model. */
    persona: z
      .enum(['accurate', 'digit_drift', 'drop_entities', 'forbidden_phrase', 'broken_json'])
      .default('accurate')
      .describe('Quality persona applied to answer-bank answers.'),
    /** Answer-bank JSON file (relative paths resolve against the models.yaml directory, or the cwd). */
    answer_bank: z.string().min(1).optional().describe('Path of the answer-bank JSON file.'),
    output: outputSchema.prefault({}).describe('Length of generated answers.'),
    image: imageSchema.prefault({}).describe('Image token accounting (Qwen-VL style).'),
    faults: faultsSchema.prefault({}).describe('Injected failures.'),
    drift: driftSchema.prefault({}).describe('Latency drift over uptime.'),
    wire: wireSchema.prefault({}).describe('Streaming wire-format variations.'),
  })
  .strict();

/** The validated `sim:` block, all defaults filled in. */
export type SimModelConfig = z.infer<typeof simModelSchema>;
/** What a user may write (every field optional). */
export type SimModelInput = z.input<typeof simModelSchema>;

/** Thrown for an invalid `sim:` block; `message` names the entry and each bad field. */
export class SimConfigError extends Error {
  readonly code = 'SIM_CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'SimConfigError';
  }
}

/**
 * Validate a raw `sim:` block. `where` names its origin for the message, e.g.
 * `models.yaml, model "sim-candidate"`. Throws {@link SimConfigError} listing every bad field as
 * `sim.engine.max_num_seqs: ...`.
 */
export function parseSimConfig(raw: unknown, where: string): SimModelConfig {
  const r = simModelSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const lines = r.error.issues.flatMap((i) => {
    const path = ['sim', ...i.path.map(String)].join('.');
    // Name each unknown key by its full path so a typo is found without reading the schema.
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => `  - ${path}.${k}: unknown key (check the spelling)`);
    return [`  - ${path}: ${i.message}`];
  });
  throw new SimConfigError(
    `Invalid simulator configuration in ${where}:\n${lines.join('\n')}\n` +
      'Fix these fields in the entry\'s `sim:` block (see src/sim/config.ts for every key and its default).',
  );
}
