/**
 * The answer bank: realistic answers for golden accuracy cases, and the quality personas that
 * degrade them deterministically so a weaker simulated model fails for real reasons.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { SimModelConfig } from './config.ts';

const bankSchema = z.object({
  answers: z.array(
    z.object({
      case_id: z.string().min(1),
      /** A distinctive substring of the last user message's text. */
      match: z.string().min(1),
      answer: z.string(),
      entities: z.array(z.string()).optional(),
      forbidden: z.string().optional(),
    }),
  ),
});

export type AnswerBank = z.infer<typeof bankSchema>;
export type AnswerEntry = AnswerBank['answers'][number];
export type Persona = SimModelConfig['persona'];

/** Said by `forbidden_phrase` when the entry names no forbidden phrase of its own. */
export const GENERIC_FORBIDDEN = 'As an AI language model, I cannot be certain of this.';

/** Read and validate an answer-bank file; errors name the file and the bad field. */
export function loadAnswerBank(file: string): AnswerBank {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read answer bank ${file}: ${(e as Error).message}. Fix the path in sim.answer_bank or the JSON.`);
  }
  const r = bankSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid answer bank ${file}:\n${lines.join('\n')}\nExpected { "answers": [ { "case_id", "match", "answer", "entities"?, "forbidden"? } ] }.`);
  }
  return r.data;
}

/** The first entry whose `match` occurs in `text`. */
export function findAnswer(bank: AnswerBank | undefined, text: string): AnswerEntry | undefined {
  if (!bank) return undefined;
  return bank.answers.find((a) => text.includes(a.match));
}

/**
 * A model that misreads a number misreads it everywhere it repeats it: the first number in the
 * answer (e.g. 120) gains a digit (1200) at every whole-number occurrence, never inside a larger
 * number.
 */
function digitDrift(s: string): string {
  const first = /\d[\d,]*/.exec(s)?.[0]?.replace(/,$/, '');
  if (!first) return s;
  const grown = first.includes(',')
    ? `${first.replace(/,/g, '')}0`.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
    : `${first}0`;
  return s.replace(new RegExp(`(?<![\\d.,])${escapeRegExp(first)}(?![\\d]|[.,]\\d)`, 'g'), grown);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function dropEntities(s: string, entities: readonly string[]): string {
  let out = s;
  for (const e of entities) if (e) out = out.replace(new RegExp(escapeRegExp(e), 'g'), '');
  return out.replace(/ {2,}/g, ' ').replace(/ ([,.;:])/g, '$1').replace(/^ /, '');
}

function isJsonObject(s: string): boolean {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
}

function insertForbidden(s: string, phrase: string): string {
  if (isJsonObject(s)) {
    // Keep the JSON valid: append the phrase inside the first string value.
    return s.replace(/(:\s*")((?:[^"\\]|\\.)*)(")/, (_m, a: string, body: string, b: string) => `${a}${body} ${phrase.replace(/["\\]/g, '\\$&')}${b}`);
  }
  const end = s.search(/[.!?](\s|$)/);
  if (end < 0) return `${s} ${phrase}`;
  return `${s.slice(0, end + 1)} ${phrase}${s.slice(end + 1)}`;
}

function breakJson(s: string): string {
  const t = s.trimEnd();
  const last = t.at(-1);
  // Losing the closing brace is the most common real failure (output cut or malformed by the model).
  if (last === '}' || last === ']') return t.slice(0, -1);
  // Not JSON-looking: make it still unparsable for a scorer that expects JSON.
  return `{"answer": ${JSON.stringify(t).slice(0, -1)}`;
}

/** The answer as the persona would say it. Deterministic: the same entry and persona give the same text. */
export function applyPersona(entry: AnswerEntry, persona: Persona): string {
  switch (persona) {
    case 'accurate':
      return entry.answer;
    case 'digit_drift':
      return digitDrift(entry.answer);
    case 'drop_entities':
      return dropEntities(entry.answer, entry.entities ?? []);
    case 'forbidden_phrase':
      return insertForbidden(entry.answer, entry.forbidden ?? GENERIC_FORBIDDEN);
    case 'broken_json':
      return breakJson(entry.answer);
  }
}
