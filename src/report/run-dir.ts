/**
 * The run folder: `reports/<run-id>/`, one per run, never reused. The reporter creates it in
 * onInit (before global setup) and exports BENCH_RUN_DIR so setup and workers write records there.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/** `2026-11-23T12-00-00Z-ab12`: sortable, filesystem-safe, unique per run. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Uses BENCH_RUN_DIR when the caller set it; otherwise creates a fresh folder under BENCH_REPORTS_DIR (default `reports`). */
export function ensureRunDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.BENCH_RUN_DIR) {
    const dir = resolve(cwd, env.BENCH_RUN_DIR);
    mkdirSync(join(dir, 'records'), { recursive: true });
    env.BENCH_RUN_DIR = dir;
    return dir;
  }
  const root = resolve(cwd, env.BENCH_REPORTS_DIR ?? 'reports');
  let dir: string;
  // A collision is astronomically unlikely, but "never overwrite an earlier run" is a promise.
  do dir = join(root, newRunId());
  while (existsSync(dir));
  mkdirSync(join(dir, 'records'), { recursive: true });
  env.BENCH_RUN_DIR = dir;
  return dir;
}

export const runIdOf = (runDir: string): string => basename(runDir);
