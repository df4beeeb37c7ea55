/**
 * Numbers as whole numbers. "¥1,200", "1200 yuan", "RMB 1 200", "１２００元" and "1200.00" are all
 * the number 1200 in yuan; "12000" and "120" are different numbers, never a part of 1200. The
 * older tool compared substrings, so a correct "¥1200" tripped its forbidden "120" and a wrong
 * "12000" counted as recalling "¥1200".
 *
 * Rules (on normalised text, see normalise.ts):
 * - A number is a run of digits, optionally grouped by thousands separators, with an optional
 *   decimal part, an optional magnitude word (万 亿 thousand million billion), an optional
 *   currency sign or word before or after it, or a percent sign after it.
 * - Thousands separators: `1,200` `1,200,000` `1'200` always; `1 200` only when a currency is
 *   attached, there are two or more groups (`1 200 000`), or the text is a golden item on its own.
 *   `1.200.000` (two or more dot groups) and `1.200,50` (dots then a decimal comma) are European
 *   grouping. A single `1.200` is read as 1.2, with 1200 kept as an alternative reading that
 *   recall accepts and forbidden checks ignore (an ambiguous mention never convicts).
 * - Commas with groups that are not three digits separate numbers: `120,12` is 120 and 12.
 * - A number glued to a letter in front (`v12`, `qwen3`, `INV1200`) is part of an identifier,
 *   not a number. Letters after it are a unit (`12kg` is 12).
 * - Values are compared as exact decimal strings (1200.00 == 1200, no floating point).
 * - Currencies: a mention without a currency matches any; two currencies must agree. ¥ is shared by
 *   yuan and yen, so it matches both CNY and JPY.
 * Not handled (use synonyms or expected strings in the form the model writes): Chinese numerals
 * (一千二百), spelled-out English numbers, ranges.
 */
import { isWordChar, normalise, originalSlice, type Normalised } from './normalise.ts';

export type Unit = 'CNY' | 'JPY' | 'YEN_SIGN' | 'USD' | 'HKD' | 'EUR' | 'GBP' | '%';

export interface NumberMention {
  /** Canonical decimal string: no grouping, no leading zeros, no trailing fractional zeros. */
  value: string;
  /** A second reading of an ambiguous mention (`1.200` is 1.2 or 1200). */
  alt?: string;
  unit?: Unit;
  /** The mention as written in the original text, e.g. `￥1,200`. */
  raw: string;
  /** Span in the normalised text. */
  start: number;
  end: number;
}

const PREFIX_UNITS: Record<string, Unit> = {
  'us$': 'USD',
  'hk$': 'HKD',
  '¥': 'YEN_SIGN',
  $: 'USD',
  '€': 'EUR',
  '£': 'GBP',
  rmb: 'CNY',
  cny: 'CNY',
  usd: 'USD',
  eur: 'EUR',
  gbp: 'GBP',
  jpy: 'JPY',
  hkd: 'HKD',
};

const SUFFIX_UNITS: Record<string, Unit> = {
  '%': '%',
  元: 'CNY',
  块钱: 'CNY',
  块: 'CNY',
  圆: 'CNY',
  人民币: 'CNY',
  yuan: 'CNY',
  rmb: 'CNY',
  cny: 'CNY',
  円: 'JPY',
  yen: 'JPY',
  jpy: 'JPY',
  usd: 'USD',
  dollar: 'USD',
  dollars: 'USD',
  bucks: 'USD',
  hkd: 'HKD',
  eur: 'EUR',
  euro: 'EUR',
  euros: 'EUR',
  gbp: 'GBP',
  pound: 'GBP',
  pounds: 'GBP',
};

const MAGNITUDES: Record<string, number> = { 万: 4, 亿: 8, thousand: 3, million: 6, billion: 9 };

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alt = (words: string[]): string => words.sort((a, b) => b.length - a.length).map(esc).join('|');

