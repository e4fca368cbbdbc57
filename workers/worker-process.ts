// A worker process: operation worker, outbox dispatcher and reconciler over the shared Postgres and Redis, closed
// gracefully (in-flight jobs get a grace period to finish, then are handed back; a job cut short by a kill is
// recovered as stalled or by the reconciler).
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
import { DEFAULT_DISPATCHER_OPTIONS, startDispatcher, type DispatcherOptions } from './dispatcher.js'
import { closeDrivers, createDrivers } from './drivers/index.js'
import { DEFAULT_RUNNER_OPTIONS, OperationRunner, startOperationWorker, type RunnerOptions } from './operation-worker.js'
import { startReconciler } from './reconciler.js'
import { SubjectLocks } from './subject-locks.js'
import { startAutoUpgrade } from './jobs/auto-upgrade-schedule.js'

export interface WorkerProcessOptions {
  /** Default: RECONCILE_INTERVAL_MS. */
  reconcileIntervalMs?: number
  /** Default: three reconcile intervals. */
  reconcileGraceMs?: number
  dispatcher?: Partial<DispatcherOptions>
  runner?: Partial<Omit<RunnerOptions, 'deadlineSeconds'>>
  /** How long stop() lets in-flight jobs finish before handing them back. */
  shutdownGraceMs?: number
}

export async function startWorkerProcess(config: Config, options: WorkerProcessOptions = {}): Promise<Running & { context: WorkerContext }> {
  await assertServicesReachable(config)
  defaultCatalog() // a broken CATALOG_FILE stops startup, not the first request
  await migrate(config.databaseUrl)
  const log = createLogger(config.logLevel, 'worker')
  const db = createDb(config.databaseUrl, Math.min(config.workerConcurrency + 4, 50))
  const connection = redisConnection(config.redisUrl)
  const queue = new OperationQueue(connection, config.queuePrefix)
  const context: WorkerContext = {
    db,
    secrets: loadSecretBox(config),
    drivers: createDrivers(db, config),
    planner: catalogPlanner(),
    log,
  }
  const locks = new SubjectLocks(config.databaseUrl, log)
  const runner = new OperationRunner(context, locks, { ...DEFAULT_RUNNER_OPTIONS, ...options.runner, deadlineSeconds: config.operationDeadlineSeconds })
  const worker = startOperationWorker(runner, log, {
    connection,
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
    stallMs: config.jobStallMs,
  })
  const dispatcher = startDispatcher(db, queue, log, { ...DEFAULT_DISPATCHER_OPTIONS, ...options.dispatcher })
  const reconcileIntervalMs = options.reconcileIntervalMs ?? config.reconcileIntervalMs
  const reconciler = startReconciler(db, queue, log, {
    intervalMs: reconcileIntervalMs,
    graceMs: options.reconcileGraceMs ?? reconcileIntervalMs * 3,
    batchSize: 500,
    deadlineSeconds: config.operationDeadlineSeconds,
  })
  const autoUpgrade = await startAutoUpgrade({ db, queue, log, connection, prefix: config.queuePrefix, intervalSeconds: config.autoUpgradeIntervalSeconds })
  log.info({ concurrency: config.workerConcurrency, prefix: config.queuePrefix }, 'arcext worker started')
  return {
    context,
    async stop() {
      await autoUpgrade.stop()
      await dispatcher.stop()
      await reconciler.stop()
      runner.beginShutdown()
      await closeDrivers(context.drivers) // ends simulated hangs, so close() does not wait for them
      const closing = worker.close()
      const handBack = setTimeout(() => runner.abortAll(), options.shutdownGraceMs ?? 5000)
      await closing
      clearTimeout(handBack)
      await locks.close()
      await queue.close()
      await db.$disconnect()
    },
  }
}
