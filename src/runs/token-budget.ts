/**
 * Token-budget analysis of a measurement: distributions, truncation (declared and silent),
 * requested versus received output length, cost from configured prices, and a probe of what the
 * server does past its context window (HTTP 400 like vLLM, or silent truncation like llama-server).
 */
import { createClient } from '../client/client.ts';
import { listModels } from '../client/client.ts';
import type { GenerationRequest, RequestRecord } from '../client/types.ts';
import { distribution } from '../metrics/percentile.ts';
import { histogram } from '../metrics/histogram.ts';
import type { TokenBudgetInfo } from '../matchers/meta.ts';
import type { BenchTarget } from '../setup/target.ts';
import { createRng, deriveSeed } from '../util/random.ts';
import { buildPrompt } from '../workload/prompts.ts';
import type { Measurement } from './measure.ts';
import { tokenizerFor } from './tokenizer-cache.ts';

export function analyseTokens(target: BenchTarget, m: Measurement): TokenBudgetInfo {
  const ok = m.records.filter((r) => r.ok);
  const inputs = ok.map((r) => r.promptTokens).filter((v): v is number => v !== undefined);
  const outputs = ok.map((r) => r.completionTokens).filter((v): v is number => v !== undefined);
  // Only an exact tokenizer can tell a truncated prompt from a miscounted one.
  const exact = m.tokenizerKind !== 'approximate';
  const silentPrompt = exact
    ? ok.filter((r) => r.promptTokens !== undefined && r.intendedInputTokens !== undefined && r.promptTokens < r.intendedInputTokens).length
    : 0;
  const silentOutput = m.records.filter((r) => r.ok && (r.finishReason === null || r.finishReason === undefined) && r.usageSource !== 'none').length;
  const requested = m.records.find((r) => r.intendedOutputTokens !== undefined)?.intendedOutputTokens;
  const info: TokenBudgetInfo = {
    inputTokens: histogram(inputs),
    outputTokens: histogram(outputs),
    truncationRate: m.summary.truncationRate,
    silentPromptTruncations: silentPrompt,
    silentOutputTruncations: silentOutput,
  };
  if (requested !== undefined && m.outputLengthRequested) {
    info.oslMismatch = {
      requested,
      received: distribution(outputs),
      exactFraction: outputs.length ? outputs.filter((o) => o === requested).length / outputs.length : null,
    };
  }
  if (target.price) {
    const { inputPerMillion, outputPerMillion, currency } = target.price;
    const costs = ok.map((r) => ((r.promptTokens ?? 0) * inputPerMillion + (r.completionTokens ?? 0) * outputPerMillion) / 1e6);
    const tokens = ok.reduce((a, r) => a + (r.promptTokens ?? 0) + (r.completionTokens ?? 0), 0);
    const total = costs.reduce((a, b) => a + b, 0);
    info.cost = {
      currency,
      perRequest: costs.length ? total / costs.length : null,
      perMillionTokens: tokens ? (total / tokens) * 1e6 : null,
      inputPricePerMillion: inputPerMillion,
      outputPricePerMillion: outputPerMillion,
    };
  }
  return info;
}

type Behaviour = NonNullable<TokenBudgetInfo['contextOverflow']>['promptOverLimit'];

/** The context window: configured, else what the server's /v1/models says. */
export async function contextWindow(target: BenchTarget): Promise<number | null> {
  if (target.maxModelLen) return target.maxModelLen;
  const served = await listModels(target.endpoint);
  if (!served.ok) return null;
  return served.models.find((m) => m.id === target.endpoint.model)?.maxModelLen ?? served.models[0]?.maxModelLen ?? null;
}

export async function probeContextOverflow(target: BenchTarget, signal?: AbortSignal): Promise<NonNullable<TokenBudgetInfo['contextOverflow']> | null> {
  const maxLen = await contextWindow(target);
  if (!maxLen) return null;
  const { tokenizer } = await tokenizerFor(target);
  const rng = createRng(deriveSeed(target.plan.seed, `${target.model}/overflow`));
  const asChat = target.endpoint.kind === 'chat';
  const client = createClient({ connections: 2 });
  try {
    const send = async (inputTokens: number, maxTokens: number): Promise<{ rec: RequestRecord; sent: number }> => {
      const p = await buildPrompt({ targetTokens: inputTokens, tokenizer, rng, asChat, uniquePrefix: `overflow-${inputTokens}-${maxTokens}` });
      const req: GenerationRequest = asChat
        ? { messages: p.messages ?? [{ role: 'user', content: p.text }], stream: true, maxTokens, temperature: 0, intendedInputTokens: p.tokens }
        : { prompt: p.text, stream: true, maxTokens, temperature: 0, intendedInputTokens: p.tokens };
      return { rec: await client.send(target.endpoint, req, { signal }), sent: p.tokens };
    };
    const classify = (r: { rec: RequestRecord; sent: number }, cap: number): Behaviour => {
      if (!r.rec.ok) return r.rec.error?.kind === 'http' && r.rec.error.status === 400 ? 'http_400' : 'other';
      if (r.rec.promptTokens !== undefined && r.rec.promptTokens < r.sent) return 'silent_truncation';
      if (r.rec.finishReason === 'length' && (r.rec.completionTokens ?? Infinity) <= cap) return 'silent_truncation';
      return 'accepted';
    };
    const over = await send(maxLen + 64, 16);
    const room = 32;
    const near = await send(maxLen - room, 256);
    const a = classify(over, 16);
    const b = classify(near, room);
    const describe = (r: { rec: RequestRecord; sent: number }): string =>
      r.rec.ok
        ? `HTTP 200, prompt_tokens ${r.rec.promptTokens ?? '?'} of ${r.sent} sent, ${r.rec.completionTokens ?? '?'} tokens out, finish_reason ${r.rec.finishReason ?? 'none'}`
        : `${r.rec.error?.status ? `HTTP ${r.rec.error.status}` : r.rec.error?.kind}: ${(r.rec.error?.message ?? '').slice(0, 160)}`;
    return {
      promptOverLimit: a,
      promptPlusMaxTokensOverLimit: b,
      detail: `max_model_len ${maxLen}. Prompt of ${over.sent} tokens: ${describe(over)}. Prompt of ${near.sent} tokens + max_tokens 256: ${describe(near)}.`,
    };
  } finally {
    await client.close();
  }
}
