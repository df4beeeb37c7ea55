import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadGoldenSet } from '../../src/config/golden.ts';
import { caseProblems, scoreCase } from '../../src/scoring/case.ts';
import { casePromptText } from '../../src/scoring/prompt.ts';
import { aggregateAccuracy } from '../../src/scoring/aggregate.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const set = loadGoldenSet(join(ROOT, 'golden/expectations.json'));
interface BankEntry { case_id: string; match: string; answer: string; entities?: string[]; forbidden?: string }
const bank = (JSON.parse(readFileSync(join(ROOT, 'fixtures/answer-bank.json'), 'utf8')) as { answers: BankEntry[] }).answers;
const entry = (id: string): BankEntry => {
  const e = bank.find((a) => a.case_id === id);
  if (!e) throw new Error(`fixtures/answer-bank.json has no entry for case ${id}`);
  return e;
};

describe('the simulator answer bank covers the demo set', () => {
  test.each(set.cases.map((c) => [c.id, c] as const))('%s: matched by its prompt, scores perfectly', (_id, c) => {
    const e = entry(c.id);
    const prompt = casePromptText(set, c);
    expect(prompt).toContain(e.match);
    // The match must pick this case only, or the simulator would answer another case's question.
    expect(set.cases.filter((o) => casePromptText(set, o).includes(e.match)).map((o) => o.id)).toEqual([c.id]);
    const r = scoreCase(c, e.answer, { set });
    expect(caseProblems(r)).toEqual([]);
    expect(r.json).toEqual({ valid: true });
  });

  test('each persona hook really breaks its scorer', () => {
    for (const c of set.cases) {
      const e = entry(c.id);
      if (e.forbidden) {
        const r = scoreCase(c, e.answer.replace(/}\s*$/, `, "note": ${JSON.stringify(e.forbidden)}}`), { set });
        expect(r.forbiddenHits, `${c.id}: forbidden ${e.forbidden}`).not.toEqual([]);
      }
      expect(Boolean(e.entities?.length), `${c.id}: the bank lists entities exactly when the case asks for some`).toBe(c.must_identify_entities.length > 0);
      if (e.entities?.length) {
        let answer = e.answer;
        for (const ent of e.entities) answer = answer.split(ent).join('');
        const r = scoreCase(c, answer, { set });
        expect(r.entities.some((h) => !h.found), `${c.id}: dropped ${e.entities.join(', ')}`).toBe(true);
      }
    }
  });

  test('digit drift (120 -> 1200) fails the numbers check of the trap case, naming both numbers', () => {
    const c = set.cases.find((x) => x.id === 'img-receipt-noodles-120')!;
    const drifted = entry(c.id).answer.replace(/120(?!0)/g, '1200');
    const r = scoreCase(c, drifted, { set });
    expect(r.numbers?.missing).toEqual(['¥120']);
    expect(r.numbers?.found).toContain('¥1200');
    expect(r.forbiddenHits).toContain('1200');
    expect(caseProblems(r).join('\n')).toMatch(/expected number ¥120 not found; the answer has .*¥1200/);
  });

  test('the bank against the whole set meets every acceptance criterion', () => {
    const results = set.cases.map((c) => scoreCase(c, entry(c.id).answer, { set, latencyMs: 100, finishReason: 'stop' }));
    const agg = aggregateAccuracy(results, set);
    expect(agg).toMatchObject({ categoryAccuracy: 1, entityRecall: 1, factRecall: 1, forbiddenViolations: 0, errorRate: 0, truncationRate: 0, jsonValidRate: 1, numberRecall: 1, skipped: 0 });
  });
});
