/**
 * Category: which label the answer gave, and, over a run, accuracy plus per-class precision,
 * recall and F1 with a confusion matrix. (The older tool called plain accuracy "precision".)
 *
 * Reading the label: the JSON `category` field when the answer has one (its key found
 * case-insensitively at the top level); otherwise a `category: X` line in the text; otherwise the
 * one allowed label the text mentions as whole words. When the text mentions several labels the
 * answer is ambiguous and no category is read (null), rather than guessing the first.
 * Labels compare after `canonicalLabel` (case, width, `_ - /` separators).
 */
import type { ClassMetrics } from '../matchers/meta.ts';
import type { AnswerView } from './answer.ts';
import { canonicalLabel } from './normalise.ts';
import { findSequence, tokenize } from './tokens.ts';

/** Column (and row) name for answers from which no category could be read. */
export const NO_CATEGORY = '(none)';

function toLabel(said: string, labels: readonly string[]): string {
  const c = canonicalLabel(said);
  return labels.find((l) => canonicalLabel(l) === c) ?? said.trim();
}

/** The category an answer gives, spelled as the matching allowed label when there is one. */
export function readCategory(view: AnswerView, labels: readonly string[]): string | null {
  const v = view.json.value;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [key, val] of Object.entries(v)) {
      if (key.toLowerCase() === 'category' && (typeof val === 'string' || typeof val === 'number')) {
        const s = String(val).trim();
        return s ? toLabel(s, labels) : null;
      }
    }
  }
  const line = /(?:^|\n|[{,])\s*["']?category["']?\s*[:：=]\s*["']?([^"'\n,}]+)/iu.exec(view.raw);
  if (line?.[1]?.trim()) return toLabel(line[1], labels);
  const mentioned = new Set<string>();
  for (const label of labels) {
    const want = tokenize(label.replace(/[_/]/g, ' ')).tokens;
    if (view.segments.some((s) => findSequence(want, s.tokens, {}) >= 0)) mentioned.add(label);
  }
  return mentioned.size === 1 ? [...mentioned][0]! : null;
}

export function sameCategory(expected: string, got: string | null | undefined): boolean {
  return got !== null && got !== undefined && canonicalLabel(expected) === canonicalLabel(got);
}

export interface CategoryPair {
  expected: string;
  got: string | null;
}

export interface CategoryMetrics {
  /** Correct / cases with an expected category; null when there are none. */
  accuracy: number | null;
  /** Unweighted mean of the per-class precisions that are defined. */
  macroPrecision: number | null;
  macroRecall: number | null;
  macroF1: number | null;
  perClass: ClassMetrics[];
  /** Rows: expected label; columns: predicted label (same order; `(none)` last when present). */
  confusion: { labels: string[]; matrix: number[][] };
}

const mean = (xs: Array<number | null>): number | null => {
  const d = xs.filter((x): x is number => x !== null);
  return d.length ? d.reduce((a, b) => a + b, 0) / d.length : null;
};

/**
 * @param labels allowed labels, listed first in the given order; labels the model invented follow
 *   in order of appearance, so an unexpected label shows up as its own column.
 */
export function categoryMetrics(pairs: readonly CategoryPair[], labels: readonly string[] = []): CategoryMetrics {
  const order: string[] = [];
  const index = new Map<string, number>();
  const add = (l: string): void => {
    const c = canonicalLabel(l);
    if (!index.has(c)) {
      index.set(c, order.length);
      order.push(l);
    }
  };
  labels.forEach(add);
  pairs.forEach((p) => add(p.expected));
  pairs.forEach((p) => p.got !== null && add(p.got));
  const hasNone = pairs.some((p) => p.got === null);
  const names = hasNone ? [...order, NO_CATEGORY] : [...order];
  const matrix = names.map(() => names.map(() => 0));
  const col = (got: string | null): number => (got === null ? names.length - 1 : index.get(canonicalLabel(got))!);
  for (const p of pairs) matrix[index.get(canonicalLabel(p.expected))!]![col(p.got)]! += 1;

  const perClass: ClassMetrics[] = order.map((label, i) => {
    const tp = matrix[i]![i]!;
    const support = matrix[i]!.reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, row) => a + row[i]!, 0);
    const precision = predicted > 0 ? tp / predicted : null;
    const recall = support > 0 ? tp / support : null;
    const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
  const correct = pairs.filter((p) => sameCategory(p.expected, p.got)).length;
  return {
    accuracy: pairs.length ? correct / pairs.length : null,
    macroPrecision: mean(perClass.map((c) => c.precision)),
    macroRecall: mean(perClass.map((c) => c.recall)),
    macroF1: mean(perClass.map((c) => c.f1)),
    perClass,
    confusion: { labels: names, matrix },
  };
}
