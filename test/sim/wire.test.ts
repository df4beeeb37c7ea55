import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAnswerBank } from '../../src/sim/answers.ts';
import { parseSimConfig, type SimModelInput } from '../../src/sim/config.ts';
import { startSimServer, type SimServer } from '../../src/sim/server.ts';
import { chat, getText, post, tokenEvents } from './http.ts';

const bank = loadAnswerBank(join(import.meta.dirname, 'bank.json'));
const fast = { step_base_ms: 1, step_per_seq_ms: 0, prefill_tokens_per_s: 1_000_000 };

async function withSim<T>(sim: SimModelInput, fn: (s: SimServer) => Promise<T>, extra: { apiKey?: string; maxModelLen?: number } = {}): Promise<T> {
  const s = await startSimServer({ servedName: 'sim/w', maxModelLen: extra.maxModelLen ?? 4096, sim: parseSimConfig({ engine: fast, ...sim }, 'test'), answerBank: bank, ...(extra.apiKey ? { apiKey: extra.apiKey } : {}) });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

const contentOf = (o: Awaited<ReturnType<typeof post>>): string =>
  tokenEvents(o)
    .map((e) => {
      const c = (e.json.choices as { delta?: { content?: string }; text?: string }[])[0]!;
      return c.delta?.content ?? c.text ?? '';
    })
    .join('');

describe('simulator wire format and errors', () => {
  let s: SimServer;
  beforeAll(async () => {
    s = await startSimServer({ servedName: 'sim/w', maxModelLen: 256, sim: parseSimConfig({ seed: 3, engine: fast }, 'test'), answerBank: bank });
  });
  afterAll(() => s.close());

  it('answers a prompt over the context with vLLM\'s 400 message', async () => {
    const o = await post(`${s.url}/chat/completions`, chat('word '.repeat(400), { stream: true }));
    expect(o.status).toBe(400);
    expect(JSON.parse(o.body).error.message).toMatch(/^This model's maximum context length is 256 tokens\. However, your request has \d+ input tokens/);
    const o2 = await post(`${s.url}/completions`, { prompt: 'hello', max_tokens: 300 });
    expect(o2.status).toBe(400);
    expect(JSON.parse(o2.body).error.message).toContain('you requested 300 output tokens');
  });

  it('rejects an unknown model with 404', async () => {
    const o = await post(`${s.url}/completions`, { model: 'nope', prompt: 'x' });
    expect(o.status).toBe(404);
    expect(o.body).toContain('The model `nope` does not exist.');
  });

  it('/tokenize agrees with usage.prompt_tokens, and /detokenize inverts it', async () => {
    const messages = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What is 2 + 2?' }];
    const tok = JSON.parse((await post(s.url.replace('/v1', '/tokenize'), { model: 'sim/w', messages })).body) as { count: number; tokens: number[]; max_model_len: number };
    const gen = JSON.parse((await post(`${s.url}/chat/completions`, { messages, max_tokens: 3 })).body) as { usage: { prompt_tokens: number; completion_tokens: number } };
    expect(tok.count).toBe(gen.usage.prompt_tokens);
    expect(tok.max_model_len).toBe(256);
    expect(gen.usage.completion_tokens).toBe(3);
    const de = JSON.parse((await post(s.url.replace('/v1', '/detokenize'), { tokens: tok.tokens })).body) as { prompt: string };
    expect(de.prompt).toContain('<|im_start|>user\nWhat is 2 + 2?<|im_end|>');
    const llama = JSON.parse((await post(s.url.replace('/v1', '/tokenize'), { content: 'hello world' })).body) as { tokens: number[] };
    expect(llama.tokens.length).toBe(2);
  });

  it('reports cached prompt tokens for a repeated prefix', async () => {
    const body = { prompt: 'shared prefix text '.repeat(30), max_tokens: 2 };
    const a = JSON.parse((await post(`${s.url}/completions`, body)).body) as { usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } } };
    const b = JSON.parse((await post(`${s.url}/completions`, body)).body) as typeof a;
    expect(a.usage.prompt_tokens_details.cached_tokens).toBe(0);
    expect(b.usage.prompt_tokens_details.cached_tokens).toBe(Math.floor((a.usage.prompt_tokens - 1) / 16) * 16);
  });

  it('is deterministic under a seed and varies text by request seed', async () => {
    const body = (seed: number): Record<string, unknown> => chat('tell me something', { max_tokens: 20, seed });
    const a = JSON.parse((await post(`${s.url}/chat/completions`, body(1))).body).choices[0].message.content as string;
    const b = JSON.parse((await post(`${s.url}/chat/completions`, body(1))).body).choices[0].message.content as string;
    expect(a).toBe(b);
    expect(a.length).toBeGreaterThan(20);
  });

  it('streams usage, finish reasons and role chunk in vLLM order', async () => {
    const o = await post(`${s.url}/chat/completions`, chat('hi', { stream: true, max_tokens: 4, ignore_eos: true, stream_options: { include_usage: true } }));
    const datas = o.events.map((e) => e.data);
    expect(datas.at(-1)).toBe('[DONE]');
    expect(JSON.parse(datas[0]!).choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const usage = JSON.parse(datas.at(-2)!);
    expect(usage.choices).toEqual([]);
    expect(usage.usage.completion_tokens).toBe(4);
    expect(JSON.parse(datas.at(-3)!).choices[0].finish_reason).toBe('length');
    expect(tokenEvents(o)).toHaveLength(4);
  });

  it('serves answer-bank answers and stops with finish_reason stop', async () => {
    const r = JSON.parse((await post(`${s.url}/chat/completions`, chat('Please read INVOICE-CASE-7 now'))).body);
    expect(r.choices[0].message.content).toBe('Alice received ¥1200 after the reconciliation.');
    expect(r.choices[0].finish_reason).toBe('stop');
  });

  it('/metrics exposes vLLM names', async () => {
    const m = await getText(s.url.replace('/v1', '/metrics'));
    for (const name of ['vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:kv_cache_usage_perc', 'vllm:prompt_tokens_total', 'vllm:generation_tokens_total', 'vllm:time_to_first_token_seconds_bucket']) {
      expect(m.text).toContain(name);
    }
    expect(Number(/vllm:generation_tokens_total\{[^}]*\} (\d+)/.exec(m.text)![1])).toBeGreaterThan(10);
    expect(Number(/vllm:time_to_first_token_seconds_count\{[^}]*\} (\d+)/.exec(m.text)![1])).toBeGreaterThan(3);
  });
});

