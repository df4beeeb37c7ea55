import { afterEach, describe, expect, test } from 'vitest';
import { checkHealth, fetchServerMetrics, listModels } from '../../src/client/client.ts';
import { parsePrometheus } from '../../src/client/server-info.ts';
import { startServer, type Script, type TestServer } from './server.ts';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(routes: Record<string, (res: Parameters<Script>[1]) => void>): Promise<TestServer> {
  server = await startServer((r, res) => {
    const h = routes[r.url];
    if (h) h(res);
    else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  return server;
}

const json = (status: number, body: unknown) => (res: Parameters<Script>[1]) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

describe('listModels', () => {
  test('reads ids, vLLM max_model_len and llama-server meta.n_ctx', async () => {
    const s = await serve({
      '/v1/models': json(200, { object: 'list', data: [{ id: 'Qwen/Qwen3-8B', object: 'model', owned_by: 'vllm', max_model_len: 32768 }, { id: 'gguf', meta: { n_ctx: 8192, n_vocab: 151936 } }, { id: 'plain' }] }),
    });
    const r = await listModels({ baseUrl: s.baseUrl });
    expect(r).toEqual({ ok: true, models: [{ id: 'Qwen/Qwen3-8B', maxModelLen: 32768, ownedBy: 'vllm' }, { id: 'gguf', maxModelLen: 8192 }, { id: 'plain' }] });
  });

  test('HTTP errors and wrong shapes resolve ok:false with the URL', async () => {
    const s = await serve({ '/v1/models': json(200, { models: [] }) });
    const r = await listModels({ baseUrl: s.baseUrl });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain(`${s.baseUrl}/models`);
    await s.close();
    const down = await listModels({ baseUrl: s.baseUrl });
    expect(down.ok).toBe(false);
  });
});

describe('checkHealth', () => {
  test('GET /health 200 (vLLM, empty body) is healthy', async () => {
    const s = await serve({ '/health': (res) => res.end() });
    const h = await checkHealth(s.baseUrl, 2000);
    expect(h).toMatchObject({ ok: true, status: 200 });
  });

  test('llama-server loading (503) is not healthy and says so', async () => {
    const s = await serve({ '/health': json(503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } }) });
    const h = await checkHealth(s.baseUrl, 2000);
    expect(h).toMatchObject({ ok: false, status: 503 });
    expect(h.message).toMatch(/loading/i);
  });

  test('no /health route: falls back to /v1/models', async () => {
    const s = await serve({ '/v1/models': json(200, { data: [] }) });
    expect(await checkHealth(s.baseUrl, 2000)).toMatchObject({ ok: true, status: 200 });
  });

  test('a server that never answers: resolves by the deadline, not later', async () => {
    server = await startServer(() => undefined);
    const t0 = performance.now();
    const h = await checkHealth(server.baseUrl, 300);
    const took = performance.now() - t0;
    expect(h.ok).toBe(false);
    expect(h.message).toContain('/health');
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(1500);
  });

  test('connection refused resolves at once with ok:false naming the URL', async () => {
    const s = await startServer(() => undefined);
    await s.close();
    const h = await checkHealth(s.baseUrl, 5000);
    expect(h).toMatchObject({ ok: false, status: 0 });
    expect(h.message).toContain(`${s.origin}/health`);
    expect(h.elapsedMs).toBeLessThan(2000);
  });
});

describe('server metrics', () => {
  const page = [
    '# HELP vllm:num_requests_running Number of requests running.',
    '# TYPE vllm:num_requests_running gauge',
    'vllm:num_requests_running{engine="0",model_name="m"} 3.0',
    'vllm:num_requests_running{engine="1",model_name="m"} 2.0',
    'vllm:kv_cache_usage_perc{model_name="a } b"} 0.25',
    'vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="m"} 12',
    'llamacpp:tokens_predicted_total 1234 1700000000000',
    'broken_metric NaN',
  ].join('\n');

  test('parsePrometheus sums label sets, skips comments and NaN, tolerates braces in labels and timestamps', () => {
    const m = parsePrometheus(page);
    expect(m.get('vllm:num_requests_running')).toBe(5);
    expect(m.get('vllm:kv_cache_usage_perc')).toBe(0.25);
    expect(m.get('vllm:time_to_first_token_seconds_bucket')).toBe(12);
    expect(m.get('llamacpp:tokens_predicted_total')).toBe(1234);
    expect(m.has('broken_metric')).toBe(false);
  });

  test('fetchServerMetrics reads {root}/metrics; null when absent', async () => {
    const s = await serve({ '/metrics': (res) => res.end(page) });
    const m = await fetchServerMetrics(s.baseUrl);
    expect(m?.get('vllm:num_requests_running')).toBe(5);
    await s.close();
    server = await serve({});
    expect(await fetchServerMetrics(server.baseUrl)).toBeNull();
  });
});

describe('checkHealth with a readiness URL', () => {
  test('a URL ending in /health is probed as is (models.yaml launch.ready_url)', async () => {
    const s = await serve({ '/health': (res) => res.end('{"status":"ok"}') });
    expect(await checkHealth(`${s.origin}/health`, 2000)).toMatchObject({ ok: true, status: 200 });
    await s.close();
    server = await serve({});
    const h = await checkHealth(`${server.origin}/health`, 2000);
    expect(h).toMatchObject({ ok: false, status: 404 });
    expect(h.message).toContain(`${server.origin}/health`);
  });
});
