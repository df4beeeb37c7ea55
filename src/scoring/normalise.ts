/**
 * Text normalisation shared by every scorer, so "１２００", "1200" and "1,200" meet on equal terms.
 *
 * The normalised text keeps a map back to the original string: scorers report the text the model
 * actually wrote (`matched`), not our normalised copy of it.
 */

/** Normalised text plus, for each of its UTF-16 units, the index of the original unit it came from. */
export interface Normalised {
  original: string;
  text: string;
  map: number[];
}

/** Typographic variants NFKC leaves alone but answers use interchangeably. */
const EXTRA: Record<string, string> = {
  '\u2018': "'", // ‘
  '\u2019': "'", // ’
  '\u201c': '"', // “
  '\u201d': '"', // ”
  '\u2013': '-', // –
  '\u2014': '-', // —
  '\u2212': '-', // minus sign
  '\u3001': ',', // 、 ideographic comma (list separator in Chinese)
  '\u3002': '.', // 。 ideographic full stop
};

/**
 * NFC first (so a combining accent joins its letter), then per code point: NFKC (full-width digits,
 * letters and signs become ASCII, ￥ becomes ¥, no-break and thin spaces become spaces), lower
 * case, typographic quotes/dashes unified, every whitespace character a plain space. Length can
 * change (e.g. ligatures), hence the map.
 */
export function normalise(input: string): Normalised {
  const src = input.normalize('NFC');
  // `src` may differ from `input` in length; NFC changes are rare (combining sequences) and the
  // map below points into `src`, which is what `original` holds.
  let text = '';
  const map: number[] = [];
  let i = 0;
  for (const cp of src) {
    let out = EXTRA[cp] ?? cp.normalize('NFKC').toLowerCase();
    if (/^\s+$/u.test(out)) out = ' ';
    for (let k = 0; k < out.length; k++) map.push(i);
    text += out;
    i += cp.length;
  }
  map.push(i);
  return { original: src, text, map };
}

/** The normalised form as a plain string, whitespace runs collapsed and trimmed. */
export function normaliseText(input: string): string {
  return normalise(input).text.replace(/ +/g, ' ').trim();
}

/** The original text behind a span of the normalised text. */
export function originalSlice(n: Normalised, start: number, end: number): string {
  const a = n.map[start] ?? n.original.length;
  const b = n.map[end] ?? n.original.length;
  return n.original.slice(a, b);
}

/**
 * Category labels compare equal when they differ only in case, width, or the separators people
 * use inside labels: `Legal_Document`, `legal-document` and `legal document` are one label.
 */
export function canonicalLabel(label: string): string {
  return normaliseText(label)
    .replace(/[\s_\-/.]+/g, ' ')
    .trim();
}

/** Han, kana and Hangul: scripts written without spaces, so each character is its own token. */
export const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** A letter or digit of a script that separates words with spaces (Latin, Cyrillic, Greek, ...). */
export function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}\p{M}]/u.test(ch) && !CJK_CHAR.test(ch);
}
