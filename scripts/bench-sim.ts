/**
 * Simulator throughput and timing-fidelity bench.
 *
 *   npx tsx scripts/bench-sim.ts [--streams 2000] [--tokens 400]
 *
 * Starts the simulator in its own child process, opens N concurrent streaming requests from this
 * process with undici, and measures (a) streamed tokens/s in the steady window (every stream
 * started, none finished) and (b) drift: each measured inter-token gap minus the modelled gap the
 * simulator reports in `sim_t_ms` (wire.timing_field). Writes bench-results/sim.json and sim.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';

const { values } = parseArgs({ options: { streams: { type: 'string', default: '2000' }, tokens: { type: 'string', default: '400' } } });
const STREAMS = Number(values.streams);
const TOKENS = Number(values.tokens);

/** Engine sized so 2000 sequences decode together at ~16 ms per step (~125k tokens/s). */
const SIM = {
  seed: 1,
  engine: { max_num_seqs: 4096, max_num_batched_tokens: 65_536, prefill_tokens_per_s: 2_000_000, step_base_ms: 10, step_per_seq_ms: 0.003, kv_cache_tokens: 10_000_000, prefix_caching: false },
  wire: { timing_field: true },
};

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const r = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(r);
  const hi = Math.ceil(r);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (r - lo);
}

async function main(): Promise<void> {
  const root = join(import.meta.dirname, '..');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/sim/cli.ts'), '--port', '0', '--max-model-len', '8192', '--served-name', 'sim/bench', '--config-json', JSON.stringify(SIM)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = (): void => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stop);
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (l) => {
      const m = /^SIM_READY (\S+)/.exec(l);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (c) => reject(new Error(`simulator exited with code ${c} before SIM_READY`)));
  });

  const dispatcher = new Agent({ connections: STREAMS + 16, pipelining: 1, keepAliveTimeout: 60_000, bodyTimeout: 0, headersTimeout: 0 });
  const body = JSON.stringify({ model: 'sim/bench', prompt: 'Benchmark the simulator.', stream: true, max_tokens: TOKENS, ignore_eos: true });
  const firstTimes: number[] = [];
  const endTimes: number[] = [];
  const arrivals: number[][] = [];
  const drift: number[] = [];
  let errors = 0;

  const one = async (k: number): Promise<void> => {
    const times: number[] = [];
    arrivals[k] = times;
    let prevRecv = 0;
    let prevModel = 0;
    try {
      const res = await request(`${url}/completions`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher });
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
      res.body.setEncoding('utf8');
      let buf = '';
      // 'data' events, not for-await: one promise per chunk is too costly at 100k chunks/s.
      await new Promise<void>((resolve, reject) => {
      res.body.on('end', resolve);
      res.body.on('error', reject);
      res.body.on('data', (chunk: string) => {
        const t = performance.now();
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const j = ev.indexOf('"sim_t_ms":');
          if (j < 0) continue;
          const model = Number.parseFloat(ev.slice(j + 11));
          if (times.length > 0) drift.push(t - prevRecv - (model - prevModel));
          times.push(t);
          prevRecv = t;
          prevModel = model;
        }
      });
      });
      firstTimes.push(times[0]!);
      endTimes.push(times.at(-1)!);
    } catch {
      errors++;
    }
  };

  const t0 = performance.now();
  await Promise.all(Array.from({ length: STREAMS }, (_, k) => one(k)));
  const wall = (performance.now() - t0) / 1000;

  // Steady window: all streams have started and none has finished.
  const wStart = Math.max(...firstTimes);
  const wEnd = Math.min(...endTimes);
  let inWindow = 0;
  for (const ts of arrivals) for (const t of ts ?? []) if (t >= wStart && t <= wEnd) inWindow++;
  const total = arrivals.reduce((a, ts) => a + (ts?.length ?? 0), 0);
  const steadyTps = wEnd > wStart ? inWindow / ((wEnd - wStart) / 1000) : NaN;
  drift.sort((a, b) => a - b);
  const metrics = await (await fetch(url.replace(/\/v1$/, '/metrics'))).text();
  const lateMean = Number(/sim:step_lateness_mean_ms\{[^}]*\} (\S+)/.exec(metrics)?.[1]);
  stop();
  await dispatcher.close();

  const result = {
    command: `npx tsx scripts/bench-sim.ts --streams ${STREAMS} --tokens ${TOKENS}`,
    machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version },
    streams: STREAMS,
    tokens_per_stream: TOKENS,
    errors,
    total_tokens: total,
    wall_s: Number(wall.toFixed(2)),
    steady_window_s: Number(((wEnd - wStart) / 1000).toFixed(2)),
    steady_tokens_per_s: Math.round(steadyTps),
    overall_tokens_per_s: Math.round(total / wall),
    gap_drift_ms: { n: drift.length, p50: Number(pct(drift, 50).toFixed(3)), p99: Number(pct(drift, 99).toFixed(3)), p1: Number(pct(drift, 1).toFixed(3)) },
    server_step_lateness_mean_ms: Number(lateMean.toFixed(3)),
    sim_config: SIM,
  };
  const md = [
    '| metric | value |',
    '|---|---|',
    `| machine | ${result.machine.nproc} cores, ${result.machine.cpu}, Node ${result.machine.node} |`,
    `| concurrent streams | ${STREAMS} (${TOKENS} tokens each, errors: ${errors}) |`,
    `| streamed tokens/s, steady window (${result.steady_window_s} s) | ${result.steady_tokens_per_s.toLocaleString('en-US')} |`,
    `| streamed tokens/s, whole run (${result.wall_s} s) | ${result.overall_tokens_per_s.toLocaleString('en-US')} |`,
    `| gap drift (measured - modelled) p50 / p99, ms (n=${drift.length}) | ${result.gap_drift_ms.p50} / ${result.gap_drift_ms.p99} |`,
    `| server step lateness, mean ms | ${result.server_step_lateness_mean_ms} |`,
    `| command | \`${result.command}\` |`,
  ].join('\n');
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(join(root, 'bench-results/sim.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(root, 'bench-results/sim.md'), `# Simulator bench\n\n${md}\n`);
  process.stdout.write(`${md}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-sim: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
