// The transactional outbox's rows: written with the operation they name (insertOperation), removed once that
// operation's job is in Redis. The queue only delivers; this module decides which rows are done. The api delivers
// right after commit (deliverOrLeaveToOutbox); workers' dispatchers deliver whatever is left (deliverLeftovers).
import type { Db, Tx } from '../db/client.js'
import { parseOperationKind, type OperationKind } from '../domain/model.js'
import { ENQUEUE_TIMEOUT_MS, enqueueWithinDeadline, type OperationQueue, type OperationRef } from '../queue.js'

export async function addOutboxRow(tx: Tx, operation: { id: string; kind: OperationKind }): Promise<void> {
  await tx.operationOutbox.create({ data: { operationId: operation.id, kind: operation.kind } })
}

/** The operations' jobs are in Redis: their outbox rows have done their work. */
async function removeOutboxRows(db: Db | Tx, operationIds: readonly string[]): Promise<void> {
  if (operationIds.length) await db.operationOutbox.deleteMany({ where: { operationId: { in: [...operationIds] } } })
}

function refsOf(operations: readonly { id: string; kind: string }[]): OperationRef[] {
  return operations.map((op) => ({ id: op.id, kind: parseOperationKind(op.kind) }))
}

/**
 * Delivers just-committed operations right away (the fast path) and removes their outbox rows. Throws when Redis
 * did not take them; the rows then stay for the dispatcher.
 */
async function deliverOperations(db: Db, queue: OperationQueue, operations: readonly { id: string; kind: string }[]): Promise<void> {
  if (operations.length === 0) return
  await enqueueWithinDeadline(queue, refsOf(operations))
  await removeOutboxRows(
    db,
    operations.map((op) => op.id),
  )
}

/**
 * Delivers just-committed operations now, for latency. A failure is only logged: the operations and their outbox
 * rows are committed, and a worker's dispatcher delivers them once Redis answers.
 */
export async function deliverOrLeaveToOutbox(db: Db, queue: OperationQueue, operations: readonly { id: string; kind: string }[], log: { warn(details: object, message: string): void }): Promise<void> {
  try {
    await deliverOperations(db, queue, operations)
  } catch (error) {
    log.warn({ err: (error as Error).message, operationIds: operations.map((op) => op.id) }, 'enqueue failed; the outbox dispatcher will deliver')
  }
}

/**
 * Delivers one batch of outbox rows older than `graceMs` (younger ones are left to the api's own delivery) and
 * returns how many. Any number of workers may run this at once: each batch is claimed with FOR UPDATE SKIP LOCKED,
 * and a job delivered twice is a no-op anyway (job id = operation id).
 */
export async function deliverLeftovers(db: Db, queue: OperationQueue, options: { graceMs: number; batchSize: number }): Promise<number> {
  return db.$transaction(
    async (tx) => {
      const claimed = await tx.$queryRaw<{ operation_id: string; kind: string }[]>`
        SELECT operation_id::text, kind FROM operation_outbox
        WHERE created_at < now() - make_interval(secs => ${options.graceMs / 1000})
        ORDER BY id LIMIT ${options.batchSize}
        FOR UPDATE SKIP LOCKED`
      const rows = claimed.map((row) => ({ id: row.operation_id, kind: row.kind }))
      if (rows.length === 0) return 0
      await enqueueWithinDeadline(queue, refsOf(rows))
      await removeOutboxRows(
        tx,
        rows.map((row) => row.id),
      )
      return rows.length
    },
    { maxWait: 5000, timeout: ENQUEUE_TIMEOUT_MS + 5000 },
  )
}
