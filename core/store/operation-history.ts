// What operators see of operations (GET /admin/operations): a filtered page, newest first, and one operation with
// its timeline (the operation_events rows the migration 20261206040000_operation_events writes by trigger, and the
// driver steps a worker writes with the statement that ends an attempt: 20261206050000_operation_driver_steps).
import type { Db } from '../db/client.js'
import type { Prisma } from '../db/client.js'
import type { Operation, OperationEvent } from '../db/generated/client.js'
import type { OperationKind } from '../domain/model.js'

export interface OperationFilter {
  subscription?: string
  /** A cluster's lower-cased resource id: its own operations and its extensions'. */
  clusterIdKey?: string
  /** An extension name, on any cluster unless a cluster is given too. */
  extension?: string
  status?: string
  kind?: OperationKind
  top: number
}

const EXTENSION_SEGMENT = '/providers/microsoft.kubernetesconfiguration/extensions/'

function whereOf(filter: OperationFilter): Prisma.OperationWhereInput {
  const conditions: Prisma.OperationWhereInput[] = []
  if (filter.subscription) conditions.push({ resourceIdKey: { startsWith: `/subscriptions/${filter.subscription.toLowerCase()}/` } })
  if (filter.clusterIdKey) conditions.push({ OR: [{ resourceIdKey: filter.clusterIdKey }, { resourceIdKey: { startsWith: `${filter.clusterIdKey}/` } }] })
  if (filter.extension) conditions.push({ resourceIdKey: { endsWith: `${EXTENSION_SEGMENT}${filter.extension.toLowerCase()}` } })
  if (filter.status) conditions.push({ status: filter.status })
  if (filter.kind) conditions.push({ kind: filter.kind })
  return { AND: conditions }
}

export function listOperations(db: Db, filter: OperationFilter): Promise<Operation[]> {
  return db.operation.findMany({ where: whereOf(filter), orderBy: [{ startTime: 'desc' }, { id: 'desc' }], take: filter.top })
}

export async function findOperationWithTimeline(db: Db, id: string): Promise<{ operation: Operation; timeline: OperationEvent[] } | null> {
  const found = await db.operation.findUnique({ where: { id }, include: { events: { orderBy: { id: 'asc' } } } })
  if (!found) return null
  const { events, ...operation } = found
  return { operation, timeline: events }
}

/**
 * An operation on the same resource accepted at or after `op` (other than `op`): it superseded `op`, so running `op`'s
 * desired state again would undo what the caller asked for since.
 */
export function laterOperationOn(db: Db, op: Pick<Operation, 'id' | 'resourceIdKey' | 'startTime'>): Promise<Operation | null> {
  return db.operation.findFirst({ where: { resourceIdKey: op.resourceIdKey, id: { not: op.id }, startTime: { gte: op.startTime } }, orderBy: [{ startTime: 'desc' }, { id: 'desc' }] })
}
