// Hosts the app: checks services, applies migrations, listens on HTTP and HTTPS, closes gracefully.
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { defaultCatalog } from '../core/catalog/index.js'
import type { Config } from '../core/config.js'
import { createDb } from '../core/db/client.js'
import { migrate } from '../core/db/migrate.js'
import { createLogger } from '../core/logger.js'
import type { Running } from '../core/main-process.js'
import { assertServicesReachable } from '../core/preflight.js'
import { OperationQueue, redisConnection } from '../core/queue.js'
import { answerClientError } from './arm/error-envelope.js'
import { loadSecretBox } from '../core/secrets.js'
import { assertStoredSecretsOpen } from '../core/key-check.js'
import { buildApp } from './app.js'
import { loadTlsMaterial } from './tls.js'
import { checkDevModeExposure } from './auth/loopback.js'
import { Redis } from 'ioredis'
import type { DestinationStream } from 'pino'

export interface RunningApi extends Running {
  app: FastifyInstance
  httpUrl: string
  httpsUrl: string
  certFile: string
}

export async function startApi(config: Config, options: { logDestination?: DestinationStream } = {}): Promise<RunningApi> {
  const devModeExposure = await checkDevModeExposure(config) // refuses dev mode on a non-loopback HOST unless opted in
  await assertServicesReachable(config)
  defaultCatalog() // a broken CATALOG_FILE stops startup, not the first request
  await migrate(config.databaseUrl)
  const log = createLogger(config.logLevel, 'api', options.logDestination)
  if (devModeExposure) log.warn(devModeExposure)
  const secrets = loadSecretBox(config)
  const db = createDb(config.databaseUrl)
  await assertStoredSecretsOpen(db, secrets).catch(async (error: unknown) => {
    await db.$disconnect()
    throw error
  })
  const queue = new OperationQueue(redisConnection(config.redisUrl), config.queuePrefix)
  // No offline queue and one retry: a Redis outage must not stall requests (the limiter fails open).
  const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  redis.on('error', () => undefined)
  const app = await buildApp({ config, db, queue, secrets, redis }, { loggerInstance: log })
  const tls = await loadTlsMaterial(config)
  await app.listen({ host: config.host, port: config.port })
  await app.ready()
  // One app, two listeners: the HTTPS server hands requests to the same router.
  const https: HttpsServer = createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) => app.routing(req, res))
  https.on('clientError', answerClientError)
  await new Promise<void>((resolve, reject) => {
    https.once('error', reject)
    https.listen(config.httpsPort, config.host, () => resolve())
  })
  const httpPort = (app.server.address() as AddressInfo).port
  const httpsPort = (https.address() as AddressInfo).port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const running: RunningApi = {
    app,
    httpUrl: `http://${host}:${httpPort}`,
    httpsUrl: `https://${host}:${httpsPort}`,
    certFile: tls.certFile,
    async stop() {
      // Stop accepting first, let in-flight requests finish, then release pools.
      await new Promise<void>((resolve) => {
        https.close(() => resolve())
        https.closeIdleConnections()
      })
      await app.close()
      await queue.close()
      redis.disconnect()
      await db.$disconnect()
    },
  }
  log.info({ http: running.httpUrl, https: running.httpsUrl, certFile: tls.certFile }, 'arcext api listening')
  return running
}
