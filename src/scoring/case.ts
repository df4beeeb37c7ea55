/**
 * Score one answer to one golden case: every scorer, one AccuracyCaseResult (the shape the
 * reporter reads, src/matchers/meta.ts). Request facts (latency, finish reason, tokens, error)
 * are passed through from the caller, which made the request.
 */
import type { GoldenCase, GoldenSet } from '../config/golden.ts';
import type { AccuracyCaseResult, ItemHit } from '../matchers/meta.ts';
import { answerView } from './answer.ts';
import { readCategory, sameCategory } from './category.ts';
import { findForbidden } from './forbidden.ts';
import { judgeJson } from './json.ts';
import { checkNumbers } from './number-check.ts';
import { recallItems } from './recall.ts';

/** Longest answer kept in a result (the reporter escapes it; meta must stay small). */
export const ANSWER_KEEP_CHARS = 2000;

export interface ScoreOptions {
  /** The set the case belongs to: supplies labels, json_schema and answer_format. */
  set?: Pick<GoldenSet, 'categories' | 'json_schema' | 'answer_format'>;
  /** Trial number, from 0. @default 0 */
  trial?: number;
  /** The request failed with this error (the answer is then usually empty). */
  error?: string;
  latencyMs?: number | null;
  finishReason?: string | null;
  promptTokens?: number;
  completionTokens?: number;
  /** Judge verdicts for the case's facts (see judge.ts), when a judge was asked. */
  judged?: ItemHit[];
}

export function scoreCase(c: GoldenCase, answerText: string, opts: ScoreOptions = {}): AccuracyCaseResult {
  const view = answerView(answerText);
  const labels = opts.set?.categories ?? (c.expected_category ? [c.expected_category] : []);
  const wantJson = opts.set ? opts.set.answer_format === 'json' : view.json.parsed;
  const result: AccuracyCaseResult = {
    caseId: c.id,
    modality: c.modality,
    trial: opts.trial ?? 0,
    ok: opts.error === undefined,
    ...(opts.error !== undefined ? { error: opts.error } : {}),
    ...(c.expected_category !== undefined
      ? { expectedCategory: c.expected_category, gotCategory: readCategory(view, labels) }
      : {}),
    entities: recallItems(c.must_identify_entities, view),
    facts: recallItems(c.must_identify_facts, view),
    forbiddenHits: findForbidden(c.must_not_say, view),
    ...(c.expected_numbers.length ? { numbers: checkNumbers(c.expected_numbers, view) } : {}),
    ...(wantJson ? { json: judgeJson(view.json, opts.set?.json_schema) } : {}),
    ...(opts.judged ? { judged: opts.judged } : {}),
    latencyMs: opts.latencyMs ?? null,
    ...(opts.finishReason !== undefined ? { finishReason: opts.finishReason } : {}),
    ...(opts.promptTokens !== undefined ? { promptTokens: opts.promptTokens } : {}),
    ...(opts.completionTokens !== undefined ? { completionTokens: opts.completionTokens } : {}),
    answer: answerText.length > ANSWER_KEEP_CHARS ? answerText.slice(0, ANSWER_KEEP_CHARS) : answerText,
  };
  return result;
}

/**
 * Why a scored case falls short, one sentence per problem (empty when it is perfect): for test
 * names, per-case annotations and the simulator tests. Thresholds over many cases are judged by
 * aggregateAccuracy, not here.
 */
export function caseProblems(r: AccuracyCaseResult): string[] {
  const out: string[] = [];
  if (!r.ok) out.push(`request failed: ${r.error ?? 'unknown error'}`);
  if (r.expectedCategory !== undefined && (r.gotCategory ?? null) === null) out.push(`expected category "${r.expectedCategory}", no category could be read`);
  else if (r.expectedCategory !== undefined && r.gotCategory && !sameCategory(r.expectedCategory, r.gotCategory)) {
    out.push(`expected category "${r.expectedCategory}", got "${r.gotCategory}"`);
  }
  const missed = (hits: ItemHit[]): string[] => hits.filter((h) => !h.found).map((h) => h.item);
  if (missed(r.entities).length) out.push(`entities not found: ${missed(r.entities).join(', ')}`);
  const facts = r.judged ?? r.facts;
  if (missed(facts).length) out.push(`facts not found${r.judged ? ' (judged)' : ''}: ${missed(facts).join(', ')}`);
  if (r.forbiddenHits.length) out.push(`forbidden output: ${r.forbiddenHits.join(', ')}`);
  if (r.numbers?.missing.length) {
    out.push(`expected number${r.numbers.missing.length > 1 ? 's' : ''} ${r.numbers.missing.join(', ')} not found; the answer has ${r.numbers.found.length ? r.numbers.found.join(', ') : 'no numbers'}`);
  }
  if (r.json && !r.json.valid) out.push(`invalid JSON: ${r.json.error ?? 'unknown reason'}`);
  return out;
}
