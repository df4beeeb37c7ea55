/**
 * The whole measurement path (exact-length prompts via /tokenize, the undici client, the closed
 * loop, the summary) against the simulator running in its own process, whose timing model is known:
 * at concurrency 1 TTFT = one step (base + prefill tokens / prefill rate) and TPOT = one step;
 * above max_num_seqs, later requests wait for whole earlier requests in the queue.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure } from '../../src/runs/measure.ts';
import { resolvePlan } from '../../src/config/profiles.ts';
import type { BenchTarget } from '../../src/setup/target.ts';
import { metricValues } from '../../src/metrics/values.ts';
import { percentile } from '../../src/metrics/percentile.ts';

const ENGINE = {
  max_num_seqs: 4,
  max_num_batched_tokens: 4096,
  prefill_tokens_per_s: 20_000,
  step_base_ms: 10,
  step_per_seq_ms: 1,
  prefix_caching: false,
};
const PROMPT = 500;

let sim: ChildProcess;
let target: BenchTarget;

beforeAll(async () => {
  sim = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/sim/cli.ts', '--host', '127.0.0.1', '--port', '0', '--served-name', 'fidelity', '--max-model-len', '8192', '--config-json', JSON.stringify({ seed: 1, engine: ENGINE })],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('simulator did not start')), 20_000);
    createInterface({ input: sim.stdout! }).on('line', (line) => {
      const m = /^SIM_READY (\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  target = {
    model: 'fidelity',
    endpoint: { baseUrl: url, model: 'fidelity', kind: 'chat', provider: 'sim' },
    modalities: ['text'],
    thresholds: [],
    plan: resolvePlan('smoke'),
    runDir: mkdtempSync(join(tmpdir(), 'fidelity-')),
    goldenFile: '',
    origin: 'sim',
  };
});

afterAll(() => {
  sim?.kill('SIGTERM');
});

describe('measured timings match the simulator model', () => {
  test('concurrency 1: TTFT = one prefill step, TPOT = one decode step (p50 within 2 ms)', async () => {
    const m = await measure(target, 'fidelity', {
      name: 'c1',
      scenario: { name: 'chat', inputTokens: PROMPT, outputTokens: 20 },
      concurrency: 1,
      requests: 30,
      warmup: 2,
    });
    expect(m.summary.failed).toBe(0);
    expect(m.tokenizerKind).toBe('server');
    // Prompts come back from the server at exactly the requested length.
    expect(new Set(m.records.map((r) => r.promptTokens))).toEqual(new Set([PROMPT]));
    const ttftModel = ENGINE.step_base_ms + ENGINE.step_per_seq_ms + (PROMPT / ENGINE.prefill_tokens_per_s) * 1000; // 36 ms
    const tpotModel = ENGINE.step_base_ms + ENGINE.step_per_seq_ms; // 11 ms
    expect(Math.abs(m.summary.ttft.p50! - ttftModel)).toBeLessThan(2);
    expect(Math.abs(m.summary.tpot.p50! - tpotModel)).toBeLessThan(2);
  });

  test('above max_num_seqs the queueing shows up in TTFT as the model predicts', async () => {
    const out = 20;
    const m = await measure(target, 'fidelity', {
      name: 'c8',
      scenario: { name: 'chat', inputTokens: PROMPT, outputTokens: out },
      concurrency: 8,
      requests: 8,
      warmup: 0,
    });
    expect(m.summary.failed).toBe(0);
    const ttfts = metricValues(m.records, 'ttft').sort((a, b) => a - b);
    // Four run at once (one prefill step for all four, then decode steps of 4 sequences); the other
    // four wait until those finish: about `out` steps of (base + 4 x per_seq) more.
    const prefill4 = ENGINE.step_base_ms + 4 * ENGINE.step_per_seq_ms + ((4 * PROMPT) / ENGINE.prefill_tokens_per_s) * 1000;
    const decodeStep = ENGINE.step_base_ms + 4 * ENGINE.step_per_seq_ms;
    const queued = prefill4 + (out - 1) * decodeStep + prefill4;
    const firstHalf = percentile(ttfts.slice(0, 4), 50)!;
    const secondHalf = percentile(ttfts.slice(4), 50)!;
    expect(firstHalf).toBeLessThan(prefill4 + 15);
    expect(Math.abs(secondHalf - queued) / queued).toBeLessThan(0.15);
  });

  test('an open-loop measurement reports the offered and achieved rates', async () => {
    const m = await measure(target, 'fidelity', {
      name: 'open',
      scenario: { name: 'chat', inputTokens: 64, outputTokens: 4 },
      concurrency: 16,
      rate: 50,
      arrival: 'constant',
      requests: 100,
    });
    expect(m.summary.failed).toBe(0);
    expect(m.summary.offeredRate).toBe(50);
    expect(Math.abs(m.summary.achievedRate! - 50) / 50).toBeLessThan(0.02);
    expect(m.label).toContain('50 req/s');
  });
});
