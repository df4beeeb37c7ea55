import { describe, expect, test } from 'vitest';
import { answerView } from '../../src/scoring/answer.ts';
import { readCategory } from '../../src/scoring/category.ts';
import { findForbidden } from '../../src/scoring/forbidden.ts';
import { extractJson } from '../../src/scoring/json.ts';
import { checkNumbers } from '../../src/scoring/number-check.ts';
import { findNumbers } from '../../src/scoring/numbers.ts';
import { matchItem } from '../../src/scoring/recall.ts';

/** [expected item, answer text, should the item be recalled?] */
const RECALL: Array<[string, string, boolean]> = [
  ['1200', '合计１２００元', true], // full-width digits
  ['¥1200', 'The total is ￥1,200.', true], // full-width yen sign + thousands comma
  ['¥1200', 'Paid 1200元 in cash', true],
  ['¥1200', 'RMB 1,200 was transferred', true],
  ['¥1200', 'a transfer of 1200 yuan', true],
  ['$1200', 'Amount: $1,200.00', true], // decimals: 1200.00 == 1200
  ['1200', 'about 1 200 CNY', true], // space as thousands separator with a currency
  ['€1200', 'Betrag: 1.200,00 €', true], // European grouping with decimal comma
  ['1200000', 'total 1.200.000', true],
  ['1200000', 'total 1,200,000', true],
  ['12000', '1.2万元', true], // Chinese magnitude
  ['¥1200', 'a wrong reading of 12000', false], // the older tool's false recall
  ['¥1200', 'it said ¥120', false],
  ['1200', '¥12,000 was paid', false],
  ['$1200', '¥1200 was paid', false], // conflicting currencies
  ['120', 'v120 firmware', false], // digits inside an identifier are not a number
  ['cat', 'the category is unknown', false], // whole words only
  ['category', 'the category is unknown', true],
  ['invoice', 'two invoices were sent', true], // plural
  ['Alice', 'Alice Wang sent it', true],
  ['Alice Wang', 'Alice sent it to Wang', false], // multi-word items are contiguous
  ['对账', '双方已完成对账', true], // Chinese: no spaces, characters are tokens
  ['收到', '尚未收款', false],
  ['balance_diff_1200', 'the balance difference is ¥1,200', true], // compound fact by parts
  ['balance_diff_1200', 'the balance difference is ¥12,000', false],
  ['balance_diff_1200', 'the balance is ¥1,200', false],
  ['reconciliation', '{"reconciliation": "no"}', false], // keys are not values
  ['Alice', '```json\n{"entities": ["Alice"]}\n```', true], // code fence
  ['Alice', 'Sure! Here is the result: {"entities": ["Alice"]} Hope it helps.', true], // JSON in prose
  ['Alice', '{"entities": ["Alice",], }', true], // trailing comma: repaired for scoring
  ['Alice', 'I cannot produce JSON, but the sender is Alice.', true], // raw text scored, not zero
  ['Ärger', 'ÄRGER im Büro', true], // case folding beyond ASCII
  ['ｐｅｎ', 'a pen', true], // full-width letters in the item
];

describe('recall over tricky pairs', () => {
  test.each(RECALL)('item %j in %j -> %s', (item, answer, want) => {
    const hit = matchItem({ value: item }, answerView(answer));
    expect(hit.found, JSON.stringify(hit)).toBe(want);
    if (want) expect(hit.matched).toBeTruthy();
  });
});

/** [forbidden items, answer text, items expected to be violated] */
const FORBIDDEN: Array<[string[], string, string[]]> = [
  [['120', '12', '1200000'], 'Alice sent ¥1200; received.', []], // the older tool flagged 120 and 12 here
  [['120', '12'], 'The total is ¥120.', ['120']],
  [['120'], 'total 120 yuan', ['120']],
  [['1200000'], 'total ¥1,200,000', ['1200000']],
  [['12'], 'model v12 and 12000 units', []],
  [['12'], '12kg of rice', ['12']], // a unit after a number keeps it a number
  [['cat'], 'category: receipt', []],
  [['lawsuit'], 'They threaten a Lawsuit.', ['lawsuit']],
  [['1200'], 'about 1.200 units', []], // ambiguous 1.2 / 1200 never convicts
  [['$12,000'], '¥12000 was paid', []], // different currency
  [['退款'], '客户要求退款', ['退款']],
  [['category'], '{"category": "receipt"}', []], // the key is not said
];

describe('forbidden outputs on word and number boundaries', () => {
  test.each(FORBIDDEN)('%j in %j', (items, answer, want) => {
    expect(findForbidden(items, answerView(answer))).toEqual(want);
  });
});

describe('expected numbers', () => {
  test('120 expected, 1200 said: missing 120, and the answer\'s number is reported', () => {
    const r = checkNumbers(['¥120'], answerView('{"numbers": ["¥1200"]}'));
    expect(r.missing).toEqual(['¥120']);
    expect(r.found).toEqual(['¥1200']);
  });
  test('several forms of the same numbers all count', () => {
    const r = checkNumbers(['¥1,200', '40元', '$3'], answerView('paid １２００元, 40 yuan and $3.00'));
    expect(r.missing).toEqual([]);
  });
  test('JSON numbers are values', () => {
    expect(checkNumbers(['80'], answerView('{"numbers": [80]}')).missing).toEqual([]);
  });
  test('dates are split into numbers, lists of numbers are separate', () => {
    expect(findNumbers('2024-05-31').map((m) => m.value)).toEqual(['2024', '5', '31']);
    expect(findNumbers('[120,12]').map((m) => m.value)).toEqual(['120', '12']);
    expect(findNumbers('-5 degrees')[0]?.value).toBe('-5');
  });
});

describe('category reading', () => {
  const labels = ['receipt', 'invoice', 'legal_document'];
  test.each([
    ['{"category": "Receipt"}', 'receipt'],
    ['{"Category": "legal document"}', 'legal_document'],
    ['category: invoice\nentities: ...', 'invoice'],
    ['This is clearly an invoice.', 'invoice'],
    ['Not a receipt, an invoice.', null], // two labels: ambiguous, not guessed
    ['{"category": "menu"}', 'menu'], // an invented label is reported as said
    ['nothing useful', null],
  ])('%j -> %j', (answer, want) => {
    expect(readCategory(answerView(answer), labels)).toBe(want);
  });
});

describe('JSON extraction', () => {
  test('reports why an answer is not JSON and keeps the raw text for scoring', () => {
    const x = extractJson('The sender is Alice.');
    expect(x.parsed).toBe(false);
    expect(x.error).toMatch(/no JSON/);
    expect(x.prose).toBe('The sender is Alice.');
  });
  test('a trailing comma is readable but not valid', () => {
    const x = extractJson('{"a": [1, 2,],}');
    expect(x.via).toBe('repaired');
    expect(x.parsed).toBe(false);
    expect(x.value).toEqual({ a: [1, 2] });
  });
  test('braces inside strings do not break the balance', () => {
    const x = extractJson('note: {"text": "a } tricky { string", "n": 1} end');
    expect(x.parsed).toBe(true);
    expect(x.value).toEqual({ text: 'a } tricky { string', n: 1 });
  });
});
