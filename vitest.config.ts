import { defineConfig } from 'vitest/config';

// One config for both database targets: scripts/test.sh runs the suite on embedded PGlite and then,
// when a PostgreSQL server is installed, again with TEST_DB=postgres on a throwaway cluster.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
