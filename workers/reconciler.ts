// Postgres holds every accepted operation; Redis may lose jobs (flushed, restarted, enqueue failed after commit,
// worker died). The reconciler re-delivers every non-terminal operation whose job is missing or finished, so no
// accepted operation is ever lost, and fails every operation still running past OPERATION_DEADLINE_SECONDS, so
// none is stuck forever. Safe to run in every worker: delivery is idempotent (job id = operation id) and ending
// an operation is conditional on it still running.
import type { Logger } from 'pino'
import type { Db } from '../core/db/client.js'
import { parseOperationKind } from '../core/domain/model.js'
import type { OperationQueue } from '../core/queue.js'
import { finishOperation } from '../core/store/operations.js'
import { listOperationsStartedBefore, listQuietOperations, touchRunningOperation } from '../core/store/operation-sweeps.js'
import { loggableError } from './error-facts.js'
import { deadlineDetail, failedOutcome } from './operation-failures.js'

export interface ReconcilerOptions {
  intervalMs: number
  /** Operations untouched for less than this are left to normal delivery. */
  graceMs: number
  batchSize: number
  deadlineSeconds: number
}

const LIVE_STATES = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'])

export async function redeliverOrphanedOperations(db: Db, queue: OperationQueue, options: Pick<ReconcilerOptions, 'graceMs' | 'batchSize'>): Promise<number> {
  const olderThan = new Date(Date.now() - options.graceMs)
  const candidates = await listQuietOperations(db, olderThan, options.batchSize)
  let redelivered = 0
  for (const op of candidates) {
    const state = await queue.queue.getJobState(op.id)
    if (LIVE_STATES.has(state)) continue
    if (!(await queue.redeliver({ id: op.id, kind: parseOperationKind(op.kind) }))) continue
    await touchRunningOperation(db, op.id)
    redelivered += 1
  }
  return redelivered
}

/**
 * Fails operations past their deadline that no job is failing itself (a running job does so on its own timer;
 * `slackMs` leaves it that chance, so its lock is released cleanly first).
 */
export async function failOverdueOperations(db: Db, options: Pick<ReconcilerOptions, 'batchSize' | 'deadlineSeconds'> & { slackMs: number }): Promise<number> {
  const startedBefore = new Date(Date.now() - options.deadlineSeconds * 1000 - options.slackMs)
  const overdue = await listOperationsStartedBefore(db, startedBefore, options.batchSize)
  let failed = 0
  for (const op of overdue) {
    if (await finishOperation(db, op, failedOutcome(deadlineDetail(op, options.deadlineSeconds)))) failed += 1
  }
  return failed
}

export function startReconciler(db: Db, queue: OperationQueue, log: Logger, options: ReconcilerOptions, onRedelivered: (count: number) => void = () => undefined): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve()
  let stopped = false
  const pass = async () => {
    try {
      const expired = await failOverdueOperations(db, { ...options, slackMs: options.intervalMs })
      if (expired > 0) log.error({ count: expired }, 'failed operations past OPERATION_DEADLINE_SECONDS')
      const count = await redeliverOrphanedOperations(db, queue, options)
      if (count > 0) {
        onRedelivered(count)
        log.warn({ count }, 'redelivered operations whose jobs were missing')
      }
    } catch (error) {
      log.warn({ err: loggableError(error) }, 'reconciler pass failed; will retry')
    }
  }
  const timer = setInterval(() => {
    if (stopped) return
    running = running.then(pass)
  }, options.intervalMs)
  timer.unref()
  return {
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
