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
  'test/workers/redis-cluster.test.ts', // its own three redis-server processes
  'test/keys/startup.test.ts', // spawned api and worker processes
  'test/keys/rotation-under-load.test.ts',
  'test/process/startup.test.ts',
  'test/process/private-services.test.ts', // npm start, building, with private postgres and redis-server processes
  'test/auth/entry-point.test.ts',
  'test/contract/readme-walkthrough.test.ts', // curl and node child processes
  'test/contract/smoke-script.test.ts', // scripts/smoke.sh under bash and curl
  'test/http/listener-limits.test.ts', // waits out header and body timeouts
  'test/bench/bench-quick.test.ts', // npm run bench -- --quick: every scenario with real processes
  'test/front-door/azure-cli.test.ts', // Debian's az, a Python process per command
  'test/docker/image.test.ts', // builds the image's file tree (npm ci, prisma generate, tsc) and runs it
  'test/contract/swagger-ui.test.ts', // Debian's chromium rendering /docs on both listeners
  'test/cli/cli.test.ts', // the arcext CLI, a node process per command
  'test/cli/cli-whatif-rollback.test.ts',
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
      // Files share worker processes (no re-import of Fastify, Prisma and BullMQ per file, which was 40% of the fast
      // project's time); a file that changes process-wide state (env, the default catalog) restores it in afterAll.
      { extends: true, test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: SLOW_SUITES, isolate: false } },
      { extends: true, test: { name: 'slow', include: SLOW_SUITES } },
    ],
  },
})
