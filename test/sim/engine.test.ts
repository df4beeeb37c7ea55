/**
 * The engine's step loop when the process falls behind its model: steps that are already due run
 * back to back (up to the catch-up cap), one after another rather than nested.
 */
import { describe, expect, it } from 'vitest';
import { parseSimConfig } from '../../src/sim/config.ts';
import { Engine } from '../../src/sim/engine.ts';

describe('engine catch-up', () => {
  it('runs thousands of overdue sub-millisecond steps without growing the stack', async () => {
    const sim = parseSimConfig({ engine: { step_base_ms: 0.001, step_per_seq_ms: 0, prefill_tokens_per_s: 1_000_000_000 } }, 'test');
    const engine = new Engine(sim);
    const outputLen = 40_000;
    let tokens = 0;
    let last = -Infinity;
    let ordered = true;
    const done = new Promise<void>((resolve) => {
      engine.submit({
        promptLen: 8,
        blockHashes: [],
        outputLen,
        onToken: (seq, t) => {
          tokens++;
          if (t < last) ordered = false;
          last = t;
          if (seq.emitted >= outputLen) resolve();
        },
      });
    });
    // Block the event loop past the 20 ms catch-up cap: when the first step starts, ~20,000 steps
    // of 1 µs are already due and are run in one go.
    const until = performance.now() + 30;
    while (performance.now() < until);
    await done;
    expect(tokens).toBe(outputLen);
    expect(ordered).toBe(true);
    // One step per token: the first step prefilled the 8-token prompt and produced the first token.
    expect(engine.counters.steps).toBe(outputLen);
  }, 10_000);
});
