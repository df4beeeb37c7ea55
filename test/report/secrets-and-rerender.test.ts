import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RequestRecord, RunHeader } from '../../src/client/types.ts';
import { buildResults } from '../../src/report/build.ts';
import { compareRuns, rerender } from '../../src/report/rerender.ts';
import { readConfigInfo } from '../../src/report/config-info.ts';
import { secretValues, stripUrlSecrets } from '../../src/report/sanitize.ts';
import { writeReports } from '../../src/report/write.ts';
import { BASELINE, CANDIDATE, modelTests } from './fixtures.ts';
import { tempRoot } from './helpers.ts';

// Underscores and a '<' change under Markdown/HTML escaping: the key must be caught before that.
const KEY = 'sk_test_9f8e7d6c<5b4a39281706';

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('no API key in any report file', () => {
  it('scrubs the value of every api_key_env variable, even when a server echoed it', async () => {
    const root = tempRoot();
    const env = { BENCH_TEST_API_KEY: KEY };
    const config = readConfigInfo(root, env);
    expect(config.apiKeyEnvs).toEqual(['BENCH_TEST_API_KEY']);
    // A server error message and a model answer that both echo the key back.
    const tests = [...modelTests(BASELINE), ...modelTests({ ...CANDIDATE, answer: `my key is ${KEY}` })];
    tests[1]!.errors.push(`http 401: invalid key ${KEY}`);
    tests[1]!.bench!.warnings.push(`Authorization: Bearer ${KEY}`);
    const runDir = join(root, 'reports', 'r');
    await writeReports(runDir, buildResults({ runId: 'r', tests, root, env, config }), secretValues(config.apiKeyEnvs, env));
    const files = allFiles(runDir);
    expect(files.length).toBeGreaterThan(8);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toContain(KEY);
      expect(text, f).not.toContain('9f8e7d6c');
    }
    expect(readFileSync(join(runDir, 'report.md'), 'utf8')).toContain('my key is REDACTED');
  });

  it('strips userinfo, query and fragment from URLs', () => {
    expect(stripUrlSecrets('https://u:p@api.example.com/v1?key=abc#x')).toBe('https://api.example.com/v1');
    expect(stripUrlSecrets('not a url?key=abc')).toBe('not a url');
  });
});

function record(i: number, e2e: number): RequestRecord {
  const tSend = 1000 + i * 100;
  return { id: `r${i}`, ok: true, tSched: tSend, tSend, tFirstToken: tSend + 20, tEnd: tSend + e2e, tokenTimes: [tSend + 20, tSend + e2e], completionTokens: 2, promptTokens: 10, usageSource: 'server', finishReason: 'stop', outputText: 'ok' };
}

describe('the report command', () => {
  it('re-renders a run folder from results.json', async () => {
    const root = tempRoot();
    const runDir = join(root, 'reports', 'r1');
    await writeReports(runDir, buildResults({ runId: 'r1', tests: modelTests(BASELINE), root }));
    rmSync(join(runDir, 'report.md'));
    rmSync(join(runDir, 'charts'), { recursive: true });
    const out = await rerender(runDir, root);
    expect(out.source).toBe('results.json');
    expect(readFileSync(join(runDir, 'report.md'), 'utf8')).toContain('## Verdict');
    expect(readdirSync(join(runDir, 'charts'))).toHaveLength(6);
  });

  it('recomputes summaries from records after a crash and says the run did not finish', async () => {
    const root = tempRoot();
    const runDir = join(root, 'reports', 'crashed');
    mkdirSync(join(runDir, 'records'), { recursive: true });
    const header: RunHeader = { type: 'header', runId: 'crashed', model: 'sim-baseline', test: 'latency > chat 512 -> 128', timeOriginMs: 0, startedAt: '2026-11-23T12:00:00Z', seed: 7, params: { dimension: 'latency' } };
    const lines = [header, ...[100, 200, 300, 400].map((e, i) => record(i, e))].map((x) => JSON.stringify(x));
    // The process died mid-write: a torn last line.
    writeFileSync(join(runDir, 'records', 'sim-baseline-latency.jsonl'), lines.join('\n') + '\n{"id":"r9","ok":tr');
    const out = await rerender(runDir, root);
    expect(out.source).toBe('records');
    expect(out.results.outcome.exitCode).toBe(2);
    const t = out.results.tests[0]!;
    expect([t.model, t.dimension, t.state]).toEqual(['sim-baseline', 'latency', 'pending']);
    expect(t.bench!.summary!.e2e.n).toBe(4);
    expect(t.bench!.summary!.e2e.p50).toBe(250); // linear interpolation over 100..400
    const md = readFileSync(join(runDir, 'report.md'), 'utf8');
    expect(md).toContain('1 unreadable line(s) skipped');
    expect(md).toContain('the run did not finish');
  });

  it('compares two run folders and gives the verdict with reasons', async () => {
    const root = tempRoot();
    const a = join(root, 'reports', 'a');
    const b = join(root, 'reports', 'b');
    await writeReports(a, buildResults({ runId: 'a', tests: modelTests(BASELINE), root }));
    await writeReports(b, buildResults({ runId: 'b', tests: modelTests({ ...BASELINE, speed: 2 }), root }));
    const r = compareRuns(a, b, root);
    expect(r.comparisons[0]!.canReplace).toBe(false);
    expect(r.comparisons[0]!.verdict).toBe('sim-baseline (b) cannot replace sim-baseline (a)');
    expect(r.markdown).toContain('p95 end-to-end latency is 2.00x the baseline');
    expect(readFileSync(r.htmlFile, 'utf8')).toContain('cannot replace');
  });
});
