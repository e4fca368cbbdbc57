// The scenarios of issue 15's table, each measured in timed passes (project and bare baseline alternating where
// there is a baseline) that only ever talk HTTP to the processes under test.
import { performance } from 'node:perf_hooks'
import type pg from 'pg'
import { createExtension, extensionKey, registerCluster } from './arm-requests.js'
import { installProgress, type SucceededWatcher } from './database.js'
import type { BenchFlags } from './flags.js'
import { closedLoop, type LoadOptions } from './load.js'
import { cpuMicros, RssSampler, type ServerProcess } from './processes.js'
import type { Profiler } from './profiling.js'
import { highestRss, passFrom, summarize, type Pass, type ScenarioResult } from './results.js'

export interface ScenarioContext {
  flags: BenchFlags
  db: pg.Client
  watcher: SucceededWatcher
  /** Set by --profile. */
  profiler: Profiler | null
}

type Load = Omit<LoadOptions, 'baseUrls'>

const urlsOf = (servers: readonly ServerProcess[]) => servers.flatMap((server) => (server.url ? [server.url] : []))

export const describeProcesses = (servers: readonly ServerProcess[]) => {
  const apis = servers.filter((server) => server.role === 'api').length
  const workers = servers.filter((server) => server.role === 'worker').length
  return [apis ? `${apis} api` : '', workers ? `${workers} worker` : ''].filter(Boolean).join(' + ') || servers.map((server) => server.role).join(' + ')
}

/** Runs `work` and measures the CPU and memory of `measured` around it. */
async function timed(measured: readonly ServerProcess[], work: () => Promise<{ count: number; elapsedMs: number; latenciesMs: number[] | null }>): Promise<Pass> {
  const sampler = new RssSampler(measured)
  const cpuBefore = cpuMicros(measured)
  try {
    const { count, elapsedMs, latenciesMs } = await work()
    return passFrom(count, elapsedMs, latenciesMs, cpuMicros(measured) - cpuBefore, sampler.stop())
  } catch (error) {
    // A reset connection usually means a process under test died: say which, with the end of its output.
    const failures = measured.flatMap((server) => (server.failure ? [server.failure] : []))
    if (failures.length) throw new Error(`${error instanceof Error ? error.message : String(error)}\n${failures.join('\n')}`, { cause: error })
    throw error
  } finally {
    sampler.stop()
  }
}

const loadPass = (servers: readonly ServerProcess[], load: Load) =>
  timed(servers, async () => {
    const { requests, elapsedMs, latenciesMs } = await closedLoop({ ...load, baseUrls: urlsOf(servers) })
    return { count: requests, elapsedMs, latenciesMs }
  })

/** A short unmeasured pass, so the first timed pass does not pay for JIT compilation and cold pools. */
const warmUp = (servers: readonly ServerProcess[], load: Load) => closedLoop({ ...load, baseUrls: urlsOf(servers), durationMs: 300, minRequests: 0, maxRequests: undefined })

export interface Comparison {
  id: string
  title: string
  unit: string
  connections: number
  project: (pass: number) => Load
  baseline: (pass: number) => Load
}

/** Project and bare baseline alternate, `reps` passes each; ratio = project throughput / baseline throughput. */
export async function compareWithBaseline(context: ScenarioContext, apis: readonly ServerProcess[], bare: ServerProcess, comparison: Comparison): Promise<ScenarioResult> {
  await warmUp(apis, comparison.project(-1))
  await warmUp([bare], comparison.baseline(-1))
  const projectPasses: Pass[] = []
  const baselinePasses: Pass[] = []
  for (let rep = 0; rep < context.flags.reps; rep += 1) {
    projectPasses.push(await loadPass(apis, comparison.project(rep)))
    baselinePasses.push(await loadPass([bare], comparison.baseline(rep)))
  }
  const project = summarize(projectPasses)
  const baseline = summarize(baselinePasses)
  return {
    id: comparison.id,
    title: comparison.title,
    unit: comparison.unit,
    processes: describeProcesses(apis),
    connections: comparison.connections,
    latencyMeasured: true,
    project,
    baseline,
    ratio: project.throughput !== null && baseline.throughput ? project.throughput / baseline.throughput : null,
    ratioMeaning: 'throughput / bare Fastify+pg throughput (same connections)',
    counts: null,
    baselineCounts: null,
    rssMb: highestRss(projectPasses),
  }
}

