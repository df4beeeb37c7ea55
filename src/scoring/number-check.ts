/**
 * `expected_numbers`: each must appear in the answer as a whole number of the same value and a
 * compatible currency (numbers.ts). This is the check that catches a VLM reading "120 yuan" as
 * "1200 yuan": the answer then has 1200 and no 120, so 120 is missing and 1200 is what it said.
 */
import type { AnswerView } from './answer.ts';
import { parseNumberItem, sameNumber, type NumberMention } from './numbers.ts';

export interface NumbersCheck {
  expected: string[];
  /** Expected numbers the answer does not contain. */
  missing: string[];
  /** Every number the answer does contain, as written, in order, without repeats. */
  found: string[];
}

export function checkNumbers(expected: readonly string[], view: AnswerView): NumbersCheck {
  const mentions: NumberMention[] = view.segments.flatMap((s) => s.tokens.flatMap((t) => (t.num ? [t.num] : [])));
  const missing = expected.filter((e) => {
    const want = parseNumberItem(e);
    // The loader rejects non-numbers; a hand-built case that slips one through can never be found.
    return !want || !mentions.some((m) => sameNumber(want, m, true));
  });
  const found = [...new Set(mentions.map((m) => m.raw.trim()))];
  return { expected: [...expected], missing, found };
}
