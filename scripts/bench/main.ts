// `npm run bench`: issue 15's benchmark. Its own database and queue prefix, throttling budgets out of reach, real api
// and worker processes, and a bare Fastify + pg server measured in the same run. Prints a table and writes
// bench-results.json (see README, Benchmarks, and BENCHMARKS.md).
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, redactUrl } from '../../core/config.js'
import { assertPostgresReachable, assertRedisReachable } from '../../core/preflight.js'
import { baselineInsert, baselineRead, createExtension, listExtensions, readExtension } from './arm-requests.js'
import { countingPass } from './counting-pass.js'
import { createBenchServices, dropBenchServices, seedExtensions, SucceededWatcher, type BenchServices } from './database.js'
import { FlagError, parseFlags, USAGE, type BenchFlags } from './flags.js'
import { closedLoop } from './load.js'
import { assertProcfs, startApiProcess, startBaselineProcess, startWorkerProcess, untilSettled, type Role, type ServerProcess } from './processes.js'
import { Profiler } from './profiling.js'
import { formatTable } from './report.js'
import type { BenchResults, ScenarioResult } from './results.js'
import { compareSizes, compareWithBaseline, drainInstalls, putToSucceeded, registerClusters, sustainedInstalls, warmUpOperations, type ScenarioContext } from './scenarios.js'

/** Which counting-pass figure stands for each scenario's requests. */
const COUNTED_AS: Record<string, { project: string; baseline?: string }> = {
  'put-succeeded-1': { project: 'operation' },
  'put-succeeded-16': { project: 'operation' },
  'installs-1x1': { project: 'operation' },
  'installs-drain-1-worker': { project: 'operation' },
  'installs-2x2': { project: 'operation' },
  'get-16': { project: 'get', baseline: 'baseline-read' },
  'get-1': { project: 'get', baseline: 'baseline-read' },
  'put-accepted-16': { project: 'put-accepted', baseline: 'baseline-insert' },
  'create-large-cluster': { project: 'create-large' },
  'create-empty-cluster': { project: 'create-empty' },
  'list-many': { project: 'list-many' },
  'list-few': { project: 'list-few' },
}

const launched = Date.now()
const log = (message: string) => process.stderr.write(`bench [${((Date.now() - launched) / 1000).toFixed(1)} s]: ${message}\n`)

/** Every process started, so a failure anywhere stops them all; their memory peak is read before they stop. */
class Fleet {
  private readonly running = new Set<ServerProcess>()
  readonly peakRssMb: Partial<Record<Role, number>> = {}

  track(server: ServerProcess): ServerProcess {
    this.running.add(server)
    return server
  }

  async stop(...servers: ServerProcess[]): Promise<void> {
    for (const server of servers) {
      try {
        this.peakRssMb[server.role] = Math.max(this.peakRssMb[server.role] ?? 0, server.memoryMb().peak)
      } catch {
        // already gone: its failure is reported where it was noticed
      }
      await server.stop()
      this.running.delete(server)
    }
  }

  stopAll(): Promise<void> {
    return this.stop(...this.running)
  }
}

