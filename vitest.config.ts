import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The chaos load test (workers killed and the queue flushed at random under load) still finds a rare stuck
    // operation (issue #6 note); it runs with `npm run test:chaos` until that is fixed, not in every `npm test`.
    exclude: process.env.ARCEXT_CHAOS ? ['**/node_modules/**'] : ['**/node_modules/**', 'test/workers/load.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more parallel files only add contention against the shared Postgres.
    maxWorkers: 2,
  },
})
