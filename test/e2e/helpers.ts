/**
 * End-to-end helpers: start REAL Vitest runs of the benchmark suite (vitest.config.ts) as child
 * processes, as a user would from a shell, and look at what the user sees: exit code, console
 * output and the run folder. Every run gets its own reports root in the OS temp dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
export const SHIPPED_MODELS = join(ROOT, 'models.yaml');

export interface BenchRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** The reports root handed over as BENCH_REPORTS_DIR. */
  reportsDir: string;
}

export interface RunOptions {
  /** `run` (default) or `list`. */
  command?: 'run' | 'list';
  args?: string[];
  /** Extra environment (BENCH_PROFILE defaults to smoke). */
  env?: Record<string, string>;
  /** BENCH_MODELS_FILE; the shipped models.yaml when absent. */
  modelsFile?: string;
  /** Kill the run (its whole process group) after this long; the test then fails on the result. */
  killAfterMs?: number;
  /** Called once the child is spawned (for tests that signal it mid-run). */
  onSpawn?: (child: ChildProcess, reportsDir: string) => void;
}

export const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

const temps: string[] = [];

/** A fresh temp dir, removed by {@link removeTempDirs} (kept when E2E_KEEP_TMP is set, for debugging). */
export function tempDir(prefix = 'bench-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Remove every temp dir this test file made (run folders hold a few MB each). Use in afterAll. */
export function removeTempDirs(): void {
  if (process.env.E2E_KEEP_TMP) return;
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** The environment of a fresh shell: nothing of the outer Vitest or of another bench run leaks in. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VITEST') || k.startsWith('BENCH_') || k === 'GITHUB_ACTIONS' || k === 'GITHUB_STEP_SUMMARY' || k === 'NODE_ENV' || k === 'TEST') continue;
    env[k] = v;
  }
  return { ...env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', BENCH_PROFILE: 'smoke', ...extra };
}

/**
 * `node node_modules/vitest/vitest.mjs run --config vitest.config.ts ...` in the project root.
 * The child leads its own process group so an interrupt reaches it and its workers like a
 * terminal's Ctrl+C would (the simulators it starts lead their own groups and are not signalled).
 */
export function runBench(opts: RunOptions = {}): Promise<BenchRun> {
  const reportsDir = tempDir('bench-e2e-reports-');
  const env = childEnv({
    BENCH_REPORTS_DIR: reportsDir,
    ...(opts.modelsFile ? { BENCH_MODELS_FILE: opts.modelsFile } : {}),
    ...opts.env,
  });
  const args = [VITEST, opts.command ?? 'run', '--config', 'vitest.config.ts', ...(opts.args ?? [])];
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const killer = opts.killAfterMs
      ? setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, opts.killAfterMs)
      : undefined;
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (killer) clearTimeout(killer);
      resolve({ code, signal, stdout: stripAnsi(stdout), stderr: stripAnsi(stderr), durationMs: Date.now() - t0, reportsDir });
    });
    opts.onSpawn?.(child, reportsDir);
  });
}

/** Everything a failed expectation should show about a run. */
export function describeRun(r: BenchRun): string {
  const tail = (s: string): string => s.split('\n').slice(-40).join('\n');
  return `exit code ${r.code} (signal ${r.signal}) after ${r.durationMs} ms\n--- stdout (tail) ---\n${tail(r.stdout)}\n--- stderr (tail) ---\n${tail(r.stderr)}`;
}

export function lastNonEmptyLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  return lines.at(-1) ?? '';
}

/** The single run folder a run created under its reports root. */
export function runDirOf(r: BenchRun): string {
  const dirs = readdirSync(r.reportsDir).filter((d) => statSync(join(r.reportsDir, d)).isDirectory());
  if (dirs.length !== 1) throw new Error(`expected one run folder in ${r.reportsDir}, found ${dirs.join(', ') || 'none'}\n${describeRun(r)}`);
  return join(r.reportsDir, dirs[0]!);
}

// ---------------------------------------------------------------- run folder contents

export interface AssertionResult {
  ancestorTitles: string[];
  fullName: string;
  title: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';
  failureMessages: string[];
  tags?: string[];
}

export interface FileResult {
  name: string;
  status: string;
  message?: string;
  assertionResults: AssertionResult[];
}

export interface VitestJson {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: FileResult[];
}

export function readVitestJson(runDir: string): VitestJson {
  return JSON.parse(readFileSync(join(runDir, 'vitest-results.json'), 'utf8')) as VitestJson;
}

/** Every test of a run with the file (relative to the project) it came from. */
export function testsOf(json: VitestJson): (AssertionResult & { file: string })[] {
  return json.testResults.flatMap((f) => f.assertionResults.map((a) => ({ ...a, file: f.name.replace(ROOT, '') })));
}

export interface BenchResultsTest {
  model: string;
  file: string;
  name: string;
  fullName: string;
  dimension?: string;
  state: string;
  errors: string[];
}

export function readResults(runDir: string): { outcome: { exitCode: number }; tests: BenchResultsTest[] } {
  return JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { outcome: { exitCode: number }; tests: BenchResultsTest[] };
}

/** Every file under `dir`, recursively (absolute paths). */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** A file's bytes as text, gunzipped when it is gzip (Vitest's html reporter writes .json.gz). */
export function fileText(path: string): string {
  const buf = readFileSync(path);
  if (buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b) return gunzipSync(buf).toString('utf8');
  return buf.toString('utf8');
}

// ---------------------------------------------------------------- temp models files

/**
 * Write a copy of the shipped models.yaml with edits. Sim answer banks are made absolute: a
 * relative path resolves against the models file's own folder, and the copy lives in a temp dir.
 */
export function writeModelsFile(dir: string, edit: (doc: Document, model: (name: string) => YAMLMap) => void, fileName = 'models.yaml'): string {
  const doc = parseDocument(readFileSync(SHIPPED_MODELS, 'utf8'));
  const models = doc.get('models') as YAMLSeq<YAMLMap>;
  const model = (name: string): YAMLMap => {
    const m = models.items.find((i) => i.get('name') === name);
    if (!m) throw new Error(`models.yaml has no model "${name}"`);
    return m;
  };
  for (const m of models.items) {
    const bank = m.getIn(['sim', 'answer_bank']);
    if (typeof bank === 'string') m.setIn(['sim', 'answer_bank'], join(ROOT, bank));
  }
  edit(doc, model);
  const file = join(dir, fileName);
  writeFileSync(file, doc.toString());
  return file;
}

/** Replace a key of a YAML map with a plain JS value. */
export function setNode(doc: Document, map: YAMLMap, path: string[], value: unknown): void {
  map.setIn(path, doc.createNode(value));
}

// ---------------------------------------------------------------- processes

/**
 * Live processes whose command line has `arg` as one argument. The suite starts each simulator
 * as `node --import tsx src/sim/cli.ts --models-file <file> ...`, so a unique temp models file
 * finds exactly the simulators of one run. Zombies (exited, not yet reaped) do not count.
 */
export function processesWithArg(arg: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv.includes(arg)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') continue;
      found.push({ pid, cmdline: argv.join(' ').trim() });
    } catch {
      /* exited while we looked */
    }
  }
  return found;
}

/** Poll until no process has `arg` on its command line, or the grace period ends; returns what is left. */
export async function leftoverProcesses(arg: string, graceMs = 3000): Promise<{ pid: number; cmdline: string }[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const left = processesWithArg(arg);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolve when `check` returns true (polled), reject after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
