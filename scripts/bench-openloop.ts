/**
 * Open-loop fidelity benchmark: 500 req/s for 10 s (constant, then Poisson arrivals) against a
 * loopback HTTP server in its own process, sending with undici directly. Prints offered versus
 * achieved rate and the scheduler's lag, and writes bench-results/openloop.{json,md}.
 *
 *   npx tsx scripts/bench-openloop.ts [--rate 500] [--duration 10] [--arrival constant,poisson] [--seed 1]
 *
 * The server answers each POST /v1/completions with a small JSON completion after 10 ms, so
 * about five requests are in flight at 500 req/s, like a fast real server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool, errors as undiciErrors } from 'undici';
import type { RequestRecord } from '../src/client/types.ts';
import { runOpenLoop, type OpenLoopResult } from '../src/load/open-loop.ts';
import type { ArrivalProcess } from '../src/load/arrivals.ts';
import type { Send } from '../src/load/types.ts';
import { judgeClientHealth, startClientHealthMonitor } from '../src/metrics/client-health.ts';
import { summarize } from '../src/metrics/summary.ts';
import type { ClientHealth, Distribution, RunSummary } from '../src/metrics/types.ts';

const SERVER_DELAY_MS = 10;

function serve(): void {
  const body = JSON.stringify({
    id: 'cmpl-bench',
    object: 'text_completion',
    model: 'loopback',
    choices: [{ index: 0, text: ' hello', finish_reason: 'stop' }],
    usage: { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 },
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      }, SERVER_DELAY_MS);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`);
  });
  // Exit with the parent: a dropped stdin pipe means the bench is gone.
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

function startServer(): Promise<{ port: number; child: ChildProcess }> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--server'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('loopback server did not report its port within 15 s')), 15_000);
    child.stdout!.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve({ port: Number(d.toString().trim()), child });
    });
    child.once('exit', (code) => reject(new Error(`loopback server exited with code ${code}`)));
  });
}

function makeSend(pool: Pool): Send {
  const payload = JSON.stringify({ model: 'loopback', prompt: 'Say hello', max_tokens: 2, stream: false });
  return async (_req, ctx) => {
    const base = { id: ctx.id, tSched: ctx.tSched, tokenTimes: [], outputText: '' };
    const tSend = performance.now();
    try {
      const res = await pool.request({ path: '/v1/completions', method: 'POST', body: payload, headers: { 'content-type': 'application/json' }, signal: ctx.signal });
      const tHeaders = performance.now();
      const json = (await res.body.json()) as { choices?: Array<{ text?: string; finish_reason?: string }>; usage?: { prompt_tokens?: number; completion_tokens?: number } };
      const tEnd = performance.now();
      if (res.statusCode >= 400) {
        return { ...base, ok: false, tSend, tHeaders, error: { kind: 'http', status: res.statusCode, message: JSON.stringify(json).slice(0, 200) }, usageSource: 'none' };
      }
      const record: RequestRecord = {
        ...base,
        ok: true,
        tSend,
        tHeaders,
        tEnd,
        tClose: tEnd,
        promptTokens: json.usage?.prompt_tokens,
        completionTokens: json.usage?.completion_tokens,
        usageSource: json.usage ? 'server' : 'none',
        finishReason: json.choices?.[0]?.finish_reason ?? null,
        outputText: json.choices?.[0]?.text ?? '',
      };
      return record;
    } catch (err) {
      const kind = ctx.signal.aborted || err instanceof undiciErrors.RequestAbortedError ? 'aborted' : 'connect';
      return { ...base, ok: false, tSend, error: { kind, message: err instanceof Error ? err.message : String(err) }, usageSource: 'none' };
    }
  };
}

interface BenchRun {
  arrival: ArrivalProcess;
  offeredRate: number;
  scheduledRate: number | null;
  achievedRate: number | null;
  /** achieved / offered - 1, percent. */
  achievedVsOfferedPct: number | null;
  /** achieved / scheduled - 1, percent: the scheduler's own error. */
  achievedVsScheduledPct: number | null;
  sent: number;
  /** CPU time of the load-generating process over the run, as % of one core. */
  clientCpuPct: number;
  schedulingLagMs: Distribution;
  clientHealth: ClientHealth;
  summary: RunSummary;
}

