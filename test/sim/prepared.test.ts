/**
 * Chunks built during an engine step and written at its end (src/sim/prepared.ts): a stream
 * whose sequence is preempted after its next chunk was built must not get that chunk at the next
 * step end, because the engine produced no token for it there. With `timing_field` every chunk
 * carries the modelled time of the step that wrote it, so each stream's stamps must match, gap
 * for gap, the times at which the engine handed its writer a token.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseSimConfig } from '../../src/sim/config.ts';
import { startSimServer, type SimServer } from '../../src/sim/server.ts';
import { PreparedChunks } from '../../src/sim/prepared.ts';
import { SseWriter } from '../../src/sim/wire.ts';
import { chat, getText, post, tokenEvents } from './http.ts';

describe('prepared token chunks', () => {
  let s: SimServer;
  beforeAll(async () => {
    // 10 KV blocks of 16 tokens: one request (about 20 prompt + 60 output tokens, 5-6 blocks)
    // fits, three at once do not, so the newest running sequences are preempted and recomputed.
    const sim = parseSimConfig(
      {
        seed: 3,
        engine: { block_size: 16, kv_cache_tokens: 160, max_num_seqs: 8, step_base_ms: 2, step_per_seq_ms: 0, prefill_tokens_per_s: 200_000, prefix_caching: false },
        wire: { timing_field: true },
      },
      'test',
    );
    s = await startSimServer({ servedName: 'sim/p', maxModelLen: 4096, sim });
  });
  afterAll(() => s.close());

  it('are written only at steps that produced a token, also across preemption', async () => {
    const prompts = ['Describe the ledger in plain words.', 'Summarise the batch and its totals.', 'List the open items of the report.'];
    const body = (p: string, stream: boolean): Record<string, unknown> => chat(p, { stream, max_tokens: 60, ignore_eos: true, temperature: 0 });
    // One at a time each request fits the cache: the reference texts.
    const expected: string[] = [];
    for (const p of prompts) expected.push(JSON.parse((await post(`${s.url}/chat/completions`, body(p, false))).body).choices[0].message.content as string);

    const onToken = vi.spyOn(SseWriter.prototype, 'onToken');
    const reserve = vi.spyOn(PreparedChunks.prototype, 'reserve');
    // The engine's token times per response id (the writer's job id is the chunks' "id").
    const engineTimes = new Map<string, number[]>();
    let prepareds = 0;
    let streams;
    try {
      streams = await Promise.all(prompts.map((p) => post(`${s.url}/chat/completions`, body(p, true))));
      onToken.mock.calls.forEach(([, t], i) => {
        const id = (onToken.mock.contexts[i] as unknown as { job: { id: string } }).job.id;
        engineTimes.set(id, [...(engineTimes.get(id) ?? []), t]);
      });
      prepareds = reserve.mock.calls.length;
    } finally {
      // Restoring also clears the recorded calls (read above).
      onToken.mockRestore();
      reserve.mockRestore();
    }

    const metrics = (await getText(`${s.url.replace(/\/v1$/, '')}/metrics`)).text;
    const preemptions = Number(/^vllm:num_preemptions_total\{[^}]*\} (\d+)/m.exec(metrics)?.[1]);
    expect(preemptions).toBeGreaterThan(0);
    // Every step end that wrote prepared chunks is timed in /metrics.
    const stepWrites = Number(/^sim:step_writes_seconds_count\{[^}]*\} (\d+)/m.exec(metrics)?.[1]);
    expect(stepWrites).toBeGreaterThan(20);
    expect(stepWrites).toBeLessThanOrEqual(Number(/^sim:engine_steps_total\{[^}]*\} (\d+)/m.exec(metrics)?.[1]));
    // Most chunks went the prepared way (all but each stream's first and last).
    expect(prepareds).toBeGreaterThan(100);

    streams.forEach((o, i) => {
      expect(o.error).toBeUndefined();
      expect(o.events.at(-1)!.data).toBe('[DONE]');
      const chunks = tokenEvents(o).filter((e) => typeof e.json.sim_t_ms === 'number');
      const text = chunks.map((e) => (e.json.choices as { delta: { content?: string } }[])[0]!.delta.content ?? '').join('');
      expect(text).toBe(expected[i]);
      const stamps = chunks.map((e) => e.json.sim_t_ms as number);
      const times = engineTimes.get(chunks[0]!.json.id as string)!;
      expect(stamps).toHaveLength(60);
      expect(times).toHaveLength(60);
      // Same timeline, gap for gap (stamps are relative to the server's start, rounded to 1 µs).
      for (let k = 1; k < 60; k++) expect(stamps[k]! - stamps[0]!).toBeCloseTo(times[k]! - times[0]!, 2);
    });
  });
});
