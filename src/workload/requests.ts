/**
 * A workload: `count` generation requests built ahead of time (so tokenizing does not disturb the
 * timing of the run), each with a fresh prompt of the scenario's exact input length, the output
 * length forced where the provider can, and optionally an image.
 */
import { randomBytes } from 'node:crypto';
import type { Endpoint, EndpointKind, GenerationRequest, Provider } from '../client/types.ts';
import { createRng, deriveSeed } from '../util/random.ts';
import { pickImage, sizeLabel, type ImageSource } from './images.ts';
import { buildPrompt, type BuiltPrompt } from './prompts.ts';
import type { Scenario } from './scenarios.ts';
import type { PromptTokenizer, TokenizerKind } from './tokenizers.ts';

/**
 * Providers that honour `ignore_eos` (vLLM, SGLang, llama-server and the built-in simulator).
 * Hosted OpenAI-compatible APIs, Ollama, TGI and LMDeploy reject or ignore it: there the
 * requested output length is only a cap and reports must show the mismatch.
 */
const FORCED_LENGTH: ReadonlySet<Provider> = new Set<Provider>(['vllm', 'sglang', 'llamacpp', 'sim']);

/** Providers that also take `min_tokens`; llama-server has no such field and extra fields are not sent. */
const MIN_TOKENS: ReadonlySet<Provider> = new Set<Provider>(['vllm', 'sglang', 'sim']);

export function supportsForcedLength(provider: Provider): boolean {
  return FORCED_LENGTH.has(provider);
}

/** @default 4: prompts built in parallel (each costs a few `/tokenize` round trips). */
export const DEFAULT_BUILD_CONCURRENCY = 4;

export interface WorkloadOptions {
  endpoint: Endpoint;
  /** A named or custom scenario; or give `inputTokens`/`outputTokens` directly. */
  scenario?: Pick<Scenario, 'inputTokens' | 'outputTokens'> & { name?: string; description?: string };
  inputTokens?: number;
  outputTokens?: number;
  tokenizer: PromptTokenizer;
  /** Seed of every random choice; recorded in `Workload.seed`. */
  seed: number;
  /** Ask the server to produce exactly `outputTokens` (only where {@link supportsForcedLength}). */
  forceOutputLength: boolean;
  /** Adds an image part to every request (chat endpoints only). */
  image?: ImageSource;
  /**
   * Length of a prefix shared by every prompt, for measuring prefix caching. It counts toward the
   * input length. For chat endpoints the cached part also covers the chat template's head.
   */
  sharedPrefixTokens?: number;
  /** Number of distinct requests; `next(i)` is defined for 0 <= i < count. */
  count: number;
  /** @default true */
  stream?: boolean;
  /** Sent only when set. */
  temperature?: number;
  /** System message for chat endpoints. */
  systemPrompt?: string;
  /**
   * Part of every request's unique prefix. Prompts are reproducible from (seed, nonce); a fresh
   * nonce per run keeps a server's prompt cache, warmed by an earlier run with the same seed, from
   * flattering TTFT. Pass the recorded nonce to rebuild the exact prompts.
   * @default 8 random hex characters
   */
  nonce?: string;
  /** @default DEFAULT_BUILD_CONCURRENCY */
  buildConcurrency?: number;
  signal?: AbortSignal;
}

