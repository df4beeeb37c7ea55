/**
 * The simulator's tokenizer: o200k_base BPE from gpt-tokenizer plus a ChatML chat template
 * (Qwen's), so `usage.prompt_tokens`, `/tokenize` and generated-token counts all come from one
 * real tokenizer.
 *
 * Template overhead: each message is `<|im_start|>{role}\n{content}<|im_end|>\n` = content + 5
 * tokens for the roles system/user/assistant (1 + 2 for "role\n" + 1 + 1), and the generation prompt
 * `<|im_start|>assistant\n` adds 3. An image is `<|vision_start|>` + N x `<|image_pad|>` +
 * `<|vision_end|>` (N + 2 tokens).
 */
import { encode as bpeEncode, decode as bpeDecode } from 'gpt-tokenizer/encoding/o200k_base';

/** Ids above o200k_base's vocabulary for the template's special tokens. */
export const SPECIAL = {
  imStart: 200264,
  imEnd: 200265,
  visionStart: 200266,
  imagePad: 200267,
  visionEnd: 200268,
} as const;

const SPECIAL_TEXT = new Map<number, string>([
  [SPECIAL.imStart, '<|im_start|>'],
  [SPECIAL.imEnd, '<|im_end|>'],
  [SPECIAL.visionStart, '<|vision_start|>'],
  [SPECIAL.imagePad, '<|image_pad|>'],
  [SPECIAL.visionEnd, '<|vision_end|>'],
]);

// Workloads resend the same system prompts and cases; caching their encodings keeps the request
// path cheap. Bounded so arbitrary prompts cannot grow memory without limit.
const CACHE_MAX = 2048;
const cache = new Map<string, number[]>();

/** BPE ids of plain text (no special tokens are recognised in user text). */
export function encodeText(text: string): number[] {
  if (text.length === 0) return [];
  const hit = cache.get(text);
  if (hit) return hit;
  const ids = bpeEncode(text, { disallowedSpecial: new Set() });
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(text, ids);
  return ids;
}

/** Text of ids; the template's special tokens are written out as their names. Unknown ids throw a RangeError. */
export function decodeIds(ids: readonly number[]): string {
  let out = '';
  let run: number[] = [];
  const flush = (): void => {
    if (run.length) out += bpeDecode(run);
    run = [];
  };
  for (const id of ids) {
    const s = SPECIAL_TEXT.get(id);
    if (s !== undefined) {
      flush();
      out += s;
    } else {
      if (!Number.isInteger(id) || id < 0 || id >= 200_019) throw new RangeError(`token id ${id} is not in the simulator's vocabulary (o200k_base)`);
      run.push(id);
    }
  }
  flush();
  return out;
}

/**
 * The text each token adds when streamed, one string per id. A token that ends inside a UTF-8
 * character yields "" and the next token carries the whole character (as vLLM's incremental
 * detokenizer does).
 */
export function tokenPieces(ids: readonly number[]): string[] {
  const pieces: string[] = [];
  let prev = '';
  for (let i = 0; i < ids.length; i++) {
    let text = bpeDecode(ids.slice(0, i + 1));
    // Hold back an incomplete trailing character.
    while (text.endsWith('\uFFFD') && i < ids.length - 1) text = text.slice(0, -1);
    pieces.push(text.startsWith(prev) ? text.slice(prev.length) : '');
    if (text.startsWith(prev)) prev = text;
  }
  return pieces;
}

/** One message after parsing: text segments and images (already converted to a token count). */
export type TemplatePart = { text: string } | { imageTokens: number };
export interface TemplateMessage {
  role: string;
  parts: TemplatePart[];
}

/** Token ids of `messages` rendered with the ChatML template, with the generation prompt. */
export function templateIds(messages: readonly TemplateMessage[], addGenerationPrompt = true): number[] {
  const ids: number[] = [];
  const nl = encodeText('\n');
  for (const m of messages) {
    ids.push(SPECIAL.imStart, ...encodeText(`${m.role}\n`));
    for (const p of m.parts) {
      if ('text' in p) {
        for (const id of encodeText(p.text)) ids.push(id);
      } else {
        ids.push(SPECIAL.visionStart);
        for (let k = 0; k < p.imageTokens; k++) ids.push(SPECIAL.imagePad);
        ids.push(SPECIAL.visionEnd);
      }
    }
    ids.push(SPECIAL.imEnd, ...nl);
  }
  if (addGenerationPrompt) ids.push(SPECIAL.imStart, ...encodeText('assistant\n'));
  return ids;
}
