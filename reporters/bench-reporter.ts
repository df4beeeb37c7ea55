/**
 * The suite's reporter: writes the run folder's reports in onTestRunEnd (so it works live and on
 * `--merge-reports`), sets the exit code (0 pass, 1 threshold failed, 2 could not run) and prints
 * the closing `N passed, N failed` line. See reporters/README.md.
 */
import { appendFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Reporter, SerializedError, TestModule, TestRunEndReason, Vitest } from 'vitest/node';
import { buildResults } from '../src/report/build.ts';
import { readConfigInfo } from '../src/report/config-info.ts';
import { countsLine } from '../src/report/outcome.ts';
import { ensureRunDir, runIdOf } from '../src/report/run-dir.ts';
import { scrubSecrets, secretValues } from '../src/report/sanitize.ts';
import { writeReports } from '../src/report/write.ts';
import { collectModules, errorText } from './collect.ts';

export interface BenchReporterOptions {
  /** Project root holding models.yaml and package.json; default: Vitest's root. */
  root?: string;
  /** Where the closing lines go (tests capture it). */
  out?: (text: string) => void;
}

export default class BenchReporter implements Reporter {
  private root: string;
  private runDir = '';
  private startedAt = new Date().toISOString();
  private readonly out: (text: string) => void;
  /** Prints the closing `N passed, N failed` line: at process exit by default, so that Vitest's own reporters (junit, json, html print after us) cannot follow it. */
  private readonly closing: (text: string) => void;
  private exitGuardInstalled = false;
  /** The exit code this run earned; enforced at process exit because Vitest may set 1 after us. */
  exitCode: 0 | 1 | 2 | undefined;

  constructor(options: BenchReporterOptions = {}) {
    this.root = options.root ?? process.cwd();
    this.out = options.out ?? ((t) => process.stdout.write(t));
    // Writes to pipes and files are synchronous on Linux, so an 'exit' handler's line is not lost.
    this.closing = options.out ?? ((t) => process.once('exit', () => process.stdout.write(t)));
  }

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root ?? this.root;
    // Before global setup runs: it reads BENCH_RUN_DIR and hands it to the workers.
    this.runDir = ensureRunDir(process.env, this.root);
    this.startedAt = new Date().toISOString();
  }

  onTestRunStart(): void {
    this.startedAt = new Date().toISOString();
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): Promise<void> {
    if (!this.runDir) this.runDir = ensureRunDir(process.env, this.root);
    const config = readConfigInfo(this.root);
    const secrets = secretValues(config.apiKeyEnvs);
    const lines: string[] = [];
    let code: 0 | 1 | 2;
    let counts = '0 passed, 0 failed';
    try {
      const { tests, runErrors } = collectModules(modules, this.root);
      const results = buildResults({
        runId: runIdOf(this.runDir),
        tests,
        unhandledErrors: unhandledErrors.map(errorText),
        runErrors,
        interrupted: reason === 'interrupted',
        startedAt: this.startedAt,
        root: this.root,
        config,
      });
      // Counts first: if writing fails below, the closing line still tells the truth.
      counts = countsLine(results.outcome);
      const written = await writeReports(this.runDir, results, secrets);
      code = results.outcome.exitCode;
      for (const r of results.outcome.reasons) lines.push(`[bench] ${code === 2 ? 'error' : 'failed'}: ${r}`);
      for (const w of results.outcome.warnings) lines.push(`[bench] warning: ${w}`);
      for (const c of results.comparisons) lines.push(`[bench] ${c.verdict}`);
      const rel = relative(process.cwd(), this.runDir);
      const shown = !rel ? '.' : rel.startsWith('..') ? this.runDir : rel;
      lines.push(`[bench] report: ${join(shown, 'report.md')} (and report.html, results.json, summary.csv)`);
      if (process.env.GITHUB_ACTIONS === 'true' && process.env.GITHUB_STEP_SUMMARY) {
        appendFileSync(process.env.GITHUB_STEP_SUMMARY, written.markdown + '\n');
      }
    } catch (err) {
      // A report that cannot be written means the run's result is unknown: never exit 0.
      code = 2;
      lines.push(`[bench] error: could not write the reports: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    lines.push(`Run folder: ${this.runDir}`);
    this.out(scrubSecrets(lines.join('\n') + '\n', secrets));
    this.closing(`${counts}\n`);
    this.setExitCode(code);
  }

  private setExitCode(code: 0 | 1 | 2): void {
    this.exitCode = code;
    process.exitCode = code;
    if (this.exitGuardInstalled) return;
    this.exitGuardInstalled = true;
    // Vitest sets exitCode = 1 after reporters on failed files or a global-setup throw; "could
    // not run" must still exit 2, and a pass must not hide a failure Vitest saw elsewhere.
    process.once('exit', () => {
      if (this.exitCode === 2) process.exitCode = 2;
      else if (this.exitCode === 1 || !process.exitCode) process.exitCode = this.exitCode ?? process.exitCode;
    });
  }
}