const NUMBER_RE = new RegExp(
  `(?:(${alt(Object.keys(PREFIX_UNITS))}) ?)?` + // 1 prefix currency
    `(-)?` + // 2 sign
    `(\\d+(?:[.,']\\d+| \\d{3}(?!\\d))*)` + // 3 body
    `(?: ?(${alt(Object.keys(MAGNITUDES))})(?![a-z]))?` + // 4 magnitude
    `(?: ?(${alt(Object.keys(SUFFIX_UNITS))})(?![a-z]))?`, // 5 suffix unit
  'gu',
);

interface Piece {
  int: string;
  frac: string;
  alt?: { int: string; frac: string };
  offset: number;
  length: number;
}

/** Canonical decimal string of int.frac shifted left by `shift` decimal places (a magnitude). */
function canonical(int: string, frac: string, shift: number, negative: boolean): string {
  let digits = int + frac;
  let point = int.length + shift;
  if (point > digits.length) digits = digits.padEnd(point, '0');
  const i = digits.slice(0, point).replace(/^0+/, '') || '0';
  const f = digits.slice(point).replace(/0+$/, '');
  const s = f ? `${i}.${f}` : i;
  return negative && s !== '0' ? `-${s}` : s;
}

/** One body as one number, or a list of numbers when its separators are not thousands grouping. */
function interpret(body: string, groupedSpaces: boolean): Piece[] {
  const whole = (int: string, frac = ''): Piece[] => [{ int, frac, offset: 0, length: body.length }];
  let m: RegExpExecArray | null;
  if (/^\d+$/.test(body)) return whole(body);
  if ((m = /^(\d{1,3}(?:\.\d{3})+),(\d+)$/.exec(body))) return whole(m[1]!.replace(/\./g, ''), m[2]!);
  if ((m = /^(\d{1,3}(?:,\d{3})+)(?:\.(\d+))?$/.exec(body))) return whole(m[1]!.replace(/,/g, ''), m[2] ?? '');
  if ((m = /^(\d{1,3}(?:'\d{3})+)(?:\.(\d+))?$/.exec(body))) return whole(m[1]!.replace(/'/g, ''), m[2] ?? '');
  if ((m = /^(\d{1,3}(?: \d{3})+)(?:\.(\d+))?$/.exec(body))) {
    if (groupedSpaces || (m[1]!.match(/ /g) ?? []).length >= 2) return whole(m[1]!.replace(/ /g, ''), m[2] ?? '');
  }
  if (/^\d{1,3}(?:\.\d{3}){2,}$/.test(body)) return whole(body.replace(/\./g, ''));
  if ((m = /^(\d+)\.(\d+)$/.exec(body))) {
    const piece: Piece = { int: m[1]!, frac: m[2]!, offset: 0, length: body.length };
    if (/^\d{1,3}\.\d{3}$/.test(body)) piece.alt = { int: m[1]! + m[2]!, frac: '' };
    return [piece];
  }
  // Not a grouped number: split on the separators and read each part on its own.
  const out: Piece[] = [];
  const re = /\d+(?:\.\d+)?/g;
  let part: RegExpExecArray | null;
  while ((part = re.exec(body))) {
    const [int, frac = ''] = part[0].split('.');
    // `1.2.3` (a version or a date) is a list of integers, not a decimal followed by junk.
    const dotted = body[part.index + part[0].length] === '.' || body[part.index - 1] === '.';
    if (dotted && frac) {
      out.push({ int: int!, frac: '', offset: part.index, length: int!.length });
      out.push({ int: frac, frac: '', offset: part.index + int!.length + 1, length: frac.length });
    } else {
      out.push({ int: int!, frac, offset: part.index, length: part[0].length });
    }
  }
  return out;
}

export interface FindOptions {
  /** Accept `1 200` with a single space group even without a currency (golden items on their own). */
  lenientSpaces?: boolean;
}

/** Every number mention in a text, in order. */
export function findNumbers(input: string | Normalised, opts: FindOptions = {}): NumberMention[] {
  const n = typeof input === 'string' ? normalise(input) : input;
  const text = n.text;
  const out: NumberMention[] = [];
  NUMBER_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = NUMBER_RE.exec(text))) {
    const [all, prefix, sign, body, magnitude, suffix] = m;
    let start = m.index;
    let end = start + all.length;
    // `2024-05`: the dash joins two numbers, it is not a minus sign.
    const joined = sign !== undefined && prefix === undefined && /\d/.test(text[start - 1] ?? '');
    if (joined) start += 1;
    const negative = sign !== undefined && !joined;
    // An identifier such as `v12` or `qwen3`, or a word ending in a currency word (`abcrmb12`).
    if (isWordChar(text[start - 1])) continue;
    const unit = (prefix !== undefined ? PREFIX_UNITS[prefix] : undefined) ?? (suffix !== undefined ? SUFFIX_UNITS[suffix] : undefined);
    const shift = magnitude !== undefined ? MAGNITUDES[magnitude]! : 0;
    const bodyStart = m.index + all.indexOf(body!, (prefix?.length ?? 0) + (sign?.length ?? 0));
    const pieces = interpret(body!, unit !== undefined || opts.lenientSpaces === true);
    if (pieces.length === 1) {
      const p = pieces[0]!;
      // A trailing space that the optional groups swallowed is not part of the mention.
      while (end > start && text[end - 1] === ' ') end--;
      out.push({
        value: canonical(p.int, p.frac, shift, negative),
        ...(p.alt ? { alt: canonical(p.alt.int, p.alt.frac, shift, negative) } : {}),
        ...(unit ? { unit } : {}),
        raw: originalSlice(n, start, end),
        start,
        end,
      });
      continue;
    }
    // A list such as `120,12`: the prefix belongs to the first number, the suffix to the last.
    pieces.forEach((p, i) => {
      const first = i === 0;
      const last = i === pieces.length - 1;
      const s = first ? start : bodyStart + p.offset;
      const e = last ? end : bodyStart + p.offset + p.length;
      const u = (first && prefix !== undefined ? PREFIX_UNITS[prefix] : undefined) ?? (last && suffix !== undefined ? SUFFIX_UNITS[suffix] : undefined);
      out.push({
        value: canonical(p.int, p.frac, last ? shift : 0, first && negative),
        ...(u ? { unit: u } : {}),
        raw: originalSlice(n, s, e),
        start: s,
        end: e,
      });
    });
  }
  return out;
}

