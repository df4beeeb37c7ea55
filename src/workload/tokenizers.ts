/**
 * Token counting for prompt construction. Three sources, best first:
 *  - `server`: the served model's own tokenizer over HTTP (vLLM/SGLang-style or llama-server
 *    `/tokenize`), which is what `usage.prompt_tokens` will be counted with;
 *  - `local`: a `tokenizer.json` loaded with `@huggingface/tokenizers` (exact when it is the
 *    served model's file);
 *  - `approximate`: ~4 characters per token, flagged so reports mark lengths as approximate.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { request, type Dispatcher } from 'undici';
import { Tokenizer } from '@huggingface/tokenizers';
import type { ChatMessage, Endpoint } from '../client/types.ts';
import { helperDispatcher } from '../client/unix-socket.ts';

export type TokenizerKind = 'server' | 'local' | 'approximate';

export interface PromptTokenizer {
  kind: TokenizerKind;
  /** Where the counts come from, for reports (e.g. `vLLM /tokenize at http://host:8000`). Never holds secrets. */
  source: string;
  /** Tokens the server would count for `text` sent as a completions prompt (special tokens such as BOS included). */
  countText(text: string): Promise<number>;
  /** Tokens of `messages` after the chat template (generation prompt included). Absent when unknown. */
  countMessages?(messages: ChatMessage[]): Promise<number>;
  encode?(text: string): Promise<number[]>;
  decode?(ids: number[]): Promise<string>;
}

/** The tokenizer picked by {@link resolveTokenizer}, and why. */
export interface ResolvedTokenizer {
  tokenizer: PromptTokenizer;
  /** One sentence for reports: what is used and, when it is not the server's, why. */
  why: string;
  /** One line per option tried, in order, e.g. `server: POST http://…/tokenize (vllm shape) -> HTTP 404`. */
  reasons: string[];
}

/** Characters per token assumed by the approximate tokenizer (English prose with BPE vocabularies). */
export const APPROX_CHARS_PER_TOKEN = 4;

/** @default 2000 ms: the one-time probe of `/tokenize` must not hold up a run against a server without it. */
export const DEFAULT_PROBE_TIMEOUT_MS = 2000;

/** @default 30000 ms: per `/tokenize` call once the endpoint is known to exist. */
export const DEFAULT_TOKENIZE_TIMEOUT_MS = 30_000;

export class TokenizerError extends Error {
  constructor(
    readonly code: 'TOKENIZE_HTTP' | 'TOKENIZE_SHAPE' | 'TOKENIZER_JSON',
    message: string,
  ) {
    super(message);
    this.name = 'TokenizerError';
  }
}

/** `http://h:8000/v1/` -> `http://h:8000`: the tokenizer endpoints live at the server root. */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** Request headers for the server's helper endpoints; the API key is read now and never stored or logged. */
function authHeaders(endpoint: Endpoint): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...endpoint.headers };
  const key = endpoint.apiKeyEnv ? process.env[endpoint.apiKeyEnv] : undefined;
  if (key) headers.authorization = `Bearer ${key}`;
  return headers;
}

interface PostOptions {
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

async function postJson(url: string, endpoint: Endpoint, body: unknown, opts: PostOptions): Promise<{ status: number; json: unknown; text: string }> {
  const res = await request(url, {
    method: 'POST',
    headers: authHeaders(endpoint),
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(opts.timeoutMs),
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : endpoint.unixSocket !== undefined ? { dispatcher: helperDispatcher(endpoint)! } : {}),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, json, text };
}

function tokensOf(json: unknown): number[] | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const tokens = (json as { tokens?: unknown }).tokens;
  if (!Array.isArray(tokens)) return undefined;
  // llama-server with `with_pieces` returns objects {id, piece}; plain ids otherwise.
  return tokens.map((t: unknown) => (typeof t === 'object' && t !== null ? Number((t as { id: unknown }).id) : Number(t)));
}

/** Shapes of server tokenizer endpoints. */
export type ServerTokenizeFlavor = 'vllm' | 'llamacpp';

