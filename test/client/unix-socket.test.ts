/**
 * Endpoints behind a Unix domain socket (models.yaml `unix_socket`, like vLLM `--uds`): every
 * request the suite makes — generation, health, model list, metrics, tokenize — goes through
 * the socket, and failures name it. The simulator listens on the socket as vLLM would.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkHealth, createClient, fetchServerMetrics, listModels } from '../../src/client/client.ts';
import type { Endpoint } from '../../src/client/types.ts';
import { parseSimConfig } from '../../src/sim/config.ts';
import { startSimServer, type SimServer } from '../../src/sim/server.ts';
import { resolveTokenizer } from '../../src/workload/tokenizers.ts';

const sim = parseSimConfig({ seed: 4, engine: { step_base_ms: 1, step_per_seq_ms: 0, prefill_tokens_per_s: 1_000_000 } }, 'test');

describe.skipIf(process.platform === 'win32')('endpoints behind a Unix socket', () => {
  let dir: string;
  let socketPath: string;
  let server: SimServer;
  let endpoint: Endpoint;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'uds-'));
    socketPath = join(dir, 'vllm.sock');
    server = await startSimServer({ servedName: 'sim/uds', maxModelLen: 4096, sim, socketPath });
    endpoint = { baseUrl: 'http://localhost/v1', unixSocket: socketPath, model: 'sim/uds', kind: 'chat', provider: 'vllm' };
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('generation, health, model list, metrics and tokenize all go through the socket', async () => {
    const client = createClient({ connections: 4 });
    try {
      const [stream, whole] = await Promise.all([
        client.send(endpoint, { messages: [{ role: 'user', content: 'Over the socket.' }], stream: true, maxTokens: 12, ignoreEos: true }),
        client.send(endpoint, { messages: [{ role: 'user', content: 'Over the socket.' }], stream: false, maxTokens: 5, ignoreEos: true }),
      ]);
      expect(stream.ok, JSON.stringify(stream.error)).toBe(true);
      expect(stream.tokenTimes).toHaveLength(12);
      expect(stream.completionTokens).toBe(12);
      expect(whole.ok, JSON.stringify(whole.error)).toBe(true);
      expect(whole.completionTokens).toBe(5);
    } finally {
      await client.close();
    }
    expect((await checkHealth(endpoint.baseUrl, 2000, endpoint)).ok).toBe(true);
    const models = await listModels(endpoint);
    expect(models).toEqual({ ok: true, models: [{ id: 'sim/uds', maxModelLen: 4096, ownedBy: 'vllm' }] });
    const metrics = await fetchServerMetrics(endpoint.baseUrl, 2000, endpoint);
    expect(metrics?.get('vllm:generation_tokens_total')).toBeGreaterThanOrEqual(17);
    const tok = await resolveTokenizer(endpoint);
    expect(tok.tokenizer.kind).toBe('server');
    expect(await tok.tokenizer.countText('hello world')).toBeGreaterThan(0);
  });

  test('a socket nobody listens on fails fast, naming the socket', async () => {
    const gone: Endpoint = { ...endpoint, unixSocket: join(dir, 'nobody.sock') };
    const h = await checkHealth(gone.baseUrl, 2000, gone);
    expect(h.ok).toBe(false);
    expect(h.message).toContain(`via unix socket ${gone.unixSocket}`);
    const client = createClient();
    try {
      const rec = await client.send(gone, { messages: [{ role: 'user', content: 'x' }], stream: true, maxTokens: 2 });
      expect(rec.ok).toBe(false);
      expect(rec.error?.kind).toBe('connect');
      expect(rec.error?.message).toContain(gone.unixSocket);
    } finally {
      await client.close();
    }
    const models = await listModels(gone);
    expect(models.ok).toBe(false);
    expect(!models.ok && models.message).toContain(gone.unixSocket);
  });
});

describe.skipIf(process.platform === 'win32')('the simulator on a socket path that already exists', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'uds-stale-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('replaces a socket left by a server that died', async () => {
    const path = join(dir, 'stale.sock');
    // A process that binds the socket and is killed before it can remove it.
    const r = spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(r.signal).toBe('SIGKILL');
    const s = await startSimServer({ servedName: 'sim/uds', maxModelLen: 4096, sim, socketPath: path });
    try {
      expect((await checkHealth('http://localhost/v1', 2000, { unixSocket: path })).ok).toBe(true);
    } finally {
      await s.close();
    }
  });

  test('refuses a socket another server is listening on, and a path that is not a socket', async () => {
    const live = join(dir, 'live.sock');
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(live, resolve));
    try {
      await expect(startSimServer({ servedName: 'sim/uds', maxModelLen: 4096, sim, socketPath: live })).rejects.toThrow(`${live}: another server is listening on this Unix socket`);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'keep me');
    await expect(startSimServer({ servedName: 'sim/uds', maxModelLen: 4096, sim, socketPath: file })).rejects.toThrow(`${file} exists and is not a Unix socket`);
  });
});
