/**
 * Reads one parsed OpenAI stream chunk (chat or completions) into the few facts the client
 * measures: did it carry choices, which token channels did it carry, did it finish, did it carry
 * usage or an error. Servers differ (servers.md): role-only first chunks, `delta: {}` finish
 * chunks, usage-only chunks with `choices: []`, usage on the last choices chunk, usage on every
 * chunk, `reasoning_content` or `reasoning`, tool-call deltas, mid-stream `{"error": ...}`.
 */

/** Token counts a server reported (`usage`). */
export interface UsageView {
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
}

/** A mid-stream or body-level error object. */
export interface ErrorView {
  message: string;
  status?: number;
  type?: string;
}

/** What one chunk carried. Strings are empty when the channel was absent. */
export interface ChunkView {
  /** `choices` was a non-empty array (TTFC counts these, role-only chunks included). */
  hasChoices: boolean;
  /** Output text: chat `delta.content`, completions `text`. */
  content: string;
  /** `delta.reasoning_content` or `delta.reasoning`. */
  reasoning: string;
  /** Number of tool-call deltas (`delta.tool_calls` entries). */
  toolCalls: number;
  /** Tool-call names and argument fragments, for the client-side token estimate only. */
  toolText: string;
  /** The last non-null `finish_reason` among the choices, else null. */
  finishReason: string | null;
  usage: UsageView | null;
  error: ErrorView | null;
  /** Why the chunk does not have an OpenAI chunk's shape, else null. */
  malformed: string | null;
}

export function emptyView(): ChunkView {
  return { hasChoices: false, content: '', reasoning: '', toolCalls: 0, toolText: '', finishReason: null, usage: null, error: null, malformed: null };
}

function reset(v: ChunkView): ChunkView {
  v.hasChoices = false;
  v.content = '';
  v.reasoning = '';
  v.toolCalls = 0;
  v.toolText = '';
  v.finishReason = null;
  v.usage = null;
  v.error = null;
  v.malformed = null;
  return v;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function num(x: unknown): number | undefined {
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

/** Reads an OpenAI `usage` object; null when absent or not an object. */
export function readUsage(u: unknown): UsageView | null {
  if (!isObject(u)) return null;
  const details = u.prompt_tokens_details;
  return {
    promptTokens: num(u.prompt_tokens),
    completionTokens: num(u.completion_tokens),
    cachedTokens: isObject(details) ? num(details.cached_tokens) : undefined,
  };
}

/**
 * Reads an error body: `{"error": {"message", "type", "code"}}` (OpenAI, newer vLLM, llama-server)
 * or the flat `{"object": "error", "message", "type", "code"}` (older vLLM, SGLang). Null when the
 * object is not an error. llama-server's context overflow adds `n_prompt_tokens` and `n_ctx`,
 * which are kept in the message because they say by how much the prompt was too long.
 */
export function readError(obj: unknown): ErrorView | null {
  if (!isObject(obj)) return null;
  let e: Record<string, unknown> | null = null;
  if (isObject(obj.error)) e = obj.error;
  else if (typeof obj.error === 'string') return { message: obj.error };
  else if (obj.object === 'error') e = obj;
  if (e === null) return null;
  const type = typeof e.type === 'string' ? e.type : undefined;
  let message = typeof e.message === 'string' && e.message.length > 0 ? e.message : JSON.stringify(e);
  const nPrompt = num(e.n_prompt_tokens);
  const nCtx = num(e.n_ctx);
  if (nPrompt !== undefined && nCtx !== undefined && !message.includes(String(nCtx))) {
    message += ` (n_prompt_tokens=${nPrompt}, n_ctx=${nCtx})`;
  }
  const code = num(e.code) ?? (typeof e.code === 'string' && /^\d{3}$/.test(e.code) ? Number(e.code) : undefined);
  return { message, status: code, type };
}

function readToolCalls(calls: unknown, v: ChunkView): void {
  if (!Array.isArray(calls)) return;
  for (const c of calls) {
    v.toolCalls++;
    if (!isObject(c) || !isObject(c.function)) continue;
    const f = c.function;
    if (typeof f.name === 'string') v.toolText += f.name;
    if (typeof f.arguments === 'string') v.toolText += f.arguments;
  }
}

/**
 * Fills `into` (reused across events to avoid an allocation per token) from a parsed chunk.
 * Works for chat (`choices[].delta`) and completions (`choices[].text`) alike.
 */
export function readChunk(obj: unknown, into: ChunkView): ChunkView {
  const v = reset(into);
  if (!isObject(obj)) {
    v.malformed = `expected a JSON object, got ${Array.isArray(obj) ? 'an array' : obj === null ? 'null' : typeof obj}`;
    return v;
  }
  const err = readError(obj);
  if (err) {
    v.error = err;
    return v;
  }
  const choices = obj.choices;
  if (obj.usage !== undefined && obj.usage !== null) v.usage = readUsage(obj.usage);
  if (choices === undefined || choices === null) {
    if (v.usage === null) v.malformed = 'the chunk has neither "choices" nor "usage"';
    return v;
  }
  if (!Array.isArray(choices)) {
    v.malformed = '"choices" is not an array';
    return v;
  }
  for (const c of choices) {
    if (!isObject(c)) {
      v.malformed = 'a "choices" entry is not an object';
      return v;
    }
    v.hasChoices = true;
    if (typeof c.finish_reason === 'string') v.finishReason = c.finish_reason;
    if (typeof c.text === 'string') v.content += c.text;
    const d = c.delta;
    if (isObject(d)) {
      if (typeof d.content === 'string') v.content += d.content;
      if (typeof d.reasoning_content === 'string') v.reasoning += d.reasoning_content;
      else if (typeof d.reasoning === 'string') v.reasoning += d.reasoning;
      if (d.tool_calls !== undefined) readToolCalls(d.tool_calls, v);
    }
  }
  return v;
}

/** Convenience form of `readChunk` that allocates its result. */
export function interpretChunk(obj: unknown): ChunkView {
  return readChunk(obj, emptyView());
}

/** Token-bearing: carried a non-empty generated token on any channel (TTFT counts these). */
export function isTokenBearing(v: ChunkView): boolean {
  return v.content.length > 0 || v.reasoning.length > 0 || v.toolCalls > 0;
}

/** Carried a non-reasoning output token (TTFO counts these). */
export function isOutputBearing(v: ChunkView): boolean {
  return v.content.length > 0 || v.toolCalls > 0;
}
