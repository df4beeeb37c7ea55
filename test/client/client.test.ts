/**
 * The client against real loopback servers that emit each wire case of servers.md.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createClient, type BenchClient } from '../../src/client/client.ts';
import type { Endpoint, GenerationRequest } from '../../src/client/types.ts';
import { chat, ev, sleep, sseHead, startServer, usageOnly, writeSlowly, type Script, type TestServer } from './server.ts';

const KEY_ENV = 'CLIENT_TEST_FAKE_KEY';
const FAKE_KEY = 'sk-test-0123456789abcdefSECRET';

let client: BenchClient;
let server: TestServer | null = null;

beforeAll(() => {
  process.env[KEY_ENV] = FAKE_KEY;
  client = createClient({ connections: 8, headerTimeoutMs: 400, stallTimeoutMs: 400 });
});
afterAll(async () => {
  delete process.env[KEY_ENV];
  await client.close();
});
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(script: Script, kind: Endpoint['kind'] = 'chat'): Promise<Endpoint> {
  server = await startServer(script);
  return { baseUrl: server.baseUrl, model: 'test-model', kind, provider: 'vllm', apiKeyEnv: KEY_ENV };
}

const streamReq: GenerationRequest = { messages: [{ role: 'user', content: 'hi' }], stream: true, maxTokens: 8 };

/** The whole record as text: the key must appear nowhere in it. */
function expectNoKey(rec: unknown): void {
  expect(JSON.stringify(rec)).not.toContain(FAKE_KEY);
}

describe('request shape', () => {
  test('streaming chat sends stream_options.include_usage, only the fields set, extraBody merged last, and the bearer key', async () => {
    const ep = await serve((_r, res) => {
      sseHead(res);
      res.end(ev(chat({ content: 'x' }, 'stop')) + 'data: [DONE]\n\n');
    });
    ep.extraBody = { chat_template_kwargs: { enable_thinking: false }, temperature: 0.5 };
    const rec = await client.send(ep, { ...streamReq, temperature: 1, extraBody: { temperature: 0.2 } });
    expect(rec.ok).toBe(true);
    const got = server!.received[0]!;
    expect(got.url).toBe('/v1/chat/completions');
    expect(got.headers.authorization).toBe(`Bearer ${FAKE_KEY}`);
    expect(JSON.parse(got.body)).toEqual({
      model: 'test-model',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 8,
      temperature: 0.2,
      stream: true,
      stream_options: { include_usage: true },
      chat_template_kwargs: { enable_thinking: false },
    });
    expectNoKey(rec);
  });

  test('completions: prompt, ignore_eos and min_tokens only when set, no logprobs/null fields, no stream fields when not streaming', async () => {
    const ep = await serve((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ index: 0, text: 'abc', finish_reason: 'length' }], usage: { prompt_tokens: 3, completion_tokens: 2 } }));
    }, 'completions');
    const rec = await client.send(ep, { prompt: 'p', stream: false, maxTokens: 2, ignoreEos: true, minTokens: 2 });
    const body = JSON.parse(server!.received[0]!.body) as Record<string, unknown>;
    expect(server!.received[0]!.url).toBe('/v1/completions');
    expect(body).toEqual({ model: 'test-model', prompt: 'p', max_tokens: 2, ignore_eos: true, min_tokens: 2 });
    expect(rec).toMatchObject({ ok: true, outputText: 'abc', finishReason: 'length', promptTokens: 3, completionTokens: 2, usageSource: 'server', tokenTimes: [] });
    expect(rec.tClose).toBeGreaterThan(rec.tSend);

    await client.send(ep, { prompt: 'p', stream: false, ignoreEos: false });
    expect(JSON.parse(server!.received[1]!.body)).toEqual({ model: 'test-model', prompt: 'p' });
  });
});

