/**
 * Latency at concurrency 1: TTFT, TTFO, TPOT, ITL and end-to-end percentiles per scenario, TTFT
 * by prompt length, and (for a VLM) TTFT with an image. Definitions: docs/metrics.md.
 */
import { describe, expect } from 'vitest';
import { benchTest, extraThresholds, plan, recordMeasurement, target, thresholdOf } from './support/bench.ts';
import { measure } from '../src/runs/measure.ts';
import { fixtureImage } from '../src/runs/images.ts';

const ttftP95 = thresholdOf('ttft', { kind: 'p', p: 95 }, {
  id: 'default.ttft.p95',
  dimension: 'latency',
  op: '<',
  fail: 2000,
  unit: 'ms',
  source: 'default (TTFT over 2 s hurts users)',
  expr: 'p(95) < 2000',
});
const ttftP50 = { ...ttftP95, stat: { kind: 'p' as const, p: 50 } };
const others = extraThresholds('latency', [ttftP95]);

describe('latency', () => {
  for (const scenario of plan.latency.scenarios) {
    benchTest(
      'latency',
      `TTFT p95 below ${ttftP95.fail} ms at concurrency 1 (${scenario.name} ${scenario.inputTokens} -> ${scenario.outputTokens}, n=${plan.latency.samples})`,
      async ({ meta, signal }) => {
        const m = await measure(target, 'latency', {
          name: scenario.name,
          scenario,
          concurrency: 1,
          requests: plan.latency.samples,
          warmup: plan.latency.warmup,
          slo: plan.slo,
          signal,
        });
        recordMeasurement(meta, m);
        expect.soft(m).toHaveP95TTFTBelow(ttftP95);
        for (const t of others) expect.soft(m).toMeetThreshold(t);
      },
      { timeoutS: plan.latency.samples * 3 },
    );
  }

  const lengths = plan.latency.promptLengths.filter((l) => !target.maxModelLen || l + 64 < target.maxModelLen);
  const outputTokens = 16;
  benchTest(
    'latency',
    `TTFT p50 below ${ttftP95.fail} ms at every prompt length ${lengths.join('/')} tokens (concurrency 1, ${plan.latency.samplesPerLength} requests each)`,
    async ({ meta, signal }) => {
      meta.ttftByPromptLength = [];
      for (const inputTokens of lengths) {
        const m = await measure(target, 'latency', {
          name: `prompt-${inputTokens}`,
          scenario: { name: 'prompt-length', inputTokens, outputTokens },
          concurrency: 1,
          requests: plan.latency.samplesPerLength,
          warmup: 1,
          signal,
        });
        meta.ttftByPromptLength.push({ inputTokens, ttft: m.summary.ttft });
        meta.warnings.push(...m.warnings.filter((w) => !meta.warnings.includes(w)));
        meta.recordsFile = m.recordsFile;
        expect.soft(m).toHavePercentileBelow('ttft', 50, ttftP50);
      }
      meta.workload = `prompt lengths ${lengths.join('/')} -> ${outputTokens} at concurrency 1`;
    },
    { timeoutS: lengths.length * plan.latency.samplesPerLength * 3 },
  );

  const vlm = target.modalities.includes('image');
  benchTest(
    'latency',
    `TTFT p50 below ${ttftP95.fail} ms with an image in every request (concurrency 1, ${plan.latency.imageSamples} requests)`,
    async ({ meta, signal }) => {
      const image = await fixtureImage();
      const m = await measure(target, 'latency', {
        name: 'image',
        scenario: { name: 'image-chat', inputTokens: 128, outputTokens: 32 },
        concurrency: 1,
        requests: plan.latency.imageSamples,
        warmup: 1,
        image,
        signal,
      });
      recordMeasurement(meta, m);
      expect.soft(m).toHavePercentileBelow('ttft', 50, ttftP50);
    },
    { timeoutS: plan.latency.imageSamples * 3, skip: vlm ? undefined : `${target.model} is text-only (modalities: ${target.modalities.join(', ')})` },
  );
});
