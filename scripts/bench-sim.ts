/**
 * Simulator throughput and timing-fidelity bench.
 *
 *   npx tsx scripts/bench-sim.ts [--streams 2000] [--tokens 400] [--step-ms 19] [--transport both|tcp|unix]
 *                                [--client native|node] [--poll-us 1000] [--prof-dir DIR] [--floor [--floor-bytes 200]]
 *
 * Starts the simulator in its own child process (extra node flags for it: SIM_NODE_ARGS), opens N
 * concurrent streaming requests, and measures:
 *  - streams completed / failed (by error kind);
 *  - streamed tokens/s in the steady window (every stream has started, none has finished);
 *  - the simulator's own emission fidelity over the steady window, from its /metrics histograms
 *    (scraped through the run): per token write, |actual - modelled gap| to the stream's previous
 *    write, and write time - modelled time;
 *  - the gaps the client received minus the modelled gaps (`sim_t_ms`, wire.timing_field);
 *  - CPU of each process over the steady window (/proc/<pid>/stat).
 * The load generator is native by default (scripts/lib/sse-load.c, built with the machine's C
 * compiler, polling every --poll-us so the simulator's writes need not wake it): on 2 cores it
 * shares the CPU with the simulator, and Node's per-read cost would take a whole core at 100k
 * tokens/s. `--client node` uses scripts/lib/raw-stream-client.ts instead.
 * --floor also runs scripts/lib/write-floor.c per transport: the same number of streams and
 * writes per step from a tight C loop (a token chunk with `sim_t_ms` and HTTP chunk framing is
 * ~200 bytes), against the same kind of polling reader. It shows what the machine and its kernel
 * allow, so the simulator's figures can be read against it.
 * Writes bench-results/sim.json and sim.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';
import { parsePrometheus } from '../src/client/server-info.ts';
import { percentileSorted } from '../src/metrics/percentile.ts';
import { nativeBinary, nativeLoadBinary, runNativeLoad } from './lib/native-load.ts';
import { postRequest, streamOnce, type RawTarget } from './lib/raw-stream-client.ts';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '2000' },
    tokens: { type: 'string', default: '400' },
    'step-ms': { type: 'string', default: '19' },
    'prof-dir': { type: 'string' },
    transport: { type: 'string', default: 'both' },
    client: { type: 'string', default: 'native' },
    'poll-us': { type: 'string', default: '1000' },
    floor: { type: 'boolean', default: false },
    'floor-bytes': { type: 'string', default: '200' },
  },
});
const STREAMS = Number(values.streams);
const TOKENS = Number(values.tokens);
const STEP_MS = Number(values['step-ms']);
/** The load generator: `native` (scripts/lib/sse-load.c, built with the machine's C compiler) or `node` (scripts/lib/raw-stream-client.ts). */
const CLIENT = values.client === 'node' ? 'node' : 'native';
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
/** "Without its emitted timings drifting more than a few ms from the model": p99 of the per-stream gap drift. */
const FEW_MS = 3;
const MODELLED_TPS = Math.round((STREAMS * 1000) / STEP_MS);

/** The project's percentile (numpy's default), 0 for no samples. */
const pct = (sorted: Float64Array, p: number): number => percentileSorted(sorted, p) ?? 0;

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

