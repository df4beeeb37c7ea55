// Prompts built for a length come back at that length from the simulator's /tokenize and in its
// usage.prompt_tokens (the simulator counts with o200k and a ChatML template, unlike the fake
// server's cl100k, so this also checks nothing here is tied to one tokenizer).
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint, GenerationRequest } from '../../src/client/types.ts';
import { parseSimConfig } from '../../src/sim/config.ts';
import { startSimServer, type SimServer } from '../../src/sim/server.ts';
import { createWorkload } from '../../src/workload/requests.ts';
import { resolveTokenizer } from '../../src/workload/tokenizers.ts';

describe('workloads against the simulator', () => {
  let sim: SimServer;
  const model = 'sim/workload';
  beforeAll(async () => {
    // Fast engine steps: this test checks lengths, not timing.
    sim = await startSimServer({ servedName: model, maxModelLen: 8192, sim: parseSimConfig({ seed: 3, engine: { step_base_ms: 0.5, step_per_seq_ms: 0 } }, 'workload test') });
  });
  afterAll(async () => {
    await sim.close();
  });

  /** Sends the request without streaming and returns the server's usage.prompt_tokens. */
  async function promptTokens(endpoint: Endpoint, req: GenerationRequest): Promise<number> {
    const body = endpoint.kind === 'chat' ? { model, messages: req.messages, max_tokens: 1 } : { model, prompt: req.prompt, max_tokens: 1 };
    const res = await request(`${endpoint.baseUrl}/${endpoint.kind === 'chat' ? 'chat/completions' : 'completions'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.body.json()) as { usage?: { prompt_tokens?: number } };
    expect(res.statusCode).toBe(200);
    return json.usage?.prompt_tokens ?? -1;
  }

  it.each(['chat', 'completions'] as const)('%s prompts of 100 and 512 tokens match /tokenize and usage.prompt_tokens', async (kind) => {
    const endpoint: Endpoint = { baseUrl: sim.url, model, kind, provider: 'sim' };
    const { tokenizer } = await resolveTokenizer(endpoint);
    expect(tokenizer.kind).toBe('server');
    for (const inputTokens of [100, 512]) {
      const w = await createWorkload({ endpoint, inputTokens, outputTokens: 4, tokenizer, seed: 9, forceOutputLength: true, count: 2, systemPrompt: 'Be brief.' });
      expect(w.exactInputLength).toBe(true);
      for (let i = 0; i < w.count; i++) {
        const req = w.next(i);
        const counted = kind === 'chat' ? await tokenizer.countMessages!(req.messages ?? []) : await tokenizer.countText(req.prompt ?? '');
        expect(counted).toBe(inputTokens);
        expect(await promptTokens(endpoint, req)).toBe(inputTokens);
      }
    }
  });
});
