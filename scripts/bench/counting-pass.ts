// The counting pass: fresh api, worker and baseline processes whose Postgres and Redis connections go through
// counting proxies, sent a few requests of each scenario, so statements and commands per request are known exactly
// without the proxies ever being in the way of a timed pass.
import { performance } from 'node:perf_hooks'
import { startCountingProxy, type CountingProxy } from './counting-proxy.js'
import { closedLoop, type RequestSpec } from './load.js'
import { startApiProcess, startBaselineProcess, startWorkerProcess, type Role, type ServerProcess } from './processes.js'
import type { WireCounts } from './results.js'
import type { ScenarioContext } from './scenarios.js'
import { createExtension, extensionKey } from './arm-requests.js'

interface Tapped {
  role: Role
  postgres: CountingProxy
  redis: CountingProxy | null
}

type Snapshot = Map<Role, { postgres: number; redis: number }>

/** Work a process does after its answer (a post-commit delete, a job's completion) still belongs to the request. */
const TRAILING_WORK_MS = 200
const settle = () => new Promise((resolve) => setTimeout(resolve, TRAILING_WORK_MS))

const snapshot = (taps: readonly Tapped[]): Snapshot => new Map(taps.map((tap) => [tap.role, { postgres: tap.postgres.count, redis: tap.redis?.count ?? 0 }]))

/** Per-request counts between two snapshots; `idle` (per role, per second of `elapsedMs`) is taken off first. */
function perRequest(before: Snapshot, after: Snapshot, requests: number, elapsedMs: number, idle: Snapshot = new Map()): WireCounts {
  const byRole: WireCounts['byRole'] = {}
  let postgres = 0
  let redis = 0
  for (const [role, end] of after) {
    const start = before.get(role) ?? { postgres: 0, redis: 0 }
    const idleRate = idle.get(role) ?? { postgres: 0, redis: 0 }
    const seconds = elapsedMs / 1000
    const counts = {
      postgres: Math.max(0, end.postgres - start.postgres - idleRate.postgres * seconds) / requests,
      redis: Math.max(0, end.redis - start.redis - idleRate.redis * seconds) / requests,
    }
    byRole[role] = counts
    postgres += counts.postgres
    redis += counts.redis
  }
  return { postgres, redis, byRole }
}

export interface CountingPlan {
  env: Record<string, string>
  /** Cluster the operation count runs on (registered, compatible). */
  operationCluster: string
  /** Requests counted per api-only scenario, keyed by the scenario they stand for. */
  requests: Record<string, (index: number) => RequestSpec>
  baselineRequests: Record<string, (index: number) => RequestSpec>
}

export interface CountingOutcome {
  counts: Map<string, WireCounts>
  idleWorker: { postgresPerSecond: number; redisPerSecond: number }
}

export async function countingPass(context: ScenarioContext, plan: CountingPlan): Promise<CountingOutcome> {
  const databaseUrl = plan.env.DATABASE_URL ?? ''
  const redisUrl = plan.env.REDIS_URL ?? ''
  const proxies: CountingProxy[] = []
  const processes: ServerProcess[] = []
  const tap = async (role: Role, withRedis: boolean): Promise<Tapped> => {
    const postgres = await startCountingProxy(databaseUrl, 'postgres')
    proxies.push(postgres)
    const redis = withRedis ? await startCountingProxy(redisUrl, 'redis') : null
    if (redis) proxies.push(redis)
    return { role, postgres, redis }
  }
  const samples = context.flags.quick ? 4 : 20
  const counts = new Map<string, WireCounts>()
  try {
    const apiTap = await tap('api', true)
    const workerTap = await tap('worker', true)
    const tappedEnv = (t: Tapped) => ({ ...plan.env, DATABASE_URL: t.postgres.urlFor(databaseUrl), REDIS_URL: t.redis?.urlFor(redisUrl) ?? redisUrl })
    const worker = startWorkerProcess(tappedEnv(workerTap))
    processes.push(worker)
    const api = await startApiProcess(tappedEnv(apiTap))
    processes.push(api)
    const baseUrls = [api.url ?? '']

    const operations = async (label: string, count: number) => {
      const name = (index: number) => `count-${label}-${index}`
      const started = performance.now()
      await closedLoop({
        baseUrls,
        connections: 1,
        durationMs: Infinity,
        maxRequests: count,
        request: (index) => createExtension(plan.operationCluster, name(index)),
        expect: [201],
        afterAnswer: async (index) => {
          await context.watcher.waitFor(extensionKey(plan.operationCluster, name(index)))
        },
      })
      return performance.now() - started
    }
    // The worker is up once it finished one; then what it does with nothing to do, then per operation net of that.
    await operations('warm', 2)
    const taps = [apiTap, workerTap]
    const idleSeconds = context.flags.quick ? 1 : 3
    const idleStart = snapshot([workerTap])
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000))
    const idleEnd = snapshot([workerTap])
    const idleRates = perRequest(idleStart, idleEnd, idleSeconds, 0).byRole.worker ?? { postgres: 0, redis: 0 }
    const idle: Snapshot = new Map([['worker', idleRates]])
    const before = snapshot(taps)
    const elapsedMs = (await operations('op', samples)) + TRAILING_WORK_MS
    await settle()
    counts.set('operation', perRequest(before, snapshot(taps), samples, elapsedMs, idle))
    await worker.stop()

    for (const [key, request] of Object.entries(plan.requests)) {
      const start = snapshot([apiTap])
      await closedLoop({ baseUrls, connections: 1, durationMs: Infinity, maxRequests: samples, request, expect: [200, 201] })
      await settle()
      counts.set(key, perRequest(start, snapshot([apiTap]), samples, 0))
    }
    await api.stop()

    const bareTap = await tap('baseline', false)
    const bare = await startBaselineProcess(bareTap.postgres.urlFor(databaseUrl))
    processes.push(bare)
    for (const [key, request] of Object.entries(plan.baselineRequests)) {
      const start = snapshot([bareTap])
      await closedLoop({ baseUrls: [bare.url ?? ''], connections: 1, durationMs: Infinity, maxRequests: samples, request, expect: [200, 201] })
      await settle()
      counts.set(key, perRequest(start, snapshot([bareTap]), samples, 0))
    }
    return { counts, idleWorker: { postgresPerSecond: idleRates.postgres, redisPerSecond: idleRates.redis } }
  } finally {
    for (const server of processes) await server.stop()
    for (const proxy of proxies) await proxy.close()
  }
}