/** A Prometheus histogram's cumulative bucket counts (`le` in seconds) from /metrics text. */
function histogramOf(text: string, name: string): Map<number, number> {
  const out = new Map<number, number>();
  const re = new RegExp(`^${name.replace(/[:]/g, '\\$&')}_bucket\\{[^}]*le="([^"]+)"\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(re)) out.set(m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2]));
  return out;
}

export interface HistogramWindow {
  n: number;
  /** Share of observations at or below each bound, bound in ms. */
  shareWithinMs: Record<string, number>;
  /** The bucket bound (ms) that the quantile falls under (Prometheus buckets: an upper bound, not an interpolation). */
  p50AtMostMs: number;
  p99AtMostMs: number;
  p999AtMostMs: number;
}

/** Observations of histogram `name` between two scrapes. */
function histogramDelta(before: string, after: string, name: string): HistogramWindow {
  const a = histogramOf(before, name);
  const b = histogramOf(after, name);
  const bounds = [...b.keys()].sort((x, y) => x - y);
  const cum = bounds.map((le) => (b.get(le) ?? 0) - (a.get(le) ?? 0));
  const n = cum.at(-1) ?? 0;
  const q = (p: number): number => {
    const i = cum.findIndex((c) => c >= p * n);
    return i < 0 ? Number.NaN : bounds[i]! * 1000;
  };
  const shareWithinMs: Record<string, number> = {};
  for (const ms of [1, 2, 3, 5, 10]) {
    const i = bounds.indexOf(ms / 1000);
    if (i >= 0 && n > 0) shareWithinMs[String(ms)] = Math.round((cum[i]! / n) * 10000) / 100;
  }
  return { n, shareWithinMs, p50AtMostMs: q(0.5), p99AtMostMs: q(0.99), p999AtMostMs: q(0.999) };
}

/** Mean of a Prometheus histogram's observations between two scrapes, in ms (its `_sum` and `_count`). */
function histogramMeanMs(before: string, after: string, name: string): number {
  const read = (text: string, part: 'sum' | 'count'): number => parsePrometheus(text).get(`${name}_${part}`) ?? 0;
  const n = read(after, 'count') - read(before, 'count');
  return n > 0 ? ((read(after, 'sum') - read(before, 'sum')) / n) * 1000 : Number.NaN;
}

const root = join(import.meta.dirname, '..');

/** One bench run against a fresh simulator child; returns the result record and its Markdown rows. */
async function runOnce(TRANSPORT: Transport): Promise<{ result: Record<string, unknown>; rows: [string, string][] }> {
  const load0 = loadavg().map((x) => x.toFixed(2)).join(' ');
  const profArgs = [...(values['prof-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${values['prof-dir']}`] : []), ...(process.env.SIM_NODE_ARGS ? process.env.SIM_NODE_ARGS.split(' ') : [])];
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
      // Anything else the simulator prints (e.g. SIM_NODE_ARGS=--trace-gc) goes to stderr, not into the tables.
      else process.stderr.write(`sim: ${l}\n`);
    });
    child.once('exit', (c) => reject(new Error(`simulator exited with code ${c} before SIM_READY`)));
  });
  const origin = new URL(url).origin;
  const pid = child.pid!;

  const target: RawTarget = TRANSPORT === 'unix' ? { socketPath: SOCKET, host: 'localhost', port: 0 } : { host: new URL(url).hostname, port: Number(new URL(url).port) };
  const metricsPool = new Pool(origin, { ...(TRANSPORT === 'unix' ? { socketPath: SOCKET } : {}), connections: 1 });
  const scrape = async (): Promise<string> => (await metricsPool.request({ path: '/metrics', method: 'GET' })).body.text();
  const requestBytes = postRequest(target.host, '/v1/completions', JSON.stringify({ model: 'sim/bench', prompt: 'Benchmark the simulator.', stream: true, max_tokens: TOKENS, ignore_eos: true }));

  // Per-stream first/last token arrival; arrivals binned per 10 ms for the steady-window rate.
  const BIN_MS = 10;
  const bins = new Float64Array(1 << 16);
  const firstT = new Float64Array(STREAMS).fill(Number.NaN);
  const lastT = new Float64Array(STREAMS).fill(Number.NaN);
  const tokensOf = new Int32Array(STREAMS);
  // Client-measured gap drift (received gap - modelled gap) and when it was received.
  const drift = new Float64Array(STREAMS * Math.max(1, TOKENS));
  const driftT = new Float64Array(STREAMS * Math.max(1, TOKENS));
  let nDrift = 0;
  let errorKinds: Record<string, number> = {};
  let completed = 0;
  let totalTokens = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  let t0 = performance.now();

  // Every token, from either client: stream k received it at t (performance.now() ms) carrying modelled time v.
  const prevRecv = new Float64Array(STREAMS);
  const prevModel = new Float64Array(STREAMS);
  const onToken = (k: number, t: number, v: number): void => {
    if (tokensOf[k]! > 0) {
      driftT[nDrift] = t;
      drift[nDrift++] = t - prevRecv[k]! - (v - prevModel[k]!);
    } else firstT[k] = t;
    tokensOf[k]!++;
    totalTokens++;
    prevRecv[k] = t;
    prevModel[k] = v;
    lastT[k] = t;
    bins[Math.max(0, Math.floor((t - t0) / BIN_MS))]!++;
  };

  const one = async (k: number): Promise<void> => {
    const obs = await streamOnce(target, requestBytes, (t, v) => onToken(k, t, v));
    if (obs.error === undefined && obs.tokens === TOKENS) completed++;
    else {
      const kind = obs.error ?? 'short_stream';
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    }
  };

  // The simulator's own emission histograms, scraped through the run (the steady window is only known at the end).
  const scrapes: { t: number; text: string }[] = [];
  let scraping = true;
  const scrapeLoop = (async () => {
    while (scraping) {
      const t = performance.now();
      scrapes.push({ t, text: await scrape() });
      await new Promise((r) => setTimeout(r, 250));
    }
  })();

  // CPU samples of both processes every 100 ms, to charge each process for the steady window.
  // "self" is the load generator: this process for the node client, the native child otherwise
  // (then this process's own share is counted among the other processes).
  let loadPid = 0;
  const samples: { t: number; self: number; child: number; machine: number }[] = [];
  const sample = (): void => {
    samples.push({ t: performance.now(), self: loadPid > 0 ? procCpuMs(loadPid) : selfCpuMs(), child: procCpuMs(pid), machine: machineBusyMs() });
  };
  if (CLIENT === 'native') {
    const native = await runNativeLoad({
      binary: nativeLoadBinary(root),
      target,
      streams: STREAMS,
      pollUs: Number(values['poll-us']),
      request: requestBytes,
      onStart: (childPid) => {
        loadPid = childPid;
        t0 = performance.now();
        sample();
      },
      onToken,
      sampleEveryMs: 100,
      onSample: sample,
    });
    errorKinds = native.errors;
    // A stream that ended properly with fewer tokens than asked is a failure too.
    let short = 0;
    for (let k = 0; k < STREAMS; k++) if (tokensOf[k]! !== TOKENS) short++;
    completed = STREAMS - Math.max(short, native.failed);
    if (short > native.failed) errorKinds.short_stream = short - native.failed;
  } else {
    sample();
    const sampler = setInterval(sample, 100);
    await Promise.all(Array.from({ length: STREAMS }, (_, k) => one(k)));
    clearInterval(sampler);
  }
  const tDone = performance.now();
  sample();
  loopDelay.disable();
  scraping = false;
  await scrapeLoop;
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
  // The native generator's last sample may come after it exited (no /proc entry): use the last readable one.
  const readable = samples.filter((x) => Number.isFinite(x.self) && Number.isFinite(x.child));
  const sFirst = readable[0] ?? samples[0]!;
  const sLast = readable.at(-1) ?? samples.at(-1)!;
  const whole = Math.max(1, sLast.t - sFirst.t);
  const benchCpuWhole = Math.round(((sLast.self - sFirst.self) / whole) * 1000) / 10;
  const simCpuWhole = Math.round(((sLast.child - sFirst.child) / whole) * 1000) / 10;

  const d = drift.subarray(0, nDrift).slice().sort();
  const wA = t0 + b0 * BIN_MS;
  const wB = t0 + b1 * BIN_MS;
  const inW: number[] = [];
  for (let i = 0; i < nDrift; i++) if (driftT[i]! >= wA && driftT[i]! < wB) inW.push(drift[i]!);
  const dW = Float64Array.from(inW).sort();
  // Simulator-side histograms over the steady window: the scrapes nearest inside its bounds.
  const inside = scrapes.filter((x) => x.t >= wA && x.t <= wB);
  const scrA = inside[0] ?? scrapes[0]!;
  const scrB = inside.at(-1) ?? scrapes.at(-1)!;
  const emitLag = histogramDelta(scrA.text, scrB.text, 'sim:token_emit_lag_seconds');
  const stepWrites = histogramDelta(scrA.text, scrB.text, 'sim:step_writes_seconds');
  const stepWritesMean = histogramMeanMs(scrA.text, scrB.text, 'sim:step_writes_seconds');
  const gapDrift = histogramDelta(scrA.text, scrB.text, 'sim:token_gap_drift_seconds');
  const metrics = await scrape();
  const parsed = parsePrometheus(metrics);
  const metric = (name: string): number => parsed.get(name) ?? Number.NaN;
  const lateMean = metric('sim:step_lateness_mean_ms');
  const lateMax = metric('sim:step_lateness_max_ms');
  const steps = metric('sim:engine_steps_total');
  await metricsPool.close();
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
  const misses: string[] = [];
  if (completed < 2000) misses.push(`${completed} streams completed`);
  if (steadyTps < 100_000) misses.push(`${Math.round(steadyTps)} tokens/s, limited by ${limiter}`);
  if (!(gapDrift.p99AtMostMs <= FEW_MS)) misses.push(`simulator gap drift p99 ≤ ${gapDrift.p99AtMostMs} ms`);
  const targetMet = misses.length === 0;
  const shares = (h: HistogramWindow): string => ['1', '2', '3', '5'].map((k) => `${h.shareWithinMs[k] ?? '?'}%`).join(' / ');
  const result = {
    command: `npx tsx scripts/bench-sim.ts --streams ${STREAMS} --tokens ${TOKENS} --step-ms ${STEP_MS} --transport ${values.transport}${values.floor ? ' --floor' : ''}`,
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
    client_gap_drift_ms: {
      whole_run: { n: nDrift, p1: r3(pct(d, 1)), p50: r3(pct(d, 50)), p99: r3(pct(d, 99)) },
      steady_window: { n: dW.length, p1: r3(pct(dW, 1)), p50: r3(pct(dW, 50)), p99: r3(pct(dW, 99)) },
    },
    client_event_loop_delay_ms: { p50: r3(loopDelay.percentile(50) / 1e6), p99: r3(loopDelay.percentile(99) / 1e6), max: r3(loopDelay.max / 1e6) },
    simulator_steady_window: { token_emit_lag: emitLag, token_gap_drift: gapDrift, step_writes: { mean_ms: r3(stepWritesMean), p99_at_most_ms: stepWrites.p99AtMostMs, steps: stepWrites.n } },
    server_steps: steps,
    server_step_lateness_ms: { mean: r3(lateMean), max: r3(lateMax) },
    cpu_percent_of_one_core: { steady_window: { simulator: simCpuWindow, bench_client: benchCpuWindow, whole_machine: machineCpuWindow, other_processes: otherCpuWindow }, whole_run: { simulator: simCpuWhole, bench_client: benchCpuWhole } },
    limited_by: limiter,
    cpu_us_per_token: { simulator: r3(usSim), bench_client: r3(usBench) },
    projected_tokens_per_s: { simulator_on_one_dedicated_core: projectedSimOnly, both_processes_on_two_dedicated_cores: projected },
    target: { streams: 2000, tokens_per_s: 100_000, gap_drift_p99_ms: FEW_MS, met: targetMet },
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
    [`simulator: gap drift per token write, \\|actual - modelled gap\\| to the stream's previous write, steady window`, `p50 ≤ ${gapDrift.p50AtMostMs} ms, **p99 ≤ ${gapDrift.p99AtMostMs} ms**, p99.9 ≤ ${gapDrift.p999AtMostMs} ms; within 1 / 2 / 3 / 5 ms: ${shares(gapDrift)} (n=${fmt(gapDrift.n)})`],
    [`simulator: emit lag per token write (write time - modelled time; a batch's writes spread over the time they take), steady window`, `p50 ≤ ${emitLag.p50AtMostMs} ms, p99 ≤ ${emitLag.p99AtMostMs} ms; within 1 / 2 / 3 / 5 ms: ${shares(emitLag)} (n=${fmt(emitLag.n)})`],
    [`simulator: a step end's token writes (its whole batch) take, mean / p99, steady window`, `${r3(stepWritesMean)} / ≤ ${stepWrites.p99AtMostMs} ms (${fmt(stepWrites.n)} steps)`],
    [`bench client: received gap - modelled gap p50 / p99, ms (steady window; whole run)`, `${result.client_gap_drift_ms.steady_window.p50} / ${result.client_gap_drift_ms.steady_window.p99} (${result.client_gap_drift_ms.whole_run.p50} / ${result.client_gap_drift_ms.whole_run.p99})`],
    [`bench client event-loop delay p50 / p99 / max, ms (its own lag is inside the received gaps)`, `${result.client_event_loop_delay_ms.p50} / ${result.client_event_loop_delay_ms.p99} / ${result.client_event_loop_delay_ms.max}`],
    [`simulator step-end lateness vs model, mean / max ms`, `${result.server_step_lateness_ms.mean} / ${result.server_step_lateness_ms.max} (${steps} steps)`],
    [`CPU, steady window: simulator / bench client / other processes (% of one core; machine has ${nproc} cores)`, `${simCpuWindow} / ${benchCpuWindow} / ${otherCpuWindow}`],
    [`CPU, whole run: simulator / bench client (% of one core)`, `${simCpuWhole} / ${benchCpuWhole}`],
    [`CPU per streamed token: simulator / bench client, µs`, `${r3(usSim)} / ${r3(usBench)}`],
    [`projected: simulator alone on one dedicated core / both on two dedicated cores, tokens/s`, `${fmt(projectedSimOnly)} / ${fmt(projected)}`],
    [`target (>= 2,000 streams, >= 100,000 tokens/s, simulator gap drift p99 <= ${FEW_MS} ms)`, `${targetMet ? 'met' : `NOT met: ${misses.join('; ')}`}`],
  ];
  return { result, rows };
}

