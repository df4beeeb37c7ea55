import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadGoldenSet } from '../../src/config/golden.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { casePromptText } from '../../src/scoring/prompt.ts';
import { scoreCase } from '../../src/scoring/case.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function tmpSet(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'golden-'));
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

function loadError(file: string, opts = {}): ConfigError {
  try {
    loadGoldenSet(file, opts);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected ${file} not to load`);
}

describe('the shipped demo set', () => {
  const set = loadGoldenSet(join(ROOT, 'golden/expectations.json'));
  test('loads text and image cases from the file and its JSONL case file', () => {
    expect(set.cases.length).toBeGreaterThanOrEqual(12);
    expect(set.cases.filter((c) => c.modality === 'image').length).toBeGreaterThanOrEqual(5);
    expect(set.cases.filter((c) => c.modality === 'text').length).toBeGreaterThanOrEqual(5);
    expect(set.cases.find((c) => c.id === 'txt-contract-zh')?.source).toBe('golden/cases.jsonl:1');
    for (const c of set.cases.filter((x) => x.image)) expect(c.image).toMatch(/^\/.*fixtures\/images\/.*\.png$/);
    expect(set.answer_format).toBe('json');
    expect(set.json_schema).toBeDefined();
    expect(set.acceptance_criteria.entity_recall_min).toBe(0.6);
    expect(set.regression_thresholds.p95_latency_ratio_max).toBe(1.5);
  });
  test('exercises every scorer', () => {
    expect(set.cases.some((c) => c.expected_numbers.includes('¥120'))).toBe(true);
    expect(set.cases.some((c) => c.must_identify_entities.some((e) => e.synonyms.length))).toBe(true);
    expect(set.cases.some((c) => c.judge)).toBe(true);
    expect(set.cases.some((c) => /\p{Script=Han}/u.test(c.prompt ?? ''))).toBe(true);
    expect(set.cases.every((c) => c.expected_category && set.categories.includes(c.expected_category))).toBe(true);
  });
});

describe("the older tool's demo file", () => {
  const set = loadGoldenSet(join(ROOT, 'golden/legacy-demo/expectations.json'));
  const c = set.cases[0]!;
  test('loads as is, with its thresholds', () => {
    expect(set.legacy).toBe(true);
    expect(c.must_identify_entities.map((e) => e.value)).toEqual(['Alice', '¥1200']);
    expect(c.must_not_say).toEqual(['120', '12', '1200000']);
    expect(set.acceptance_criteria.category_precision_min).toBe(0.8);
    expect(set.regression_thresholds.must_not_say_delta_max).toBe(0);
  });
  test('the description (which gives the answer away) is not sent; the older prompt is', () => {
    const text = casePromptText(set, c);
    expect(text).not.toContain('¥1200');
    expect(text).toContain('key_entities');
  });
  test('a correct answer containing ¥1200 passes its forbidden check and recalls everything', () => {
    const answer = '{"category": "communication", "key_entities": ["Alice", "¥1200"], "key_facts": ["Alice transferred ¥1200", "received", "reconciliation: balance diff 1200"]}';
    const r = scoreCase(c, answer, { set });
    expect(r.forbiddenHits).toEqual([]);
    expect(r.entities.every((e) => e.found)).toBe(true);
    expect(r.facts.every((f) => f.found)).toBe(true);
    expect(r.gotCategory).toBe('communication');
  });
  test('12000 does not recall ¥1200', () => {
    const r = scoreCase(c, '{"key_entities": ["Alice", "¥12000"]}', { set });
    expect(r.entities.find((e) => e.item === '¥1200')?.found).toBe(false);
  });
  test('the full original file (nine cases, private screenshots absent) loads with missing images skipped', () => {
    const dir = tmpSet({ 'golden/expectations.json': readFileSync(join(ROOT, 'golden/legacy-demo/expectations.json'), 'utf8').replace('legacy-demo/chat_01_transfer_1200.png', '0.jpg'), 'fixtures/README.md': '' });
    const err = loadError(join(dir, 'golden/expectations.json'));
    expect(err.code).toBe('FILE_NOT_FOUND');
    expect(err.field).toBe('cases[0].image');
    expect(err.line).toBeGreaterThan(1);
    const set2 = loadGoldenSet(join(dir, 'golden/expectations.json'), { missingImages: 'skip' });
    expect(set2.cases[0]!.skipReason).toMatch(/0\.jpg not found/);
  });
});

describe('regression_thresholds', () => {
  const caseLine = { id: 'a', prompt: 'p', expected_category: 'x' };
  test("reads the older tool's keys and fills absent ones with its values", () => {
    const dir = tmpSet({ 'g.json': JSON.stringify({ cases: [caseLine], regression_thresholds: { category_precision_drop_max: 0.02, p95_latency_ratio_max: 1.2 } }) });
    expect(loadGoldenSet(join(dir, 'g.json')).regression_thresholds).toEqual({
      category_precision_drop_max: 0.02,
      entity_recall_drop_max: 0.1,
      fact_recall_drop_max: 0.1,
      p95_latency_ratio_max: 1.2,
      must_not_say_delta_max: 0,
    });
  });

  test('typos, wrong types and out-of-range values name the file and key', () => {
    const dir = tmpSet({ 'g.json': JSON.stringify({ cases: [caseLine], regression_thresholds: { p95_latency_ratio: 1.5, entity_recall_drop_max: '0.1', must_not_say_delta_max: -1 } }) });
    const file = join(dir, 'g.json');
    const issues = loadError(file).issues.map((i) => `${i.file} ${i.field}: ${i.code}${i.code === 'UNKNOWN_KEY' ? ` / ${i.hint}` : ''}`);
    expect(issues.sort()).toEqual([
      `${file} regression_thresholds.entity_recall_drop_max: INVALID_VALUE`,
      `${file} regression_thresholds.must_not_say_delta_max: INVALID_VALUE`,
      `${file} regression_thresholds.p95_latency_ratio: UNKNOWN_KEY / did you mean "p95_latency_ratio_max"?`,
    ]);
  });
});

describe('errors name the file, the line, the field and a fix', () => {
  test('a JSONL case with a bad field: line number and hint', () => {
    const dir = tmpSet({
      'g.json': JSON.stringify({ instructions: 'Answer as JSON', case_files: ['c.jsonl'] }),
      'c.jsonl': '{"id": "a", "prompt": "hi"}\n\n{"id": "b", "prompt": "hi", "expected_numbers": ["lots"]}\n',
    });
    const err = loadError(join(dir, 'g.json'));
    expect(err.file).toMatch(/c\.jsonl$/);
    expect(err.line).toBe(3);
    expect(err.field).toBe('expected_numbers[0]');
    expect(err.message).toMatch(/not one number.*¥1,200/);
  });
  test('a typo in a key: did you mean', () => {
    const dir = tmpSet({ 'g.json': '{\n  "cases": [\n    {"id": "a", "prompt": "x", "must_not_sya": ["b"]}\n  ]\n}\n' });
    const err = loadError(join(dir, 'g.json'));
    expect(err.code).toBe('UNKNOWN_KEY');
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/did you mean "must_not_say"/);
  });
  test('JSON syntax error: line of the problem', () => {
    const dir = tmpSet({ 'g.json': '{\n  "cases": [\n    {"id": "a",, "prompt": "x"}\n  ]\n}\n' });
    const err = loadError(join(dir, 'g.json'));
    expect(err.message).toMatch(/not valid JSON/);
    expect(err.line).toBe(3);
  });
  test('duplicate ids, text case without question, unknown category, bad threshold', () => {
    const dir = tmpSet({
      'g.json': JSON.stringify({
        categories: ['receipt'],
        cases: [
          { id: 'a', prompt: 'x', expected_category: 'reciept' },
          { id: 'a' },
        ],
        acceptance_criteria: { entity_recall_min: 1.5 },
      }),
    });
    const err = loadError(join(dir, 'g.json'));
    expect(err.field).toBe('acceptance_criteria.entity_recall_min');
    const dir2 = tmpSet({ 'g.json': JSON.stringify({ categories: ['receipt'], cases: [{ id: 'a', prompt: 'x', expected_category: 'reciept' }, { id: 'a' }] }) });
    const all = loadError(join(dir2, 'g.json')).issues.map((i) => `${i.field}: ${i.problem} ${i.hint ?? ''}`).join('\n');
    expect(all).toMatch(/cases\[0\]\.expected_category: .*did you mean "receipt"/);
    expect(all).toMatch(/cases\[1\]\.id: duplicate case id/);
    expect(all).toMatch(/cases\[1\]\.prompt: a text case needs a question/);
  });
  test('items given as {value, synonyms}, image_url cases, defaults', () => {
    const dir = tmpSet({
      'g.json': JSON.stringify({
        instructions: 'Reply briefly.',
        cases: [{ id: 'u', image_url: 'https://example.com/a.png', description: 'What is shown?', must_identify_entities: [{ value: 'cat', synonyms: ['kitten'] }] }],
      }),
    });
    const set = loadGoldenSet(join(dir, 'g.json'));
    expect(set.cases[0]!.modality).toBe('image');
    expect(set.cases[0]!.must_identify_entities[0]).toEqual({ value: 'cat', synonyms: ['kitten'] });
    expect(set.answer_format).toBe('text');
    expect(set.temperature).toBe(0);
    expect(set.trials).toBe(1);
    expect(casePromptText(set, set.cases[0]!)).toBe('What is shown?\n\nReply briefly.');
  });
});
