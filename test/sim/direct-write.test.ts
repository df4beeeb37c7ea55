/**
 * The simulator writes token chunks with write(2) on the socket's descriptor (src/sim/wire.ts).
 * Here `fs.writeSync` is wrapped so that some writes are partial and some fail with EAGAIN, as
 * when a client reads slower than tokens arrive: the rest must be queued through net.Socket and
 * later chunks must not overtake it. A plain node:http client checks every byte.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadAnswerBank } from '../../src/sim/answers.ts';
import { parseSimConfig } from '../../src/sim/config.ts';
import { PreparedChunks } from '../../src/sim/prepared.ts';
import { startSimServer, type SimServer } from '../../src/sim/server.ts';
import { SseWriter } from '../../src/sim/wire.ts';
import { chat, getText, post, tokenEvents } from './http.ts';

const calls = vi.hoisted(() => ({ direct: 0, partial: 0, eagain: 0, kernelEagain: 0, synthetic: true }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  // Only the direct path calls writeSync(fd, buffer, offset, length) on a socket.
  const writeSync = ((fd: number, buf: NodeJS.ArrayBufferView, offset?: number, length?: number) => {
    if (typeof offset !== 'number' || typeof length !== 'number' || length < 8) return real.writeSync(fd, buf, offset, length);
    const n = ++calls.direct;
    if (!calls.synthetic) {
      try {
        return real.writeSync(fd, buf, offset, length);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') calls.kernelEagain++;
        throw e;
      }
    }
    if (n % 7 === 0) {
      calls.eagain++;
      throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN', errno: -11, syscall: 'write' });
    }
    if (n % 3 === 0) {
      calls.partial++;
      return real.writeSync(fd, buf, offset, Math.floor(length / 2));
    }
    return real.writeSync(fd, buf, offset, length);
  }) as typeof real.writeSync;
  return { ...real, writeSync, default: { ...real, writeSync } };
});

const bank = loadAnswerBank(join(import.meta.dirname, 'bank.json'));
const contentOf = (o: Awaited<ReturnType<typeof post>>): string =>
  tokenEvents(o)
    .map((e) => (e.json.choices as { delta?: { content?: string } }[])[0]!.delta?.content ?? '')
    .join('');

describe.skipIf(process.platform === 'win32')('direct socket writes', () => {
  let s: SimServer;
  beforeAll(async () => {
    const sim = parseSimConfig({ seed: 9, engine: { step_base_ms: 1, step_per_seq_ms: 0, prefill_tokens_per_s: 1_000_000 } }, 'test');
    s = await startSimServer({ servedName: 'sim/d', maxModelLen: 4096, sim, answerBank: bank });
  });
  afterAll(() => s.close());

  it('deliver every token once and in order when writes are partial or would block', async () => {
    const prompts = ['Please read INVOICE-CASE-7 now', 'Describe the ledger.', 'Summarise the batch.'];
    const expected = await Promise.all(prompts.map(async (p) => JSON.parse((await post(`${s.url}/chat/completions`, chat(p, { max_tokens: 60, temperature: 0 }))).body).choices[0].message.content as string));
    const streams = await Promise.all(prompts.map((p) => post(`${s.url}/chat/completions`, chat(p, { stream: true, max_tokens: 60, temperature: 0 }))));
    streams.forEach((o, i) => {
      expect(o.error).toBeUndefined();
      expect(o.events.at(-1)!.data).toBe('[DONE]');
      // Byte-exact: multi-byte text ('¥') and the chunk sizes computed from bytes.
      expect(contentOf(o)).toBe(expected[i]);
    });
    expect(expected[0]).toContain('¥');
    // The direct path ran and both fallbacks were exercised.
    expect(calls.direct).toBeGreaterThan(20);
    expect(calls.partial).toBeGreaterThan(0);
    expect(calls.eagain).toBeGreaterThan(0);
  });

  it('build no chunk ahead for a stream while part of its last one waits in net.Socket', async () => {
    // Per stream, in order: 'rest' (a prepared chunk was only partly written, the rest queued),
    // 'reserve' (a chunk built ahead for the next step end), 'direct' (a chunk built and written at
    // its step end). A chunk built ahead after a 'rest' could be written before the queued bytes.
    const log = new Map<unknown, string[]>();
    const note = (w: unknown, e: string): void => void log.set(w, [...(log.get(w) ?? []), e]);
    const rest = vi.spyOn(SseWriter.prototype, 'preparedRest');
    const reserve = vi.spyOn(PreparedChunks.prototype, 'reserve');
    const direct = vi.spyOn(SseWriter.prototype as unknown as { sendChunk: () => void }, 'sendChunk');
    try {
      const streams = await Promise.all(['Describe the ledger.', 'Summarise the batch.'].map((p) => post(`${s.url}/chat/completions`, chat(p, { stream: true, max_tokens: 80, temperature: 0 }))));
      for (const o of streams) expect(o.events.at(-1)!.data).toBe('[DONE]');
      // Merge the three spies' calls in call order per stream.
      const events: [number, unknown, string][] = [
        ...rest.mock.contexts.map((w, i): [number, unknown, string] => [rest.mock.invocationCallOrder[i]!, w, 'rest']),
        ...reserve.mock.calls.map(([w], i): [number, unknown, string] => [reserve.mock.invocationCallOrder[i]!, w, 'reserve']),
        ...direct.mock.contexts.map((w, i): [number, unknown, string] => [direct.mock.invocationCallOrder[i]!, w, 'direct']),
      ];
      for (const [, w, e] of events.sort((x, y) => x[0] - y[0])) note(w, e);
    } finally {
      rest.mockRestore();
      reserve.mockRestore();
      direct.mockRestore();
    }
    let rests = 0;
    for (const seq of log.values()) {
      seq.forEach((e, i) => {
        if (e !== 'rest') return;
        rests++;
        if (i + 1 < seq.length) expect(seq[i + 1]).toBe('direct');
      });
    }
    expect(rests).toBeGreaterThan(0);
  });
});

describe.skipIf(process.platform === 'win32')('direct socket writes against a client that stops reading', () => {
  it('queue behind a full socket buffer and resume in order', async () => {
    calls.synthetic = false;
    const socketPath = join(tmpdir(), `sim-direct-${process.pid}.sock`);
    const sim = parseSimConfig({ seed: 9, engine: { step_base_ms: 0.02, step_per_seq_ms: 0, prefill_tokens_per_s: 10_000_000 } }, 'test');
    const s = await startSimServer({ servedName: 'sim/d', maxModelLen: 8192, sim, socketPath });
    try {
      const body = (stream: boolean): string => JSON.stringify({ model: 'sim/d', prompt: 'Fill the buffer.', max_tokens: 3000, ignore_eos: true, temperature: 0, stream });
      const send = (stream: boolean, pauseMs: number): Promise<string> =>
        new Promise((resolve, reject) => {
          const req = request({ socketPath, path: '/v1/completions', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
            // Not reading for a while: the simulator's socket buffer fills and writes would block.
            res.pause();
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve(text));
            res.on('error', reject);
            setTimeout(() => res.resume(), pauseMs);
          });
          req.on('error', reject);
          req.end(body(stream));
        });
      const expected = (JSON.parse(await send(false, 0)) as { choices: { text: string }[] }).choices[0]!.text;
      const sse = await send(true, 400);
      const events = sse.split('\n\n').filter((b) => b.startsWith('data: {'));
      const text = events.map((b) => (JSON.parse(b.slice(6)) as { choices: { text: string }[] }).choices[0]!.text).join('');
      expect(sse.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(events).toHaveLength(3000);
      expect(text).toBe(expected);
      // The buffer really filled: the kernel refused direct writes, so chunks were queued.
      expect(calls.kernelEagain).toBeGreaterThan(0);
    } finally {
      calls.synthetic = true;
      await s.close();
    }
  });
});

describe('clients that go away mid-stream', () => {
  it('abort their sequences (reset and orderly close alike) while the other streams finish', async () => {
    calls.synthetic = false;
    const sim = parseSimConfig({ seed: 9, engine: { step_base_ms: 5, step_per_seq_ms: 0, prefill_tokens_per_s: 1_000_000 } }, 'test');
    const s = await startSimServer({ servedName: 'sim/d', maxModelLen: 8192, sim });
    try {
      const { hostname, port } = new URL(s.url);
      const body = JSON.stringify({ model: 'sim/d', prompt: 'Leave early.', max_tokens: 120, ignore_eos: true, stream: true });
      const head = `POST /v1/completions HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
      /** Tokens received; `leave` ends the connection after that many (RST or FIN). */
      const stream = (leave?: { after: number; how: 'reset' | 'close' }): Promise<number> =>
        new Promise((resolve, reject) => {
          const sock = connect(Number(port), hostname);
          let text = '';
          let left = false;
          const count = (): number => text.split('data: {').length - 1;
          sock.on('data', (b: Buffer) => {
            text += b.toString('utf8');
            if (leave && !left && count() >= leave.after) {
              left = true;
              if (leave.how === 'reset') sock.resetAndDestroy();
              else sock.destroy();
              resolve(count());
            }
          });
          sock.on('close', () => resolve(count()));
          sock.on('error', reject);
          sock.write(head + body);
        });
      const [reset, closed, full] = await Promise.all([stream({ after: 5, how: 'reset' }), stream({ after: 5, how: 'close' }), stream()]);
      expect(reset).toBeLessThan(120);
      expect(closed).toBeLessThan(120);
      expect(full).toBe(120);
      const value = (m: string, name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(m)![1]);
      const m = (await getText(s.url.replace('/v1', '/metrics'))).text;
      expect(value(m, 'vllm:num_requests_running\\{[^}]*\\}')).toBe(0);
      expect(value(m, 'vllm:request_success_total\\{[^}]*finished_reason="abort"\\}')).toBe(2);
      expect(value(m, 'vllm:request_success_total\\{[^}]*finished_reason="length"\\}')).toBe(1);
    } finally {
      calls.synthetic = true;
      await s.close();
    }
  });
});
