// Postgres holds every accepted operation; Redis may lose jobs (flushed, restarted, enqueue failed after commit,
// worker died). The reconciler re-delivers every non-terminal operation whose job is missing or finished, so no
// accepted operation is ever lost. Safe to run in every worker: delivery is idempotent (job id = operation id).
import type { Logger } from 'pino'
import type { Db } from '../core/db/client.js'
import type { OperationKind } from '../core/domain/model.js'
import type { OperationQueue } from '../core/queue.js'

export interface ReconcilerOptions {
  intervalMs: number
  /** Operations younger than this are left to normal delivery. */
  graceMs: number
  batchSize: number
}

export async function redeliverOrphanedOperations(db: Db, queue: OperationQueue, options: Pick<ReconcilerOptions, 'graceMs' | 'batchSize'>): Promise<number> {
  const olderThan = new Date(Date.now() - options.graceMs)
  const candidates = await db.operation.findMany({
    where: { status: 'InProgress', updatedAt: { lt: olderThan } },
    orderBy: { updatedAt: 'asc' },
    take: options.batchSize,
    select: { id: true, kind: true },
  })
  let redelivered = 0
  for (const op of candidates) {
    const state = await queue.queue.getJobState(op.id)
    if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') continue
    if (state === 'completed' || state === 'failed') await queue.queue.remove(op.id)
    await queue.enqueue(op.kind as OperationKind, { operationId: op.id })
    // Touch the row so the next pass gives the new delivery time to run.
    await db.operation.updateMany({ where: { id: op.id, status: 'InProgress' }, data: { updatedAt: new Date() } })
    redelivered += 1
  }
  return redelivered
}

export function startReconciler(db: Db, queue: OperationQueue, log: Logger, options: ReconcilerOptions): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve()
  let stopped = false
  const pass = async () => {
    try {
      const count = await redeliverOrphanedOperations(db, queue, options)
      if (count > 0) log.warn({ count }, 'redelivered operations whose jobs were missing')
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'reconciler pass failed; will retry')
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
