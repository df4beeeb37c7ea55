import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'gpt-tokenizer/encoding/cl100k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint, Provider } from '../../src/client/types.ts';
import { fixedImage, imageSet } from '../../src/workload/images.ts';
import { createWorkload, supportsForcedLength } from '../../src/workload/requests.ts';
import { customScenario, getScenario, SCENARIOS } from '../../src/workload/scenarios.ts';
import { approximateTokenizer, serverTokenizer, type PromptTokenizer } from '../../src/workload/tokenizers.ts';
import { countChat, countPrompt, startFakeTokenizeServer, type FakeServer } from './fake-tokenize-server.ts';
import { makePng } from './png.ts';

const ep = (baseUrl: string, extra: Partial<Endpoint> = {}): Endpoint => ({ baseUrl, model: 'fake-model', kind: 'chat', provider: 'vllm', ...extra });

describe('scenarios', () => {
  it('has the named shapes with descriptions', () => {
    expect(Object.values(SCENARIOS).map((s) => [s.name, s.inputTokens, s.outputTokens])).toEqual([
      ['chat', 512, 128],
      ['summarisation', 1024, 128],
      ['generation', 128, 1024],
      ['translation', 256, 256],
      ['reasoning', 128, 2048],
    ]);
    for (const s of Object.values(SCENARIOS)) expect(s.description.length).toBeGreaterThan(20);
  });

  it('looks names up, builds custom ones, and rejects bad input naming the fix', () => {
    expect(getScenario('generation').outputTokens).toBe(1024);
    expect(() => getScenario('chatty')).toThrow(/unknown scenario "chatty": use one of chat, summarisation/);
    expect(customScenario(300, 40)).toMatchObject({ name: 'custom', inputTokens: 300, outputTokens: 40 });
    expect(() => customScenario(0, 40)).toThrow(/inputTokens must be a positive integer, got 0/);
  });
});

describe('forced output length per provider', () => {
  it.each<[Provider, boolean]>([
    ['vllm', true],
    ['sglang', true],
    ['llamacpp', true],
    ['sim', true],
    ['openai', false],
    ['ollama', false],
    ['tgi', false],
    ['lmdeploy', false],
  ])('%s -> %s', (provider, expected) => {
    expect(supportsForcedLength(provider)).toBe(expected);
  });

  const tok = approximateTokenizer();
  it.each<[Provider, boolean, Record<string, unknown>]>([
    ['vllm', true, { ignoreEos: true, minTokens: 64 }],
    ['sim', true, { ignoreEos: true, minTokens: 64 }],
    ['llamacpp', true, { ignoreEos: true }],
    ['openai', false, {}],
    ['ollama', false, {}],
  ])('%s: forcesOutputLength=%s and sends %o', async (provider, forces, fields) => {
    const w = await createWorkload({ endpoint: ep('http://127.0.0.1:1/v1', { provider }), inputTokens: 32, outputTokens: 64, tokenizer: tok, seed: 1, forceOutputLength: true, count: 2 });
    expect(w.forcesOutputLength).toBe(forces);
    const req = w.next(1);
    expect(req.maxTokens).toBe(64);
    expect(req.intendedOutputTokens).toBe(64);
    expect({ ignoreEos: req.ignoreEos, minTokens: req.minTokens }).toEqual({ ignoreEos: undefined, minTokens: undefined, ...fields });
  });

  it('does not force when not asked, even where supported', async () => {
    const w = await createWorkload({ endpoint: ep('http://127.0.0.1:1/v1'), inputTokens: 32, outputTokens: 64, tokenizer: tok, seed: 1, forceOutputLength: false, count: 1 });
    expect(w.forcesOutputLength).toBe(false);
    expect(w.next(0).ignoreEos).toBeUndefined();
  });
});

