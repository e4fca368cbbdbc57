// What the reconciler reads and touches: operations still InProgress that may have lost their job, and those past
// their deadline. Both are bounded pages in the order they became suspicious, so a backlog drains oldest first.
import type { Db } from '../db/client.js'
import type { Operation } from '../db/generated/client.js'

/** InProgress operations untouched since `olderThan`, oldest first. */
export function listQuietOperations(db: Db, olderThan: Date, take: number): Promise<Pick<Operation, 'id' | 'kind'>[]> {
  return db.operation.findMany({ where: { status: 'InProgress', updatedAt: { lt: olderThan } }, orderBy: { updatedAt: 'asc' }, take, select: { id: true, kind: true } })
}

/** Marks a redelivered operation as touched now, so the next pass gives the new delivery time to run. */
export async function touchRunningOperation(db: Db, id: string): Promise<void> {
  await db.operation.updateMany({ where: { id, status: 'InProgress' }, data: { updatedAt: new Date() } })
}

/** InProgress operations started before `startedBefore`, oldest first. */
export function listOperationsStartedBefore(db: Db, startedBefore: Date, take: number): Promise<Operation[]> {
  return db.operation.findMany({ where: { status: 'InProgress', startTime: { lt: startedBefore } }, orderBy: { startTime: 'asc' }, take })
}