export interface SizePair {
  id: string
  referenceId: string
  title: string
  referenceTitle: string
  unit: string
  load: (pass: number) => Load
  referenceLoad: (pass: number) => Load
}

/** Two sizes of the same request, alternating; the first's ratio = its p50 latency / the reference's p50 latency. */
export async function compareSizes(context: ScenarioContext, apis: readonly ServerProcess[], pair: SizePair): Promise<ScenarioResult[]> {
  await warmUp(apis, pair.referenceLoad(-1))
  const passes: Pass[] = []
  const referencePasses: Pass[] = []
  for (let rep = 0; rep < context.flags.reps; rep += 1) {
    passes.push(await loadPass(apis, pair.load(rep)))
    referencePasses.push(await loadPass(apis, pair.referenceLoad(rep)))
  }
  const summary = summarize(passes)
  const reference = summarize(referencePasses)
  const common = { unit: pair.unit, processes: describeProcesses(apis), connections: 1, latencyMeasured: true, baseline: null, counts: null, baselineCounts: null }
  return [
    {
      ...common,
      id: pair.id,
      title: pair.title,
      project: summary,
      ratio: summary.p50Ms !== null && reference.p50Ms ? summary.p50Ms / reference.p50Ms : null,
      ratioMeaning: `p50 latency / p50 latency of ${pair.referenceId}`,
      rssMb: highestRss(passes),
    },
    { ...common, id: pair.referenceId, title: pair.referenceTitle, project: reference, ratio: null, ratioMeaning: null, rssMb: highestRss(referencePasses) },
  ]
}

function withoutBaseline(id: string, title: string, unit: string, servers: readonly ServerProcess[], connections: number, passes: Pass[], latencyMeasured: boolean): ScenarioResult {
  return {
    id,
    title,
    unit,
    processes: describeProcesses(servers),
    connections,
    latencyMeasured,
    project: summarize(passes),
    baseline: null,
    ratio: null,
    ratioMeaning: null,
    counts: null,
    baselineCounts: null,
    rssMb: highestRss(passes),
  }
}

/** Clusters `<prefix>-0` … registered through the api, 16 at a time. */
export async function registerClusters(apis: readonly ServerProcess[], prefix: string, count: number): Promise<void> {
  await closedLoop({ baseUrls: urlsOf(apis), connections: 16, durationMs: Infinity, maxRequests: count, request: (i) => registerCluster(`${prefix}-${i}`), expect: [200, 201] })
}

/** Unmeasured operations through freshly started processes, so the timed passes do not pay for their JIT and pools. */
export async function warmUpOperations(context: ScenarioContext, servers: readonly ServerProcess[], clusterPrefix: string, lanes: number, label: string): Promise<void> {
  const name = (index: number) => `warm-${label}-${index}`
  await closedLoop({
    baseUrls: urlsOf(servers.filter((server) => server.role === 'api')),
    connections: lanes,
    durationMs: Infinity,
    maxRequests: lanes,
    request: (index) => createExtension(`${clusterPrefix}-${index % lanes}`, name(index)),
    expect: [201],
    afterAnswer: async (index) => {
      await context.watcher.waitFor(extensionKey(`${clusterPrefix}-${index % lanes}`, name(index)))
    },
  })
}

/** PUT of a new extension, then its wait until it Succeeded: `connections` at a time, one cluster per lane. */
export async function putToSucceeded(context: ScenarioContext, servers: readonly ServerProcess[], clusterPrefix: string, connections: number): Promise<ScenarioResult> {
  const load = (pass: number): Load => {
    const name = (index: number) => `done-c${connections}-p${pass + 1}-${index}`
    return {
      connections,
      durationMs: context.flags.seconds * 1000,
      minRequests: context.flags.quick ? connections : connections * 2,
      request: (index) => createExtension(`${clusterPrefix}-${index % connections}`, name(index)),
      expect: [201],
      afterAnswer: async (index) => {
        await context.watcher.waitFor(extensionKey(`${clusterPrefix}-${index % connections}`, name(index)))
      },
    }
  }
  await warmUp(servers, load(-2))
  const passes: Pass[] = []
  for (let rep = 0; rep < context.flags.reps; rep += 1) passes.push(await loadPass(servers, load(rep)))
  return withoutBaseline(
    `put-succeeded-${connections}`,
    `PUT → Succeeded through the worker (simulated driver, no latency), ${connections} at a time`,
    'operation (PUT until the extension is Succeeded)',
    servers,
    connections,
    passes,
    true,
  )
}