async function run(flags: BenchFlags, services: BenchServices, dataDir: string, fleet: Fleet): Promise<BenchResults> {
  const startedAt = new Date()
  const loadAverageAtStart = os.loadavg()
  const env: Record<string, string> = {
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    QUEUE_PREFIX: services.queuePrefix,
    DATA_DIR: dataDir,
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: flags.logLevel,
    AUTH_MODE: 'dev',
    // Load, not Azure's request budgets, is what is measured.
    THROTTLING: 'off',
    AUTO_UPGRADE_INTERVAL_SECONDS: '0',
    SIMULATED_STEP_LATENCY_MS: '0',
    SIMULATED_FAULTS: '',
  }
  const profiler = flags.profile ? new Profiler(path.resolve(flags.profile)) : null
  if (profiler) env.CPU_PROFILE_DIR = profiler.dir
  const profiled = <T>(scenario: string, servers: readonly ServerProcess[], work: () => Promise<T>) => (profiler ? profiler.around(scenario, servers, work) : work())
  const db = new pg.Client({ connectionString: services.databaseUrl })
  await db.connect()
  const context: ScenarioContext = { flags, db, watcher: new SucceededWatcher(db), profiler }
  const scenarios: ScenarioResult[] = []
  const done = (result: ScenarioResult | ScenarioResult[]) => {
    for (const scenario of [result].flat()) {
      scenarios.push(scenario)
      log(`${scenario.id}: ${scenario.project.throughput?.toFixed(1) ?? '-'}/s, p50 ${scenario.project.p50Ms?.toFixed(1) ?? '-'} ms`)
    }
  }
  try {
    log('1 api + 1 worker: registering clusters')
    const worker = fleet.track(startWorkerProcess(env))
    const api = fleet.track(await startApiProcess(env))
    await registerClusters([api], 'done', 16)
    await registerClusters([api], 'c', flags.clusters)
    done(await profiled('put-succeeded-1', [api, worker], () => putToSucceeded(context, [api, worker], 'done', 1)))
    done(await profiled('put-succeeded-16', [api, worker], () => putToSucceeded(context, [api, worker], 'done', 16)))
    done(await profiled('installs-1x1', [api, worker], () => sustainedInstalls(context, [api, worker], 'c', '1x1')))
    await fleet.stop(worker)

    log('1 worker alone, draining installs accepted beforehand')
    done(await drainInstalls(context, api, 'c', () => fleet.track(startWorkerProcess(env))))

    log('2 api + 2 worker')
    const workers = [fleet.track(startWorkerProcess(env)), fleet.track(startWorkerProcess(env))]
    // The first api stays up for the whole run (starting one costs seconds, more under tsx); a second joins it here.
    const second = fleet.track(await startApiProcess(env))
    const apis = [api, second]
    await untilSettled(workers)
    await warmUpOperations(context, [...apis, ...workers], 'done', 16, '2x2')
    done(await profiled('installs-2x2', [...apis, ...workers], () => sustainedInstalls(context, [...apis, ...workers], 'c', '2x2')))
    await fleet.stop(...workers, second)

    log(`seeding ${flags.largeCluster} and ${flags.smallCluster} extensions`)
    await registerClusters([api], 'size', 3)
    const [large, small, empty] = ['size-0', 'size-1', 'size-2']
    await seedExtensions(db, large, flags.largeCluster, 'seed')
    await seedExtensions(db, small, flags.smallCluster, 'seed')

    log('counting pass: statements and commands per request through counting proxies')
    const readTarget = readExtension('c-0', 'inst-1x1-1')
    const counting = await countingPass(context, {
      env,
      operationCluster: 'done-0',
      requests: {
        get: () => readTarget,
        'put-accepted': (i) => createExtension(`c-${i % flags.clusters}`, `count-acc-${i}`),
        'create-large': (i) => createExtension(large, `count-new-${i}`),
        'create-empty': (i) => createExtension(empty, `count-new-${i}`),
        'list-many': () => listExtensions(large),
        'list-few': () => listExtensions(small),
      },
      baselineRequests: { 'baseline-insert': (i) => baselineInsert(`count-${i}`), 'baseline-read': () => baselineRead('count-0') },
    })

    log('1 api, no worker, against the bare Fastify + pg server')
    const reader = api
    const bare = fleet.track(await startBaselineProcess(services.databaseUrl))
    await closedLoop({ baseUrls: [bare.url ?? ''], connections: 1, durationMs: Infinity, maxRequests: 1, request: () => baselineInsert('bench-row'), expect: [201] })
    const seconds = flags.seconds * 1000
    for (const connections of [flags.connections, 1]) {
      const id = connections === 1 ? 'get-1' : `get-${connections}`
      done(
        await profiled(id, [reader], () =>
          compareWithBaseline(context, [reader], bare, {
            id,
            title: `GET one extension, ${connections} connection(s)`,
            unit: 'request',
            connections,
            project: () => ({ connections, durationMs: seconds, request: () => readTarget, expect: [200] }),
            baseline: () => ({ connections, durationMs: seconds, request: () => baselineRead('bench-row'), expect: [200] }),
          }),
        ),
      )
    }
    const c = flags.connections
    done(
      await profiled(`put-accepted-${c}`, [reader], () =>
        compareWithBaseline(context, [reader], bare, {
          id: `put-accepted-${c}`,
          title: `PUT accepted (201), distinct extensions over ${flags.clusters} clusters, ${c} connections`,
          unit: 'request',
          connections: c,
          project: (pass) => ({ connections: c, durationMs: seconds, request: (i) => createExtension(`c-${i % flags.clusters}`, `acc-p${pass + 2}-${i}`), expect: [201] }),
          baseline: (pass) => ({ connections: c, durationMs: seconds, request: (i) => baselineInsert(`acc-p${pass + 2}-${i}`), expect: [201] }),
        }),
      ),
    )
    const minRequests = flags.quick ? 2 : 5
    done(
      await profiled('create-large-cluster', [reader], () =>
        compareSizes(context, [reader], {
          id: 'create-large-cluster',
          referenceId: 'create-empty-cluster',
          title: `create (PUT accepted) on a cluster that already has ${flags.largeCluster} extensions, 1 at a time`,
          referenceTitle: 'create (PUT accepted) on a cluster that started empty, 1 at a time',
          unit: 'request',
          load: (pass) => ({ connections: 1, durationMs: seconds, minRequests, request: (i) => createExtension(large, `new-p${pass + 2}-${i}`), expect: [201] }),
          referenceLoad: (pass) => ({ connections: 1, durationMs: seconds, minRequests, request: (i) => createExtension(empty, `new-p${pass + 2}-${i}`), expect: [201] }),
        }),
      ),
    )
    done(
      await profiled('list-many', [reader], () =>
        compareSizes(context, [reader], {
          id: 'list-many',
          referenceId: 'list-few',
          title: `LIST first page of a cluster with ${flags.largeCluster} extensions, 1 connection`,
          referenceTitle: `LIST first page of a cluster with ${flags.smallCluster} extensions, 1 connection`,
          unit: 'request',
          load: () => ({ connections: 1, durationMs: seconds, minRequests, request: () => listExtensions(large), expect: [200] }),
          referenceLoad: () => ({ connections: 1, durationMs: seconds, minRequests, request: () => listExtensions(small), expect: [200] }),
        }),
      ),
    )
    await fleet.stop(reader, bare)

    for (const scenario of scenarios) {
      const keys = COUNTED_AS[scenario.id]
      scenario.counts = (keys && counting.counts.get(keys.project)) ?? null
      scenario.baselineCounts = (keys?.baseline && counting.counts.get(keys.baseline)) || null
    }
    return {
      startedAt: startedAt.toISOString(),
      durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
      flags: { ...flags },
      machine: { cpus: os.cpus().length, loadAverageAtStart, node: process.version },
      scenarios,
      peakRssMb: fleet.peakRssMb,
      idleWorker: counting.idleWorker,
      profiles: profiler?.profiles ?? [],
    }
  } finally {
    await fleet.stopAll()
    await db.end()
  }
}

