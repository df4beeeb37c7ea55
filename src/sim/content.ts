/**
 * What a request generates: the answer-bank answer (persona applied) when the last user text
 * matches an entry, else deterministic filler; how many tokens; and why it stops.
 */
import { createRng, deriveSeed } from '../util/random.ts';
import { applyPersona, findAnswer, type AnswerBank, type AnswerEntry } from './answers.ts';
import type { SimModelConfig } from './config.ts';
import { fillerCorpus, piecesOf, type Pieces } from './text.ts';
import { encodeText } from './tokenizer.ts';

export interface OutputPlan {
  /** Tokens to generate. */
  length: number;
  finishReason: 'stop' | 'length';
  /** JSON-escaped text of token i (no quotes). */
  json(i: number): string;
  /** UTF-8 bytes of `json(i)` (shared, never to be modified). */
  jsonBytes(i: number): Uint8Array;
  /** Raw text of token i. */
  text(i: number): string;
  caseId?: string;
}

export class ContentModel {
  private readonly answers = new Map<AnswerEntry, Pieces>();
  constructor(
    private readonly sim: SimModelConfig,
    private readonly bank: AnswerBank | undefined,
  ) {}

  private answerPieces(entry: AnswerEntry): Pieces {
    let p = this.answers.get(entry);
    if (!p) {
      p = piecesOf(encodeText(applyPersona(entry, this.sim.persona)));
      this.answers.set(entry, p);
    }
    return p;
  }

  /**
   * @param promptHash hash of the prompt ids (same prompt -> same text at temperature 0)
   * @param room tokens left in the context after the prompt
   */
  plan(opts: {
    lastUserText: string;
    promptHash: number;
    requestIndex: number;
    room: number;
    maxTokens?: number;
    minTokens: number;
    ignoreEos: boolean;
    temperature: number;
    seed?: number;
  }): OutputPlan {
    const entry = findAnswer(this.bank, opts.lastUserText);
    const answer: Pieces = entry ? this.answerPieces(entry) : { json: [], jsonBytes: [], text: [] };
    // Sampling: greedy (temperature 0) depends only on the prompt; otherwise on the request seed or arrival order.
    const variant = opts.temperature === 0 ? 0 : (opts.seed ?? opts.requestIndex);
    const rng = createRng(deriveSeed(deriveSeed(this.sim.seed, opts.promptHash), `v${variant}`));
    const { natural_tokens_min: lo, natural_tokens_max: hi } = this.sim.output;
    const natural = entry ? answer.text.length : lo + Math.floor(rng() * (hi - lo + 1));
    const corpus = fillerCorpus();
    const start = corpus.starts[Math.floor(rng() * corpus.starts.length)]!;
    const cap = Math.min(opts.maxTokens ?? opts.room, opts.room);
    const wanted = opts.ignoreEos ? Infinity : Math.max(natural, opts.minTokens);
    const length = Math.max(0, Math.min(cap, wanted));
    const n = answer.text.length;
    const clen = corpus.text.length;
    const plan: OutputPlan = {
      length,
      finishReason: wanted <= cap ? 'stop' : 'length',
      json: (i) => (i < n ? answer.json[i]! : corpus.json[(start + i - n) % clen]!),
      jsonBytes: (i) => (i < n ? answer.jsonBytes[i]! : corpus.jsonBytes[(start + i - n) % clen]!),
      text: (i) => (i < n ? answer.text[i]! : corpus.text[(start + i - n) % clen]!),
    };
    if (entry) plan.caseId = entry.case_id;
    return plan;
  }
}