describe('emission fidelity metrics', () => {
  it('count every streamed token write, and one gap per token after a stream\'s first', async () => {
    await withSim({ seed: 5 }, async (sim) => {
      const body = { model: 'sim/w', prompt: 'Count the writes.', stream: true, max_tokens: 12, ignore_eos: true };
      const runs = await Promise.all([post(`${sim.url}/completions`, body), post(`${sim.url}/completions`, body)]);
      for (const r of runs) expect(tokenEvents(r)).toHaveLength(12);
      const m = (await getText(sim.url.replace('/v1', '/metrics'))).text;
      const value = (name: string): number => Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(m)![1]);
      expect(value('sim:token_emit_lag_seconds_count')).toBe(24);
      expect(value('sim:token_gap_drift_seconds_count')).toBe(22);
      // At this load a write leaves within a few ms of its modelled time.
      const within = Number(/^sim:token_gap_drift_seconds_bucket\{[^}]*le="0.005"\} (\S+)$/m.exec(m)![1]);
      expect(within).toBeGreaterThanOrEqual(20);
      expect(value('sim:token_emit_lag_max_ms')).toBeGreaterThanOrEqual(0);
    });
  });
});

describe('personas', () => {
  const ask = async (persona: string, q: string): Promise<string> =>
    withSim({ persona } as SimModelInput, async (s) => JSON.parse((await post(`${s.url}/chat/completions`, chat(q))).body).choices[0].message.content as string);
  it('degrade answers deterministically', async () => {
    expect(await ask('digit_drift', 'INVOICE-CASE-7')).toBe('Alice received ¥12000 after the reconciliation.');
    expect(await ask('drop_entities', 'INVOICE-CASE-7')).toBe('received ¥1200 after the reconciliation.');
    expect(await ask('forbidden_phrase', 'INVOICE-CASE-7')).toContain('I guess');
    const broken = await ask('broken_json', 'JSON-CASE-3');
    expect(() => JSON.parse(broken) as unknown).toThrow();
  });
});

