/**
 * Builds and runs the native load generator (`sse-load.c`, next to this file) for the simulator
 * bench, and hands its per-token records back on this process's `performance.now()` clock; also
 * builds the machine-floor writer (`write-floor.c`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawTarget } from './raw-stream-client.ts';

/**
 * A C program next to this file (`name`.c), compiled under `node_modules/.cache/bench-sim/` and
 * rebuilt when the source is newer. Throws with the fix when no C compiler is installed.
 */
export function nativeBinary(root: string, name: 'sse-load' | 'write-floor'): string {
  const source = join(import.meta.dirname, `${name}.c`);
  const dir = join(root, 'node_modules', '.cache', 'bench-sim');
  const bin = join(dir, name);
  if (existsSync(bin) && statSync(bin).mtimeMs >= statSync(source).mtimeMs) return bin;
  mkdirSync(dir, { recursive: true });
  const compilers = [process.env.CC, 'cc', 'gcc', 'clang'].filter((c): c is string => !!c);
  for (const cc of compilers) {
    try {
      execFileSync(cc, ['-O2', '-o', bin, source, '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
      return bin;
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === 'ENOENT') continue;
      throw new Error(`bench-sim: compiling ${source} with ${cc} failed:\n${err.stderr?.toString() ?? err.message}`);
    }
  }
  throw new Error(`bench-sim: no C compiler found (tried ${compilers.join(', ')}) to build ${source}. Install one (Debian: apt-get install gcc)${name === 'sse-load' ? ' or run with --client node' : ''}.`);
}

/** The native load generator (`sse-load.c`). */
export const nativeLoadBinary = (root: string): string => nativeBinary(root, 'sse-load');

export interface NativeLoadOptions {
  binary: string;
  target: RawTarget;
  streams: number;
  /** Poll interval in µs (0: block in epoll_wait); see sse-load.c. */
  pollUs: number;
  /** The complete HTTP request sent on every connection (with `Connection: close`). */
  request: Buffer;
  /** The generator's pid, right after it started. */
  onStart(pid: number): void;
  /** Every token after the run: stream index, receive time and modelled time (ms, performance.now() clock). */
  onToken(stream: number, tRecv: number, tModel: number): void;
  /** Called every `sampleEveryMs` while the generator runs (CPU sampling). */
  sampleEveryMs: number;
  onSample(): void;
}

export interface NativeLoadResult {
  completed: number;
  failed: number;
  errors: Record<string, number>;
}

export async function runNativeLoad(o: NativeLoadOptions): Promise<NativeLoadResult> {
  const work = join(tmpdir(), `bench-sim-load-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const reqFile = join(work, 'request.http');
  const outFile = join(work, 'tokens.f64');
  writeFileSync(reqFile, o.request);
  try {
    const args = [
      ...(o.target.socketPath !== undefined ? ['--unix', o.target.socketPath] : ['--tcp', `${o.target.host}:${o.target.port}`]),
      ...['--streams', String(o.streams), '--request', reqFile, '--out', outFile, '--poll-us', String(o.pollUs)],
    ];
    const child = spawn(o.binary, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    o.onStart(child.pid!);
    const sampler = setInterval(o.onSample, o.sampleEveryMs);
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearInterval(sampler);
    if (code !== 0) throw new Error(`bench-sim: ${o.binary} exited with code ${code}`);
    const summary = JSON.parse(stdout) as { completed: number; failed: number; errors: Record<string, number> };
    // CLOCK_MONOTONIC ms (the generator's clock, and libuv's hrtime) -> performance.now().
    const offset = Number(process.hrtime.bigint()) / 1e6 - performance.now();
    const raw = readFileSync(outFile);
    const aligned = raw.byteOffset % 8 === 0 ? raw : Buffer.from(raw);
    const rec = new Float64Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.length / 8));
    for (let i = 0; i + 2 < rec.length; i += 3) o.onToken(rec[i]!, rec[i + 1]! - offset, rec[i + 2]!);
    const errors: Record<string, number> = {};
    for (const [k, v] of Object.entries(summary.errors)) if (v > 0) errors[k] = v;
    return { completed: summary.completed, failed: summary.failed, errors };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
