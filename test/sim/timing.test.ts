import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSimConfig } from '../../src/sim/config.ts';
import { startSimServer, type SimServer } from '../../src/sim/server.ts';
import { chat, median, post, tokenEvents } from './http.ts';

// A slow-ish engine so the modelled gaps dwarf scheduling noise on a shared 2-core machine.
const engine = { step_base_ms: 20, step_per_seq_ms: 0.5, prefill_tokens_per_s: 10_000, max_num_batched_tokens: 4096, max_num_seqs: 2, kv_cache_tokens: 100_000 };

describe('engine timing fidelity (plain node:http client)', () => {
  let sim: SimServer;
  beforeAll(async () => {
    sim = await startSimServer({ servedName: 'sim/t', maxModelLen: 8192, sim: parseSimConfig({ seed: 1, engine }, 'test') });
  });
  afterAll(() => sim.close());

  it('TTFT and inter-token gaps match the model within ~1 ms at p50', async () => {
    const ttfts: number[] = [];
    const gaps: number[] = [];
    const fromSend: number[] = [];
    let promptTokens = 0;
    // Warm-up: JIT and tokenizer tables, not measured.
    await post(`${sim.url}/chat/completions`, chat('warm up', { stream: true, max_tokens: 2 }));
    // 16 requests: 16 TTFT and 176 gap samples, so one descheduled delivery cannot move the p50.
    for (let r = 0; r < 16; r++) {
      const o = await post(`${sim.url}/chat/completions`, chat(`request ${r} `.repeat(40), { stream: true, max_tokens: 12, ignore_eos: true, stream_options: { include_usage: true } }));
      const toks = tokenEvents(o);
      expect(toks).toHaveLength(12);
      // Streams send headers when the sequence enters the engine, so TTFT from the headers is the engine's own.
      ttfts.push(toks[0]!.t - o.tHeaders);
      fromSend.push(toks[0]!.t - o.tSend);
      for (let i = 1; i < toks.length; i++) gaps.push(toks[i]!.t - toks[i - 1]!.t);
      promptTokens = (JSON.parse(o.events.at(-2)!.data) as { usage: { prompt_tokens: number } }).usage.prompt_tokens;
    }
    // One sequence: prefill step = base + per_seq + P / rate; decode step = base + per_seq.
    const modelTtft = 20 + 0.5 + (promptTokens / 10_000) * 1000;
    const modelGap = 20 + 0.5;
    expect(Math.abs(median(gaps) - modelGap), 'p50 inter-token gap vs model (ms)').toBeLessThan(1);
    // Header delivery adds its own scheduling noise on a loaded 2-core machine, hence 1.5 ms.
    expect(Math.abs(median(ttfts) - modelTtft), 'p50 TTFT vs model (ms)').toBeLessThan(1.5);
    // From the client's send, TTFT adds a fresh connection, transfer, JSON parsing and tokenization, all on
    // this test process's one event loop (the server runs in-process): a few ms, ~11 ms seen with the
    // machine's 2 cores saturated by other work. The bound stays below one engine step (20.5 ms), so
    // a sim that added a step before admission would still fail it.
    expect(median(fromSend)).toBeGreaterThanOrEqual(modelTtft);
    expect(median(fromSend) - modelTtft).toBeLessThan(15);
  });

  it('TTFT grows with prompt length (prefill at prefill_tokens_per_s)', async () => {
    // From the response headers (sent when the sequence enters the engine): excludes prompt tokenization time.
    const ttft = (o: Awaited<ReturnType<typeof post>>): number => tokenEvents(o)[0]!.t - o.tHeaders;
    // Three of each, medians: one descheduled delivery on a busy machine cannot decide the result.
    // Each prompt starts differently so the prefix cache never serves a repeat.
    const shorts: number[] = [];
    const longs: number[] = [];
    for (let r = 0; r < 3; r++) {
      shorts.push(ttft(await post(`${sim.url}/completions`, { prompt: `s${r} ${'word '.repeat(50)}`, stream: true, max_tokens: 2 })));
      longs.push(ttft(await post(`${sim.url}/completions`, { prompt: `l${r} ${'word '.repeat(3000)}`, stream: true, max_tokens: 2 })));
    }
    // 2950 more tokens at 10k tokens/s = +295 ms (+-20 ms for header-delivery noise under load).
    expect(median(longs) - median(shorts)).toBeGreaterThan(275);
    expect(median(longs) - median(shorts)).toBeLessThan(315);
  });

  it('requests beyond max_num_seqs wait in the queue', async () => {
    const body = chat('queue test', { stream: true, max_tokens: 10, ignore_eos: true });
    const all = await Promise.all([0, 1, 2].map(() => post(`${sim.url}/chat/completions`, body)));
    const firsts = all.map((o) => tokenEvents(o)[0]!.t).sort((a, b) => a - b);
    const lasts = all.map((o) => tokenEvents(o).at(-1)!.t).sort((a, b) => a - b);
    // max_num_seqs = 2: the third starts only after the first two finish (10 steps of ~21 ms).
    expect(firsts[2]!).toBeGreaterThanOrEqual(lasts[0]! - 1);
    expect(firsts[2]! - firsts[0]!).toBeGreaterThan(180);
  });
});

describe('KV-cache capacity', () => {
  it('admission waits while the KV cache is full', async () => {
    // 480 tokens of KV (30 blocks): one ~280-token prompt (18 blocks) fits, a second concurrent one must wait.
    const sim = await startSimServer({
      servedName: 'sim/kv',
      maxModelLen: 400,
      sim: parseSimConfig({ engine: { step_base_ms: 5, step_per_seq_ms: 0, kv_cache_tokens: 480, block_size: 16, prefix_caching: false } }, 'test'),
    });
    try {
      const body = { prompt: 'alpha '.repeat(280), stream: true, max_tokens: 20, ignore_eos: true };
      const [a, b] = await Promise.all([post(`${sim.url}/completions`, body), post(`${sim.url}/completions`, body)]);
      const ta = tokenEvents(a);
      const tb = tokenEvents(b);
      const [first, second] = ta[0]!.t < tb[0]!.t ? [ta, tb] : [tb, ta];
      expect(second[0]!.t).toBeGreaterThanOrEqual(first.at(-1)!.t - 1);
      const metrics = await (await fetch(`${sim.url.replace('/v1', '')}/metrics`)).text();
      expect(metrics).toMatch(/vllm:kv_cache_usage_perc\{model_name="sim\/kv"\} 0\n/);
    } finally {
      await sim.close();
    }
  });
});
