// A worker's own Prometheus metrics (GET /metrics on WORKER_METRICS_PORT): what only the process doing the work
// sees. Operations it ended, by kind and status, with their durations from acceptance; retries and failures by
// error code (driver errors among them); operations the reconciler delivered again because Redis lost their jobs.
// The fleet-wide counts (operations in Postgres, queue depth, outbox) are on the api's /metrics.
import { createServer, type Server } from 'node:http'
import type { Logger } from 'pino'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export class WorkerMetrics {
  readonly registry = new Registry()
  private readonly ended = new Histogram({
    name: 'arcext_worker_operation_duration_seconds',
    help: 'Acceptance to end of the operations this worker ended, by kind and status',
    labelNames: ['kind', 'status'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  })
  private readonly failures = new Counter({
    name: 'arcext_worker_operation_failures_total',
    help: 'Operations this worker ended Failed, by error code',
    labelNames: ['code'],
    registers: [this.registry],
  })
  private readonly retries = new Counter({
    name: 'arcext_worker_retries_total',
    help: 'Transient failures this worker scheduled a retry for, by error code',
    labelNames: ['code'],
    registers: [this.registry],
  })
  private readonly redeliveries = new Counter({
    name: 'arcext_worker_redelivered_operations_total',
    help: 'Operations the reconciler delivered again because their jobs were missing',
    registers: [this.registry],
  })

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'arcext_worker_' })
  }

  operationEnded(op: { kind: string; startTime: Date }, status: 'Succeeded' | 'Failed', code?: string): void {
    this.ended.observe({ kind: op.kind, status }, Math.max(0, Date.now() - op.startTime.getTime()) / 1000)
    if (status === 'Failed') this.failures.inc({ code: code ?? 'Unknown' })
  }

  retryScheduled(code: string): void {
    this.retries.inc({ code })
  }

  redelivered(count: number): void {
    this.redeliveries.inc(count)
  }
}

/** Serves the registry at /metrics (404 elsewhere) on host:port; port 0 picks a free one. */
export async function serveWorkerMetrics(metrics: WorkerMetrics, host: string, port: number, log: Logger): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      return
    }
    metrics.registry
      .metrics()
      .then((text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text))
      .catch((error: unknown) => {
        log.warn({ err: (error as Error).message }, 'worker metrics could not be rendered')
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n')
      })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the worker metrics listener has no TCP port')
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/metrics`
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections() // a scraper's keep-alive connection must not hold the worker's stop
      }),
  }
}
