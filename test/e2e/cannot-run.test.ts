/**
 * Exit code 2, "the suite could not run": an invalid threshold stops the run before any request
 * is sent, and an unreachable endpoint stops it fast, naming the model and the URL.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { YAMLMap, YAMLSeq } from 'yaml';
import { describeRun, runBench, tempDir, writeModelsFile, removeTempDirs } from './helpers.ts';

afterAll(removeTempDirs);

const REAL_MODEL = 'Qwen3-VL-8B-Instruct';

/** A copy of models.yaml where only the vLLM reference model is enabled, at `baseUrl`. */
function onlyRealModel(dir: string, baseUrl: string, ttft?: string[]): string {
  return writeModelsFile(dir, (doc, model) => {
    for (const m of (doc.get('models') as YAMLSeq<YAMLMap>).items) m.set('enabled', m.get('name') === REAL_MODEL);
    const real = model(REAL_MODEL);
    real.delete('port');
    real.set('base_url', baseUrl);
    if (ttft) doc.setIn(['thresholds', 'ttft'], doc.createNode(ttft));
  });
}

describe('an invalid threshold', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];

  beforeAll(async () => {
    // Stands in for the model's server: counts every request and answers none of them well.
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"counting server"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('exits 2 before any request is sent, quoting the file, the key and the expression', async () => {
    seen.length = 0;
    const file = onlyRealModel(tempDir(), `http://127.0.0.1:${port}/v1`, ['p(95) < banana']);
    const r = await runBench({ modelsFile: file, killAfterMs: 60_000 });
    expect(r.code, describeRun(r)).toBe(2);
    expect(seen).toEqual([]);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('thresholds.ttft');
    expect(r.stderr).toContain('p(95) < banana');
    expect(r.stderr).toMatch(/no request was sent|nothing was sent/);
  }, 60_000);

  it('(control) the same file with a valid threshold does reach the counting server', async () => {
    seen.length = 0;
    const file = onlyRealModel(tempDir(), `http://127.0.0.1:${port}/v1`, ['p(95) < 2000']);
    const r = await runBench({ modelsFile: file, env: { BENCH_HEALTH_TIMEOUT_MS: '5000' }, killAfterMs: 60_000 });
    // The server answers 500, so the health check fails: still "could not run", but a request went out.
    expect(r.code, describeRun(r)).toBe(2);
    expect(seen.length, describeRun(r)).toBeGreaterThan(0);
  }, 60_000);
});

describe('an unreachable endpoint', () => {
  it('exits 2 in under 30 s, naming the model and the URL', async () => {
    // A port that was free a moment ago and that nothing listens on now.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const url = `http://127.0.0.1:${port}/v1`;

    const file = onlyRealModel(tempDir(), url);
    const r = await runBench({ modelsFile: file, killAfterMs: 60_000 });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.durationMs).toBeLessThan(30_000);
    const output = `${r.stdout}\n${r.stderr}`;
    expect(output).toContain(`"${REAL_MODEL}"`);
    expect(output).toContain(url);
    expect(output).toMatch(/unreachable/);
  }, 60_000);
});
