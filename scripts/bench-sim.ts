/**
 * Simulator throughput and timing-fidelity bench.
 *
 *   npx tsx scripts/bench-sim.ts [--streams 2000] [--tokens 400] [--step-ms 16] [--transport both|tcp|unix] [--prof-dir DIR]
 *
 * Starts the simulator in its own child process, opens N concurrent streaming requests from this
 * process with undici, and measures:
 *  - streams completed / failed (by error kind);
 *  - streamed tokens/s in the steady window (every stream has started, none has finished);
 *  - drift: each measured inter-token gap minus the modelled gap the simulator reports in
 *    `sim_t_ms` (wire.timing_field), p50 / p99;
 *  - CPU of each process over the steady window (this process: process.cpuUsage(); the simulator:
 *    /proc/<pid>/stat).
 * The client side is kept cheap: one undici Pool with a connection per stream, raw body bytes, and
 * a byte-level scan for `"sim_t_ms":` (no JSON.parse, no string decoding per chunk).
 * Writes bench-results/sim.json and sim.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '2000' },
    tokens: { type: 'string', default: '400' },
    'step-ms': { type: 'string', default: '16' },
    'prof-dir': { type: 'string' },
    transport: { type: 'string', default: 'both' },
  },
});
const STREAMS = Number(values.streams);
const TOKENS = Number(values.tokens);
const STEP_MS = Number(values['step-ms']);
const PER_SEQ_MS = 0.002;
type Transport = 'tcp' | 'unix';
const TRANSPORTS: Transport[] = values.transport === 'both' ? ['tcp', 'unix'] : values.transport === 'unix' ? ['unix'] : ['tcp'];
const SOCKET = `/tmp/bench-sim-${process.pid}.sock`;

/** Engine sized so all streams decode together: step = base + 0.002 ms * batch = STEP_MS at STREAMS. */
const SIM = {
  seed: 1,
  engine: {
    max_num_seqs: Math.max(2048, STREAMS),
    max_num_batched_tokens: 65_536,
    prefill_tokens_per_s: 2_000_000,
    step_base_ms: Number((STEP_MS - PER_SEQ_MS * STREAMS).toFixed(3)),
    step_per_seq_ms: PER_SEQ_MS,
    kv_cache_tokens: 20_000_000,
    prefix_caching: false,
  },
  wire: { timing_field: true },
};
const MODELLED_TPS = Math.round((STREAMS * 1000) / STEP_MS);

function pct(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const r = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(r);
  const hi = Math.ceil(r);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (r - lo);
}

const CLK_TCK = 100;
/** utime + stime of a process, ms (Linux /proc). */
function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}
/** Busy CPU time of the whole machine, ms summed over cores (Linux /proc/stat). */
function machineBusyMs(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return ((total - f[3]! - f[4]!) * 1000) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}
const selfCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const KEY = Buffer.from('"sim_t_ms":');
const SEP = Buffer.from('\n\n');

const root = join(import.meta.dirname, '..');