export interface ServerTokenizerOptions {
  flavor: ServerTokenizeFlavor;
  /** @default DEFAULT_TOKENIZE_TIMEOUT_MS */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

/**
 * The served model's own tokenizer over HTTP.
 * vLLM (and SGLang, which copies its shape): `POST /tokenize {model, prompt}` -> `{count, tokens}`,
 * `{model, messages}` for the chat-templated count, `POST /detokenize {model, tokens}` -> `{prompt}`.
 * llama-server: `POST /tokenize {content, add_special}` -> `{tokens}`, `/detokenize {tokens}` -> `{content}`;
 * it has no templated count here, so `countMessages` is absent for it.
 */
export function serverTokenizer(endpoint: Endpoint, options: ServerTokenizerOptions): PromptTokenizer {
  const root = serverRoot(endpoint.baseUrl);
  const post: PostOptions = { timeoutMs: options.timeoutMs ?? DEFAULT_TOKENIZE_TIMEOUT_MS, ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) };

  const call = async (path: string, body: unknown): Promise<unknown> => {
    const url = `${root}${path}`;
    const res = await postJson(url, endpoint, body, post);
    if (res.status < 200 || res.status >= 300) {
      throw new TokenizerError('TOKENIZE_HTTP', `POST ${url} for model "${endpoint.model}" returned HTTP ${res.status}: ${res.text.slice(0, 300)}`);
    }
    return res.json;
  };
  const tokensFrom = (json: unknown, path: string): number[] => {
    const tokens = tokensOf(json);
    if (!tokens) throw new TokenizerError('TOKENIZE_SHAPE', `POST ${root}${path} for model "${endpoint.model}" did not return a "tokens" array; is this a vLLM or llama-server tokenizer endpoint?`);
    return tokens;
  };

  if (options.flavor === 'llamacpp') {
    // add_special: count BOS as the completions endpoint will (older servers ignore the field).
    const encode = async (text: string): Promise<number[]> => tokensFrom(await call('/tokenize', { content: text, add_special: true }), '/tokenize');
    return {
      kind: 'server',
      source: `llama-server /tokenize at ${root}`,
      countText: async (text) => (await encode(text)).length,
      encode,
      decode: async (ids) => {
        const json = await call('/detokenize', { tokens: ids });
        const content = (json as { content?: unknown } | undefined)?.content;
        if (typeof content !== 'string') throw new TokenizerError('TOKENIZE_SHAPE', `POST ${root}/detokenize did not return "content"`);
        return content;
      },
    };
  }

  const templateKwargs = endpoint.extraBody?.chat_template_kwargs;
  const count = (json: unknown, path: string): number => {
    const c = (json as { count?: unknown } | undefined)?.count;
    return typeof c === 'number' ? c : tokensFrom(json, path).length;
  };
  return {
    kind: 'server',
    source: `vLLM-style /tokenize at ${root}`,
    countText: async (text) => count(await call('/tokenize', { model: endpoint.model, prompt: text }), '/tokenize'),
    countMessages: async (messages) =>
      count(
        await call('/tokenize', {
          model: endpoint.model,
          messages,
          add_generation_prompt: true,
          // The same template switches the chat requests send (e.g. enable_thinking), so the count matches.
          ...(templateKwargs !== undefined ? { chat_template_kwargs: templateKwargs } : {}),
        }),
        '/tokenize',
      ),
    encode: async (text) => tokensFrom(await call('/tokenize', { model: endpoint.model, prompt: text }), '/tokenize'),
    decode: async (ids) => {
      const json = await call('/detokenize', { model: endpoint.model, tokens: ids });
      const prompt = (json as { prompt?: unknown } | undefined)?.prompt;
      if (typeof prompt !== 'string') throw new TokenizerError('TOKENIZE_SHAPE', `POST ${root}/detokenize for model "${endpoint.model}" did not return "prompt"`);
      return prompt;
    },
  };
}

/**
 * A `tokenizer.json` loaded with `@huggingface/tokenizers`. A `tokenizer_config.json` next to it is
 * read too when present (it carries BOS/EOS settings). Counts include special tokens, as the server's
 * completions endpoint does. No chat template engine here, so `countMessages` is absent.
 */
export async function localTokenizer(tokenizerJsonPath: string): Promise<PromptTokenizer> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(tokenizerJsonPath, 'utf8'));
  } catch (err) {
    throw new TokenizerError('TOKENIZER_JSON', `cannot read tokenizer file ${tokenizerJsonPath}: ${(err as Error).message}. Point tokenizerJson at the served model's tokenizer.json (from its Hugging Face repo).`);
  }
  let config: object = {};
  try {
    config = JSON.parse(await readFile(join(dirname(tokenizerJsonPath), 'tokenizer_config.json'), 'utf8')) as object;
  } catch {
    // Optional file: defaults are fine without it.
  }
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json as object, config);
  } catch (err) {
    throw new TokenizerError('TOKENIZER_JSON', `${tokenizerJsonPath} is not a tokenizer @huggingface/tokenizers can load: ${(err as Error).message}`);
  }
  return {
    kind: 'local',
    source: `local tokenizer.json ${tokenizerJsonPath}`,
    countText: async (text) => tok.encode(text).ids.length,
    encode: async (text) => tok.encode(text).ids,
    decode: async (ids) => tok.decode(ids),
  };
}

