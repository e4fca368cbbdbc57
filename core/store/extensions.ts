// Extension writes accepted by the api: the resource change and its operation land in one transaction, and a
// resource with an operation in flight cannot be changed (ARM-CONTRACT 48), checked in the same statement that
// writes so two racing requests can never both win.
import { randomUUID } from 'node:crypto'
import type { Db } from '../db/client.js'
import { Prisma } from '../db/client.js'
import type { Extension } from '../db/generated/client.js'
import { ConcurrentModificationError, OperationInProgressError } from '../domain/errors.js'
import type { Caller, ExtensionSpec, OperationKind } from '../domain/model.js'
import { insertOperation, newOperationId, type Operation } from './operations.js'

export type { Extension }

export function findExtension(db: Db, idKey: string): Promise<Extension | null> {
  return db.extension.findUnique({ where: { idKey } })
}

/** The other extensions on a cluster, as the catalog's coexistence rules need them. */
export async function installedOnCluster(db: Db, clusterId: string): Promise<{ extensionType: string; name: string }[]> {
  return db.extension.findMany({ where: { clusterId }, select: { extensionType: true, name: true } })
}

export function newEtag(): string {
  return randomUUID()
}

export interface ExtensionWrite {
  resourceId: string
  idKey: string
  clusterId: string
  name: string
  spec: ExtensionSpec
  /** undefined keeps the stored secrets; null removes them. */
  protectedSettingsSealed: string | null | undefined
  caller: Caller
  apiVersion: string
}

export interface Accepted {
  extension: Extension
  operation: Operation
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002'
}

export async function acceptExtensionCreate(db: Db, write: ExtensionWrite): Promise<Accepted> {
  const operationId = newOperationId()
  const extensionId = randomUUID()
  try {
    return await db.$transaction(async (tx) => {
      const extension = await tx.extension.create({
        data: {
          id: extensionId,
          idKey: write.idKey,
          resourceId: write.resourceId,
          clusterId: write.clusterId,
          name: write.name,
          nameKey: write.name.toLowerCase(),
          extensionType: write.spec.extensionType,
          spec: write.spec as unknown as Prisma.InputJsonValue,
          protectedSettingsSealed: write.protectedSettingsSealed ?? null,
          provisioningState: 'Creating',
          activeOperationId: operationId,
          etag: newEtag(),
          createdBy: write.caller.id,
          createdByType: write.caller.type,
          lastModifiedBy: write.caller.id,
          lastModifiedByType: write.caller.type,
        },
      })
      const operation = await insertOperation(tx, {
        id: operationId,
        kind: 'extension.install',
        resourceId: write.resourceId,
        resourceIdKey: write.idKey,
        extensionId,
        clusterId: write.clusterId,
        apiVersion: write.apiVersion,
      })
      return { extension, operation }
    })
  } catch (error) {
    // A concurrent PUT created the same extension first; it now has an operation in flight.
    if (isUniqueViolation(error)) throw new OperationInProgressError(write.resourceId, null)
    throw error
  }
}

async function explainLostRace(db: Db, current: Extension): Promise<never> {
  const now = await db.extension.findUnique({ where: { id: current.id } })
  if (now?.activeOperationId) throw new OperationInProgressError(current.resourceId, now.activeOperationId)
  throw new ConcurrentModificationError(current.resourceId)
}

/** Starts an operation on an existing extension, guarded by its etag and free operation slot. */
export async function acceptExtensionChange(
  db: Db,
  current: Extension,
  change: {
    kind: Exclude<OperationKind, 'extension.install'>
    spec?: ExtensionSpec
    protectedSettingsSealed?: string | null
    caller: Caller
    apiVersion: string
  },
): Promise<Accepted> {
  if (current.activeOperationId) throw new OperationInProgressError(current.resourceId, current.activeOperationId)
  const operationId = newOperationId()
  const provisioningState = change.kind === 'extension.delete' ? 'Deleting' : 'Updating'
  const result = await db.$transaction(async (tx) => {
    const updated = await tx.extension.updateMany({
      where: { id: current.id, etag: current.etag, activeOperationId: null },
      data: {
        provisioningState,
        activeOperationId: operationId,
        etag: newEtag(),
        ...(change.spec ? { spec: change.spec as unknown as Prisma.InputJsonValue } : {}),
        ...(change.protectedSettingsSealed !== undefined ? { protectedSettingsSealed: change.protectedSettingsSealed } : {}),
        ...(change.kind !== 'extension.delete'
          ? { lastModifiedBy: change.caller.id, lastModifiedByType: change.caller.type, lastModifiedAt: new Date() }
          : {}),
        errorInfo: Prisma.DbNull,
      },
    })
    if (updated.count === 0) return null
    const operation = await insertOperation(tx, {
      id: operationId,
      kind: change.kind,
      resourceId: current.resourceId,
      resourceIdKey: current.idKey,
      extensionId: current.id,
      clusterId: current.clusterId,
      apiVersion: change.apiVersion,
    })
    const extension = await tx.extension.findUniqueOrThrow({ where: { id: current.id } })
    return { extension, operation }
  })
  return result ?? explainLostRace(db, current)
}
