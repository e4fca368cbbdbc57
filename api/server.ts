// Hosts the app: checks services, applies migrations, listens on HTTP and HTTPS, closes gracefully.
import type { Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { defaultCatalog } from '../core/catalog/index.js'
import type { Config } from '../core/config.js'
import { createDb } from '../core/db/client.js'
import { migrate } from '../core/db/migrate.js'
import { createLogger } from '../core/logger.js'
import type { Running } from '../core/main-process.js'
import { assertServicesReachable } from '../core/preflight.js'
import { CoalescingOperationQueue, queueConnection } from '../core/queue.js'
import { createRedisClient } from '../core/redis.js'
import { loadSecretBox } from '../core/secrets.js'
import { assertStoredSecretsOpen } from '../core/key-check.js'
import { buildApp } from './app.js'
import { readSeed } from '../core/seed-file.js'
import { applySeed, type SeedSummary } from './seed/apply-seed.js'
import { loadTlsMaterial } from './tls.js'
import { checkDevModeExposure } from './auth/loopback.js'
import { createHttpsListener } from './listeners.js'
import type { DestinationStream } from 'pino'

export interface RunningApi extends Running {
  app: FastifyInstance
  /** Undefined when that listener is off (PORT=off / HTTPS_PORT=off). */
  httpUrl: string | undefined
  httpsUrl: string | undefined
  certFile: string | undefined
  /** What applying SEED_FILE did at this start; undefined without one. */
  seeded: SeedSummary | undefined
}

export async function startApi(config: Config, options: { logDestination?: DestinationStream } = {}): Promise<RunningApi> {
  const devModeExposure = await checkDevModeExposure(config) // refuses dev mode on a non-loopback HOST unless opted in
  // A broken SEED_FILE stops startup before anything connects.
  const seed = config.seedFile === undefined ? undefined : readSeed(config.seedFile)
  await assertServicesReachable(config)
  defaultCatalog() // a broken CATALOG_FILE stops startup, not the first request
  await migrate(config.databaseUrl)
  const log = createLogger(config.logLevel, 'api', options.logDestination, config.logFormat)
  if (devModeExposure) log.warn(devModeExposure)
  const secrets = loadSecretBox(config)
  const db = createDb(config.databaseUrl)
  await assertStoredSecretsOpen(db, secrets).catch(async (error: unknown) => {
    await db.$disconnect()
    throw error
  })
  const queueRedis = queueConnection(config)
  const queue = new CoalescingOperationQueue(queueRedis.options, config.queuePrefix)
  // No offline queue and one retry: a Redis outage must not stall requests (the limiter fails open).
  const redis = createRedisClient(config, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  redis.on('error', () => undefined)
  const app = await buildApp({ config, db, queue, secrets, redis }, { loggerInstance: log })
  const tls = config.httpsPort === null ? null : await loadTlsMaterial(config)
  await app.ready()
  let seeded: SeedSummary | undefined
  if (seed) {
    // Before the listeners open: once /readyz answers, what the file declares is in place (its installs accepted).
    seeded = await applySeed(app, seed).catch(async (error: unknown) => {
      await app.close()
      await queue.close()
      queueRedis.close()
      redis.disconnect()
      await db.$disconnect()
      throw error
    })
    log.info({ seedFile: seed.file, ...seeded }, 'SEED_FILE applied')
  }
  if (config.port !== null) await app.listen({ host: config.host, port: config.port })
  // One app, two listeners: the HTTPS server hands requests to the same router.
  let https: HttpsServer | null = null
  if (tls && config.httpsPort !== null) {
    const server = createHttpsListener(config, tls, (req, res) => app.routing(req, res))
    const httpsPort = config.httpsPort
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(httpsPort, config.host, () => resolve())
    })
    https = server
  }
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const urlOf = (scheme: string, server: { address(): AddressInfo | string | null }) => `${scheme}://${host}:${(server.address() as AddressInfo).port}`
  const running: RunningApi = {
    app,
    httpUrl: config.port === null ? undefined : urlOf('http', app.server),
    httpsUrl: https ? urlOf('https', https) : undefined,
    certFile: tls?.certFile,
    seeded,
    async stop() {
      // Stop accepting first, let in-flight requests finish, then release pools.
      if (https) {
        const server = https
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeIdleConnections()
        })
      }
      await app.close()
      await queue.close()
      queueRedis.close()
      redis.disconnect()
      await db.$disconnect()
    },
  }
  log.info({ http: running.httpUrl ?? 'off', https: running.httpsUrl ?? 'off', certFile: running.certFile }, 'arcext api listening')
  return running
}
