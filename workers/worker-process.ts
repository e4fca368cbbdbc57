// A worker process: operation worker, outbox dispatcher and reconciler over the shared Postgres and Redis, closed
// gracefully (in-flight jobs get a grace period to finish, then are handed back; a job cut short by a kill is
// recovered as stalled or by the reconciler).
import { defaultCatalog } from '../core/catalog/index.js'
import type { DestinationStream } from 'pino'
import type { Config } from '../core/config.js'
import { createDb } from '../core/db/client.js'
import { migrate } from '../core/db/migrate.js'
import { createLogger } from '../core/logger.js'
import type { Running } from '../core/main-process.js'
import { waitUnlessAborted } from '../core/abortable-wait.js'
import { assertServicesReachable } from '../core/preflight.js'
import { OperationQueue, closeBullmq, queueConnection } from '../core/queue.js'
import { loadSecretBox } from '../core/secrets.js'
import { assertStoredSecretsOpen } from '../core/key-check.js'
import { catalogPlanner } from './catalog-planner.js'
import type { WorkerContext } from './context.js'
import { DEFAULT_DISPATCHER_OPTIONS, startDispatcher, type DispatcherOptions } from './dispatcher.js'
import { closeDrivers, createDrivers } from './drivers/index.js'
import { DEFAULT_RUNNER_OPTIONS, OperationRunner, startOperationWorker, type RunnerOptions } from './operation-worker.js'
import { startReconciler } from './reconciler.js'
import { WorkerMetrics, serveWorkerMetrics } from './worker-metrics.js'
import { SubjectLocks } from './subject-locks.js'
import { startAutoUpgrade } from './jobs/auto-upgrade-schedule.js'
import { startDriftCheck } from './jobs/drift-schedule.js'

export interface WorkerProcessOptions {
  /** Default: RECONCILE_INTERVAL_MS. */
  reconcileIntervalMs?: number
  /** Default: three reconcile intervals. */
  reconcileGraceMs?: number
  dispatcher?: Partial<DispatcherOptions>
  runner?: Partial<Omit<RunnerOptions, 'deadlineSeconds'>>
  /** How long stop() lets in-flight jobs finish before handing them back. */
  shutdownGraceMs?: number
  /** Where the worker logs; stdout by default. */
  logDestination?: DestinationStream
}

export async function startWorkerProcess(config: Config, options: WorkerProcessOptions = {}): Promise<Running & { context: WorkerContext; metricsUrl: string | null }> {
  await assertServicesReachable(config)
  defaultCatalog() // a broken CATALOG_FILE stops startup, not the first request
  await migrate(config.databaseUrl)
  const log = createLogger(config.logLevel, 'worker', options.logDestination, config.logFormat)
  const secrets = loadSecretBox(config)
  const db = createDb(config.databaseUrl, Math.min(config.workerConcurrency + 4, 50))
  await assertStoredSecretsOpen(db, secrets).catch(async (error: unknown) => {
    await db.$disconnect()
    throw error
  })
  const redis = queueConnection(config)
  const connection = redis.options
  const queue = new OperationQueue(connection, config.queuePrefix)
  const metrics = new WorkerMetrics()
  const context: WorkerContext = {
    db,
    secrets,
    drivers: createDrivers(db, config),
    planner: catalogPlanner(),
    log,
    metrics,
  }
  const locks = new SubjectLocks(config.databaseUrl, log)
  const runner = new OperationRunner(context, locks, { ...DEFAULT_RUNNER_OPTIONS, ...options.runner, deadlineSeconds: config.operationDeadlineSeconds })
  const worker = startOperationWorker(runner, log, {
    connection,
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
    stallMs: config.jobStallMs,
  })
  const dispatcher = startDispatcher(db, queue, log, config.databaseUrl, { ...DEFAULT_DISPATCHER_OPTIONS, ...options.dispatcher })
  const reconcileIntervalMs = options.reconcileIntervalMs ?? config.reconcileIntervalMs
  const reconciler = startReconciler(
    db,
    queue,
    log,
    {
      intervalMs: reconcileIntervalMs,
      graceMs: options.reconcileGraceMs ?? reconcileIntervalMs * 3,
      batchSize: 500,
      deadlineSeconds: config.operationDeadlineSeconds,
    },
    (count) => metrics.redelivered(count),
  )
  const autoUpgrade = await startAutoUpgrade({ db, queue, log, connection, prefix: config.queuePrefix, intervalSeconds: config.autoUpgradeIntervalSeconds })
  const driftCheck = await startDriftCheck({ ctx: context, queue, locks, connection, prefix: config.queuePrefix, intervalSeconds: config.driftCheckSeconds, repair: config.driftRepair })
  const metricsListener = config.workerMetricsPort === null ? null : await serveWorkerMetrics(metrics, config.host, config.workerMetricsPort, log)
  log.info({ concurrency: config.workerConcurrency, prefix: config.queuePrefix, metrics: metricsListener?.url ?? 'off' }, 'arcext worker started')
  return {
    context,
    metricsUrl: metricsListener?.url ?? null,
    async stop() {
      const graceMs = options.shutdownGraceMs ?? 5000
      // Every phase is bounded: a timer, a job or a connection that never answers must not keep a stopping worker
      // alive. What is cut short is recovered like a killed worker's work (stalled jobs, reconciler).
      const phase = async (name: string, work: () => Promise<unknown>, limitMs: number) => {
        const limit = AbortSignal.timeout(limitMs)
        try {
          await waitUnlessAborted(work(), limit)
        } catch (error) {
          if (!limit.aborted || error !== limit.reason) throw error
          log.warn({ phase: name, limitMs }, 'shutdown phase did not finish in time; continuing')
        }
      }
      await phase('metrics', async () => metricsListener?.close(), 5000)
      await phase('auto-upgrade', () => autoUpgrade.stop(), graceMs + 5000)
      await phase('drift-check', () => driftCheck.stop(), graceMs + 5000)
      await phase('dispatcher', () => dispatcher.stop(), 5000)
      await phase('reconciler', () => reconciler.stop(), 5000)
      runner.beginShutdown()
      await phase('drivers', () => closeDrivers(context.drivers), 5000) // ends simulated hangs, so close() does not wait for them
      const handBack = setTimeout(() => runner.abortAll(), graceMs)
      // Jobs still running at the grace period are handed back to the queue for another worker.
      await phase('jobs', () => closeBullmq(worker), graceMs + 10_000)
      clearTimeout(handBack)
      await phase('locks', () => locks.close(), 5000)
      await phase('queue', () => queue.close(), 5000)
      redis.close()
      await phase('database', () => db.$disconnect(), 5000)
    },
  }
}
