import { describe, expect, it } from 'vitest';
import { runClosedLoop } from '../../src/load/closed-loop.ts';
import { startProgress, type Progress } from '../../src/load/progress.ts';
import { failed, streamed } from '../metrics/build.ts';
import { fakeSend, req } from './fake-send.ts';

describe('progress', () => {
  it('counts completions and takes p95 TTFT over the sliding window only', async () => {
    const p = startProgress({ onProgress: () => {}, intervalMs: 60_000, windowMs: 100 });
    try {
      const now = performance.now();
      // TTFT 500 ms: leaves the window once 100 ms pass.
      p.record(streamed(now - 1000, [now - 500]));
      p.record(streamed(0, [0], { warmup: true }));
      await new Promise((r) => setTimeout(r, 150));
      const t = performance.now();
      for (let i = 1; i <= 20; i++) p.record(streamed(t - 100, [t - 100 + i]));
      p.record(failed(t, { kind: 'http', status: 500, message: 'x' }));
      const s = p.snapshot();
      expect(s.done).toBe(22);
      expect(s.failed).toBe(1);
      // TTFTs 1..20 ms: p95 = 19.05 (the 500 ms one has left the window).
      expect(s.p95TtftMs).toBeCloseTo(19.05, 6);
      expect(s.ratePerS).toBeGreaterThan(100);
    } finally {
      p.stop();
    }
  });

  it('reports periodically during a run', async () => {
    const seen: Progress[] = [];
    const { send } = fakeSend(() => 5);
    await runClosedLoop({ concurrency: 2, send, next: () => req, durationMs: 400, progressIntervalMs: 100, onProgress: (x) => seen.push(x) });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[seen.length - 1]!.done).toBeGreaterThan(seen[0]!.done);
    expect(seen[0]!.ratePerS).toBeGreaterThan(0);
    expect(seen[0]!.p95TtftMs).not.toBeNull();
  });
});
