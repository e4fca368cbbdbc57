// GET /metrics in Prometheus' text format (prom-client). Per api process: HTTP requests by route template, method
// and status, with durations; requests refused by throttling. Fleet-wide, read at scrape time: operations by kind
// and status, recent operation durations, queue depth by job state, outbox backlog and age. Counts only: no
// resource names, ids or settings, so it is public like /healthz.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { operationFacts } from '../../core/store/operation-facts.js'
import { probeLogLevel } from '../routes/health.js'

/** Finished operations the duration percentiles look at. */
const RECENT_WINDOW_SECONDS = 300
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const

/** The route's template, never the concrete URL: label values must not grow with the number of resources. */
function routeOf(request: FastifyRequest): string {
  return request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched')
}

export function registerMetrics(app: FastifyInstance): void {
  // A registry per app: tests run several apps in one process, and each must count only its own requests.
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'arcext_api_' })

  const requests = new Counter({
    name: 'arcext_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  })
  const durations = new Histogram({
    name: 'arcext_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route template and method',
    labelNames: ['route', 'method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const throttled = new Counter({ name: 'arcext_throttled_requests_total', help: 'Requests refused with 429 because a throttle bucket was empty', registers: [registry] })
  app.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request)
    requests.inc({ route, method: request.method, status: String(reply.statusCode) })
    durations.observe({ route, method: request.method }, reply.elapsedTime / 1000)
    if (reply.statusCode === 429) throttled.inc()
    done()
  })

  const { db, queue } = app.services
  const operations = new Gauge({ name: 'arcext_operations', help: 'Operations in Postgres, by kind and status', labelNames: ['kind', 'status'], registers: [registry] })
  const recent = new Gauge({
    name: 'arcext_operation_duration_seconds',
    help: `Acceptance to end of operations that ended in the last ${RECENT_WINDOW_SECONDS} s, by kind, status and quantile`,
    labelNames: ['kind', 'status', 'quantile'],
    registers: [registry],
  })
  const recentCount = new Gauge({
    name: 'arcext_operations_ended_recently',
    help: `Operations that ended in the last ${RECENT_WINDOW_SECONDS} s, by kind and status`,
    labelNames: ['kind', 'status'],
    registers: [registry],
  })
  const outboxRows = new Gauge({ name: 'arcext_outbox_rows', help: 'Accepted operations not yet delivered to the queue', registers: [registry] })
  const outboxAge = new Gauge({ name: 'arcext_outbox_oldest_seconds', help: 'Age of the oldest undelivered operation (0 when none)', registers: [registry] })
  const jobs = new Gauge({ name: 'arcext_queue_jobs', help: 'Jobs in the operations queue, by state', labelNames: ['state'], registers: [registry] })

  /** Read once per scrape, before the registry renders; a gauge's own collect() would run each query per gauge. */
  const refreshFleetFacts = async () => {
    const [facts, counts] = await Promise.all([operationFacts(db, RECENT_WINDOW_SECONDS), queue.queue.getJobCounts(...QUEUE_STATES)])
    for (const gauge of [operations, recent, recentCount]) gauge.reset()
    for (const row of facts.counts) operations.set({ kind: row.kind, status: row.status }, row.count)
    for (const row of facts.recent) {
      for (const [quantile, value] of [
        ['0.5', row.p50],
        ['0.9', row.p90],
        ['0.99', row.p99],
      ] as const)
        recent.set({ kind: row.kind, status: row.status, quantile }, value)
      recentCount.set({ kind: row.kind, status: row.status }, row.count)
    }
    outboxRows.set(facts.outboxRows)
    outboxAge.set(facts.outboxOldestSeconds)
    for (const state of QUEUE_STATES) jobs.set({ state }, counts[state] ?? 0)
  }

  app.get('/metrics', { config: { access: { kind: 'public' } }, schema: { hide: true }, logLevel: probeLogLevel(app.services.config.logLevel) }, async (_request, reply) => {
    await refreshFleetFacts()
    return reply.type(registry.contentType).send(await registry.metrics())
  })
}
