/**
 * Prints the plain `N passed, N failed` line CI reads, after Vitest's own summary, for the
 * project's own tests (the benchmark suite's reporter does the same for benchmark runs).
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class CountsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
    // At exit, so that it is the last line whatever other reporters print.
    process.once('exit', () => process.stdout.write(line));
  }
}
