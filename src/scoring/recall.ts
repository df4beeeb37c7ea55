/**
 * Entity and fact recall: is each golden item present in the answer's values?
 *
 * Matching rule for one item (tried for its value, then each synonym; the first that matches wins):
 * 1. An item that is one number (`¥1200`, `1,200 yuan`) matches a number mention of the same
 *    value and a compatible currency anywhere in the answer (numbers.ts). `¥1200` is not recalled
 *    by `12000` or `120`.
 * 2. A compound identifier, one "word" joined by underscores (`balance_diff_1200`), matches when
 *    every part is present somewhere in the answer's values, in any order: models restate such
 *    facts in words ("balance difference of ¥1,200"). Word parts of 4+ letters may match a longer
 *    word they begin (`diff` -> `difference`), the one place prefixes count; number parts are
 *    whole numbers as in rule 1.
 * 3. Any other item matches as a contiguous run of whole tokens inside one value (tokens.ts): `cat`
 *    is not in `category`, `Alice` is in `Alice Wang`, `对账` is in `已完成对账`; a word also
 *    matches its plural (`invoice` / `invoices`).
 * Everything is compared after normalisation (width, case, currency signs, separators).
 */
import type { ItemHit } from '../matchers/meta.ts';
import type { AnswerView } from './answer.ts';
import { parseNumberItem, sameNumber } from './numbers.ts';
import { findSequence, tokenEquals, tokenize, tokensText, type TokenMatchOptions } from './tokens.ts';

/** A golden entity or fact: its canonical value and accepted alternatives. */
export interface RecallItem {
  value: string;
  synonyms?: string[];
}

const RECALL_OPTS: TokenMatchOptions = { plural: true, altNumbers: true };

/** The answer text that matches one spelling of an item, or undefined. */
export function matchSpelling(spelling: string, view: AnswerView): string | undefined {
  const asNumber = parseNumberItem(spelling);
  if (asNumber) {
    for (const seg of view.segments) {
      for (const t of seg.tokens) if (t.num && sameNumber(asNumber, t.num, true)) return t.num.raw;
    }
    return undefined;
  }
  const want = tokenize(spelling, { lenientSpaces: true }).tokens;
  if (want.length === 0) return undefined;
  if (isCompound(spelling) && want.length > 1) {
    const found: string[] = [];
    for (const part of want) {
      let hit: string | undefined;
      for (const seg of view.segments) {
        const t = seg.tokens.find((g) => tokenEquals(part, g, { ...RECALL_OPTS, abbreviation: true }));
        if (t) {
          hit = t.num ? t.num.raw : tokensText(seg, seg.tokens.indexOf(t), seg.tokens.indexOf(t) + 1);
          break;
        }
      }
      if (hit === undefined) return undefined;
      found.push(hit);
    }
    return found.join(' … ');
  }
  for (const seg of view.segments) {
    const at = findSequence(want, seg.tokens, RECALL_OPTS);
    if (at >= 0) return tokensText(seg, at, at + want.length);
  }
  return undefined;
}

/** `balance_diff_1200`, `chat_with_transfer`: underscores joining parts, no spaces. */
export function isCompound(item: string): boolean {
  return /^[^\s_]+(?:_[^\s_]+)+$/u.test(item.trim());
}

export function matchItem(item: RecallItem, view: AnswerView): ItemHit {
  for (const spelling of [item.value, ...(item.synonyms ?? [])]) {
    const matched = matchSpelling(spelling, view);
    if (matched !== undefined) return { item: item.value, found: true, matched };
  }
  return { item: item.value, found: false };
}

export function recallItems(items: readonly RecallItem[], view: AnswerView): ItemHit[] {
  return items.map((i) => matchItem(i, view));
}

/** Found / total, or null when there is nothing to recall. */
export function recallOf(hits: readonly ItemHit[]): number | null {
  return hits.length === 0 ? null : hits.filter((h) => h.found).length / hits.length;
}