describe('streaming timing', () => {
  test('role-only first chunk at request start: TTFC < TTFT, and tEnd is the last token, not [DONE]', async () => {
    const ep = await serve(async (_r, res) => {
      sseHead(res);
      await writeSlowly(res, [ev(chat({ role: 'assistant', content: '' })), ev(chat({ content: 'Hel' })), ev(chat({ content: 'lo' })), ev(chat({}, 'stop'))], 40);
      await writeSlowly(res, [ev(usageOnly(5, 2))], 40);
      res.end('data: [DONE]\n\n');
    });
    const rec = await client.send(ep, streamReq, { id: 'a', tags: { case: 'role' }, tSched: 1 });
    expect(rec).toMatchObject({ id: 'a', ok: true, outputText: 'Hello', finishReason: 'stop', promptTokens: 5, completionTokens: 2, usageSource: 'server', tags: { case: 'role' }, tSched: 1 });
    expect(rec.tokenTimes).toHaveLength(2);
    expect(rec.tHeaders!).toBeGreaterThanOrEqual(rec.tSend);
    expect(rec.tFirstChunk!).toBeLessThan(rec.tFirstToken!);
    expect(rec.tFirstToken! - rec.tFirstChunk!).toBeGreaterThan(20);
    expect(rec.tFirstOutput).toBe(rec.tFirstToken);
    expect(rec.tEnd).toBe(rec.tokenTimes[1]);
    // The finish chunk, usage chunk and [DONE] came after the last token.
    expect(rec.tClose! - rec.tEnd!).toBeGreaterThan(60);
  });

  test('role sent together with the first token: TTFC equals TTFT', async () => {
    const ep = await serve((_r, res) => {
      sseHead(res);
      res.end(ev(chat({ role: 'assistant', content: 'Hi' })) + ev(chat({}, 'stop')) + ev(usageOnly(1, 1)) + 'data: [DONE]\n\n');
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.ok).toBe(true);
    expect(rec.tFirstChunk).toBe(rec.tFirstToken);
    expect(rec.tokenTimes).toHaveLength(1);
  });

  test('reasoning (reasoning_content, then reasoning) before content: TTFT < TTFO, texts kept apart', async () => {
    const ep = await serve(async (_r, res) => {
      sseHead(res);
      await writeSlowly(res, [ev(chat({ role: 'assistant', reasoning_content: 'think' })), ev(chat({ reasoning: ' more' })), ev(chat({ content: 'answer' }, 'stop'))], 40);
      res.end(ev(usageOnly(4, 3)) + 'data: [DONE]\n\n');
    });
    const rec = await client.send(ep, streamReq);
    expect(rec).toMatchObject({ ok: true, reasoningText: 'think more', outputText: 'answer', completionTokens: 3 });
    expect(rec.tokenTimes).toHaveLength(3);
    expect(rec.tFirstOutput! - rec.tFirstToken!).toBeGreaterThan(50);
  });

  test('tool-call deltas are token-bearing output and counted', async () => {
    const ep = await serve((_r, res) => {
      sseHead(res);
      const tc = (args: string, name?: string): unknown => chat({ tool_calls: [{ index: 0, ...(name ? { id: 'c1', type: 'function' } : {}), function: { ...(name ? { name } : {}), arguments: args } }] });
      res.end(ev(chat({ role: 'assistant', content: null })) + ev(tc('', 'get_weather')) + ev(tc('{"city":')) + ev(tc('"Paris"}')) + ev(chat({}, 'tool_calls')) + 'data: [DONE]\n\n');
    });
    const rec = await client.send(ep, streamReq);
    expect(rec).toMatchObject({ ok: true, toolCallEvents: 3, finishReason: 'tool_calls', outputText: '', usageSource: 'client_estimate' });
    expect(rec.tokenTimes).toHaveLength(3);
    expect(rec.tFirstOutput).toBe(rec.tFirstToken);
    expect(rec.completionTokens).toBeGreaterThan(2);
  });

  test('comments, pings and several events per write; splits inside a UTF-8 character across reads', async () => {
    const text = '日本語🙂';
    const wire = Buffer.from(': ping\n\n' + ev(chat({ role: 'assistant', content: '' })) + ': ping\n\n' + ev(chat({ content: text })) + ev(chat({ content: '!' }, 'stop')) + 'data: [DONE]\n\n');
    const cut = wire.indexOf(Buffer.from('本')) + 1; // inside the 3-byte character
    const ep = await serve(async (_r, res) => {
      sseHead(res);
      await writeSlowly(res, [wire.subarray(0, 3), wire.subarray(3, cut), wire.subarray(cut, cut + 2), wire.subarray(cut + 2)], 25);
      res.end();
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.ok).toBe(true);
    expect(rec.outputText).toBe(text + '!');
    expect(rec.tokenTimes).toHaveLength(2);
  });

  test('usage on the last choices chunk (llama.cpp completions) without include_usage support', async () => {
    const ep = await serve((_r, res) => {
      sseHead(res);
      const c = (text: string, finish: string | null, usage?: unknown): string =>
        ev({ id: 'cmpl-1', object: 'text_completion', choices: [{ index: 0, text, logprobs: null, finish_reason: finish }], ...(usage ? { usage } : {}) });
      res.end(c('one', null) + c(' two', null) + c('', 'length', { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 }) + 'data: [DONE]\n\n');
    }, 'completions');
    const rec = await client.send(ep, { prompt: 'x', stream: true, maxTokens: 2 });
    expect(rec).toMatchObject({ ok: true, outputText: 'one two', finishReason: 'length', promptTokens: 9, completionTokens: 2, usageSource: 'server' });
    expect(rec.tokensPerEvent).toBeUndefined();
  });

  test('no usage at all: completion tokens are a tokenizer count of the whole text', async () => {
    const ep = await serve((_r, res) => {
      sseHead(res);
      res.end(ev(chat({ content: 'The quick brown' })) + ev(chat({ content: ' fox jumps' }, 'stop')) + 'data: [DONE]\n\n');
    });
    const rec = await client.send(ep, streamReq);
    expect(rec).toMatchObject({ ok: true, usageSource: 'client_estimate', outputText: 'The quick brown fox jumps' });
    expect(rec.completionTokens).toBe(5);
    expect(rec.promptTokens).toBeUndefined();
  });

  test('continuous usage stats: tokens per event from completion_tokens deltas, cached tokens read', async () => {
    const ep = await serve((_r, res) => {
      sseHead(res);
      const u = (c: number): Record<string, unknown> => ({ prompt_tokens: 10, completion_tokens: c, total_tokens: 10 + c, prompt_tokens_details: { cached_tokens: 4 } });
      res.end(ev(chat({ role: 'assistant', content: '' }, null, u(0))) + ev(chat({ content: 'ab' }, null, u(1))) + ev(chat({ content: 'cdef' }, null, u(3))) + ev(chat({ content: 'g' }, 'stop', u(4))) + ev(usageOnly(10, 4)) + 'data: [DONE]\n\n');
    });
    const rec = await client.send(ep, streamReq);
    expect(rec).toMatchObject({ ok: true, tokensPerEvent: [1, 2, 1], completionTokens: 4, cachedTokens: 4, promptTokens: 10 });
  });

  test('no [DONE] but a finish_reason: complete and ok', async () => {
    const ep = await serve((_r, res) => {
      sseHead(res);
      res.end(ev(chat({ content: 'a' })) + ev(chat({}, 'stop')));
    });
    const rec = await client.send(ep, streamReq);
    expect(rec).toMatchObject({ ok: true, finishReason: 'stop' });
    expect(rec.tClose).toBeDefined();
  });
});

describe('stream failures', () => {
  test('no [DONE] and no finish_reason: stream_cut, partial output and timings kept', async () => {
    const ep = await serve((_r, res) => {
      sseHead(res);
      res.end(ev(chat({ content: 'a' })) + ev(chat({ content: 'b' })));
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.ok).toBe(false);
    expect(rec.error?.kind).toBe('stream_cut');
    expect(rec.outputText).toBe('ab');
    expect(rec.tokenTimes).toHaveLength(2);
  });

  test('mid-stream error event without [DONE]: stream_cut with the server message and code', async () => {
    const ep = await serve((_r, res) => {
      sseHead(res);
      res.end(ev(chat({ content: 'a' })) + ev({ error: { message: 'engine dead: CUDA out of memory', type: 'InternalServerError', code: 500 } }));
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.error).toMatchObject({ kind: 'stream_cut', status: 500 });
    expect(rec.error?.message).toContain('CUDA out of memory');
  });

  test('malformed JSON in a data line: malformed_event naming the payload', async () => {
    const ep = await serve((_r, res) => {
      sseHead(res);
      res.end(ev(chat({ content: 'a' })) + 'data: {"choices": [\n\n' + 'data: [DONE]\n\n');
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.error?.kind).toBe('malformed_event');
    expect(rec.error?.message).toContain('{"choices": [');
  });

  test('a comment parsed as JSON would fail: only comments before a valid stream still succeed (llama-server pings)', async () => {
    const ep = await serve(async (_r, res) => {
      sseHead(res);
      await writeSlowly(res, [':\n\n', ': ping\n\n'], 20);
      res.end(ev(chat({ content: 'a' }, 'stop')) + 'data: [DONE]\n\n');
    });
    expect((await client.send(ep, streamReq)).ok).toBe(true);
  });

  test('empty output: finish without any token is empty_output', async () => {
    const ep = await serve((_r, res) => {
      sseHead(res);
      res.end(ev(chat({ role: 'assistant', content: '' })) + ev(chat({}, 'stop')) + ev(usageOnly(3, 0)) + 'data: [DONE]\n\n');
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.error?.kind).toBe('empty_output');
    expect(rec.usageSource).toBe('server');
  });
});

describe('HTTP and transport failures', () => {
  test("400 with vLLM's JSON message: http, status and the server's own words", async () => {
    const msg = "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4990 in the messages, 10 in the completion).";
    const ep = await serve((_r, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'error', message: msg, type: 'BadRequestError', param: null, code: 400 }));
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.error).toMatchObject({ kind: 'http', status: 400 });
    expect(rec.error?.message).toContain(msg);
    expect(rec.error?.message).toContain(ep.baseUrl);
  });

  test("400 from llama-server's exceed_context_size_error keeps n_prompt_tokens and n_ctx", async () => {
    const ep = await serve((_r, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 400, message: 'the request exceeds the available context size, try increasing it', type: 'exceed_context_size_error', n_prompt_tokens: 5000, n_ctx: 4096 } }));
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.error?.message).toMatch(/exceed_context_size_error/);
    expect(rec.error?.message).toMatch(/n_prompt_tokens=5000, n_ctx=4096/);
  });

  test('429 with Retry-After: status and seconds', async () => {
    const ep = await serve((_r, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'rate_limit' } }));
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.error).toMatchObject({ kind: 'http', status: 429, retryAfterS: 7 });
    expect(rec.error?.message).toContain('Rate limit reached');
  });

  test('401 echoing the Authorization header: the key is redacted from the message and the record', async () => {
    const ep = await serve((r, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end(`invalid credentials: ${String(r.headers.authorization)} (raw key ${FAKE_KEY.slice(0)})`);
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.error?.kind).toBe('http');
    expect(rec.error?.message).toContain('[REDACTED]');
    expect(rec.error?.message).toContain(KEY_ENV);
    expectNoKey(rec);
  });

  test('connection reset before headers: connection_reset', async () => {
    const ep = await serve((_r, res) => {
      res.socket?.destroy();
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.error?.kind).toBe('connection_reset');
    expect(rec.tHeaders).toBeUndefined();
  });

  test('connection reset mid-stream: connection_reset with partial tokens kept', async () => {
    const ep = await serve(async (_r, res) => {
      sseHead(res);
      await writeSlowly(res, [ev(chat({ content: 'a' }))], 30);
      res.socket?.resetAndDestroy();
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.error?.kind).toBe('connection_reset');
    expect(rec.outputText).toBe('a');
    expect(rec.tokenTimes).toHaveLength(1);
  });

  test('connection refused: connect, naming the URL', async () => {
    const s = await startServer(() => undefined);
    const url = s.baseUrl;
    await s.close();
    const rec = await client.send({ baseUrl: url, model: 'm', kind: 'chat', provider: 'vllm' }, streamReq);
    expect(rec.error?.kind).toBe('connect');
    expect(rec.error?.message).toContain(url);
  });

  test('header timeout: header_timeout after roughly the deadline', async () => {
    const ep = await serve(() => undefined); // never answers
    const rec = await client.send(ep, streamReq);
    expect(rec.error?.kind).toBe('header_timeout');
    expect(rec.tClose! - rec.tSend).toBeGreaterThanOrEqual(350);
    expect(rec.tClose! - rec.tSend).toBeLessThan(3000);
  });

  test('stall timeout: stall_timeout when the body goes silent, partial output kept', async () => {
    const ep = await serve((_r, res) => {
      sseHead(res);
      res.write(ev(chat({ content: 'a' })));
    });
    const rec = await client.send(ep, streamReq);
    expect(rec.error?.kind).toBe('stall_timeout');
    expect(rec.outputText).toBe('a');
    expect(rec.tClose! - rec.tFirstToken!).toBeGreaterThanOrEqual(350);
  });

  test('abort mid-stream resolves at once with aborted; an already-aborted signal never sends', async () => {
    const ep = await serve(async (_r, res) => {
      sseHead(res);
      for (let i = 0; i < 100 && !res.destroyed; i++) {
        res.write(ev(chat({ content: 'x' })));
        await sleep(20);
      }
      res.end();
    });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = performance.now();
    const rec = await client.send(ep, streamReq, { signal: ac.signal });
    expect(rec.error?.kind).toBe('aborted');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(rec.tokenTimes.length).toBeGreaterThan(0);

    const before = server!.received.length;
    const pre = await client.send(ep, streamReq, { signal: AbortSignal.abort() });
    expect(pre.error?.kind).toBe('aborted');
    expect(server!.received.length).toBe(before);
  });

  test('abort while queued for a connection resolves without waiting for one', async () => {
    const small = createClient({ connections: 1, headerTimeoutMs: 5000 });
    try {
      const ep = await serve(async (_r, res) => {
        await sleep(600);
        sseHead(res);
        res.end(ev(chat({ content: 'a' }, 'stop')) + 'data: [DONE]\n\n');
      });
      const first = small.send(ep, streamReq);
      await sleep(20);
      const ac = new AbortController();
      const t0 = performance.now();
      const second = small.send(ep, streamReq, { signal: ac.signal });
      setTimeout(() => ac.abort(), 50);
      const rec2 = await second;
      expect(rec2.error?.kind).toBe('aborted');
      expect(performance.now() - t0).toBeLessThan(400);
      expect((await first).ok).toBe(true);
    } finally {
      await small.close();
    }
  });

  test('a server that ignores stream:true and answers JSON is read as a complete response', async () => {
    const ep = await serve((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content: 'whole', reasoning_content: 'r' }, finish_reason: 'stop' }], usage: { prompt_tokens: 2, completion_tokens: 2 } }));
    });
    const rec = await client.send(ep, streamReq);
    expect(rec).toMatchObject({ ok: true, outputText: 'whole', reasoningText: 'r', completionTokens: 2 });
  });

  test('close() makes later sends fail as aborted instead of throwing', async () => {
    const c = createClient();
    await c.close();
    const rec = await c.send({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm', kind: 'chat', provider: 'vllm' }, streamReq);
    expect(rec.error?.kind).toBe('aborted');
  });

  test('an invalid base URL is a connect failure naming it, not an exception', async () => {
    const rec = await client.send({ baseUrl: 'localhost:8000/v1', model: 'm', kind: 'chat', provider: 'vllm' }, streamReq);
    expect(rec.error?.kind).toBe('connect');
    expect(rec.error?.message).toContain('localhost:8000/v1');
  });
});