interface FloorResult {
  writes_per_s: number;
  blocked_writes: number;
  writer_cpu_us_per_write: number;
  reader_cpu_us_per_write: number;
  batch_ms: { mean: number; max: number };
  gap_drift_share_within_ms: Record<string, number>;
  gap_drift_n: number;
}

/** The machine floor for one transport: write-floor.c's N streams at the bench's step. */
async function runFloor(transport: Transport): Promise<{ result: FloorResult & { transport: Transport }; rows: [string, string][] }> {
  const bin = nativeBinary(root, 'write-floor');
  const args = [...(transport === 'unix' ? ['--unix', `${SOCKET}.floor`] : ['--tcp', '0']), '--streams', String(STREAMS), '--bytes', String(Number(values['floor-bytes'])), '--step-ms', String(STEP_MS), '--steps', String(Math.max(100, TOKENS)), '--poll-us', values['poll-us']];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (b: Buffer) => (text += b.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`bench-sim: ${bin} ${args.join(' ')} exited with code ${code}`))));
  });
  const r = JSON.parse(out) as FloorResult;
  const both = r.writer_cpu_us_per_write + r.reader_cpu_us_per_write;
  const w = r.gap_drift_share_within_ms;
  const rows: [string, string][] = [
    ['writes/s (one per stream per step)', `${Math.round(r.writes_per_s).toLocaleString('en-US')}${r.blocked_writes ? ` (${r.blocked_writes} would have blocked)` : ''}`],
    ['CPU per write: writer / reader, µs', `${r.writer_cpu_us_per_write} / ${r.reader_cpu_us_per_write}`],
    ['a step\'s writes take, mean / max ms', `${r.batch_ms.mean} / ${r.batch_ms.max}`],
    ['gap drift at each write, within 1 / 2 / 3 / 5 ms', `${w['1']}% / ${w['2']}% / ${w['3']}% / ${w['5']}% (n=${r.gap_drift_n.toLocaleString('en-US')})`],
    ['most writes/s with writer and reader on two dedicated cores', `${Math.round(2e6 / both).toLocaleString('en-US')}`],
  ];
  return { result: { transport, ...r }, rows };
}

