/**
 * The request body and target of one generation request. Only fields that carry a value are
 * sent: llama-server rejects `"logprobs": null`, hosted APIs reject `ignore_eos`, and an unneeded
 * field is a way to be rejected by some server.
 */
import type { ChatMessage, Endpoint, GenerationRequest } from './types.ts';

/** The path of the generation route below the base URL. */
export function routeOf(endpoint: Endpoint): string {
  return endpoint.kind === 'chat' ? '/chat/completions' : '/completions';
}

function textOf(messages: ChatMessage[]): string {
  const parts: string[] = [];
  for (const m of messages) {
    if (typeof m.content === 'string') parts.push(m.content);
    else for (const p of m.content) if (p.type === 'text') parts.push(p.text);
  }
  return parts.join('\n\n');
}

/**
 * Builds the JSON body. A chat endpoint given only `prompt` sends it as one user message; a
 * completions endpoint given only `messages` sends their text parts joined by blank lines (images
 * cannot go to `/completions`). Streaming always asks for usage (`stream_options.include_usage`).
 * `extraBody` of the endpoint, then of the request, is merged last and may override anything.
 */
export function buildRequestBody(endpoint: Endpoint, req: GenerationRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { model: endpoint.model };
  if (endpoint.kind === 'chat') {
    body.messages = req.messages ?? (req.prompt !== undefined ? [{ role: 'user', content: req.prompt }] : []);
  } else {
    body.prompt = req.prompt ?? (req.messages !== undefined ? textOf(req.messages) : '');
  }
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  if (req.ignoreEos === true) body.ignore_eos = true;
  if (req.minTokens !== undefined) body.min_tokens = req.minTokens;
  if (endpoint.extraBody) Object.assign(body, endpoint.extraBody);
  if (req.extraBody) Object.assign(body, req.extraBody);
  return body;
}

/** A base URL split once into what undici needs: the origin and the path prefix (no trailing slash). */
export interface Target {
  origin: string;
  basePath: string;
}

const targets = new Map<string, Target>();

/** Parses and caches `baseUrl`; throws a TypeError naming the URL when it is not http(s). */
export function targetOf(baseUrl: string): Target {
  let t = targets.get(baseUrl);
  if (t) return t;
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    throw new TypeError(`base URL "${baseUrl}" is not a valid URL; expected e.g. http://127.0.0.1:8000/v1`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new TypeError(`base URL "${baseUrl}" must start with http:// or https://`);
  }
  t = { origin: u.origin, basePath: u.pathname.replace(/\/+$/, '') };
  targets.set(baseUrl, t);
  return t;
}

/** The server root for `/health` and `/metrics`: the base URL without a trailing `/v1`. */
export function rootOf(baseUrl: string): Target {
  const t = targetOf(baseUrl);
  return { origin: t.origin, basePath: t.basePath.replace(/\/v1$/, '') };
}
