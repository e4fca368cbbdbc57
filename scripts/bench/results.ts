// What one timed pass measured, how passes become a scenario's medians, and the shape of bench-results.json.
import type { Role } from './processes.js'
import type { ScenarioProfile } from './profiling.js'
import { median, percentile } from './stats.js'

export interface Pass {
  /** Requests (or completed operations) in the pass. */
  count: number
  elapsedMs: number
  /** Per second. */
  throughput: number
  p50Ms: number | null
  p99Ms: number | null
  /** CPU time of the server processes under test during the pass, divided by `count`. */
  cpuUsPerRequest: number
  /** Highest resident memory per role during the pass. */
  rssMb: Partial<Record<Role, number>>
}

export interface Summary {
  throughput: number | null
  p50Ms: number | null
  p99Ms: number | null
  cpuUsPerRequest: number | null
  passes: Pass[]
}

export interface WireCounts {
  /** Postgres statements per request (Query and Execute messages), all processes of the scenario together. */
  postgres: number
  /** Redis commands per request. */
  redis: number
  byRole: Partial<Record<Role, { postgres: number; redis: number }>>
}

export interface ScenarioResult {
  id: string
  title: string
  /** What one request/operation is: the unit of throughput and of the per-request figures. */
  unit: string
  /** Processes under test, e.g. "1 api" or "2 api + 2 worker". */
  processes: string
  connections: number
  /** False where latency is not what the scenario is about (bulk installs): p50/p99 are null there. */
  latencyMeasured: boolean
  project: Summary
  baseline: Summary | null
  ratio: number | null
  /** How `ratio` is computed, e.g. "throughput / bare Fastify+pg throughput". */
  ratioMeaning: string | null
  counts: WireCounts | null
  /** The same for the bare baseline server, where there is one. */
  baselineCounts: WireCounts | null
  rssMb: Partial<Record<Role, number>>
}

export interface BenchResults {
  startedAt: string
  durationSeconds: number
  flags: Record<string, unknown>
  machine: { cpus: number; loadAverageAtStart: number[]; node: string }
  scenarios: ScenarioResult[]
  /** Peak resident memory (VmHWM) of each kind of process over the run, in MiB. */
  peakRssMb: Partial<Record<Role, number>>
  /** What a worker with nothing to do sends per second. */
  idleWorker: { postgresPerSecond: number; redisPerSecond: number } | null
  /** With --profile: each scenario's CPU profile per process, summarised. */
  profiles: ScenarioProfile[]
}

export function passFrom(count: number, elapsedMs: number, latenciesMs: readonly number[] | null, cpuMicros: number, rssMb: Partial<Record<Role, number>>): Pass {
  return {
    count,
    elapsedMs,
    throughput: count / (elapsedMs / 1000),
    p50Ms: latenciesMs ? percentile(latenciesMs, 50) : null,
    p99Ms: latenciesMs ? percentile(latenciesMs, 99) : null,
    cpuUsPerRequest: count > 0 ? cpuMicros / count : 0,
    rssMb,
  }
}

export function summarize(passes: Pass[]): Summary {
  return {
    throughput: median(passes.map((pass) => pass.throughput)),
    p50Ms: median(passes.map((pass) => pass.p50Ms)),
    p99Ms: median(passes.map((pass) => pass.p99Ms)),
    cpuUsPerRequest: median(passes.map((pass) => pass.cpuUsPerRequest)),
    passes,
  }
}

export function highestRss(passes: readonly Pass[]): Partial<Record<Role, number>> {
  const highest: Partial<Record<Role, number>> = {}
  for (const pass of passes) {
    for (const [role, mb] of Object.entries(pass.rssMb) as [Role, number][]) highest[role] = Math.max(highest[role] ?? 0, mb)
  }
  return highest
}
