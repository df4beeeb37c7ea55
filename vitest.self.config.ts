// The project's own tests (unit tests and end-to-end runs of the real suite). The benchmark
// suite itself is configured in vitest.config.ts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Timing-fidelity tests share two cores with the simulator they measure.
    maxWorkers: 2,
  },
});
