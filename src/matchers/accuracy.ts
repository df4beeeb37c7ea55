/**
 * Accuracy matchers over an answer's text, built on the scorers in src/scoring: whole numbers
 * after normalisation (120 is not 1200), recall over the answer's values rather than its JSON
 * keys, forbidden items on word and number boundaries. Each returns the CheckResult it judged.
 */
import type { GoldenItem } from '../config/golden.ts';
import { answerView, checkNumbers, extractJson, findForbiddenHits, judgeJson, readCategory, recallItems, recallOf, sameCategory } from '../scoring/index.ts';
import { judge } from './judge.ts';
import type { CheckResult } from './meta.ts';

function text(received: unknown, matcher: string): string {
  if (typeof received !== 'string') throw new TypeError(`${matcher} expects the answer text (a string), got ${typeof received}`);
  return received;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
}

function recallCheck(kind: 'entity' | 'fact', received: unknown, items: GoldenItem[], minRecall = 1): CheckResult {
  const hits = recallItems(items, answerView(text(received, kind === 'entity' ? 'toRecallEntities' : 'toRecallFacts')));
  const missed = hits.filter((h) => !h.found).map((h) => quote(h.item));
  return judge({
    name: `${kind} recall`,
    metric: `${kind}_recall`,
    op: '>=',
    fail: minRecall,
    actual: recallOf(hits),
    n: hits.length,
    minN: 1,
    context: missed.length ? `missed ${missed.join(', ')}` : `found all ${hits.length}`,
  });
}

export const accuracyChecks = {
  toRecallEntities: (received: unknown, items: GoldenItem[], minRecall?: number): CheckResult => recallCheck('entity', received, items, minRecall),
  toRecallFacts: (received: unknown, items: GoldenItem[], minRecall?: number): CheckResult => recallCheck('fact', received, items, minRecall),

  toAvoidForbidden(received: unknown, items: string[]): CheckResult {
    const hits = findForbiddenHits(items, answerView(text(received, 'toAvoidForbidden')));
    return judge({
      name: 'forbidden outputs',
      metric: 'forbidden_violations',
      op: '<=',
      fail: 0,
      actual: hits.length,
      n: items.length,
      context: hits.length ? `said ${hits.map((h) => `${quote(h.item)} as ${quote(h.matched)}`).join(', ')}` : `none of ${items.length} forbidden items`,
    });
  },

  toMatchCategory(received: unknown, expected: string, labels: string[] = []): CheckResult {
    const got = readCategory(answerView(text(received, 'toMatchCategory')), labels.length ? labels : [expected]);
    const ok = sameCategory(expected, got);
    return judge({
      name: 'category match',
      metric: 'category_accuracy',
      op: '>=',
      fail: 1,
      actual: ok ? 1 : 0,
      n: 1,
      context: `expected ${quote(expected)}, got ${got === null ? 'no category' : quote(got)}`,
    });
  },

  toMatchNumbers(received: unknown, expected: string[]): CheckResult {
    const c = checkNumbers(expected, answerView(text(received, 'toMatchNumbers')));
    return judge({
      name: 'expected numbers present',
      metric: 'numbers',
      op: '>=',
      fail: 1,
      actual: expected.length ? (expected.length - c.missing.length) / expected.length : null,
      n: expected.length,
      minN: 1,
      context: c.missing.length
        ? `expected ${c.missing.map(quote).join(', ')}, received ${c.found.length ? c.found.map(quote).join(', ') : 'no number'}`
        : `all of ${expected.map(quote).join(', ')} present`,
    });
  },

  toBeValidJson(received: unknown, schema?: Record<string, unknown>): CheckResult {
    const verdict = judgeJson(extractJson(text(received, 'toBeValidJson')), schema);
    return judge({
      name: schema ? 'JSON answer valid against the schema' : 'JSON answer valid',
      metric: 'json_valid',
      op: '>=',
      fail: 1,
      actual: verdict.valid ? 1 : 0,
      n: 1,
      context: verdict.valid ? 'valid' : (verdict.error ?? 'invalid'),
    });
  },
};
