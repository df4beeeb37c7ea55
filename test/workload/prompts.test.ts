import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { encode } from 'gpt-tokenizer/encoding/cl100k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/client/types.ts';
import { createRng } from '../../src/util/random.ts';
import { buildPrompt, PromptLengthError } from '../../src/workload/prompts.ts';
import { approximateTokenizer, localTokenizer, resolveTokenizer, serverRoot, serverTokenizer } from '../../src/workload/tokenizers.ts';
import { countChat, countPrompt, startFakeTokenizeServer, type FakeServer } from './fake-tokenize-server.ts';
import { tinyTokenizerJson, writeTinyTokenizer } from './tiny-tokenizer.ts';

const endpointFor = (baseUrl: string, extra: Partial<Endpoint> = {}): Endpoint => ({
  baseUrl,
  model: 'fake-model',
  kind: 'completions',
  provider: 'vllm',
  ...extra,
});

describe('serverRoot', () => {
  it('strips /v1 and trailing slashes', () => {
    expect(serverRoot('http://h:8000/v1')).toBe('http://h:8000');
    expect(serverRoot('http://h:8000/v1/')).toBe('http://h:8000');
    expect(serverRoot('http://h:8000/api/v1')).toBe('http://h:8000/api');
  });
});

describe('prompts against a vLLM-shaped /tokenize', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeTokenizeServer('vllm', { apiKey: 'sekret' });
    process.env.WORKLOAD_TEST_KEY = 'sekret';
  });
  afterAll(async () => {
    await server.close();
    delete process.env.WORKLOAD_TEST_KEY;
  });
  const ep = (): Endpoint => endpointFor(server.baseUrl, { apiKeyEnv: 'WORKLOAD_TEST_KEY' });

  it('resolves to the server tokenizer and sends the API key as a Bearer token', async () => {
    const { tokenizer, why } = await resolveTokenizer(ep());
    expect(tokenizer.kind).toBe('server');
    expect(typeof tokenizer.countMessages).toBe('function');
    expect(why).toContain(serverRoot(server.baseUrl));
    expect(why).not.toContain('sekret');
    expect(server.auth.at(-1)).toBe('Bearer sekret');
  });

  it.each([16, 100, 512, 1024])('builds a %i-token completions prompt that /tokenize measures at exactly that length', async (target) => {
    const tokenizer = serverTokenizer(ep(), { flavor: 'vllm' });
    const before = server.calls.get('/tokenize') ?? 0;
    const p = await buildPrompt({ targetTokens: target, tokenizer, rng: createRng(target), uniquePrefix: '[run-1]' });
    expect(p.tokens).toBe(target);
    expect(p.exact).toBe(true);
    // Checked independently of the builder's own bookkeeping.
    expect(countPrompt(p.text)).toBe(target);
    expect(p.text.startsWith('[run-1]')).toBe(true);
    // Few round trips: the search must not walk word by word.
    expect((server.calls.get('/tokenize') ?? 0) - before).toBe(p.measurements);
    expect(p.measurements).toBeLessThanOrEqual(10);
  });

  it.each([16, 100, 512, 1024])('builds a %i-token chat prompt measured with the chat template', async (target) => {
    const tokenizer = serverTokenizer(ep(), { flavor: 'vllm' });
    // At 16 tokens the template and a system prompt alone would not fit.
    const system = target >= 100 ? 'You are terse.' : undefined;
    const p = await buildPrompt({ targetTokens: target, tokenizer, rng: createRng(7 * target), asChat: true, systemPrompt: system, uniquePrefix: '[r-2]' });
    expect(p.messages).toEqual([...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: p.text }]);
    expect(countChat(p.messages as { role: string; content: string }[])).toBe(target);
    // The template overhead is real: the same text as a bare prompt is shorter.
    expect(countPrompt(p.text)).toBeLessThan(target);
    expect(p.exact).toBe(true);
  });

  it('encode/decode round-trip through /tokenize and /detokenize', async () => {
    const tokenizer = serverTokenizer(ep(), { flavor: 'vllm' });
    const ids = await tokenizer.encode!('Hello there, world.');
    expect(ids.length).toBe(countPrompt('Hello there, world.'));
    expect(await tokenizer.decode!(ids)).toBe('Hello there, world.');
  });

  it('names the URL and model when the server rejects the model', async () => {
    const tokenizer = serverTokenizer(endpointFor(server.baseUrl, { apiKeyEnv: 'WORKLOAD_TEST_KEY', model: 'wrong-name' }), { flavor: 'vllm' });
    await expect(tokenizer.countText('hi')).rejects.toThrow(/\/tokenize for model "wrong-name" returned HTTP 404/);
  });

  it('is deterministic under a seed, and different prefixes or seeds give different prompts', async () => {
    const tokenizer = serverTokenizer(ep(), { flavor: 'vllm' });
    const a = await buildPrompt({ targetTokens: 64, tokenizer, rng: createRng(42), uniquePrefix: '[x-0]' });
    const b = await buildPrompt({ targetTokens: 64, tokenizer, rng: createRng(42), uniquePrefix: '[x-0]' });
    const c = await buildPrompt({ targetTokens: 64, tokenizer, rng: createRng(43), uniquePrefix: '[x-0]' });
    const d = await buildPrompt({ targetTokens: 64, tokenizer, rng: createRng(42), uniquePrefix: '[x-1]' });
    expect(b.text).toBe(a.text);
    expect(c.text).not.toBe(a.text);
    expect(d.text).not.toBe(a.text);
    expect([a, b, c, d].map((p) => countPrompt(p.text))).toEqual([64, 64, 64, 64]);
  });

  it('places a shared prefix first, so its tokens are identical across prompts', async () => {
    const tokenizer = serverTokenizer(ep(), { flavor: 'vllm' });
    const shared = await buildPrompt({ targetTokens: 40, tokenizer, rng: createRng(1) });
    const p1 = await buildPrompt({ targetTokens: 120, tokenizer, rng: createRng(2), sharedPrefix: shared.text, uniquePrefix: '[u-1]' });
    const p2 = await buildPrompt({ targetTokens: 120, tokenizer, rng: createRng(3), sharedPrefix: shared.text, uniquePrefix: '[u-2]' });
    const t1 = encode(p1.text);
    const t2 = encode(p2.text);
    // 40 counted with BOS = 39 text tokens shared.
    expect(t1.slice(0, 39)).toEqual(t2.slice(0, 39));
    expect(t1.slice(0, 39)).toEqual(encode(shared.text));
    expect(t1.slice(39, 45)).not.toEqual(t2.slice(39, 45));
    expect([countPrompt(p1.text), countPrompt(p2.text)]).toEqual([120, 120]);
  });

  it('refuses a target shorter than the fixed part, naming both lengths', async () => {
    const tokenizer = serverTokenizer(ep(), { flavor: 'vllm' });
    const err = await buildPrompt({ targetTokens: 5, tokenizer, rng: createRng(1), asChat: true, systemPrompt: 'You are a very helpful assistant that answers.' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PromptLengthError);
    expect((err as Error).message).toMatch(/already \d+ tokens .* more than the 5 asked for/);
  });
});

