// Counts responses by status class, and remembers the last few 5xx, so tests can assert that nothing in a run
// answered with a server error. The seam where Prometheus metrics will attach.
import type { FastifyInstance } from 'fastify'

export interface ResponseStats {
  byClass: Record<'2xx' | '3xx' | '4xx' | '5xx', number>
  recentServerErrors: { method: string; url: string; statusCode: number }[]
}

declare module 'fastify' {
  interface FastifyInstance {
    responseStats: ResponseStats
  }
}

const RECENT_LIMIT = 20

export function registerResponseStats(app: FastifyInstance): void {
  const stats: ResponseStats = { byClass: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, recentServerErrors: [] }
  app.decorate('responseStats', stats)
  app.addHook('onResponse', (request, reply, done) => {
    const statusClass = `${Math.floor(reply.statusCode / 100)}xx` as keyof ResponseStats['byClass']
    if (statusClass in stats.byClass) stats.byClass[statusClass] += 1
    // /readyz answers 503 by design when a dependency is down; that is a report, not a failure.
    if (reply.statusCode >= 500 && !request.url.startsWith('/readyz')) {
      stats.recentServerErrors.push({ method: request.method, url: request.url, statusCode: reply.statusCode })
      if (stats.recentServerErrors.length > RECENT_LIMIT) stats.recentServerErrors.shift()
    }
    done()
  })
}
