/**
 * Parsing and validating generation request bodies into what the engine needs: the prompt's
 * token ids (chat template applied, images counted), the prefix-cache hash ids, and the sampling
 * parameters the simulator honours.
 */
import type { SimModelConfig } from './config.ts';
import { badRequest, HttpError } from './errors.ts';
import { imageTokens, resolveImageSize } from './images.ts';
import { encodeText, templateIds, SPECIAL, type TemplateMessage, type TemplatePart } from './tokenizer.ts';

export interface ParsedPrompt {
  ids: number[];
  /** Same length as `ids`; image pads replaced by a hash of the image so different images never share cache blocks. */
  hashIds: number[];
  /** Text of the last user message (answer-bank lookup key). */
  lastUserText: string;
}

export interface GenerationParams {
  stream: boolean;
  includeUsage: boolean;
  continuousUsage: boolean;
  maxTokens?: number;
  minTokens: number;
  ignoreEos: boolean;
  temperature: number;
  seed?: number;
}

type Body = Record<string, unknown>;

function optInt(body: Body, key: string, min: number): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw badRequest(`${key} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

export function parseParams(body: Body, kind: 'chat' | 'completions'): GenerationParams {
  const stream = body.stream === true;
  const so = body.stream_options;
  if (so !== undefined && so !== null && (typeof so !== 'object' || Array.isArray(so))) throw badRequest('stream_options must be an object');
  const soObj = (so ?? {}) as Body;
  if (!stream && so !== undefined && so !== null) throw badRequest('Stream options can only be defined when `stream=True`.');
  const maxTokens = (kind === 'chat' ? optInt(body, 'max_completion_tokens', 1) : undefined) ?? optInt(body, 'max_tokens', 1);
  const temperature = body.temperature ?? 1;
  if (typeof temperature !== 'number' || temperature < 0 || temperature > 2) throw badRequest(`temperature must be a number in [0, 2], got ${JSON.stringify(body.temperature)}`);
  const n = body.n ?? 1;
  if (n !== 1) throw badRequest('the simulator supports only n = 1');
  if (body.ignore_eos !== undefined && typeof body.ignore_eos !== 'boolean') throw badRequest('ignore_eos must be a boolean');
  const p: GenerationParams = {
    stream,
    includeUsage: soObj.include_usage === true,
    continuousUsage: soObj.continuous_usage_stats === true,
    minTokens: optInt(body, 'min_tokens', 0) ?? 0,
    ignoreEos: body.ignore_eos === true,
    temperature,
  };
  if (maxTokens !== undefined) p.maxTokens = maxTokens;
  const seed = body.seed;
  if (seed !== undefined && seed !== null) {
    if (typeof seed !== 'number' || !Number.isInteger(seed)) throw badRequest('seed must be an integer');
    p.seed = seed;
  }
  if (p.maxTokens !== undefined && p.minTokens > p.maxTokens) throw badRequest(`min_tokens (${p.minTokens}) must be <= max_tokens (${p.maxTokens})`);
  return p;
}

function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Chat `messages` to template parts; images are sized (data URL or local fetch) and counted. */
async function toTemplate(messages: unknown, image: SimModelConfig['image']): Promise<{ msgs: TemplateMessage[]; imageHashes: number[]; lastUserText: string }> {
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest('messages must be a non-empty array');
  const msgs: TemplateMessage[] = [];
  const imageHashes: number[] = [];
  let lastUserText = '';
  for (const [i, m] of messages.entries()) {
    if (typeof m !== 'object' || m === null) throw badRequest(`messages[${i}] must be an object`);
    const { role, content } = m as Body;
    if (typeof role !== 'string' || !['system', 'user', 'assistant', 'developer', 'tool'].includes(role)) throw badRequest(`messages[${i}].role is invalid: ${JSON.stringify(role)}`);
    const parts: TemplatePart[] = [];
    if (typeof content === 'string') parts.push({ text: content });
    else if (Array.isArray(content)) {
      for (const [j, part] of content.entries()) {
        const p = part as Body;
        if (p?.type === 'text' && typeof p.text === 'string') parts.push({ text: p.text });
        else if (p?.type === 'image_url') {
          const url = typeof p.image_url === 'string' ? p.image_url : (p.image_url as Body | undefined)?.url;
          if (typeof url !== 'string') throw badRequest(`messages[${i}].content[${j}].image_url.url must be a string`);
          let size;
          try {
            size = await resolveImageSize(url);
          } catch (e) {
            throw badRequest(`messages[${i}].content[${j}]: ${(e as Error).message}`);
          }
          parts.push({ imageTokens: imageTokens(size, image) });
          imageHashes.push(stringHash(url));
        } else throw badRequest(`messages[${i}].content[${j}] must be {type: "text", text} or {type: "image_url", image_url: {url}}`);
      }
    } else if (content !== null && content !== undefined) throw badRequest(`messages[${i}].content must be a string or an array of parts`);
    if (role === 'user') lastUserText = parts.map((p) => ('text' in p ? p.text : '')).join('');
    msgs.push({ role, parts });
  }
  return { msgs, imageHashes, lastUserText };
}

function withImageHashes(ids: number[], imageHashes: number[]): number[] {
  if (imageHashes.length === 0) return ids;
  const out = ids.slice();
  let img = -1;
  for (let k = 0; k < out.length; k++) {
    if (out[k] === SPECIAL.visionStart) img++;
    else if (out[k] === SPECIAL.imagePad) out[k] = (imageHashes[img] ?? 0) + 300_000;
  }
  return out;
}

/** Chat request prompt. */
export async function parseChatPrompt(body: Body, image: SimModelConfig['image'], addGenerationPrompt = true): Promise<ParsedPrompt> {
  const { msgs, imageHashes, lastUserText } = await toTemplate(body.messages, image);
  const ids = templateIds(msgs, addGenerationPrompt);
  return { ids, hashIds: withImageHashes(ids, imageHashes), lastUserText };
}

/** Completions `prompt`: a string, a one-element string array, or token ids. */
export function parseCompletionPrompt(prompt: unknown, field = 'prompt'): ParsedPrompt {
  let p = prompt;
  if (Array.isArray(p) && p.length === 1 && typeof p[0] === 'string') p = p[0];
  if (typeof p === 'string') {
    const ids = encodeText(p);
    return { ids, hashIds: ids, lastUserText: p };
  }
  if (Array.isArray(p) && p.length > 0 && p.every((x) => Number.isInteger(x) && (x as number) >= 0)) {
    const ids = p as number[];
    return { ids, hashIds: ids, lastUserText: '' };
  }
  throw new HttpError(400, `${field} must be a string, a one-element array of strings, or an array of token ids`);
}