async function main(): Promise<void> {
  let flags: BenchFlags
  try {
    flags = parseFlags(process.argv.slice(2))
  } catch (error) {
    if (!(error instanceof FlagError)) throw error
    console.error(`bench: ${error.message}\nusage: ${USAGE}`)
    process.exit(2)
  }
  assertProcfs()
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL
  await assertPostgresReachable(databaseUrl)
  await assertRedisReachable(redisUrl)
  const services = await createBenchServices(databaseUrl, redisUrl)
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-bench-'))
  log(`database ${redactUrl(services.databaseUrl)}, queue prefix ${services.queuePrefix}`)
  const fleet = new Fleet()
  let cleaning: Promise<void> | null = null
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await fleet.stopAll()
      await dropBenchServices(services)
      rmSync(dataDir, { recursive: true, force: true })
    })())
  // Ctrl-C stops the children and drops the database instead of leaving them behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping the processes and dropping the database`)
      cleanUp()
        .catch((error: unknown) => log(`cleaning up failed: ${String(error)}`))
        .finally(() => process.exit(130))
    })
  }
  let results: BenchResults
  try {
    results = await run(flags, services, dataDir, fleet)
  } finally {
    await cleanUp()
  }
  writeFileSync(flags.out, `${JSON.stringify(results, null, 2)}\n`)
  console.log(formatTable(results))
  log(`results written to ${flags.out}`)
}

main().catch((error: unknown) => {
  console.error(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exit(1)
})
