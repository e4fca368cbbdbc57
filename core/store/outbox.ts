// The transactional outbox's rows: written with the operation they name (insertOperation), so an accepted operation
// is delivered even when the api crashes between commit and enqueue or Redis does not answer.
//
// Who removes a row, and why nothing is run twice:
//  - The api enqueues right after commit (deliverOrLeaveToOutbox) and leaves the row: deleting it would cost every
//    request another round trip.
//  - The worker that starts the operation removes the row in its claim statement (core/store/operation-claim.ts),
//    whatever state the operation is in, so once any job of an operation has run its row is gone.
//  - Workers' dispatchers (deliverLeftovers) take rows older than a grace period: those the api did not deliver, and
//    those whose job is still waiting behind others. Delivering a queued or running job again is a no-op in Redis
//    (job id = operation id); rows of operations that already ended are removed without delivering anything. A job
//    delivered again after its earlier job completed and was removed from Redis (a row a dispatcher held locked
//    while the claim skipped it) only finds its operation ended: the claim statement never counts an attempt for,
//    or hands the runner, an operation that is not InProgress.
// A row inserted into an empty outbox notifies OUTBOX_CHANNEL (a trigger, prisma/migrations/*_operation_outbox_notify,
// which says why not every insert), which wakes dispatchers waiting on LISTEN.
import { Prisma, driverRows, type Db, type Tx } from '../db/client.js'
import { inDriverTransaction } from '../db/driver-transaction.js'
import { parseOperationKind, type OperationKind } from '../domain/model.js'
import { enqueueWithinDeadline, type OperationQueue, type OperationRef } from '../queue.js'

/** The channel the outbox trigger notifies on every insert. */
export const OUTBOX_CHANNEL = 'arcext_operation_outbox'

export async function addOutboxRow(tx: Tx, operation: { id: string; kind: OperationKind }): Promise<void> {
  await tx.operationOutbox.create({ data: { operationId: operation.id, kind: operation.kind } })
}

function refsOf(operations: readonly { id: string; kind: string }[]): OperationRef[] {
  return operations.map((op) => ({ id: op.id, kind: parseOperationKind(op.kind) }))
}

/**
 * Delivers just-committed operations now, for latency. A failure is only logged: the operations and their outbox
 * rows are committed, and a worker's dispatcher delivers them once Redis answers.
 */
export async function deliverOrLeaveToOutbox(db: Db, queue: OperationQueue, operations: readonly { id: string; kind: string }[], log: { warn(details: object, message: string): void }): Promise<void> {
  if (operations.length === 0) return
  try {
    await enqueueWithinDeadline(queue, refsOf(operations))
  } catch (error) {
    log.warn({ err: (error as Error).message, operationIds: operations.map((op) => op.id) }, 'enqueue failed; the outbox dispatcher will deliver')
  }
}

/**
 * How long until the oldest outbox row is `graceMs` old (0: it is), or null when the outbox is empty. One indexed
 * read: what a dispatcher pass costs when there is nothing to deliver.
 */
export async function msUntilOutboxDue(db: Db, graceMs: number): Promise<number | null> {
  const rows = await driverRows<{ age_ms: number | null }>(db, 'outbox-age', Prisma.sql`SELECT (EXTRACT(EPOCH FROM now() - min(created_at)) * 1000)::float8 AS age_ms FROM operation_outbox`)
  const ageMs = rows[0]?.age_ms ?? null
  return ageMs === null ? null : Math.max(0, Math.ceil(graceMs - ageMs))
}

/**
 * Delivers one batch of outbox rows older than `graceMs` (younger ones are left to the api's own delivery) and
 * returns how many rows it removed. Any number of workers may run this at once: each batch is claimed with FOR
 * UPDATE SKIP LOCKED. A driver transaction (core/db/driver-transaction.ts): Prisma compiled these statements again
 * on every pass, a few percent of a worker's CPU while it delivers a backlog. Waiting for a connection is bounded by
 * the pool, the enqueue by ENQUEUE_TIMEOUT_MS.
 */
export async function deliverLeftovers(db: Db, queue: OperationQueue, options: { graceMs: number; batchSize: number }): Promise<number> {
  return inDriverTransaction(db, async (sql) => {
    const claimed = await sql<{ operation_id: string; kind: string; running: boolean }>(Prisma.sql`
        SELECT b.operation_id::text, b.kind, COALESCE(o.status = 'InProgress', false) AS running
          FROM operation_outbox b LEFT JOIN operations o ON o.id = b.operation_id
         WHERE b.created_at < now() - make_interval(secs => ${options.graceMs / 1000})
         ORDER BY b.id LIMIT ${options.batchSize}
           FOR UPDATE OF b SKIP LOCKED`)
    if (claimed.length === 0) return 0
    await enqueueWithinDeadline(queue, refsOf(claimed.filter((row) => row.running).map((row) => ({ id: row.operation_id, kind: row.kind }))))
    await sql(Prisma.sql`DELETE FROM operation_outbox WHERE operation_id = ANY(${claimed.map((row) => row.operation_id)}::uuid[])`)
    return claimed.length
  })
}
