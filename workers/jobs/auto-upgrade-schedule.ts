// Runs the auto-upgrade sweep on a BullMQ job scheduler shared by every worker process (scheduled-job.ts).
import type { ConnectionOptions } from 'bullmq'
import type { Logger } from 'pino'
import type { Db } from '../../core/db/client.js'
import type { OperationQueue } from '../../core/queue.js'
import { sweepAutoUpgrades } from './auto-upgrade.js'
import { startScheduledJob } from './scheduled-job.js'

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

export function startAutoUpgrade(options: AutoUpgradeOptions): Promise<{ stop(): Promise<void> }> {
  return startScheduledJob({
    queueName: AUTO_UPGRADE_QUEUE,
    schedulerId: AUTO_UPGRADE_SCHEDULER_ID,
    jobName: 'sweep',
    what: 'auto-upgrade sweep',
    offSetting: 'AUTO_UPGRADE_INTERVAL_SECONDS',
    intervalSeconds: options.intervalSeconds,
    connection: options.connection,
    prefix: options.prefix,
    log: options.log,
    // Sweeps racing across processes are harmless: acceptExtensionChange is etag-guarded.
    run: async () => {
      const result = await sweepAutoUpgrades(options)
      return { examined: result.examined, started: result.started.length }
    },
  })
}
