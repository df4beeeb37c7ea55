/**
 * Token budget: input and output token distributions, truncation rate (finish_reason length),
 * silent truncation (fewer prompt tokens reported than sent, output cut without a reason), the
 * requested versus received output length, behaviour past the context window, and cost.
 */
import { describe, expect } from 'vitest';
import { benchTest, once, plan, recordMeasurement, target, thresholdOf } from './support/bench.ts';
import { measure } from '../src/runs/measure.ts';
import { analyseTokens, probeContextOverflow } from '../src/runs/token-budget.ts';
import { judge } from '../src/matchers/judge.ts';

const { samples, concurrency, scenario } = plan.tokenBudget;
const truncation = thresholdOf('truncation', { kind: 'rate' }, {
  id: 'default.truncation',
  dimension: 'token-budget',
  op: '<=',
  fail: 0.1,
  unit: '',
  source: 'default (the older tool\'s truncation_rate_max)',
  expr: 'rate <= 0.1',
});
const workload = `${scenario.inputTokens}-token prompts, natural answers under max_tokens ${scenario.outputTokens}, ${samples} requests at concurrency ${concurrency}`;
const forcedScenario = { name: 'chat-forced', inputTokens: scenario.inputTokens, outputTokens: 32 };
const forcedWorkload = `${forcedScenario.inputTokens} -> ${forcedScenario.outputTokens} forced, ${Math.min(samples, 16)} requests`;

// Natural answers under a budget: truncation and distributions mean something only when the model may stop by itself.
const run = once(async () => {
  const m = await measure(target, 'token-budget', { name: 'budget', scenario, concurrency, requests: samples, warmup: 0, forceOutputLength: false });
  return { m, info: analyseTokens(target, m) };
});
// Forced lengths (ignore_eos/min_tokens): does the server honour them?
const forced = once(async () => {
  const m = await measure(target, 'token-budget', { name: 'forced', scenario: forcedScenario, concurrency, requests: Math.min(samples, 16), warmup: 0 });
  return { m, info: analyseTokens(target, m) };
});

describe('token budget', () => {
  benchTest('token-budget', `truncation rate at most ${(truncation.fail * 100).toFixed(0)}% (${workload})`, async ({ meta }) => {
    const { m, info } = await run();
    recordMeasurement(meta, m);
    meta.tokenBudget = info;
    expect.soft(m).toHaveTruncationRateBelow(truncation);
  });

  benchTest('token-budget', `no silent truncation: prompt tokens reported equal the tokens sent and every output ends with a reason (${workload})`, async ({ meta }) => {
    const { m, info } = await run();
    recordMeasurement(meta, m);
    meta.tokenBudget = info;
    const ok = m.records.filter((r) => r.ok).length;
    const check = judge({
      name: 'silently truncated requests',
      metric: 'silent_truncation',
      op: '==',
      fail: 0,
      actual: m.tokenizerKind === 'approximate' ? null : info.silentPromptTruncations + info.silentOutputTruncations,
      n: ok,
      minN: 1,
      context: `${info.silentPromptTruncations} prompts shortened by the server, ${info.silentOutputTruncations} outputs cut without a finish reason`,
    });
    meta.checks.push(check);
    expect(check.status, check.message).not.toBe('fail');
  });

  benchTest('token-budget', `output length matches the requested ${forcedScenario.outputTokens} tokens in at least 95% of requests (${forcedWorkload})`, async ({ meta }) => {
    const { m, info } = await forced();
    recordMeasurement(meta, m);
    meta.tokenBudget = { ...(await run()).info, oslMismatch: info.oslMismatch };
    const check = judge({
      name: 'share of requests with exactly the requested output length',
      metric: 'osl_match',
      op: '>=',
      fail: 0.95,
      actual: info.oslMismatch?.exactFraction ?? null,
      n: info.oslMismatch?.received.n ?? 0,
      minN: 1,
      context: m.forcesOutputLength
        ? `forced with ignore_eos/min_tokens; received p50 ${info.oslMismatch?.received.p50 ?? 'n/a'}`
        : `${target.endpoint.provider} cannot force the output length, so a mismatch is expected`,
    });
    if (!m.forcesOutputLength && check.status === 'fail') check.status = 'warn';
    meta.checks.push(check);
    expect(check.status, check.message).not.toBe('fail');
  });

  benchTest('token-budget', `past the context window the prompt is rejected (HTTP 400) or reported, never silently truncated (max_model_len ${target.maxModelLen ?? 'from /v1/models'})`, async ({ meta, signal }) => {
    const overflow = await probeContextOverflow(target, signal);
    const { info } = await run();
    meta.tokenBudget = { ...info, ...(overflow ? { contextOverflow: overflow } : {}) };
    meta.workload = 'one prompt over max_model_len; one prompt near it with max_tokens past it';
    const check = judge({
      name: 'prompts over the context window silently truncated',
      metric: 'context_overflow',
      op: '==',
      fail: 0,
      actual: overflow === null ? null : overflow.promptOverLimit === 'silent_truncation' || overflow.promptOverLimit === 'accepted' ? 1 : 0,
      n: overflow ? 1 : 0,
      context: overflow ? overflow.detail : 'the context window is unknown: set max_model_len in models.yaml',
    });
    meta.checks.push(check);
    if (overflow && overflow.promptPlusMaxTokensOverLimit === 'silent_truncation') {
      meta.warnings.push(`prompt + max_tokens past the context window is truncated with finish_reason "length" (llama-server behaviour), not rejected: ${overflow.detail}`);
    }
    expect(check.status, check.message).not.toBe('fail');
  }, { timeoutS: 60 });
});
