// A worker process: operation worker + reconciler over the shared Postgres and Redis, closed gracefully
// (BullMQ's close waits for active jobs; a job cut short by a kill is recovered as stalled or by the reconciler).
import { defaultCatalog } from '../core/catalog/index.js'
import type { Config } from '../core/config.js'
import { createDb } from '../core/db/client.js'
import { migrate } from '../core/db/migrate.js'
import { createLogger } from '../core/logger.js'
import type { Running } from '../core/main-process.js'
import { assertServicesReachable } from '../core/preflight.js'
import { OperationQueue, redisConnection } from '../core/queue.js'
import { loadSecretBox } from '../core/secrets.js'
import { catalogPlanner } from './catalog-planner.js'
import type { WorkerContext } from './context.js'
import { createDrivers } from './drivers/index.js'
import { startOperationWorker } from './operation-worker.js'
import { startReconciler } from './reconciler.js'

export interface WorkerProcessOptions {
  reconcileIntervalMs?: number
  reconcileGraceMs?: number
}

export async function startWorkerProcess(config: Config, options: WorkerProcessOptions = {}): Promise<Running & { context: WorkerContext }> {
  await assertServicesReachable(config)
  defaultCatalog() // a broken CATALOG_FILE stops startup, not the first request
  await migrate(config.databaseUrl)
  const log = createLogger(config.logLevel, 'worker')
  const db = createDb(config.databaseUrl, Math.min(config.workerConcurrency + 2, 50))
  const connection = redisConnection(config.redisUrl)
  const queue = new OperationQueue(connection, config.queuePrefix)
  const context: WorkerContext = {
    db,
    secrets: loadSecretBox(config),
    drivers: createDrivers(db, config),
    planner: catalogPlanner(),
    log,
  }
  const worker = startOperationWorker(context, { connection, prefix: config.queuePrefix, concurrency: config.workerConcurrency })
  const reconciler = startReconciler(db, queue, log, {
    intervalMs: options.reconcileIntervalMs ?? 5000,
    graceMs: options.reconcileGraceMs ?? 15_000,
    batchSize: 500,
  })
  log.info({ concurrency: config.workerConcurrency, prefix: config.queuePrefix }, 'arcext worker started')
  return {
    context,
    async stop() {
      await reconciler.stop()
      await worker.close()
      await queue.close()
      await db.$disconnect()
    },
  }
}
