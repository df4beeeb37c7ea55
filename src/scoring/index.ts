/** The accuracy scorers: plain TypeScript, no Vitest, usable from specs, matchers and tools. */
export { normalise, normaliseText, canonicalLabel, type Normalised } from './normalise.ts';
export { findNumbers, parseNumberItem, sameNumber, unitsCompatible, type NumberMention, type Unit } from './numbers.ts';
export { tokenize, type Token, type TokenizedText } from './tokens.ts';
export { extractJson, jsonLeafValues, judgeJson, compileSchema, type JsonExtraction, type JsonVerdict } from './json.ts';
export { answerView, type AnswerView } from './answer.ts';
export { matchItem, recallItems, recallOf, isCompound, type RecallItem } from './recall.ts';
export { findForbidden, findForbiddenHits, type ForbiddenHit } from './forbidden.ts';
export { checkNumbers, type NumbersCheck } from './number-check.ts';
export { readCategory, sameCategory, categoryMetrics, NO_CATEGORY, type CategoryMetrics, type CategoryPair } from './category.ts';
export { buildJudgeMessages, parseJudgeVerdicts, judgeFacts, JUDGE_SYSTEM, type JudgeCall, type JudgeMessage, type JudgeOutcome } from './judge.ts';
export { scoreCase, caseProblems, ANSWER_KEEP_CHARS, type ScoreOptions } from './case.ts';
export { aggregateAccuracy, type AccuracyAggregateExt, type AggregateOptions } from './aggregate.ts';
export { casePromptText, caseQuestion } from './prompt.ts';