export interface Workload {
  seed: number;
  nonce: string;
  count: number;
  scenario: { name: string; inputTokens: number; outputTokens: number };
  endpointKind: EndpointKind;
  /** False when the provider cannot force the output length (or it was not asked): report the OSL mismatch. */
  forcesOutputLength: boolean;
  tokenizerKind: TokenizerKind;
  tokenizerSource: string;
  /** True when every prompt's length was measured exactly as the server counts it. */
  exactInputLength: boolean;
  /** Measured text length of each prompt (image tokens excluded). */
  inputTokens: readonly number[];
  /** Tokenizer calls spent building the workload. */
  measurements: number;
  sharedPrefix?: { text: string; tokens: number };
  image?: ImageSource;
  /** Request `i` (0 <= i < count). A fresh object each call, so callers may not corrupt the workload. */
  next(i: number): GenerationRequest;
  /** Tags to record with request `i` (scenario, image name and size). */
  tags(i: number): Record<string, string | number>;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const out = new Array<R>(items.length);
  let nextIdx = 0;
  const worker = async (): Promise<void> => {
    while (nextIdx < items.length) {
      signal?.throwIfAborted();
      const i = nextIdx++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

export async function createWorkload(opts: WorkloadOptions): Promise<Workload> {
  const { endpoint, tokenizer, seed } = opts;
  const inputTokens = opts.scenario?.inputTokens ?? opts.inputTokens;
  const outputTokens = opts.scenario?.outputTokens ?? opts.outputTokens;
  const name = opts.scenario?.name ?? 'custom';
  for (const [field, v] of [['inputTokens', inputTokens], ['outputTokens', outputTokens], ['count', opts.count]] as const) {
    if (v === undefined || !Number.isInteger(v) || v < 1) {
      throw new RangeError(`createWorkload for model "${endpoint.model}": ${field} must be a positive integer, got ${v}; give a scenario or inputTokens/outputTokens`);
    }
  }
  const isl = inputTokens as number;
  const osl = outputTokens as number;
  if (opts.image && endpoint.kind !== 'chat') {
    throw new Error(`model "${endpoint.model}" at ${endpoint.baseUrl}: images need the chat endpoint, but the endpoint kind is "${endpoint.kind}"; set kind: chat`);
  }
  const asChat = endpoint.kind === 'chat';
  const nonce = opts.nonce ?? randomBytes(4).toString('hex');
  let measurements = 0;

  let sharedPrefix: { text: string; tokens: number } | undefined;
  if (opts.sharedPrefixTokens !== undefined) {
    if (!Number.isInteger(opts.sharedPrefixTokens) || opts.sharedPrefixTokens < 1 || opts.sharedPrefixTokens >= isl) {
      throw new RangeError(`createWorkload: sharedPrefixTokens must be an integer in [1, ${isl - 1}] (below the input length), got ${opts.sharedPrefixTokens}`);
    }
    // Measured as a bare prompt: with BOS, these are the first tokens of every completions prompt.
    const built = await buildPrompt({ targetTokens: opts.sharedPrefixTokens, tokenizer, rng: createRng(deriveSeed(seed, 'shared-prefix')) });
    measurements += built.measurements;
    sharedPrefix = { text: built.text, tokens: built.tokens };
  }

  const indices = Array.from({ length: opts.count }, (_, i) => i);
  const prompts: BuiltPrompt[] = await mapLimit(
    indices,
    opts.buildConcurrency ?? DEFAULT_BUILD_CONCURRENCY,
    (i) =>
      buildPrompt({
        targetTokens: isl,
        tokenizer,
        // Per-request seeds: the prompts do not depend on the build order.
        rng: createRng(deriveSeed(seed, i)),
        uniquePrefix: `[${nonce}-${i}]`,
        ...(sharedPrefix ? { sharedPrefix: sharedPrefix.text } : {}),
        asChat,
        ...(opts.systemPrompt ? { systemPrompt: opts.systemPrompt } : {}),
      }),
    opts.signal,
  );
  for (const p of prompts) measurements += p.measurements;

  const forces = opts.forceOutputLength && supportsForcedLength(endpoint.provider);
  const sendsMinTokens = forces && MIN_TOKENS.has(endpoint.provider);
  const check = (i: number): BuiltPrompt => {
    const p = Number.isInteger(i) && i >= 0 ? prompts[i] : undefined;
    if (!p) throw new RangeError(`workload "${name}" has ${opts.count} prebuilt requests, request ${i} asked for; create it with a larger count (reusing prompts would let prompt caches flatter latency)`);
    return p;
  };

  return {
    seed,
    nonce,
    count: opts.count,
    scenario: { name, inputTokens: isl, outputTokens: osl },
    endpointKind: endpoint.kind,
    forcesOutputLength: forces,
    tokenizerKind: tokenizer.kind,
    tokenizerSource: tokenizer.source,
    exactInputLength: prompts.every((p) => p.exact),
    inputTokens: prompts.map((p) => p.tokens),
    measurements,
    ...(sharedPrefix ? { sharedPrefix } : {}),
    ...(opts.image ? { image: opts.image } : {}),
    next(i) {
      const p = check(i);
      const req: GenerationRequest = {
        stream: opts.stream ?? true,
        maxTokens: osl,
        intendedInputTokens: p.tokens,
        intendedOutputTokens: osl,
        ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
        ...(forces ? { ignoreEos: true } : {}),
        ...(sendsMinTokens ? { minTokens: osl } : {}),
      };
      if (!asChat) return { ...req, prompt: p.text };
      const messages = (p.messages ?? [{ role: 'user' as const, content: p.text }]).map((m) => ({ ...m }));
      if (opts.image) {
        const last = messages[messages.length - 1];
        // Image first, then the text: the order vLLM bench and most VLM chat templates expect.
        if (last) last.content = [pickImage(opts.image, i).part, { type: 'text', text: p.text }];
      }
      return { ...req, messages };
    },
    tags(i) {
      check(i);
      const tags: Record<string, string | number> = { scenario: name };
      if (opts.image) {
        const img = pickImage(opts.image, i);
        tags.image = img.name;
        tags.imageSize = sizeLabel(img);
        if (img.width !== undefined) tags.imageWidth = img.width;
        if (img.height !== undefined) tags.imageHeight = img.height;
      }
      return tags;
    },
  };
}
