// Liveness and readiness for orchestrators: /healthz says the process runs; /readyz that Postgres and Redis
// answer and the schema is migrated.
import type { FastifyInstance, LogLevel } from 'fastify'
import { databaseAnswers, unappliedMigrations } from '../../core/store/readiness.js'

async function check(probe: () => Promise<unknown>, timeoutMs = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
    return 'ok'
  } catch (error) {
    return (error as Error).message || 'unavailable'
  } finally {
    clearTimeout(timer)
  }
}

const config = { access: { kind: 'public' } } as const

/**
 * Probes arrive every few seconds from orchestrators and scrapers: their request lines would drown everything else, so
 * they are logged only when LOG_LEVEL asks for debug detail (warnings and errors always are).
 */
export function probeLogLevel(logLevel: string): LogLevel {
  return logLevel === 'debug' || logLevel === 'trace' ? logLevel : 'warn'
}

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const logLevel = probeLogLevel(app.services.config.logLevel)
  app.get('/healthz', { config, logLevel, schema: { hide: true } }, async () => ({ status: 'ok' }))

  app.get('/readyz', { config, logLevel, schema: { hide: true } }, async (_request, reply) => {
    const { db, queue } = app.services
    const [postgres, redis, migrations] = await Promise.all([
      check(() => databaseAnswers(db)),
      check(() => queue.ping()),
      check(async () => {
        const pending = await unappliedMigrations(db)
        if (pending.length) throw new Error(`pending: ${pending.join(', ')}`)
      }),
    ])
    const ready = postgres === 'ok' && redis === 'ok' && migrations === 'ok'
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: { postgres, redis, migrations } })
  })
}