async function main(): Promise<void> {
  const runs: { result: Record<string, unknown>; rows: [string, string][] }[] = [];
  for (const t of TRANSPORTS) runs.push(await runOnce(t));
  const floors: Awaited<ReturnType<typeof runFloor>>[] = [];
  if (values.floor) for (const t of TRANSPORTS) floors.push(await runFloor(t));
  // One table, one column per run (rows are identical in order).
  const head = `| metric | ${runs.map((r) => String(r.result.transport)).join(' | ')} |`;
  const sep = `|---|${runs.map(() => '---|').join('')}`;
  const body = runs[0]!.rows.map((row, i) => `| ${row[0]} | ${runs.map((r) => r.rows[i]![1]).join(' | ')} |`);
  let md = [head, sep, ...body].join('\n');
  if (floors.length > 0) {
    const label = (t: Transport): string => (t === 'unix' ? 'Unix domain socket' : 'loopback TCP');
    md += `\n\n## Machine floor: the same writes from a C loop (scripts/lib/write-floor.c, ${STREAMS} streams, ${values['floor-bytes']} B per write, one write per stream every ${STEP_MS} ms)\n\n`;
    md += `| metric | ${floors.map((f) => label(f.result.transport)).join(' | ')} |\n|---|${floors.map(() => '---|').join('')}\n`;
    md += floors[0]!.rows.map((row, i) => `| ${row[0]} | ${floors.map((f) => f.rows[i]![1]).join(' | ')} |`).join('\n');
  }
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  const json = runs.length === 1 && floors.length === 0 ? runs[0]!.result : { runs: runs.map((r) => r.result), ...(floors.length > 0 ? { machine_floor: floors.map((f) => f.result) } : {}) };
  writeFileSync(join(root, 'bench-results/sim.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(root, 'bench-results/sim.md'), `# Simulator bench\n\n${md}\n`);
  process.stdout.write(`${md}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-sim: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
