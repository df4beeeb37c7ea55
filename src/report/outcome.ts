/**
 * The run's verdict and exit code. Three outcomes, kept apart on purpose (like k6): a threshold
 * failed (1) is a result about the server; the suite could not run (2) is not a result at all
 * and must never read as a pass or as a measured failure.
 */
import type { Outcome, TestResult } from './results-types.ts';

export interface OutcomeInput {
  tests: readonly TestResult[];
  /** Errors outside any test (unhandled rejections, worker crashes). */
  unhandledErrors: readonly string[];
  /** Errors that stopped a whole test file or the setup (import failure, global setup throw). */
  runErrors: readonly string[];
  /** The run was cancelled (Ctrl+C, bail). */
  interrupted: boolean;
}

export function computeOutcome(input: OutcomeInput): Outcome {
  const passed = input.tests.filter((t) => t.state === 'passed').length;
  const failed = input.tests.filter((t) => t.state === 'failed').length;
  const skipped = input.tests.filter((t) => t.state === 'skipped' || t.state === 'pending').length;
  const total = input.tests.length;
  const reasons: string[] = [];
  const warnings: string[] = [];

  for (const t of input.tests) {
    for (const c of t.bench?.checks ?? []) {
      if (c.status === 'warn') warnings.push(`${t.model} ${t.fullName}: ${c.message}`);
    }
  }

  for (const e of input.runErrors) reasons.push(`the suite could not run: ${e}`);
  for (const e of input.unhandledErrors) reasons.push(`unhandled error: ${e}`);
  if (input.interrupted) reasons.push('the run was interrupted before it finished');
  if (passed + failed === 0) reasons.push(total === 0 ? 'no tests ran' : `no tests ran (${skipped} skipped)`);
  if (reasons.length > 0) return { exitCode: 2, status: 'error', reasons, warnings, passed, failed, skipped, total };

  if (failed > 0) {
    for (const t of input.tests) {
      if (t.state !== 'failed') continue;
      const failing = (t.bench?.checks ?? []).filter((c) => c.status === 'fail');
      if (failing.length) for (const c of failing) reasons.push(`${t.model} ${t.fullName}: ${c.message}`);
      else reasons.push(`${t.model} ${t.fullName}: ${t.errors[0] ?? 'failed'}`);
    }
    return { exitCode: 1, status: 'failed', reasons, warnings, passed, failed, skipped, total };
  }
  return { exitCode: 0, status: 'passed', reasons, warnings, passed, failed, skipped, total };
}

/** The closing line CI scripts look for: `N passed, N failed` (and `, N skipped` when any). */
export function countsLine(o: Pick<Outcome, 'passed' | 'failed' | 'skipped'>): string {
  return `${o.passed} passed, ${o.failed} failed${o.skipped > 0 ? `, ${o.skipped} skipped` : ''}`;
}
