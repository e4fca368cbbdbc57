// Runs the auto-upgrade sweep on a BullMQ job scheduler. The scheduler lives in Redis under a fixed id, so any
// number of worker processes share one schedule and each run is taken by one of them; the api never runs timers.
import { Queue, Worker, type ConnectionOptions } from 'bullmq'
import type { Logger } from 'pino'
import type { Db } from '../../core/db/client.js'
import { closeBullmq, type OperationQueue } from '../../core/queue.js'
import { sweepAutoUpgrades } from './auto-upgrade.js'

export const AUTO_UPGRADE_QUEUE = 'auto-upgrade'
export const AUTO_UPGRADE_SCHEDULER_ID = 'auto-upgrade-sweep'

export interface AutoUpgradeOptions {
  db: Db
  queue: OperationQueue
  log: Logger
  connection: ConnectionOptions
  prefix: string
  /** 0 removes the shared schedule: auto-upgrade is off for every worker on this queue prefix. */
  intervalSeconds: number
}

export async function startAutoUpgrade(options: AutoUpgradeOptions): Promise<{ stop(): Promise<void> }> {
  const { connection, prefix, log } = options
  const schedule = new Queue(AUTO_UPGRADE_QUEUE, { connection, prefix })
  schedule.on('error', (error) => log.warn({ err: error.message }, 'auto-upgrade queue connection error'))
  if (options.intervalSeconds === 0) {
    await schedule.removeJobScheduler(AUTO_UPGRADE_SCHEDULER_ID)
    await closeBullmq(schedule)
    log.info('auto-upgrade is off (AUTO_UPGRADE_INTERVAL_SECONDS=0)')
    return { stop: async () => undefined }
  }
  await schedule.upsertJobScheduler(
    AUTO_UPGRADE_SCHEDULER_ID,
    { every: options.intervalSeconds * 1000 },
    // A failed sweep is not retried: the next run does the same work.
    { name: 'sweep', data: {}, opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
  )
  const worker = new Worker(
    AUTO_UPGRADE_QUEUE,
    async () => {
      const result = await sweepAutoUpgrades(options)
      return { examined: result.examined, started: result.started.length }
    },
    // One sweep at a time per process; sweeps racing across processes are harmless (acceptExtensionChange is etag-guarded).
    { connection, prefix, concurrency: 1 },
  )
  worker.on('error', (error) => log.warn({ err: error.message }, 'auto-upgrade worker connection error'))
  worker.on('failed', (_job, error) => log.error({ err: error.message }, 'auto-upgrade sweep failed; the next run retries'))
  return {
    async stop() {
      await closeBullmq(worker)
      await closeBullmq(schedule)
    },
  }
}