describe('prompts against a llama-server-shaped /tokenize', () => {
  let server: FakeServer;
  beforeAll(async () => {
    server = await startFakeTokenizeServer('llamacpp');
  });
  afterAll(async () => {
    await server.close();
  });

  it('is found by the probe and gives exact completions prompts', async () => {
    const { tokenizer, reasons } = await resolveTokenizer(endpointFor(server.baseUrl, { provider: 'llamacpp' }));
    expect(tokenizer.kind).toBe('server');
    expect(tokenizer.source).toContain('llama-server');
    expect(reasons).toHaveLength(1);
    const p = await buildPrompt({ targetTokens: 100, tokenizer, rng: createRng(5), uniquePrefix: '[l-0]' });
    expect(countPrompt(p.text)).toBe(100);
    expect(p.exact).toBe(true);
    expect(await tokenizer.decode!(await tokenizer.encode!('abc def'))).toBe('abc def');
  });

  it('is found even when the provider is not declared as llamacpp (vLLM shape tried first)', async () => {
    const { tokenizer, reasons } = await resolveTokenizer(endpointFor(server.baseUrl, { provider: 'openai' }));
    expect(tokenizer.source).toContain('llama-server');
    expect(reasons[0]).toMatch(/vllm shape\) -> HTTP 500/);
  });

  it('marks chat prompts inexact: llama-server gives no templated count', async () => {
    const { tokenizer } = await resolveTokenizer(endpointFor(server.baseUrl, { provider: 'llamacpp', kind: 'chat' }));
    const p = await buildPrompt({ targetTokens: 64, tokenizer, rng: createRng(5), asChat: true });
    expect(p.tokens).toBe(64);
    expect(p.exact).toBe(false);
  });
});

