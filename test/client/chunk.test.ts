import { describe, expect, test } from 'vitest';
import { interpretChunk, isOutputBearing, isTokenBearing, readError } from '../../src/client/chunk.ts';
import { redactSecrets, registerSecret } from '../../src/client/redact.ts';

describe('interpretChunk', () => {
  test('role-only chunk has choices but is not token-bearing (content "" or null)', () => {
    for (const content of ['', null]) {
      const v = interpretChunk({ choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null }] });
      expect(v.hasChoices).toBe(true);
      expect(isTokenBearing(v)).toBe(false);
    }
  });

  test('finish chunk with delta {} carries the finish reason and no token', () => {
    const v = interpretChunk({ choices: [{ index: 0, delta: {}, finish_reason: 'length' }] });
    expect(v).toMatchObject({ hasChoices: true, finishReason: 'length' });
    expect(isTokenBearing(v)).toBe(false);
  });

  test('usage-only chunk: no choices, usage read including cached tokens', () => {
    const v = interpretChunk({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 5 } } });
    expect(v.hasChoices).toBe(false);
    expect(v.usage).toEqual({ promptTokens: 7, completionTokens: 3, cachedTokens: 5 });
  });

  test('reasoning is token-bearing but not output; completions text is output', () => {
    const r = interpretChunk({ choices: [{ delta: { reasoning_content: 'hmm' } }] });
    expect(isTokenBearing(r) && !isOutputBearing(r)).toBe(true);
    expect(interpretChunk({ choices: [{ delta: { reasoning: 'x' } }] }).reasoning).toBe('x');
    const c = interpretChunk({ choices: [{ index: 0, text: ' tok', finish_reason: null }] });
    expect(c.content).toBe(' tok');
    expect(isOutputBearing(c)).toBe(true);
  });

  test('error objects: nested, flat (older vLLM) and a plain string', () => {
    expect(interpretChunk({ error: { message: 'boom', code: 503 } }).error).toEqual({ message: 'boom', status: 503, type: undefined });
    expect(readError({ object: 'error', message: 'bad', type: 'BadRequestError', code: 400 })).toEqual({ message: 'bad', status: 400, type: 'BadRequestError' });
    expect(readError({ error: 'overloaded' })).toEqual({ message: 'overloaded' });
    expect(readError({ choices: [] })).toBeNull();
  });

  test('shapes that are not chunks are malformed, with the reason', () => {
    expect(interpretChunk([1]).malformed).toMatch(/array/);
    expect(interpretChunk({ id: 'x' }).malformed).toMatch(/neither "choices" nor "usage"/);
    expect(interpretChunk({ choices: {} }).malformed).toMatch(/not an array/);
  });
});

describe('redactSecrets', () => {
  test('removes registered secrets, bearer tokens and key-shaped strings, keeps ordinary text', () => {
    registerSecret('my-private-token-42');
    const out = redactSecrets('a my-private-token-42 b Authorization: Bearer abc.def c sk-ABCDEFGH12345 d hf_abcdefghijk e');
    expect(out).toBe('a [REDACTED] b Authorization: Bearer [REDACTED] c [REDACTED] d [REDACTED] e');
    expect(redactSecrets('max context 4096 tokens')).toBe('max context 4096 tokens');
  });
});