describe('faults', () => {
  it('HTTP errors: 429 with Retry-After on every 2nd request', async () => {
    await withSim({ faults: { error_every: 2, error_statuses: [429], retry_after_s: 7 } }, async (s) => {
      const a = await post(`${s.url}/completions`, { prompt: 'x', max_tokens: 2 });
      const b = await post(`${s.url}/completions`, { prompt: 'x', max_tokens: 2 });
      expect(a.status).toBe(200);
      expect(b.status).toBe(429);
      expect(b.headers['retry-after']).toBe('7');
    });
  });

  it('401 without the API key', async () => {
    await withSim({}, async (s) => {
      const o = await post(`${s.url}/completions`, { prompt: 'x', max_tokens: 2 });
      expect(o.status).toBe(401);
      expect(JSON.parse(o.body)).toEqual({ error: 'Unauthorized' });
      const ok = await post(`${s.url}/completions`, { prompt: 'x', max_tokens: 2 }, { authorization: 'Bearer k-test' });
      expect(ok.status).toBe(200);
    }, { apiKey: 'k-test' });
  });

  it('connection reset before headers and mid-stream', async () => {
    await withSim({ faults: { reset_before_headers: { every: 1 } } }, async (s) => {
      const o = await post(`${s.url}/completions`, { prompt: 'x', max_tokens: 5, stream: true });
      expect(o.status).toBe(0);
      expect(o.error).toBe('ECONNRESET');
    });
    await withSim({ faults: { reset_mid_stream: { every: 1, after_tokens: 3 } } }, async (s) => {
      const o = await post(`${s.url}/completions`, { prompt: 'x', max_tokens: 10, stream: true });
      expect(o.status).toBe(200);
      expect(o.error).toBeDefined();
      expect(tokenEvents(o)).toHaveLength(3);
    });
  });

  it('mid-stream error event without [DONE], and a malformed event', async () => {
    await withSim({ faults: { error_event: { every: 1, after_tokens: 2 } } }, async (s) => {
      const o = await post(`${s.url}/completions`, { prompt: 'x', max_tokens: 10, stream: true });
      expect(tokenEvents(o)).toHaveLength(2);
      expect(JSON.parse(o.events.at(-1)!.data).error.code).toBe(500);
      expect(o.events.some((e) => e.data === '[DONE]')).toBe(false);
    });
    await withSim({ faults: { malformed_event: { every: 1, after_tokens: 1 } } }, async (s) => {
      const o = await post(`${s.url}/completions`, { prompt: 'x', max_tokens: 4, stream: true, ignore_eos: true });
      const bad = o.events.filter((e) => e.data !== '[DONE]' && (() => { try { JSON.parse(e.data); return false; } catch { return true; } })());
      expect(bad).toHaveLength(1);
      expect(tokenEvents(o)).toHaveLength(4);
    });
  });

  it('stall: no bytes for duration_s, with SSE comment pings when enabled', async () => {
    await withSim({ faults: { stall: { every: 1, after_tokens: 2, duration_s: 0.3 } }, wire: { comment_ping_ms: 50 } }, async (s) => {
      const o = await post(`${s.url}/completions`, { prompt: 'x', max_tokens: 5, stream: true, ignore_eos: true });
      const t = tokenEvents(o);
      expect(t).toHaveLength(5);
      expect(t[2]!.t - t[1]!.t).toBeGreaterThan(280);
      expect(o.comments).toBeGreaterThanOrEqual(2);
    });
  });

  it('usage on the last choices chunk, role with first token, truncation', async () => {
    await withSim({ overflow: 'truncate', wire: { usage: 'last_choices_chunk', role_chunk: 'with_first_token' } }, async (s) => {
      const o = await post(`${s.url}/chat/completions`, chat('hi', { stream: true, max_tokens: 1000, ignore_eos: true }));
      const datas = o.events.map((e) => JSON.parse(e.data === '[DONE]' ? 'null' : e.data) as Record<string, any> | null).filter((x) => x !== null);
      expect(datas[0]!.choices[0].delta.role).toBe('assistant');
      expect(datas[0]!.choices[0].delta.content.length).toBeGreaterThan(0);
      const last = datas.at(-1)!;
      expect(last.choices[0].finish_reason).toBe('length');
      // llama-server style: 64-token context, 9-token prompt -> output silently truncated at 55.
      expect(last.usage.completion_tokens).toBe(64 - last.usage.prompt_tokens);
      const over = await post(`${s.url}/completions`, { prompt: 'word '.repeat(100) });
      expect(JSON.parse(over.body).error.type).toBe('exceed_context_size_error');
    }, { maxModelLen: 64 });
  });
});

describe('official openai SDK as an independent client', () => {
  it('lists models and consumes streaming and non-streaming chat and completions', async () => {
    await withSim({}, async (s) => {
      const client = new OpenAI({ baseURL: s.url, apiKey: 'unused' });
      const models = await client.models.list();
      expect(models.data.map((m) => m.id)).toEqual(['sim/w']);
      const c = await client.chat.completions.create({ model: 'sim/w', messages: [{ role: 'user', content: 'INVOICE-CASE-7' }] });
      expect(c.choices[0]!.message.content).toContain('¥1200');
      const stream = await client.chat.completions.create({ model: 'sim/w', messages: [{ role: 'user', content: 'INVOICE-CASE-7' }], stream: true, stream_options: { include_usage: true } });
      let text = '';
      let usage = 0;
      for await (const ch of stream) {
        text += ch.choices[0]?.delta.content ?? '';
        if (ch.usage) usage = ch.usage.completion_tokens;
      }
      expect(text).toBe('Alice received ¥1200 after the reconciliation.');
      expect(usage).toBeGreaterThan(5);
      const comp = await client.completions.create({ model: 'sim/w', prompt: 'hello', max_tokens: 5 });
      expect(comp.usage?.completion_tokens).toBe(5);
      const cs = await client.completions.create({ model: 'sim/w', prompt: 'hello', max_tokens: 5, stream: true });
      let n = 0;
      for await (const ch of cs) if (ch.choices[0]?.text) n++;
      expect(n).toBe(5);
    });
  });
});
