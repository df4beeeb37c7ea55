/**
 * Prompts of an exact token length. Random token ids re-tokenize to a different length (one peer's
 * users saw up to 5x), so prompts here are text: seeded English-like sentences, measured with the
 * served model's tokenizer and adjusted until the measured length equals the target.
 *
 * Search: one measurement of the fixed part (prefixes, system prompt, chat template), an estimate
 * of the word count, then interpolation/bisection on the word count (the length grows with it
 * almost linearly because each word is appended after a space), and finally short filler tokens to
 * close the last one or two tokens a whole word cannot. Typically 4-6 `/tokenize` calls per prompt.
 */
import type { ChatMessage } from '../client/types.ts';
import type { Rng } from '../util/random.ts';
import { randomInt } from '../util/random.ts';
import { APPROX_CHARS_PER_TOKEN, type PromptTokenizer } from './tokenizers.ts';

// Common English words: mostly single tokens in BPE vocabularies, so the length tracks the word
// count closely and the text reads like (meaningless) prose rather than noise.
const WORDS = (
  'the of and to in is was for on that with as by at from it his her their this which an be are ' +
  'have has had were not but or all one new more after first two time year people city world ' +
  'state house water river school music game team season party film book report market service ' +
  'system group power line family company history story study model data light field road ' +
  'village church station island garden paper letter window table morning evening summer winter ' +
  'spring autumn country forest mountain valley harbour bridge street market engine bottle ' +
  'picture voice answer question reason result change number order point place part case ' +
  'hand week month day night side head body mind heart friend child woman man king queen ' +
  'small large old young long short high low early late good great little important public ' +
  'local national general special free full open clear simple strong quiet bright warm cold ' +
  'green blue red white black golden silver wooden careful sudden gentle ancient modern ' +
  'made used found called known built took gave came went said began moved played wrote held ' +
  'brought followed turned opened kept carried showed asked walked watched listened waited ' +
  'reached crossed painted planted counted gathered measured travelled visited remembered ' +
  'under over between through during before against without around behind beyond across ' +
  'near toward along while because although until since where when often never always ' +
  'sometimes almost still again soon later together already quickly slowly gently'
).split(' ');

/** Inserted inside the text to add single tokens: " a" is one token in BPE, WordPiece and Unigram vocabularies alike. */
const INSERT_FILLER = 'a';

/** Short additions that are one token in most vocabularies, the fallback for the last token or two. */
const FILLERS = [' a', ' I', ' the', ' of', ' to', ' and', ',', '.'];

/** @default 40: bounds the `/tokenize` calls per prompt even for a tokenizer unlike any seen. */
export const DEFAULT_MAX_MEASUREMENTS = 40;

export interface BuildPromptOptions {
  /** Wanted length in tokens as the server counts it (chat template included when `asChat`). */
  targetTokens: number;
  tokenizer: PromptTokenizer;
  /** Source of every word choice; the same seed gives the same prompt. */
  rng: Rng;
  /** Text that differs per request, placed right after the shared prefix so caches cannot reuse the rest. */
  uniquePrefix?: string;
  /** Text common to requests, placed first so a prefix cache can serve it. */
  sharedPrefix?: string;
  /** Build a user message; its length is the chat-templated count when the tokenizer can count messages. */
  asChat?: boolean;
  /** System message placed before the user message (only with `asChat`). */
  systemPrompt?: string;
  /** @default DEFAULT_MAX_MEASUREMENTS */
  maxMeasurements?: number;
}

export interface BuiltPrompt {
  /** The prompt text (the user message content when `asChat`). */
  text: string;
  /** Present when `asChat`. */
  messages?: ChatMessage[];
  /** Length as measured by the tokenizer. */
  tokens: number;
  /**
   * True when `tokens` equals the target and was measured the way the server will count it:
   * false for the approximate tokenizer, and for chat prompts when the tokenizer has no templated count.
   */
  exact: boolean;
  /** Tokenizer calls spent (round trips for a server tokenizer). */
  measurements: number;
}

/** An endless, prefix-stable stream of seeded words grouped into sentences. */
class WordStream {
  readonly words: string[] = [];
  private left = 0;
  constructor(private readonly rng: Rng) {}

  ensure(n: number): void {
    while (this.words.length < n) {
      let start = false;
      if (this.left === 0) {
        this.left = randomInt(this.rng, 6, 16);
        start = true;
      }
      let w = WORDS[randomInt(this.rng, 0, WORDS.length - 1)] ?? 'the';
      if (start) w = w.charAt(0).toUpperCase() + w.slice(1);
      this.left--;
      if (this.left === 0) w += '.';
      else if (this.left > 2 && this.rng() < 0.06) w += ',';
      this.words.push(w);
    }
  }

  text(n: number): string {
    this.ensure(n);
    return this.words.slice(0, n).join(' ');
  }
}