/** ~{@link APPROX_CHARS_PER_TOKEN} characters per token; lengths built with it are not exact and reports must say so. */
export function approximateTokenizer(): PromptTokenizer {
  return {
    kind: 'approximate',
    source: `approximation (${APPROX_CHARS_PER_TOKEN} characters per token)`,
    countText: async (text) => Math.ceil(text.length / APPROX_CHARS_PER_TOKEN),
  };
}

export interface ResolveTokenizerOptions {
  /** Path of the served model's `tokenizer.json`, used when the server has no `/tokenize`. */
  tokenizerJson?: string;
  /** @default DEFAULT_PROBE_TIMEOUT_MS */
  probeTimeoutMs?: number;
  /** @default DEFAULT_TOKENIZE_TIMEOUT_MS */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

/** Why a probe failed; `unreachable` when no body shape could help (refused, timed out). */
interface ProbeFailure {
  message: string;
  unreachable: boolean;
}

async function probe(endpoint: Endpoint, flavor: ServerTokenizeFlavor, opts: ResolveTokenizerOptions): Promise<ProbeFailure | undefined> {
  const url = `${serverRoot(endpoint.baseUrl)}/tokenize`;
  const body = flavor === 'vllm' ? { model: endpoint.model, prompt: 'Hello world' } : { content: 'Hello world', add_special: true };
  try {
    const res = await postJson(url, endpoint, body, { timeoutMs: opts.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS, ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}) });
    if (res.status < 200 || res.status >= 300) return { message: `POST ${url} (${flavor} shape) -> HTTP ${res.status}`, unreachable: false };
    const tokens = tokensOf(res.json);
    if (!tokens || tokens.length === 0 || tokens.some((t) => !Number.isInteger(t))) {
      return { message: `POST ${url} (${flavor} shape) -> no "tokens" array of ids`, unreachable: false };
    }
    return undefined;
  } catch (err) {
    return { message: `POST ${url} (${flavor} shape) -> ${(err as Error).name}: ${(err as Error).message}`, unreachable: true };
  }
}

/**
 * Pick the best tokenizer available for `endpoint`: probe the server's `/tokenize` once (in the shape
 * its provider suggests first, then the other), then a local `tokenizer.json`, then the approximation.
 */
export async function resolveTokenizer(endpoint: Endpoint, opts: ResolveTokenizerOptions = {}): Promise<ResolvedTokenizer> {
  const reasons: string[] = [];
  const flavors: ServerTokenizeFlavor[] = endpoint.provider === 'llamacpp' ? ['llamacpp', 'vllm'] : ['vllm', 'llamacpp'];
  for (const flavor of flavors) {
    const failure = await probe(endpoint, flavor, opts);
    if (failure === undefined) {
      const tokenizer = serverTokenizer(endpoint, { flavor, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}) });
      reasons.push(`server: using ${tokenizer.source}`);
      return { tokenizer, why: `exact lengths from ${tokenizer.source}`, reasons };
    }
    reasons.push(`server: ${failure.message}`);
    // A connection failure or timeout will not change with the other body shape: do not wait twice.
    if (failure.unreachable) break;
  }
  if (opts.tokenizerJson) {
    try {
      const tokenizer = await localTokenizer(opts.tokenizerJson);
      reasons.push(`local: using ${opts.tokenizerJson}`);
      return { tokenizer, why: `the server has no usable /tokenize (${reasons.join('; ')}); lengths from ${tokenizer.source}`, reasons };
    } catch (err) {
      reasons.push(`local: ${(err as Error).message}`);
    }
  } else {
    reasons.push('local: no tokenizerJson configured (set it to the served model\'s tokenizer.json for exact lengths)');
  }
  reasons.push(`approximate: ${APPROX_CHARS_PER_TOKEN} characters per token, prompt lengths are approximate`);
  return { tokenizer: approximateTokenizer(), why: reasons.join('; '), reasons };
}