describe('workloads against a vLLM-shaped /tokenize', () => {
  let server: FakeServer;
  let tokenizer: PromptTokenizer;
  let dir: string;
  beforeAll(async () => {
    server = await startFakeTokenizeServer('vllm');
    tokenizer = serverTokenizer(ep(server.baseUrl), { flavor: 'vllm' });
    dir = await mkdtemp(join(tmpdir(), 'workload-req-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('builds chat requests of the exact templated length, each prompt unique', async () => {
    const w = await createWorkload({ endpoint: ep(server.baseUrl), scenario: SCENARIOS.translation, tokenizer, seed: 11, forceOutputLength: true, count: 6, systemPrompt: 'Translate.' });
    expect(w).toMatchObject({ seed: 11, count: 6, endpointKind: 'chat', tokenizerKind: 'server', exactInputLength: true, scenario: { name: 'translation', inputTokens: 256, outputTokens: 256 } });
    const reqs = Array.from({ length: 6 }, (_, i) => w.next(i));
    for (const r of reqs) {
      expect(r.prompt).toBeUndefined();
      expect(countChat(r.messages as { role: string; content: string }[])).toBe(256);
      expect(r.intendedInputTokens).toBe(256);
      expect(r.stream).toBe(true);
    }
    const users = reqs.map((r) => r.messages?.at(-1)?.content);
    expect(new Set(users).size).toBe(6);
    expect(w.tags(3)).toEqual({ scenario: 'translation' });
    expect(() => w.next(6)).toThrow(/has 6 prebuilt requests, request 6 asked for; create it with a larger count/);
  });

  it('builds completions prompts and is reproducible from (seed, nonce)', async () => {
    const endpoint = ep(server.baseUrl, { kind: 'completions' });
    const make = (seed: number, nonce?: string) => createWorkload({ endpoint, inputTokens: 100, outputTokens: 10, tokenizer, seed, forceOutputLength: true, count: 3, ...(nonce ? { nonce } : {}) });
    const a = await make(5, 'n1');
    const b = await make(5, 'n1');
    const c = await make(6, 'n1');
    const fresh = await make(5);
    expect([0, 1, 2].map((i) => b.next(i).prompt)).toEqual([0, 1, 2].map((i) => a.next(i).prompt));
    expect(c.next(0).prompt).not.toBe(a.next(0).prompt);
    // A new run with the same seed gets a new nonce, so a warm prefix cache cannot serve it.
    expect(fresh.nonce).not.toBe('n1');
    expect(fresh.next(0).prompt).not.toBe(a.next(0).prompt);
    for (const w of [a, c, fresh]) for (let i = 0; i < 3; i++) expect(countPrompt(w.next(i).prompt as string)).toBe(100);
    expect(a.next(0).messages).toBeUndefined();
  });

  it('shares a prefix of the chosen token length across requests', async () => {
    const w = await createWorkload({ endpoint: ep(server.baseUrl, { kind: 'completions' }), inputTokens: 200, outputTokens: 8, tokenizer, seed: 3, forceOutputLength: true, count: 3, sharedPrefixTokens: 120 });
    expect(w.sharedPrefix?.tokens).toBe(120);
    const ids = [0, 1, 2].map((i) => encode(w.next(i).prompt as string));
    // 120 tokens counted with BOS: 119 text tokens, identical in every prompt, then they differ.
    expect(ids[1]?.slice(0, 119)).toEqual(ids[0]?.slice(0, 119));
    expect(ids[2]?.slice(0, 119)).toEqual(ids[0]?.slice(0, 119));
    // ...and diverge right after it, inside the unique prefix `[nonce-i]`.
    const firstDiff = (ids[0] ?? []).findIndex((t, k) => ids[1]?.[k] !== t);
    expect(firstDiff).toBeGreaterThanOrEqual(119);
    expect(firstDiff).toBeLessThan(119 + 12);
    expect(ids.map((t) => t.length + 1)).toEqual([200, 200, 200]);
    await expect(createWorkload({ endpoint: ep(server.baseUrl), inputTokens: 50, outputTokens: 8, tokenizer, seed: 3, forceOutputLength: true, count: 1, sharedPrefixTokens: 50 })).rejects.toThrow(/sharedPrefixTokens must be an integer in \[1, 49\]/);
  });

  it('adds image parts, encoded once, with size tags; refuses images on completions', async () => {
    const path = join(dir, 'img.png');
    await writeFile(path, makePng(32, 20));
    let reads = 0;
    const image = await fixedImage(path, { readFile: async (p) => (reads++, readFile(p)) });
    const w = await createWorkload({ endpoint: ep(server.baseUrl), inputTokens: 64, outputTokens: 16, tokenizer, seed: 2, forceOutputLength: true, count: 4, image });
    const contents = [0, 1, 2, 3].map((i) => w.next(i).messages?.at(-1)?.content);
    for (const c of contents) {
      expect(Array.isArray(c)).toBe(true);
      const parts = c as Exclude<typeof c, string | undefined>;
      expect(parts[0]).toBe(image.images[0]?.part);
      expect(parts[1]).toMatchObject({ type: 'text' });
    }
    expect(reads).toBe(1);
    expect(w.tags(2)).toEqual({ scenario: 'custom', image: 'img.png', imageSize: '32x20', imageWidth: 32, imageHeight: 20 });
    await expect(createWorkload({ endpoint: ep(server.baseUrl, { kind: 'completions' }), inputTokens: 64, outputTokens: 16, tokenizer, seed: 2, forceOutputLength: true, count: 1, image })).rejects.toThrow(/images need the chat endpoint.*set kind: chat/);
  });

  it('cycles an image set so every size gets requests', async () => {
    await writeFile(join(dir, 'img2.png'), makePng(8, 8));
    const image = await imageSet([join(dir, 'img.png'), join(dir, 'img2.png')]);
    const w = await createWorkload({ endpoint: ep(server.baseUrl), inputTokens: 40, outputTokens: 8, tokenizer, seed: 2, forceOutputLength: false, count: 4, image });
    expect([0, 1, 2, 3].map((i) => w.tags(i).imageSize)).toEqual(['32x20', '8x8', '32x20', '8x8']);
  });

  it('validates lengths with a message naming the model', async () => {
    await expect(createWorkload({ endpoint: ep(server.baseUrl), tokenizer, seed: 1, forceOutputLength: true, count: 1 })).rejects.toThrow(/model "fake-model": inputTokens must be a positive integer, got undefined/);
  });
});