/**
 * The number a golden item stands for, when the whole item is one number (`¥1,200`, `1200000`,
 * `120 yuan`); null for text items such as `Alice` or `balance_diff_1200`.
 */
export function parseNumberItem(item: string): NumberMention | null {
  const n = normalise(item);
  const found = findNumbers(n, { lenientSpaces: true });
  if (found.length !== 1) return null;
  const only = found[0]!;
  const rest = (n.text.slice(0, only.start) + n.text.slice(only.end)).trim();
  return rest === '' ? only : null;
}

/** Units agree when either side has none, they are equal, or one is ¥ and the other yuan or yen. */
export function unitsCompatible(a: Unit | undefined, b: Unit | undefined): boolean {
  if (a === undefined || b === undefined || a === b) return true;
  const yen = (u: Unit): boolean => u === 'CNY' || u === 'JPY';
  return (a === 'YEN_SIGN' && yen(b)) || (b === 'YEN_SIGN' && yen(a));
}

/**
 * Whether an answer's mention is the expected number. `allowAlt` lets an ambiguous mention match on
 * its second reading (recall: yes; forbidden: no).
 */
export function sameNumber(expected: NumberMention, got: NumberMention, allowAlt: boolean): boolean {
  if (!unitsCompatible(expected.unit, got.unit)) return false;
  return got.value === expected.value || (allowAlt && got.alt === expected.value);
}