async function untilInstalled(db: pg.Client, name: string, expected: number, onFirst?: (succeeded: number) => void): Promise<void> {
  const deadline = Date.now() + Math.max(120_000, expected * 200)
  let first = false
  for (;;) {
    const { succeeded, failed } = await installProgress(db, name)
    if (failed > 0) throw new Error(`${failed} installs of ${name} failed`)
    if (!first && succeeded > 0) {
      first = true
      onFirst?.(succeeded)
    }
    if (succeeded >= expected) return
    if (Date.now() > deadline) throw new Error(`only ${succeeded} of ${expected} installs of ${name} succeeded in time`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * One new extension on each of the `clusters` clusters (or as many as `installSeconds` of PUTs reach), PUT 16 at a
 * time while the workers run: completed installs per second from the first PUT to the last Succeeded, with the api
 * and the workers sharing the machine.
 */
export async function sustainedInstalls(context: ScenarioContext, servers: readonly ServerProcess[], clusterPrefix: string, label: string): Promise<ScenarioResult> {
  const apis = servers.filter((server) => server.role === 'api')
  const clusters = context.flags.clusters
  const passes: Pass[] = []
  for (let rep = 0; rep < context.flags.reps; rep += 1) {
    const name = `inst-${label}-${rep + 1}`
    passes.push(
      await timed(servers, async () => {
        const started = performance.now()
        const { requests } = await closedLoop({
          baseUrls: urlsOf(apis),
          connections: context.flags.connections,
          durationMs: context.flags.installSeconds * 1000,
          maxRequests: clusters,
          request: (i) => createExtension(`${clusterPrefix}-${i}`, name),
          expect: [201],
        })
        await untilInstalled(context.db, name, requests)
        return { count: requests, elapsedMs: performance.now() - started, latenciesMs: null }
      }),
    )
  }
  return withoutBaseline(
    `installs-${label}`,
    `sustained completed installs, up to ${clusters} clusters × 1 install, ${describeProcesses(servers)} on the same cores`,
    'completed install',
    servers,
    context.flags.connections,
    passes,
    false,
  )
}

/**
 * The worker alone: installs accepted while no worker runs, then one worker started; completed installs per second
 * from its first Succeeded to its last (so its start-up is not counted), CPU of the worker only.
 */
export async function drainInstalls(context: ScenarioContext, api: ServerProcess, clusterPrefix: string, startWorker: () => ServerProcess): Promise<ScenarioResult> {
  const clusters = context.flags.clusters
  const passes: Pass[] = []
  let workerForReport: ServerProcess | null = null
  for (let rep = 0; rep < context.flags.reps; rep += 1) {
    const name = `inst-drain-${rep + 1}`
    const { requests: accepted } = await closedLoop({
      baseUrls: urlsOf([api]),
      connections: context.flags.connections,
      durationMs: context.flags.installSeconds * 1000,
      maxRequests: clusters,
      request: (i) => createExtension(`${clusterPrefix}-${i}`, name),
      expect: [201],
    })
    const worker = startWorker()
    workerForReport = worker
    try {
      let firstAt = 0
      let cpuAtFirst = 0
      let doneAtFirst = 0
      const sampler = new RssSampler([worker])
      await untilInstalled(context.db, name, accepted, (succeeded) => {
        void context.profiler?.start([worker])
        firstAt = performance.now()
        cpuAtFirst = cpuMicros([worker])
        // Those already done when the first was seen count as start-up; the rate is measured from there.
        doneAtFirst = Math.min(accepted - 1, succeeded)
      })
      const elapsedMs = Math.max(1, performance.now() - firstAt)
      passes.push(passFrom(accepted - doneAtFirst, elapsedMs, null, cpuMicros([worker]) - cpuAtFirst, sampler.stop()))
      await context.profiler?.stop([worker], 'installs-drain-1-worker')
    } finally {
      await worker.stop()
    }
  }
  return withoutBaseline(
    'installs-drain-1-worker',
    `completed installs, up to ${clusters} clusters × 1 install accepted beforehand, 1 worker alone`,
    'completed install',
    workerForReport ? [workerForReport] : [],
    0,
    passes,
    false,
  )
}
