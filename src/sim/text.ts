/**
 * Deterministic filler text for answers that are not in the answer bank (and for tokens past the
 * answer when `ignore_eos` is set). The corpus is tokenized once; a request streams consecutive
 * tokens from a seeded offset, so text and token count agree and nothing is allocated per token.
 */
import { encodeText, tokenPieces } from './tokenizer.ts';

const CORPUS =
  'The system processed the request and returned a structured summary. ' +
  'Each record was checked against the reference values, and the totals matched the ledger. ' +
  'Latency stayed within the expected range while the batch grew to its configured limit. ' +
  'A second pass confirmed the figures, the dates and the names of every party involved. ' +
  'The report lists the open items first, then the resolved ones, with a short note on each. ' +
  'No anomalies were found in the sampled transactions, although two entries arrived late. ' +
  'The model describes what it sees in plain language and keeps the answer short and factual. ' +
  'Further details are available on request, including the raw measurements and their sources. ';

/** A token sequence in the forms the wire writes it. */
export interface Pieces {
  /** JSON-escaped piece of each token (without quotes), ready to splice into a chunk template. */
  json: string[];
  /** UTF-8 bytes of each `json` piece, for chunks assembled as bytes. */
  jsonBytes: Buffer[];
  /** Raw text of each token, for non-streaming bodies. */
  text: string[];
}

/** The wire forms of the tokens `ids` (their texts, JSON-escaped, as bytes). */
export function piecesOf(ids: readonly number[]): Pieces {
  const text = tokenPieces(ids);
  const json = text.map((t) => JSON.stringify(t).slice(1, -1));
  return { text, json, jsonBytes: json.map((j) => Buffer.from(j)) };
}

interface Corpus extends Pieces {
  /** Token offsets where a sentence starts: requests begin there so the text reads naturally. */
  starts: number[];
}

let corpus: Corpus | undefined;

/** The tokenized corpus (built on first use, ~1 ms). */
export function fillerCorpus(): Corpus {
  if (corpus) return corpus;
  const pieces = piecesOf(encodeText(CORPUS));
  const starts: number[] = [0];
  for (let i = 1; i < pieces.text.length; i++) if (pieces.text[i - 1]!.endsWith('.')) starts.push(i);
  corpus = { ...pieces, starts };
  return corpus;
}
