/**
 * Tokens for whole-word matching. Numbers are one token each (with their currency, see
 * numbers.ts); words are runs of letters and digits in space-separated scripts, so `cat` is not a
 * token of `category`; Han, kana and Hangul characters are one token each, because those scripts
 * have no spaces and a word boundary cannot be seen (so `对账` matches inside `已完成对账`).
 * Punctuation, underscores and spaces only separate tokens.
 */
import { CJK_CHAR, normalise, originalSlice, type Normalised } from './normalise.ts';
import { findNumbers, sameNumber, type FindOptions, type NumberMention } from './numbers.ts';

export interface Token {
  kind: 'word' | 'cjk' | 'number';
  /** Normalised text of the token (for numbers: the canonical value). */
  text: string;
  /** Span in the normalised text. */
  start: number;
  end: number;
  num?: NumberMention;
}

/** A text, normalised and split into tokens once, so many items can be matched against it. */
export interface TokenizedText {
  norm: Normalised;
  tokens: Token[];
}

export function tokenize(input: string, opts: FindOptions = {}): TokenizedText {
  const norm = normalise(input);
  const numbers = findNumbers(norm, opts);
  const tokens: Token[] = [];
  const text = norm.text;
  const words = (from: number, to: number): void => {
    const re = /[\p{L}\p{N}\p{M}]+/gu;
    re.lastIndex = from;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) && m.index < to) {
      const run = m[0].slice(0, to - m.index);
      let i = 0;
      // Split a run into CJK characters and runs of other letters/digits.
      for (const piece of run.split(/([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])/u)) {
        if (piece) {
          const start = m.index + i;
          tokens.push({ kind: CJK_CHAR.test(piece) ? 'cjk' : 'word', text: piece, start, end: start + piece.length });
        }
        i += piece.length;
      }
    }
  };
  let pos = 0;
  for (const num of numbers) {
    words(pos, num.start);
    tokens.push({ kind: 'number', text: num.value, start: num.start, end: num.end, num });
    pos = num.end;
  }
  words(pos, text.length);
  return { norm, tokens };
}

/** Text behind tokens [from, to) as the original author wrote it. */
export function tokensText(t: TokenizedText, from: number, to: number): string {
  const a = t.tokens[from];
  const b = t.tokens[to - 1];
  if (!a || !b) return '';
  return originalSlice(t.norm, a.start, b.end);
}

export interface TokenMatchOptions {
  /** Let a word match its plural (`invoice` / `invoices`). Off for forbidden items. */
  plural?: boolean;
  /** Let a number match the second reading of an ambiguous mention. Off for forbidden items. */
  altNumbers?: boolean;
  /** Let a word of at least 4 letters match a longer word it starts (`diff` / `difference`). */
  abbreviation?: boolean;
}

export function tokenEquals(want: Token, got: Token, opts: TokenMatchOptions): boolean {
  if (want.kind === 'number' || got.kind === 'number') {
    return want.kind === 'number' && got.kind === 'number' && sameNumber(want.num!, got.num!, opts.altNumbers === true);
  }
  if (want.text === got.text) return true;
  if (want.kind !== 'word' || got.kind !== 'word') return false;
  if (opts.plural && (got.text === `${want.text}s` || got.text === `${want.text}es` || want.text === `${got.text}s` || want.text === `${got.text}es`)) {
    return true;
  }
  return opts.abbreviation === true && want.text.length >= 4 && /^\p{L}+$/u.test(want.text) && got.text.startsWith(want.text);
}

/** Index of the first place where `want` occurs as a contiguous run of tokens in `got`, or -1. */
export function findSequence(want: Token[], got: Token[], opts: TokenMatchOptions): number {
  if (want.length === 0) return -1;
  outer: for (let i = 0; i + want.length <= got.length; i++) {
    for (let k = 0; k < want.length; k++) {
      if (!tokenEquals(want[k]!, got[i + k]!, opts)) continue outer;
    }
    return i;
  }
  return -1;
}