/** One bench run against a fresh simulator child; returns the result record and its Markdown rows. */
async function runOnce(TRANSPORT: Transport): Promise<{ result: Record<string, unknown>; rows: [string, string][] }> {
  const load0 = loadavg().map((x) => x.toFixed(2)).join(' ');
  const profArgs = values['prof-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${values['prof-dir']}`] : [];
  const child = spawn(
    process.execPath,
    [...profArgs, '--import', 'tsx', join(root, 'src/sim/cli.ts'), '--port', '0', '--max-model-len', '8192', '--served-name', 'sim/bench', '--config-json', JSON.stringify(SIM), ...(TRANSPORT === 'unix' ? ['--unix-socket', SOCKET] : [])],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  process.once('exit', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (l) => {
      const m = /^SIM_READY (\S+)/.exec(l);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (c) => reject(new Error(`simulator exited with code ${c} before SIM_READY`)));
  });
  const origin = new URL(url).origin;
  const pid = child.pid!;

  const pool = new Pool(origin, { ...(TRANSPORT === 'unix' ? { socketPath: SOCKET } : {}), connections: STREAMS + 16, pipelining: 1, keepAliveTimeout: 60_000, bodyTimeout: 0, headersTimeout: 0, connectTimeout: 60_000 });
  const body = JSON.stringify({ model: 'sim/bench', prompt: 'Benchmark the simulator.', stream: true, max_tokens: TOKENS, ignore_eos: true });
  const headers = { 'content-type': 'application/json' };

  // Per-stream first/last token arrival; arrivals binned per 10 ms for the steady-window rate.
  const BIN_MS = 10;
  const bins = new Float64Array(1 << 16);
  const firstT = new Float64Array(STREAMS).fill(Number.NaN);
  const lastT = new Float64Array(STREAMS).fill(Number.NaN);
  const tokensOf = new Int32Array(STREAMS);
  const drift = new Float64Array(STREAMS * Math.max(1, TOKENS));
  let nDrift = 0;
  const errorKinds: Record<string, number> = {};
  let completed = 0;
  let totalTokens = 0;
  const t0 = performance.now();

  const one = async (k: number): Promise<void> => {
    let prevRecv = 0;
    let prevModel = 0;
    let n = 0;
    let carry: Buffer | null = null;
    const onData = (chunk: Buffer): void => {
      const t = performance.now();
      let buf = chunk;
      if (carry !== null) {
        buf = Buffer.concat([carry, chunk]);
        carry = null;
      }
      // Only complete events (up to the last blank line) are scanned; the rest waits for more bytes.
      const end = buf.lastIndexOf(SEP);
      if (end < 0) {
        carry = Buffer.from(buf);
        return;
      }
      if (end + 2 < buf.length) carry = Buffer.from(buf.subarray(end + 2));
      let i = buf.indexOf(KEY, 0);
      while (i >= 0 && i < end) {
        // Parse the decimal number after the key without making a string.
        let j = i + KEY.length;
        let v = 0;
        let c = buf[j]!;
        while (c >= 48 && c <= 57) {
          v = v * 10 + (c - 48);
          c = buf[++j]!;
        }
        if (c === 46) {
          let scale = 0.1;
          c = buf[++j]!;
          while (c >= 48 && c <= 57) {
            v += (c - 48) * scale;
            scale /= 10;
            c = buf[++j]!;
          }
        }
        if (n > 0) drift[nDrift++] = t - prevRecv - (v - prevModel);
        else firstT[k] = t;
        n++;
        prevRecv = t;
        prevModel = v;
        i = buf.indexOf(KEY, j);
      }
      lastT[k] = t;
    };
    try {
      const res = await pool.request({ path: '/v1/completions', method: 'POST', body, headers });
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw Object.assign(new Error(`HTTP ${res.statusCode}`), { code: `HTTP_${res.statusCode}` });
      }
      await new Promise<void>((resolve, reject) => {
        res.body.on('data', (chunk: Buffer) => {
          const before = n;
          onData(chunk);
          const got = n - before;
          if (got > 0) bins[Math.floor((lastT[k]! - t0) / BIN_MS)]! += got;
        });
        res.body.on('end', resolve);
        res.body.on('error', reject);
      });
      tokensOf[k] = n;
      totalTokens += n;
      if (n === TOKENS) completed++;
      else errorKinds.short_stream = (errorKinds.short_stream ?? 0) + 1;
    } catch (e) {
      tokensOf[k] = n;
      totalTokens += n;
      const err = e as { code?: string; name?: string; message?: string };
      const kind = err.code ?? err.name ?? 'Error';
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    }
  };

  // CPU samples of both processes every 100 ms, to charge each process for the steady window.
  const samples: { t: number; self: number; child: number; machine: number }[] = [];
  const sample = (): void => {
    samples.push({ t: performance.now(), self: selfCpuMs(), child: procCpuMs(pid), machine: machineBusyMs() });
  };
  sample();
  const sampler = setInterval(sample, 100);
  await Promise.all(Array.from({ length: STREAMS }, (_, k) => one(k)));
  const tDone = performance.now();
  sample();
  clearInterval(sampler);
  const wall = (tDone - t0) / 1000;

  // Steady window: every stream has its first token and none has finished (completed streams only).
  let wStart = 0;
  let wEnd = Number.POSITIVE_INFINITY;
  for (let k = 0; k < STREAMS; k++) {
    if (tokensOf[k] !== TOKENS) continue;
    wStart = Math.max(wStart, firstT[k]!);
    wEnd = Math.min(wEnd, lastT[k]!);
  }
  let windowKind = 'all streams running';
  // Fallback (streams did not overlap, e.g. queueing or failures): the middle 80% of all tokens.
  if (!(wEnd - wStart >= 200)) {
    windowKind = 'middle 80% of tokens (streams did not all overlap)';
    let cum = 0;
    wStart = Number.NaN;
    for (let b = 0; b < bins.length; b++) {
      cum += bins[b]!;
      if (Number.isNaN(wStart) && cum >= 0.1 * totalTokens) wStart = t0 + b * BIN_MS;
      if (cum >= 0.9 * totalTokens) {
        wEnd = t0 + (b + 1) * BIN_MS;
        break;
      }
    }
    if (!(wEnd > wStart)) {
      wStart = t0;
      wEnd = tDone;
      windowKind = 'whole run';
    }
  }
  // Whole bins inside the window.
  const b0 = Math.ceil((wStart - t0) / BIN_MS);
  const b1 = Math.floor((wEnd - t0) / BIN_MS);
  let inWindow = 0;
  for (let b = b0; b < b1; b++) inWindow += bins[b]!;
  const windowS = Math.max(0, ((b1 - b0) * BIN_MS) / 1000);
  const steadyTps = windowS > 0 ? inWindow / windowS : 0;

  // CPU over the steady window, from the samples nearest its bounds.
  const near = (t: number): (typeof samples)[number] => samples.reduce((a, s) => (Math.abs(s.t - t) < Math.abs(a.t - t) ? s : a));
  const sA = near(t0 + b0 * BIN_MS);
  const sB = near(t0 + b1 * BIN_MS);
  const span = Math.max(1, sB.t - sA.t);
  const cpuPct = (a: number, b: number): number => Math.round(((b - a) / span) * 1000) / 10;
  const benchCpuWindow = cpuPct(sA.self, sB.self);
  const simCpuWindow = cpuPct(sA.child, sB.child);
  const machineCpuWindow = cpuPct(sA.machine, sB.machine);
  const otherCpuWindow = Math.round((machineCpuWindow - simCpuWindow - benchCpuWindow) * 10) / 10;
  const sFirst = samples[0]!;
  const sLast = samples.at(-1)!;
  const whole = Math.max(1, sLast.t - sFirst.t);
  const benchCpuWhole = Math.round(((sLast.self - sFirst.self) / whole) * 1000) / 10;
  const simCpuWhole = Math.round(((sLast.child - sFirst.child) / whole) * 1000) / 10;

  const d = drift.subarray(0, nDrift).sort();
  const metrics = await (await pool.request({ path: '/metrics', method: 'GET' })).body.text();
  const metric = (name: string): number => Number(new RegExp(`^${name.replace(/[:]/g, '\\$&')}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);
  const lateMean = metric('sim:step_lateness_mean_ms');
  const lateMax = metric('sim:step_lateness_max_ms');
  const steps = metric('sim:engine_steps_total');
  await pool.close();
  await stop();

  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  // CPU per streamed token in each process over the steady window: independent of other load on
  // the machine, so it projects what two dedicated cores would sustain.
  const tokSpan = steadyTps * (span / 1000);
  const usSim = tokSpan > 0 ? ((sB.child - sA.child) * 1000) / tokSpan : 0;
  const usBench = tokSpan > 0 ? ((sB.self - sA.self) * 1000) / tokSpan : 0;
  const projected = usSim + usBench > 0 ? Math.round((2 * 1e6) / (usSim + usBench)) : 0;
  const projectedSimOnly = usSim > 0 ? Math.round(1e6 / usSim) : 0;
  const errors = STREAMS - completed;
  const nproc = cpus().length;
  const limiter =
    simCpuWindow >= 90
      ? `simulator CPU (${simCpuWindow}% of a core)`
      : benchCpuWindow >= 90
        ? `bench client CPU (${benchCpuWindow}% of a core)`
        : machineCpuWindow >= 90 * nproc
          ? `machine CPU: all ${nproc} cores busy (${machineCpuWindow}% of one core; other processes ${otherCpuWindow}%), so neither process got a full core`
          : 'neither process nor the machine at 100% CPU';
  const result = {
    command: `npx tsx scripts/bench-sim.ts --streams ${STREAMS} --tokens ${TOKENS} --step-ms ${STEP_MS} --transport ${values.transport}`,
    transport: TRANSPORT === 'unix' ? 'HTTP/1.1 over a Unix domain socket' : 'HTTP/1.1 over loopback TCP',
    date: new Date().toISOString(),
    machine: { nproc: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, loadavg_at_start: load0 },
    streams: STREAMS,
    tokens_per_stream: TOKENS,
    completed,
    failed: errors,
    error_kinds: errorKinds,
    total_tokens: totalTokens,
    wall_s: r3(wall),
    modelled_tokens_per_s: MODELLED_TPS,
    steady_window: { kind: windowKind, seconds: r3(windowS), tokens: inWindow },
    steady_tokens_per_s: Math.round(steadyTps),
    overall_tokens_per_s: Math.round(totalTokens / wall),
    gap_drift_ms: { n: nDrift, p1: r3(pct(d, 1)), p50: r3(pct(d, 50)), p99: r3(pct(d, 99)) },
    server_steps: steps,
    server_step_lateness_ms: { mean: r3(lateMean), max: r3(lateMax) },
    cpu_percent_of_one_core: { steady_window: { simulator: simCpuWindow, bench_client: benchCpuWindow, whole_machine: machineCpuWindow, other_processes: otherCpuWindow }, whole_run: { simulator: simCpuWhole, bench_client: benchCpuWhole } },
    limited_by: limiter,
    cpu_us_per_token: { simulator: r3(usSim), bench_client: r3(usBench) },
    projected_tokens_per_s: { simulator_on_one_dedicated_core: projectedSimOnly, both_processes_on_two_dedicated_cores: projected },
    target: { streams: 2000, tokens_per_s: 100_000, met: completed >= 2000 && steadyTps >= 100_000 },
    sim_config: SIM,
  };
  const fmt = (x: number): string => x.toLocaleString('en-US');
  const rows: [string, string][] = [
    [`command`, `\`${result.command}\``],
    [`machine`, `${result.machine.nproc} cores, ${result.machine.cpu}, Node ${result.machine.node}, load average at start ${load0}`],
    [`date`, `${result.date}`],
    [`transport`, `${result.transport}`],
    [`concurrent streams`, `${STREAMS} x ${TOKENS} tokens: ${completed} completed, ${errors} failed${errors ? ` (${JSON.stringify(errorKinds)})` : ''}`],
    [`modelled rate (engine step ${STEP_MS} ms at batch ${STREAMS})`, `${fmt(MODELLED_TPS)} tokens/s`],
    [`streamed tokens/s, steady window`, `**${fmt(result.steady_tokens_per_s)}** (${result.steady_window.seconds} s, ${windowKind})`],
    [`streamed tokens/s, whole run incl. connect and ramp`, `${fmt(result.overall_tokens_per_s)} (${result.wall_s} s)`],
    [`gap drift (measured - modelled inter-token gap) p50 / p99, ms`, `${result.gap_drift_ms.p50} / ${result.gap_drift_ms.p99} (n=${fmt(nDrift)})`],
    [`simulator step-end lateness vs model, mean / max ms`, `${result.server_step_lateness_ms.mean} / ${result.server_step_lateness_ms.max} (${steps} steps)`],
    [`CPU, steady window: simulator / bench client / other processes (% of one core; machine has ${nproc} cores)`, `${simCpuWindow} / ${benchCpuWindow} / ${otherCpuWindow}`],
    [`CPU, whole run: simulator / bench client (% of one core)`, `${simCpuWhole} / ${benchCpuWhole}`],
    [`CPU per streamed token: simulator / bench client, µs`, `${r3(usSim)} / ${r3(usBench)}`],
    [`projected: simulator alone on one dedicated core / both on two dedicated cores, tokens/s`, `${fmt(projectedSimOnly)} / ${fmt(projected)}`],
    [`target (>= 2,000 streams, >= 100,000 tokens/s)`, `${result.target.met ? 'met' : `NOT met; limited by ${limiter}`}`],
  ];
  return { result, rows };
}

async function main(): Promise<void> {
  const runs: { result: Record<string, unknown>; rows: [string, string][] }[] = [];
  for (const t of TRANSPORTS) runs.push(await runOnce(t));
  // One table, one column per run (rows are identical in order).
  const head = `| metric | ${runs.map((r) => String(r.result.transport)).join(' | ')} |`;
  const sep = `|---|${runs.map(() => '---|').join('')}`;
  const body = runs[0]!.rows.map((row, i) => `| ${row[0]} | ${runs.map((r) => r.rows[i]![1]).join(' | ')} |`);
  const md = [head, sep, ...body].join('\n');
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  const json = runs.length === 1 ? runs[0]!.result : { runs: runs.map((r) => r.result) };
  writeFileSync(join(root, 'bench-results/sim.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(root, 'bench-results/sim.md'), `# Simulator bench\n\n${md}\n`);
  process.stdout.write(`${md}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-sim: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
