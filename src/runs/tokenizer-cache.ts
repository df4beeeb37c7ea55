/** One prompt tokenizer per target per worker: probing /tokenize once is enough. */
import { resolveTokenizer, type PromptTokenizer } from '../workload/tokenizers.ts';
import type { BenchTarget } from '../setup/target.ts';

const cache = new Map<string, Promise<{ tokenizer: PromptTokenizer; why: string }>>();

export function tokenizerFor(target: BenchTarget): Promise<{ tokenizer: PromptTokenizer; why: string }> {
  const key = `${target.endpoint.baseUrl}|${target.endpoint.model}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = resolveTokenizer(target.endpoint, { tokenizerJson: target.tokenizerJson });
    cache.set(key, hit);
  }
  return hit;
}
