/**
 * What the scorers search: an answer split into segments, tokenized once. For a JSON answer the
 * segments are its values (never its keys, so an entity named "category" is not found in the key
 * `"category"`) plus any prose around the JSON; otherwise the whole raw text is one segment, so a
 * model that ignores the JSON instruction is still scored on what it said instead of scoring zero.
 */
import { extractJson, jsonLeafValues, type JsonExtraction } from './json.ts';
import { tokenize, type TokenizedText } from './tokens.ts';

export interface AnswerView {
  raw: string;
  json: JsonExtraction;
  /** Each searchable piece of the answer; a multi-word item must match inside one segment. */
  segments: TokenizedText[];
}

export function answerView(answer: string): AnswerView {
  const json = extractJson(answer);
  const pieces = json.value !== undefined ? [...jsonLeafValues(json.value), json.prose] : [answer];
  const segments = pieces.filter((p) => p.trim() !== '').map((p) => tokenize(p));
  return { raw: answer, json, segments };
}
