/** Runs real Vitest on the fixture project in a child process, as a user would from a shell. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE = fileURLToPath(new URL('./fixtures/project/', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

export interface FixtureRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runVitest(args: string[], env: Record<string, string>): Promise<FixtureRun> {
  return new Promise((resolve) => {
    const inherited: NodeJS.ProcessEnv = { ...process.env };
    // The outer Vitest marks its own environment; the child must start as a fresh run.
    for (const k of ['VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID', 'BENCH_RUN_DIR', 'BENCH_REPORTS_DIR', 'GITHUB_ACTIONS', 'GITHUB_STEP_SUMMARY']) delete inherited[k];
    const childEnv: NodeJS.ProcessEnv = { ...inherited, ...env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };
    execFile(process.execPath, [VITEST, ...args], { cwd: FIXTURE, env: childEnv, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : err ? -1 : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'bench-live-'));

/** The single run folder the reporter created under a reports root. */
export function onlyRunDir(reportsRoot: string): string {
  const dirs = readdirSync(reportsRoot);
  if (dirs.length !== 1) throw new Error(`expected one run folder in ${reportsRoot}, found ${dirs.join(', ') || 'none'}`);
  return join(reportsRoot, dirs[0]!);
}
