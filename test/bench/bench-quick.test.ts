// `npm run bench -- --quick` still runs every scenario of issue 15 end to end and reports a figure for each; no
// timing is asserted (the numbers depend on the machine). Spawned from source, as a child process, with --profile.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { repoRoot } from '../../core/paths.js'
import type { BenchResults } from '../../scripts/bench/results.js'

const outDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-bench-test-'))
afterAll(() => rmSync(outDir, { recursive: true, force: true }))

const SCENARIOS = [
  'put-succeeded-1',
  'put-succeeded-16',
  'installs-1x1',
  'installs-drain-1-worker',
  'installs-2x2',
  'get-16',
  'get-1',
  'put-accepted-16',
  'create-large-cluster',
  'create-empty-cluster',
  'list-many',
  'list-few',
]
const AGAINST_BASELINE = ['get-16', 'get-1', 'put-accepted-16']
const AGAINST_SMALLER = ['create-large-cluster', 'list-many']

function runQuick(out: string, profileDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/main.ts', '--quick', '--out', out, '--profile', profileDir], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: inject('databaseUrl'), REDIS_URL: inject('redisUrl') },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 280_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

const isNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value)

describe('npm run bench -- --quick', () => {
  it('measures every scenario, prints the table, writes the JSON and leaves no database behind', async () => {
    const out = path.join(outDir, 'bench-results.json')
    const profileDir = path.join(outDir, 'profiles')
    const run = await runQuick(out, profileDir)
    expect(run.code, run.stderr).toBe(0)
    const results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults
    expect(results.scenarios.map((scenario) => scenario.id).sort()).toEqual([...SCENARIOS].sort())
    for (const scenario of results.scenarios) {
      const figures: Record<string, unknown> = {
        throughput: scenario.project.throughput,
        cpuUsPerRequest: scenario.project.cpuUsPerRequest,
        postgres: scenario.counts?.postgres,
        redis: scenario.counts?.redis,
        ...(scenario.latencyMeasured ? { p50: scenario.project.p50Ms, p99: scenario.project.p99Ms } : {}),
        ...(scenario.id.includes('installs-drain') ? { workerRss: scenario.rssMb.worker } : { apiRss: scenario.rssMb.api }),
      }
      expect([scenario.id, Object.entries(figures).filter(([, value]) => !isNumber(value))]).toEqual([scenario.id, []])
      expect(scenario.project.passes.length).toBe(results.flags.reps)
      expect(scenario.project.throughput).toBeGreaterThan(0)
    }
    for (const id of [...AGAINST_BASELINE, ...AGAINST_SMALLER]) {
      const scenario = results.scenarios.find((candidate) => candidate.id === id)
      expect([id, isNumber(scenario?.ratio)]).toEqual([id, true])
    }
    for (const id of AGAINST_BASELINE) {
      const scenario = results.scenarios.find((candidate) => candidate.id === id)
      expect([id, isNumber(scenario?.baseline?.throughput), isNumber(scenario?.baseline?.cpuUsPerRequest)]).toEqual([id, true, true])
      // The bare server runs exactly one statement per request and never talks to Redis: the counter must say so.
      expect([id, scenario?.baselineCounts?.postgres, scenario?.baselineCounts?.redis]).toEqual([id, 1, 0])
    }
    // The api's accept path and a whole operation cannot be free of statements.
    expect(results.scenarios.find((scenario) => scenario.id === 'put-accepted-16')?.counts?.postgres).toBeGreaterThanOrEqual(1)
    expect(results.scenarios.find((scenario) => scenario.id === 'put-succeeded-1')?.counts?.byRole.worker?.postgres).toBeGreaterThanOrEqual(1)
    for (const role of ['api', 'worker', 'baseline'] as const) expect([role, isNumber(results.peakRssMb[role])]).toEqual([role, true])
    expect(isNumber(results.idleWorker?.postgresPerSecond)).toBe(true)
    for (const id of SCENARIOS) expect(run.stdout).toContain(id)

    // --profile: a CPU profile of every api and worker over each scenario (the second of a pair shares the first's),
    // kept as a file and summarised in the JSON and the printed report.
    const profiled = new Set(results.profiles.map((profile) => `${profile.scenario}/${profile.process.split('-')[0]}`))
    const expected = ['put-succeeded-1', 'put-succeeded-16', 'installs-1x1', 'installs-2x2'].flatMap((id) => [`${id}/api`, `${id}/worker`])
    expected.push('installs-drain-1-worker/worker', 'get-16/api', 'get-1/api', 'put-accepted-16/api', 'create-large-cluster/api', 'list-many/api')
    expect([...profiled].sort()).toEqual(expected.sort())
    for (const profile of results.profiles) {
      expect(existsSync(profile.file)).toBe(true)
      expect(path.dirname(profile.file)).toBe(profileDir)
      expect(profile.summary.busyMs).toBeGreaterThan(0)
      expect(profile.summary.owners.length).toBeGreaterThan(0)
      expect(run.stdout).toContain(profile.file)
    }
    expect(readdirSync(profileDir).filter((file) => file.endsWith('.partial'))).toEqual([])

    const database = /database postgresql:\/\/[^ ]*\/(arcext_bench_[a-z0-9_]+)/.exec(run.stderr)?.[1]
    expect(database).toBeDefined()
    const client = new pg.Client({ connectionString: inject('databaseUrl') })
    await client.connect()
    const left = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    await client.end()
    expect(left.rowCount).toBe(0)
  }, 300_000)
})
