/**
 * The simulator bench's two load generators (scripts/lib): both must see every token of every
 * stream with the modelled time it carries, over TCP and a Unix socket, or the bench's figures
 * would be wrong. And the machine-floor writer (write-floor.c) must count what it did.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeBinary, nativeLoadBinary, runNativeLoad } from '../../scripts/lib/native-load.ts';
import { postRequest, streamOnce, type RawTarget } from '../../scripts/lib/raw-stream-client.ts';
import { parseSimConfig } from '../../src/sim/config.ts';
import { startSimServer, type SimServer } from '../../src/sim/server.ts';

const STREAMS = 6;
const TOKENS = 25;
const root = join(import.meta.dirname, '../..');
const sim = parseSimConfig({ seed: 2, engine: { step_base_ms: 2, step_per_seq_ms: 0, prefill_tokens_per_s: 1_000_000 }, wire: { timing_field: true } }, 'test');
const request = (host: string): Buffer => postRequest(host, '/v1/completions', JSON.stringify({ model: 'sim/l', prompt: 'Load.', stream: true, max_tokens: TOKENS, ignore_eos: true }));

describe.each(['tcp', 'unix'] as const)('load generators over %s', (transport) => {
  let server: SimServer;
  let target: RawTarget;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'load-gen-'));
    const socketPath = join(dir, 'sim.sock');
    server = await startSimServer({ servedName: 'sim/l', maxModelLen: 4096, sim, ...(transport === 'unix' ? { socketPath } : {}) });
    target = transport === 'unix' ? { socketPath, host: 'localhost', port: 0 } : { host: '127.0.0.1', port: server.port };
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('node client: every token, in modelled-time order', async () => {
    const seen: number[][] = Array.from({ length: STREAMS }, () => []);
    const obs = await Promise.all(seen.map((times) => streamOnce(target, request(target.host), (_t, v) => times.push(v))));
    for (const o of obs) expect(o).toEqual({ status: 200, tokens: TOKENS });
    for (const times of seen) {
      expect(times).toHaveLength(TOKENS);
      for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    }
  });

  it('native client: every token of every stream, with receive times on this clock', async () => {
    const seen: { t: number; v: number }[][] = Array.from({ length: STREAMS }, () => []);
    let pid = 0;
    const t0 = performance.now();
    const r = await runNativeLoad({
      binary: nativeLoadBinary(root),
      target,
      streams: STREAMS,
      pollUs: 500,
      request: request(target.host),
      onStart: (p) => (pid = p),
      onToken: (k, t, v) => seen[k]!.push({ t, v }),
      sampleEveryMs: 50,
      onSample: () => {},
    });
    const t1 = performance.now();
    expect(pid).toBeGreaterThan(0);
    expect(r).toEqual({ completed: STREAMS, failed: 0, errors: {} });
    for (const stream of seen) {
      expect(stream).toHaveLength(TOKENS);
      for (const { t } of stream) expect(t).toBeGreaterThanOrEqual(t0 - 1);
      for (const { t } of stream) expect(t).toBeLessThanOrEqual(t1 + 1);
      // Received gaps follow the modelled 2 ms steps (the poll interval quantises them by 0.5 ms).
      const span = stream.at(-1)!.t - stream[0]!.t;
      const modelled = stream.at(-1)!.v - stream[0]!.v;
      expect(Math.abs(span - modelled)).toBeLessThan(25);
    }
  });

  it('native client: a refused connection is counted as failed, not hung', async () => {
    const bad: RawTarget = transport === 'unix' ? { socketPath: join(dir, 'nobody.sock'), host: 'localhost', port: 0 } : { host: '127.0.0.1', port: 1 };
    const r = await runNativeLoad({ binary: nativeLoadBinary(root), target: bad, streams: 2, pollUs: 0, request: request('x'), onStart: () => {}, onToken: () => {}, sampleEveryMs: 50, onSample: () => {} });
    expect(r.completed).toBe(0);
    expect(r.failed).toBe(2);
  });
});

describe.each(['tcp', 'unix'] as const)('machine-floor writer over %s', (transport) => {
  it('writes one chunk per stream per step and measures the gap of every write after warm-up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'floor-'));
    try {
      const streams = 8;
      const steps = 40;
      const where = transport === 'unix' ? ['--unix', join(dir, 'f.sock')] : ['--tcp', '0'];
      const out = execFileSync(nativeBinary(root, 'write-floor'), [...where, '--streams', String(streams), '--bytes', '100', '--step-ms', '2', '--steps', String(steps), '--poll-us', '200'], { encoding: 'utf8' });
      const r = JSON.parse(out) as { writes_per_s: number; blocked_writes: number; writer_cpu_us_per_write: number; reader_cpu_us_per_write: number; gap_drift_share_within_ms: Record<string, number>; gap_drift_n: number };
      // 10 warm-up steps, then every write but each stream's first has a gap.
      expect(r.gap_drift_n).toBe(streams * (steps - 10 - 1));
      expect(r.blocked_writes).toBe(0);
      // 8 writes every 2 ms.
      expect(r.writes_per_s).toBeGreaterThan(2500);
      expect(r.writes_per_s).toBeLessThan(4500);
      expect(r.writer_cpu_us_per_write).toBeGreaterThan(0);
      expect(r.reader_cpu_us_per_write).toBeGreaterThan(0);
      const shares = ['1', '2', '3', '5', '10'].map((k) => r.gap_drift_share_within_ms[k]!);
      for (let i = 1; i < shares.length; i++) expect(shares[i]!).toBeGreaterThanOrEqual(shares[i - 1]!);
      expect(shares.at(-1)!).toBeLessThanOrEqual(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
