/**
 * Forbidden outputs (`must_not_say`), matched on word and number boundaries: a forbidden `120`
 * is violated by "¥120" or "120 yuan" but not by the correct "¥1200", and a forbidden `12` is not
 * violated by "v12" (an identifier) or "12000". Stricter than recall: no plurals, no synonyms, and
 * an ambiguous mention (`1.200`) is read only its primary way, so ambiguity never convicts.
 * Searched over the same segments as recall: the answer's values and surrounding prose.
 */
import type { AnswerView } from './answer.ts';
import { parseNumberItem, sameNumber } from './numbers.ts';
import { findSequence, tokenize, tokensText } from './tokens.ts';

export interface ForbiddenHit {
  item: string;
  /** The answer text that violated it. */
  matched: string;
}

export function findForbiddenHits(items: readonly string[], view: AnswerView): ForbiddenHit[] {
  const hits: ForbiddenHit[] = [];
  for (const item of items) {
    const asNumber = parseNumberItem(item);
    let matched: string | undefined;
    if (asNumber) {
      outer: for (const seg of view.segments) {
        for (const t of seg.tokens) {
          if (t.num && sameNumber(asNumber, t.num, false)) {
            matched = t.num.raw;
            break outer;
          }
        }
      }
    } else {
      const want = tokenize(item, { lenientSpaces: true }).tokens;
      for (const seg of view.segments) {
        const at = findSequence(want, seg.tokens, {});
        if (at >= 0) {
          matched = tokensText(seg, at, at + want.length);
          break;
        }
      }
    }
    if (matched !== undefined) hits.push({ item, matched });
  }
  return hits;
}

/** The forbidden items the answer says (the shape `AccuracyCaseResult.forbiddenHits` holds). */
export function findForbidden(items: readonly string[], view: AnswerView): string[] {
  return findForbiddenHits(items, view).map((h) => h.item);
}
