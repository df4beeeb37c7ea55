// The project's own tests. The benchmark suite itself is configured in vitest.config.ts.
// Three groups run one after another so that timing-sensitive tests never share the two cores
// with end-to-end runs of the suite: unit tests (in parallel), timing-fidelity tests (one file at
// a time), then the end-to-end runs (one file at a time; each starts real Vitest runs).
import { defineConfig } from 'vitest/config';

const TIMING = ['test/sim/timing.test.ts', 'test/runs/**/*.test.ts', 'test/load/open-loop.test.ts'];
const E2E = ['test/e2e/**/*.test.ts', 'test/report/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/support/counts-reporter.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...TIMING, ...E2E], sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'timing', include: TIMING, fileParallelism: false, sequence: { groupOrder: 2 } },
      },
      {
        extends: true,
        test: { name: 'e2e', include: E2E, fileParallelism: false, testTimeout: 300_000, sequence: { groupOrder: 3 } },
      },
    ],
  },
});
