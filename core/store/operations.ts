// Operation rows: created by the api together with the resource change, finished by workers together with
// the resource outcome, each in one transaction (ARO-RP's frontend/backend split over one database).
import { randomUUID } from 'node:crypto'
import type { Db, Tx } from '../db/client.js'
import { Prisma } from '../db/client.js'
import type { Operation } from '../db/generated/client.js'
import type { ErrorDetail, ExtensionStatus, OperationKind, TerminalState } from '../domain/model.js'

export type { Operation }

export interface NewOperation {
  id?: string
  kind: OperationKind
  resourceId: string
  resourceIdKey: string
  extensionId: string | null
  clusterId: string | null
  apiVersion: string
}

export function newOperationId(): string {
  return randomUUID()
}

export async function insertOperation(tx: Tx, op: NewOperation): Promise<Operation> {
  return tx.operation.create({
    data: {
      id: op.id ?? newOperationId(),
      kind: op.kind,
      resourceId: op.resourceId,
      resourceIdKey: op.resourceIdKey,
      extensionId: op.extensionId,
      clusterId: op.clusterId,
      apiVersion: op.apiVersion,
      status: 'InProgress',
    },
  })
}

export function loadOperation(db: Db | Tx, id: string): Promise<Operation | null> {
  return db.operation.findUnique({ where: { id } })
}

export async function recordProgress(db: Db, id: string, percentComplete: number): Promise<void> {
  await db.operation.updateMany({ where: { id, status: 'InProgress' }, data: { percentComplete } })
}

export async function recordAttempt(db: Db, id: string): Promise<void> {
  await db.operation.updateMany({ where: { id, status: 'InProgress' }, data: { attempts: { increment: 1 } } })
}

export interface Outcome {
  status: TerminalState
  error?: ErrorDetail
  statuses?: ExtensionStatus[]
  currentVersion?: string | null
}

/**
 * Ends an extension operation and applies its outcome to the extension in one transaction.
 * Only the operation that holds the extension's active slot may change it, so a duplicated or late job is harmless.
 * Returns false when the operation was already terminal.
 */
export async function finishExtensionOperation(db: Db, op: Operation, outcome: Outcome): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const ended = await tx.operation.updateMany({
      where: { id: op.id, status: 'InProgress' },
      data: {
        status: outcome.status,
        endTime: new Date(),
        percentComplete: outcome.status === 'Succeeded' ? 100 : undefined,
        error: outcome.error ? (outcome.error as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
      },
    })
    if (ended.count === 0) return false
    if (!op.extensionId) return true
    const removeResource = op.kind === 'extension.delete' && outcome.status === 'Succeeded'
    if (removeResource) {
      await tx.extension.deleteMany({ where: { id: op.extensionId, activeOperationId: op.id } })
      return true
    }
    await tx.extension.updateMany({
      where: { id: op.extensionId, activeOperationId: op.id },
      data: {
        provisioningState: outcome.status,
        activeOperationId: null,
        errorInfo: outcome.error ? (outcome.error as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
        ...(outcome.statuses ? { statuses: outcome.statuses as unknown as Prisma.InputJsonValue } : {}),
        ...(outcome.currentVersion !== undefined ? { currentVersion: outcome.currentVersion } : {}),
      },
    })
    return true
  })
}
