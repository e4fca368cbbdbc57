// Runs the drift observer on a BullMQ job scheduler (as the auto-upgrade sweep does): one schedule in Redis shared
// by every worker process, each run taken by one of them. A run holds the observer's advisory lock for its whole
// pass, so even runs that overlap (a slow pass, several processes) never observe at the same time.
import { Queue, Worker, type ConnectionOptions } from 'bullmq'
import type { DriftRepairMode } from '../../core/domain/drift.js'
import { closeBullmq, type OperationQueue } from '../../core/queue.js'
import type { WorkerContext } from '../context.js'
import type { SubjectLocks } from '../subject-locks.js'
import { checkDrift } from './drift-check.js'

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

export async function startDriftCheck(options: DriftScheduleOptions): Promise<{ stop(): Promise<void> }> {
  const { connection, prefix, ctx } = options
  const log = ctx.log
  const schedule = new Queue(DRIFT_QUEUE, { connection, prefix })
  schedule.on('error', (error) => log.warn({ err: error.message }, 'drift-check queue connection error'))
  if (options.intervalSeconds === 0) {
    await schedule.removeJobScheduler(DRIFT_SCHEDULER_ID)
    await closeBullmq(schedule)
    log.info('drift checks are off (DRIFT_CHECK_SECONDS=0)')
    return { stop: async () => undefined }
  }
  await schedule.upsertJobScheduler(
    DRIFT_SCHEDULER_ID,
    { every: options.intervalSeconds * 1000 },
    // A failed run is not retried: the next one does the same work.
    { name: 'check', data: {}, opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
  )
  const worker = new Worker(
    DRIFT_QUEUE,
    async () => {
      const release = await options.locks.tryAcquire(OBSERVER_SUBJECT)
      if (!release) return { skipped: 'another worker is observing' }
      try {
        const result = await checkDrift(ctx, options.queue, { repair: options.repair, batchSize: options.batchSize ?? 200, observeTimeoutMs: 30_000 })
        return { observed: result.observed, drifted: result.drifted.length, repairs: result.repairs.length, unobserved: result.unobserved }
      } finally {
        await release()
      }
    },
    { connection, prefix, concurrency: 1 },
  )
  worker.on('error', (error) => log.warn({ err: error.message }, 'drift-check worker connection error'))
  worker.on('failed', (_job, error) => log.error({ err: error.message }, 'drift check failed; the next run retries'))
  return {
    async stop() {
      await closeBullmq(worker)
      await closeBullmq(schedule)
    },
  }
}
