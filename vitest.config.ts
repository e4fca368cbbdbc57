import { defineConfig } from 'vitest/config'

/**
 * Suites that spend their time waiting on real processes, restarts, timeouts or volume rather than on the code under
 * test: the `slow` project. `npm test` runs `fast` first, so its failures are reported before these start.
 */
export const SLOW_SUITES = [
  'test/workers/load.test.ts', // the chaos load test (npm run test:chaos)
  'test/http/paging-scale.test.ts', // 100k extensions
  'test/fuzz/**/*.test.ts', // about a minute of property-based fuzzing
  'test/workers/crash.test.ts', // SIGKILLed worker processes
  'test/workers/postgres-restart.test.ts',
  'test/workers/redis-restart.test.ts',
  'test/keys/startup.test.ts', // spawned api and worker processes
  'test/keys/rotation-under-load.test.ts',
  'test/process/startup.test.ts',
  'test/auth/entry-point.test.ts',
  'test/contract/readme-walkthrough.test.ts', // curl and node child processes
  'test/http/listener-limits.test.ts', // waits out header and body timeouts
  'test/bench/bench-quick.test.ts', // npm run bench -- --quick: every scenario with real processes
]

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more parallel files only add contention against the shared Postgres.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: SLOW_SUITES } },
      { extends: true, test: { name: 'slow', include: SLOW_SUITES } },
    ],
  },
})
