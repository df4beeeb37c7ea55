/**
 * A tiny but real `tokenizer.json`: character-level BPE with a few merges, a Whitespace
 * pre-tokenizer and a BOS post-processor, the same structure as a Hugging Face model's file.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const MERGES = ['t h', 'th e', 'a n', 'an d', 'i n', 'e r', 'o n', 'o f'];

export function tinyTokenizerJson(): object {
  const vocab: Record<string, number> = { '[UNK]': 0, '<s>': 1 };
  const symbols = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,[]-', ...MERGES.map((m) => m.replace(' ', ''))];
  for (const s of symbols) vocab[s] = Object.keys(vocab).length;
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '[UNK]'), special(1, '<s>')],
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: null,
    model: { type: 'BPE', dropout: null, unk_token: '[UNK]', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab, merges: MERGES },
  };
}

/** Writes `tokenizer.json` into `dir` and returns its path. */
export async function writeTinyTokenizer(dir: string): Promise<string> {
  const path = join(dir, 'tokenizer.json');
  await writeFile(path, JSON.stringify(tinyTokenizerJson()));
  return path;
}
