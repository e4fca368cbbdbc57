// Liveness and readiness for orchestrators: /healthz says the process runs; /readyz that Postgres and Redis
// answer and the schema is migrated.
import type { FastifyInstance } from 'fastify'
import { pendingMigrations } from '../../core/db/migrate.js'

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

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { config, schema: { hide: true } }, async () => ({ status: 'ok' }))

  app.get('/readyz', { config, schema: { hide: true } }, async (_request, reply) => {
    const { db, queue } = app.services
    const [postgres, redis, migrations] = await Promise.all([
      check(() => db.$queryRawUnsafe('SELECT 1')),
      check(() => queue.ping()),
      check(async () => {
        const pending = await pendingMigrations((sql) => db.$queryRawUnsafe<{ name: string }[]>(sql))
        if (pending.length) throw new Error(`pending: ${pending.join(', ')}`)
      }),
    ])
    const ready = postgres === 'ok' && redis === 'ok' && migrations === 'ok'
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: { postgres, redis, migrations } })
  })
}