describe('fallbacks', () => {
  let server: FakeServer;
  let dir: string;
  beforeAll(async () => {
    server = await startFakeTokenizeServer('none');
    dir = await mkdtemp(join(tmpdir(), 'workload-tok-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('falls back to a local tokenizer.json and builds exact lengths with it', async () => {
    const path = await writeTinyTokenizer(dir);
    const { tokenizer, why, reasons } = await resolveTokenizer(endpointFor(server.baseUrl), { tokenizerJson: path });
    expect(tokenizer.kind).toBe('local');
    expect(reasons.map((r) => r.split(':')[0])).toEqual(['server', 'server', 'local']);
    expect(why).toMatch(/HTTP 404/);
    const reference = new Tokenizer(tinyTokenizerJson(), {});
    for (const target of [16, 100, 300]) {
      const p = await buildPrompt({ targetTokens: target, tokenizer, rng: createRng(target), uniquePrefix: '[loc-1]' });
      expect(reference.encode(p.text).ids.length).toBe(target);
      expect(p.exact).toBe(true);
    }
  });

  it('falls back to the approximation, flagged, when there is no tokenizer at all', async () => {
    const { tokenizer, why } = await resolveTokenizer(endpointFor(server.baseUrl));
    expect(tokenizer.kind).toBe('approximate');
    expect(why).toMatch(/no tokenizerJson configured/);
    const p = await buildPrompt({ targetTokens: 200, tokenizer, rng: createRng(9) });
    expect(p.tokens).toBe(200);
    expect(p.exact).toBe(false);
    expect(Math.ceil(p.text.length / 4)).toBe(200);
  });

  it('reports a broken tokenizer.json and still falls back', async () => {
    const { tokenizer, reasons } = await resolveTokenizer(endpointFor(server.baseUrl), { tokenizerJson: join(dir, 'missing.json') });
    expect(tokenizer.kind).toBe('approximate');
    expect(reasons.find((r) => r.startsWith('local:'))).toMatch(/missing\.json/);
  });

  it('gives up on an unreachable server after one probe', async () => {
    const closed = await startFakeTokenizeServer('none');
    const url = closed.baseUrl;
    await closed.close();
    const { tokenizer, reasons } = await resolveTokenizer(endpointFor(url), { probeTimeoutMs: 500 });
    expect(tokenizer.kind).toBe('approximate');
    expect(reasons.filter((r) => r.startsWith('server:'))).toHaveLength(1);
    expect(reasons[0]).toMatch(/ECONNREFUSED|connect/i);
  });

  it('the local tokenizer counts BOS like the server does', async () => {
    const tok = await localTokenizer(await writeTinyTokenizer(dir));
    expect(await tok.countText('the')).toBe(2);
    expect(await tok.decode!(await tok.encode!('the'))).toContain('the');
  });

  it('the approximation is ~4 characters per token', async () => {
    expect(await approximateTokenizer().countText('x'.repeat(41))).toBe(11);
  });
});

describe('the length search over many seeds (in-process cl100k, chat template included)', () => {
  // Same counting as the fake server, without HTTP, so many cases stay fast.
  const tokenizer = {
    kind: 'server' as const,
    source: 'in-process cl100k',
    countText: async (text: string) => countPrompt(text),
    countMessages: async (messages: { role: string; content: unknown }[]) => countChat(messages as { role: string; content: string }[]),
  };

  it('hits every target exactly in at most 8 measurements', async () => {
    const pick = createRng(2024);
    const spent: number[] = [];
    for (let s = 0; s < 80; s++) {
      const target = 24 + Math.floor(pick() * 2500);
      const asChat = s % 2 === 0;
      const p = await buildPrompt({ targetTokens: target, tokenizer, rng: createRng(s), asChat, uniquePrefix: `[n-${s}]` });
      const measured = asChat ? countChat(p.messages as { role: string; content: string }[]) : countPrompt(p.text);
      expect({ s, target, measured }).toEqual({ s, target, measured: target });
      spent.push(p.measurements);
    }
    expect(Math.max(...spent)).toBeLessThanOrEqual(8);
  });
});
