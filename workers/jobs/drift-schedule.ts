// Runs the drift observer on a BullMQ job scheduler shared by every worker process (scheduled-job.ts), each run
// taken by one of them. A run holds the observer's advisory lock for its whole pass, so even runs that overlap (a slow
// pass, several processes) never observe at the same time.
import type { ConnectionOptions } from 'bullmq'
import type { DriftRepairMode } from '../../core/domain/drift.js'
import type { OperationQueue } from '../../core/queue.js'
import type { WorkerContext } from '../context.js'
import type { SubjectLocks } from '../subject-locks.js'
import { checkDrift } from './drift-check.js'
import { startScheduledJob } from './scheduled-job.js'

export const DRIFT_QUEUE = 'drift-check'
export const DRIFT_SCHEDULER_ID = 'drift-check'
/** The advisory-lock subject of the one observer allowed at a time. */
const OBSERVER_SUBJECT = 'arcext:drift-observer'

export interface DriftScheduleOptions {
  ctx: WorkerContext
  queue: OperationQueue
  locks: SubjectLocks
  connection: ConnectionOptions
  prefix: string
  /** DRIFT_CHECK_SECONDS; 0 removes the shared schedule (drift checks off for every worker on this prefix). */
  intervalSeconds: number
  repair: DriftRepairMode
  /** Extensions observed per run. */
  batchSize?: number
}

export function startDriftCheck(options: DriftScheduleOptions): Promise<{ stop(): Promise<void> }> {
  const { ctx } = options
  return startScheduledJob({
    queueName: DRIFT_QUEUE,
    schedulerId: DRIFT_SCHEDULER_ID,
    jobName: 'check',
    what: 'drift check',
    offSetting: 'DRIFT_CHECK_SECONDS',
    intervalSeconds: options.intervalSeconds,
    connection: options.connection,
    prefix: options.prefix,
    log: ctx.log,
    run: async () => {
      const release = await options.locks.tryAcquire(OBSERVER_SUBJECT)
      if (!release) return { skipped: 'another worker is observing' }
      try {
        const result = await checkDrift(ctx, options.queue, { repair: options.repair, batchSize: options.batchSize ?? 200, observeTimeoutMs: 30_000 })
        return { observed: result.observed, drifted: result.drifted.length, repairs: result.repairs.length, unobserved: result.unobserved }
      } finally {
        await release()
      }
    },
  })
}
