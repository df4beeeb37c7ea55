import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../src/client/types.ts';
import { runClosedLoop } from '../../src/load/closed-loop.ts';
import type { Send } from '../../src/load/types.ts';
import { fakeSend, req } from './fake-send.ts';

const next = () => req;

describe('runClosedLoop', () => {
  it('keeps exactly N in flight and stops at the request count', async () => {
    const { send, stats } = fakeSend((i) => 5 + (i % 7) * 3);
    const seen: RequestRecord[] = [];
    const r = await runClosedLoop({ concurrency: 4, send, next, maxRequests: 60, onRecord: (x) => seen.push(x) });
    expect(stats.maxInFlight).toBe(4);
    expect(r.records).toHaveLength(60);
    expect(seen).toHaveLength(60);
    expect(new Set(r.records.map((x) => x.id)).size).toBe(60);
    expect(r.aborted).toBe(false);
    expect(r.endedAt).toBeGreaterThan(r.startedAt);
    // Closed loop: tSched is the moment the worker decided to send.
    for (const c of stats.contexts) expect(c.tSched).toBeGreaterThanOrEqual(r.startedAt);
  });

  it('flags warm-up requests and keeps them out of the results', async () => {
    const { send, stats } = fakeSend(() => 2);
    const seen: RequestRecord[] = [];
    const r = await runClosedLoop({ concurrency: 2, send, next, maxRequests: 25, warmupRequests: 5, onRecord: (x) => seen.push(x) });
    expect(r.records).toHaveLength(20);
    expect(r.warmupRecords).toHaveLength(5);
    expect(r.warmupRecords.every((x) => x.warmup === true)).toBe(true);
    expect(r.records.some((x) => x.warmup)).toBe(false);
    // The fake sender does not copy the flag: the engine sets it, and onRecord sees it.
    expect(seen.filter((x) => x.warmup)).toHaveLength(5);
    expect(stats.contexts.filter((c) => c.warmup).map((c) => c.id).sort()).toEqual(['req-0', 'req-1', 'req-2', 'req-3', 'req-4']);
  });

  it('sends nothing new after the deadline and lets in-flight requests finish within the grace period', async () => {
    const { send, stats } = fakeSend(() => 40);
    const r = await runClosedLoop({ concurrency: 3, send, next, durationMs: 200, graceMs: 1000 });
    const lastSend = Math.max(...stats.sendTimes);
    expect(lastSend - r.startedAt).toBeLessThan(200 + 5);
    expect(r.records.every((x) => x.ok)).toBe(true);
    expect(r.abortedAfterGrace).toBe(0);
    // ~5 rounds of 3 workers in 200 ms (fewer if the machine is busy, never more).
    expect(r.records.length).toBeGreaterThanOrEqual(6);
    expect(r.records.length).toBeLessThanOrEqual(18);
  });

  it('aborts in-flight requests when the grace period runs out', async () => {
    const { send } = fakeSend(() => 60_000);
    const t0 = performance.now();
    const r = await runClosedLoop({ concurrency: 3, send, next, durationMs: 100, graceMs: 100 });
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(2000);
    expect(r.abortedAfterGrace).toBe(3);
    expect(r.records).toHaveLength(3);
    expect(r.records.every((x) => x.error?.kind === 'aborted')).toBe(true);
    expect(r.aborted).toBe(false);
  });

  it('stops at once when the caller aborts', async () => {
    const { send } = fakeSend(() => 60_000);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 80);
    const t0 = performance.now();
    const r = await runClosedLoop({ concurrency: 2, send, next, maxRequests: 100, signal: ctl.signal });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.aborted).toBe(true);
    expect(r.records).toHaveLength(2);
    // Already aborted before the start: nothing is sent.
    const r2 = await runClosedLoop({ concurrency: 2, send, next, maxRequests: 100, signal: ctl.signal });
    expect(r2.records).toHaveLength(0);
  });

  it('staggers worker starts over the ramp-up', async () => {
    const { send, stats } = fakeSend(() => 350);
    const r = await runClosedLoop({ concurrency: 4, send, next, maxRequests: 4, rampUpMs: 400 });
    const offsets = stats.sendTimes.map((t) => t - r.startedAt);
    // Worker k starts at k * 100 ms.
    offsets.forEach((o, k) => {
      expect(o).toBeGreaterThanOrEqual(k * 100 - 2);
      expect(o).toBeLessThan(k * 100 + 150);
    });
  });

  it('waits the think time between a response and the next send', async () => {
    const { send, stats } = fakeSend(() => 0);
    await runClosedLoop({ concurrency: 1, send, next, maxRequests: 6, thinkTimeMs: 40 });
    const gaps = stats.sendTimes.slice(1).map((t, i) => t - stats.sendTimes[i]!);
    expect(gaps).toHaveLength(5);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(39);
  });

  it('fails the run when the sender throws, instead of hanging', async () => {
    let calls = 0;
    const broken: Send = () => (++calls === 3 ? Promise.reject(new Error('sender bug')) : new Promise((r) => setTimeout(() => r({ id: 'x', ok: true, tSched: 0, tSend: 0, tokenTimes: [], usageSource: 'none', outputText: '' }), 5)));
    await expect(runClosedLoop({ concurrency: 2, send: broken, next, maxRequests: 50 })).rejects.toThrow('sender bug');
  });

  it('refuses an unbounded run', async () => {
    const { send } = fakeSend(() => 0);
    await expect(runClosedLoop({ concurrency: 1, send, next })).rejects.toThrow(/maxRequests and\/or durationMs/);
    await expect(runClosedLoop({ concurrency: 0, send, next, maxRequests: 1 })).rejects.toThrow(RangeError);
  });
});