async function bench(pool: Pool, arrival: ArrivalProcess, rate: number, durationS: number, seed: number): Promise<BenchRun> {
  const monitor = startClientHealthMonitor();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r: OpenLoopResult = await runOpenLoop({
    rate,
    arrival,
    seed,
    send: makeSend(pool),
    next: () => ({ prompt: 'Say hello', stream: false, maxTokens: 2 }),
    durationMs: durationS * 1000,
    graceMs: 5000,
    warmupRequests: 50,
  });
  const cpu = process.cpuUsage(cpu0);
  const clientCpuPct = ((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100;
  const summary = summarize(r.records, { offeredRate: rate });
  const health = judgeClientHealth(monitor.stop(r.schedulingLagMs), summary.e2e.p50);
  const pct = (a: number | null, b: number | null): number | null => (a !== null && b !== null ? (a / b - 1) * 100 : null);
  return {
    arrival,
    offeredRate: rate,
    scheduledRate: r.scheduledRate,
    achievedRate: r.achievedRate,
    achievedVsOfferedPct: pct(r.achievedRate, rate),
    achievedVsScheduledPct: pct(r.achievedRate, r.scheduledRate),
    sent: r.sent,
    clientCpuPct,
    schedulingLagMs: r.schedulingLag,
    clientHealth: health,
    summary: { ...summary, clientHealth: health },
  };
}

const f = (v: number | null | undefined, d = 2): string => (v === null || v === undefined ? 'n/a' : v.toFixed(d));

function markdown(runs: BenchRun[], meta: Record<string, string | number>): string {
  const lines = [
    '# Open-loop scheduler fidelity',
    '',
    `${meta.date} · Node ${meta.node} · ${meta.cpus} CPUs (load average ${meta.loadAvg1m} at the end) · loopback server in its own process answering after ${SERVER_DELAY_MS} ms · undici Pool`,
    '',
    '| arrivals | offered req/s | drawn schedule req/s | achieved req/s | achieved vs offered | achieved vs schedule | sent | lag p50 ms | lag p99 ms | loop delay p99 ms | client CPU | E2E p50 ms | success |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...runs.map(
      (r) =>
        `| ${r.arrival} | ${r.offeredRate} | ${f(r.scheduledRate)} | ${f(r.achievedRate)} | ${f(r.achievedVsOfferedPct)} % | ${f(r.achievedVsScheduledPct)} % | ${r.sent} | ${f(r.schedulingLagMs.p50)} | ${f(r.schedulingLagMs.p99)} | ${f(r.clientHealth.eventLoopDelayP99Ms)} | ${f(r.clientCpuPct, 0)} % | ${f(r.summary.e2e.p50)} | ${f((r.summary.successRate ?? 0) * 100, 1)} % |`,
    ),
    '',
    'Achieved = (sent - 1) / (last send - first send). A Poisson schedule drawn from a seed differs from the offered rate by sampling noise (about 1/sqrt(n)); "achieved vs schedule" is the scheduler\'s own error.',
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'boolean', default: false },
      rate: { type: 'string', default: '500' },
      duration: { type: 'string', default: '10' },
      arrival: { type: 'string', default: 'constant,poisson' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'bench-results' },
    },
  });
  if (values.server) return serve();
  const rate = Number(values.rate);
  const durationS = Number(values.duration);
  const arrivals = values.arrival.split(',') as ArrivalProcess[];
  const { port, child } = await startServer();
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 });
  const runs: BenchRun[] = [];
  try {
    // An unreported second first, so JIT compilation and connection set-up are not in the figures.
    await bench(pool, 'constant', rate, 1, Number(values.seed));
    for (const arrival of arrivals) {
      const r = await bench(pool, arrival, rate, durationS, Number(values.seed));
      runs.push(r);
      console.log(
        `${arrival.padEnd(8)} offered ${rate} req/s, schedule ${f(r.scheduledRate)} req/s, achieved ${f(r.achievedRate)} req/s ` +
          `(${f(r.achievedVsOfferedPct)} % vs offered, ${f(r.achievedVsScheduledPct)} % vs schedule), sent ${r.sent}; ` +
          `scheduling lag p50 ${f(r.schedulingLagMs.p50)} ms p99 ${f(r.schedulingLagMs.p99)} ms; client CPU ${f(r.clientCpuPct, 0)} %; E2E p50 ${f(r.summary.e2e.p50)} ms; ` +
          `client ${r.clientHealth.flagged ? `FLAGGED: ${r.clientHealth.reason}` : 'healthy'}`,
      );
    }
  } finally {
    await pool.close();
    child.stdin!.end();
    child.kill();
  }
  // The load average says how much else ran on the machine: tail lag on a shared box is not the scheduler's.
  const meta = { date: new Date().toISOString(), node: process.versions.node, cpus: availableParallelism(), loadAvg1m: Number(loadavg()[0]!.toFixed(2)), rate, durationS };
  mkdirSync(values.out, { recursive: true });
  writeFileSync(`${values.out}/openloop.json`, `${JSON.stringify({ ...meta, runs }, null, 2)}\n`);
  writeFileSync(`${values.out}/openloop.md`, markdown(runs, meta));
  console.log(`wrote ${values.out}/openloop.json and ${values.out}/openloop.md`);
}

await main();