export class PromptLengthError extends Error {
  readonly code = 'PROMPT_TOO_SHORT';
  constructor(message: string) {
    super(message);
    this.name = 'PromptLengthError';
  }
}

/** Build a prompt whose measured length is `targetTokens` (see the module comment for how). */
export async function buildPrompt(opts: BuildPromptOptions): Promise<BuiltPrompt> {
  const target = opts.targetTokens;
  if (!Number.isInteger(target) || target < 1) throw new RangeError(`buildPrompt: targetTokens must be a positive integer, got ${target}`);
  const { tokenizer } = opts;
  const maxMeasurements = opts.maxMeasurements ?? DEFAULT_MAX_MEASUREMENTS;
  const templated = opts.asChat === true && tokenizer.countMessages !== undefined;
  const head = [opts.sharedPrefix, opts.uniquePrefix].filter((s): s is string => !!s).join('\n\n');
  const words = new WordStream(opts.rng);

  const messagesFor = (text: string): ChatMessage[] => [
    ...(opts.systemPrompt ? [{ role: 'system' as const, content: opts.systemPrompt }] : []),
    { role: 'user' as const, content: text },
  ];
  let measurements = 0;
  const measure = async (text: string): Promise<number> => {
    measurements++;
    return templated ? tokenizer.countMessages!(messagesFor(text)) : tokenizer.countText(text);
  };
  const withHead = (body: string): string => (head && body ? `${head}\n\n${body}` : head || body);
  const compose = (n: number): string => withHead(words.text(n));
  const composeWithFillers = (n: number, k: number): string => {
    words.ensure(n);
    return withHead([words.words[0], ...Array<string>(k).fill(INSERT_FILLER), ...words.words.slice(1, n)].join(' '));
  };
  const result = (text: string, tokens: number): BuiltPrompt => ({
    text,
    ...(opts.asChat ? { messages: messagesFor(text) } : {}),
    tokens,
    exact: tokens === target && tokenizer.kind !== 'approximate' && (opts.asChat !== true || templated),
    measurements,
  });

  // The fixed part: prefixes, system prompt, template, BOS. Nothing shorter can be built.
  const base = await measure(compose(0));
  if (base > target) {
    throw new PromptLengthError(
      `buildPrompt: the fixed part of the prompt (prefixes, system prompt, chat template) is already ${base} tokens with ${tokenizer.source}, more than the ${target} asked for; shorten the prefixes/system prompt or raise the input length`,
    );
  }
  if (base === target) return result(compose(0), base);

  // First guess from the character approximation of the words themselves.
  let guess = 0;
  for (let chars = 0; chars / APPROX_CHARS_PER_TOKEN < target - base; guess++) {
    words.ensure(guess + 1);
    chars += (words.words[guess]?.length ?? 0) + 1;
  }
  let lo = { n: 0, c: base };
  let hi: { n: number; c: number } | undefined;
  let n = Math.max(1, guess);
  for (let step = 0; measurements < maxMeasurements; step++) {
    const c = await measure(compose(n));
    if (c === target) return result(compose(n), c);
    if (c < target) lo = { n, c };
    else hi = { n, c };
    if (hi && hi.n - lo.n <= 1) break;
    // Interpolate between the bracket ends (or extrapolate from the fixed part); after a few steps
    // fall back to bisection so a tokenizer far from linear still converges.
    const rate = hi ? (hi.c - lo.c) / (hi.n - lo.n) : Math.max((lo.c - base) / Math.max(lo.n, 1), 0.25);
    let next = lo.n + Math.round((target - lo.c) / rate);
    if (hi && step >= 4) next = Math.floor((lo.n + hi.n) / 2);
    n = Math.max(lo.n + 1, hi ? Math.min(hi.n - 1, next) : next);
  }

  // The next whole word overshoots. Close the gap with one-token fillers inserted after the first
  // body word, where both neighbours are ordinary space-separated words; appended at the end they
  // could break a merge with what follows (cl100k has one token for ".\n\n" before a template's tail).
  if (lo.n >= 2) {
    let k = target - lo.c;
    let perFiller = 1;
    for (let tries = 0; tries < 4 && k > 0 && measurements < maxMeasurements; tries++) {
      const text = composeWithFillers(lo.n, k);
      const m = await measure(text);
      if (m === target) return result(text, m);
      perFiller = Math.max((m - lo.c) / k, 0.25);
      const nextK = k + Math.round((target - m) / perFiller);
      if (nextK === k) break;
      k = nextK;
    }
  }
  // Last resort, for tokenizers where the insertion did not land: append fillers one at a time.
  let text = compose(lo.n);
  let c = lo.c;
  while (c < target && measurements < maxMeasurements) {
    let advanced = false;
    for (const f of FILLERS) {
      if (measurements >= maxMeasurements) break;
      const m = await measure(text + f);
      if (m > c && m <= target) {
        text += f;
        c = m;
        advanced = true;
        break;
      }
    }
    if (!advanced) break;
  }
  return result(text, c);
}
