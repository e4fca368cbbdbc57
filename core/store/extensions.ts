// Extension writes accepted by the api: the resource change, its operation and the operation's outbox row land in
// one transaction, and a resource with an operation in flight cannot be changed (ARM-CONTRACT 48), checked in the
// same statement that writes so two racing requests can never both win. A DELETE is the exception: it supersedes
// an install or update in flight (that operation ends Canceled) instead of waiting for it.
//
// Lock order, so concurrent accepts never deadlock: the cluster row first, then extension rows.
//   create: cluster FOR NO KEY UPDATE (serialises creates on one cluster, so coexistence is judged race-free)
//   update: cluster FOR KEY SHARE (only waits for a cluster delete being accepted)
//   cluster delete: cluster FOR UPDATE, then every extension row
//   extension delete: the extension row only
import { randomUUID } from 'node:crypto'
import type { Db, Tx } from '../db/client.js'
import { Prisma } from '../db/client.js'
import type { Cluster, Extension } from '../db/generated/client.js'
import { ConcurrentModificationError, OperationInProgressError } from '../domain/errors.js'
import { OperationErrorCodes, type Caller, type ErrorDetail, type ExtensionSpec, type ExtensionStatus } from '../domain/model.js'
import { cancelOperation, inTransaction, insertOperation, newOperationId, operationFlag, type Operation } from './operations.js'

export type { Extension }

/** The JSON columns of an extension row, as the domain types written into them. */
export interface ExtensionDocument {
  spec: ExtensionSpec
  statuses: ExtensionStatus[]
  errorInfo: ErrorDetail | null
}

export function extensionDocument(row: Pick<Extension, 'spec' | 'statuses' | 'errorInfo'>): ExtensionDocument {
  return {
    spec: row.spec as unknown as ExtensionSpec,
    statuses: row.statuses as unknown as ExtensionStatus[],
    errorInfo: (row.errorInfo as unknown as ErrorDetail | null) ?? null,
  }
}

export function findExtension(db: Db, idKey: string): Promise<Extension | null> {
  return db.extension.findUnique({ where: { idKey } })
}

/** A page of a cluster's extensions, by lower-cased name: those after `after`, at most `take`. */
export function listExtensions(db: Db, clusterId: string, page: { after: string | null; take: number }): Promise<Extension[]> {
  return db.extension.findMany({
    where: { clusterId, ...(page.after !== null ? { nameKey: { gt: page.after } } : {}) },
    orderBy: { nameKey: 'asc' },
    take: page.take,
  })
}

export interface InstalledExtension {
  extensionType: string
  name: string
}

/** The other extensions on a cluster, as the catalog's coexistence rules need them. */
export async function installedOnCluster(db: Db | Tx, clusterId: string): Promise<InstalledExtension[]> {
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
  /** x-ms-correlation-request-id of the request, so worker logs of the operation can be tied to it. */
  correlationId?: string
}

export interface ExtensionCreate extends ExtensionWrite {
  /**
   * Judges the new extension against the extensions on its cluster (the catalog's coexistence rules among the
   * others) and throws to refuse it. It runs under the cluster lock that serialises creates on one cluster, so of
   * two creates that may not coexist exactly one is accepted, and the rule is checked once.
   */
  admit: (installed: InstalledExtension[]) => void
}

export interface Accepted {
  extension: Extension
  operation: Operation
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002'
}

interface ClusterLockRow {
  id: string
  resource_id: string
  provisioning_state: string
}

type ClusterLockMode = 'FOR UPDATE' | 'FOR NO KEY UPDATE' | 'FOR KEY SHARE'

async function lockCluster(tx: Tx, clusterId: string, mode: ClusterLockMode): Promise<ClusterLockRow | null> {
  const rows = await tx.$queryRawUnsafe<ClusterLockRow[]>(`SELECT id::text, resource_id, provisioning_state FROM clusters WHERE id = $1::uuid ${mode}`, clusterId)
  return rows[0] ?? null
}

/** A cluster being deleted takes no new work: its deletion owns every extension on it. */
async function assertClusterAcceptsWork(tx: Tx, cluster: ClusterLockRow | null, resourceId: string): Promise<void> {
  if (!cluster) throw new ConcurrentModificationError(resourceId)
  if (cluster.provisioning_state !== 'Deleting') return
  const deletion = await tx.operation.findFirst({ where: { clusterId: cluster.id, kind: 'cluster.delete', status: 'InProgress' }, select: { id: true } })
  throw new OperationInProgressError(cluster.resource_id, deletion?.id ?? null)
}

export async function acceptExtensionCreate(db: Db, write: ExtensionCreate): Promise<Accepted> {
  const operationId = newOperationId()
  const extensionId = randomUUID()
  try {
    return await inTransaction(db, async (tx) => {
      const cluster = await lockCluster(tx, write.clusterId, 'FOR NO KEY UPDATE')
      // The request is judged before the cluster's state is: a request the catalog refuses is refused for that.
      write.admit(await installedOnCluster(tx, write.clusterId))
      await assertClusterAcceptsWork(tx, cluster, write.resourceId)
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
        correlationId: write.correlationId,
      })
      return { extension, operation }
    })
  } catch (error) {
    // A concurrent PUT created the same extension first: the request is judged again against that one.
    if (isUniqueViolation(error)) throw new ConcurrentModificationError(write.resourceId)
    throw error
  }
}

/** Starts an operation on an existing extension, guarded by its etag and free operation slot. */
export async function acceptExtensionChange(
  db: Db,
  current: Extension,
  change: {
    /** Deletes go through acceptExtensionDelete: a delete supersedes what is in flight rather than being refused. */
    kind: 'extension.update' | 'extension.upgrade'
    spec?: ExtensionSpec
    protectedSettingsSealed?: string | null
    caller: Caller
    apiVersion: string
    correlationId?: string
  },
): Promise<Accepted> {
  if (current.activeOperationId) throw new OperationInProgressError(current.resourceId, current.activeOperationId)
  const operationId = newOperationId()
  const result = await inTransaction(db, async (tx) => {
    await assertClusterAcceptsWork(tx, await lockCluster(tx, current.clusterId, 'FOR KEY SHARE'), current.resourceId)
    const updated = await tx.extension.updateMany({
      where: { id: current.id, etag: current.etag, activeOperationId: null },
      data: {
        provisioningState: 'Updating',
        activeOperationId: operationId,
        etag: newEtag(),
        ...(change.spec ? { spec: change.spec as unknown as Prisma.InputJsonValue } : {}),
        ...(change.protectedSettingsSealed !== undefined ? { protectedSettingsSealed: change.protectedSettingsSealed } : {}),
        // Only a caller's change to user-modifiable properties moves lastModified* (ARM-CONTRACT 54): not a delete, not an auto-upgrade.
        ...(change.kind === 'extension.update' ? { lastModifiedBy: change.caller.id, lastModifiedByType: change.caller.type, lastModifiedAt: new Date() } : {}),
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
      correlationId: change.correlationId,
    })
    const extension = await tx.extension.findUniqueOrThrow({ where: { id: current.id } })
    return { extension, operation }
  })
  // Another request changed the extension since it was read: the request is judged again against that change.
  if (!result) throw new ConcurrentModificationError(current.resourceId)
  return result
}

export interface DeleteRequest {
  apiVersion: string
  correlationId?: string
  /** Remove the resource even if the release cannot be uninstalled (ARM-CONTRACT 33). */
  forceDelete: boolean
  /** Set when the caller sent If-Match: the delete applies only to this version of the resource. */
  expectedEtag?: string
}

interface DeleteStarted {
  operation: Operation
  /** False when a delete already in flight was kept: nothing new to deliver. */
  created: boolean
  canceled: string | null
}

function canceled(message: string) {
  return { code: OperationErrorCodes.canceled, message }
}

function canceledBy(operationId: string, why: string) {
  return canceled(`Canceled before it finished: ${why} (operation ${operationId}) superseded this operation.`)
}

/**
 * Points the extension's slot at a delete operation: a delete already in flight is kept (unless this one forces
 * and that one does not), anything else in flight is canceled. Caller holds the extension row lock.
 */
async function startExtensionDelete(tx: Tx, extension: Extension, request: { apiVersion: string; correlationId?: string; forceDelete: boolean; why: string }): Promise<DeleteStarted> {
  const active = extension.activeOperationId ? await tx.operation.findUnique({ where: { id: extension.activeOperationId } }) : null
  const running = active?.status === 'InProgress' ? active : null
  if (running?.kind === 'extension.delete' && (operationFlag(running, 'forceDelete') || !request.forceDelete)) {
    return { operation: running, created: false, canceled: null }
  }
  const operationId = newOperationId()
  if (running) await cancelOperation(tx, running.id, canceledBy(operationId, request.why))
  await tx.extension.update({
    where: { id: extension.id },
    data: { provisioningState: 'Deleting', activeOperationId: operationId, etag: newEtag(), errorInfo: Prisma.DbNull },
  })
  const operation = await insertOperation(tx, {
    id: operationId,
    kind: 'extension.delete',
    resourceId: extension.resourceId,
    resourceIdKey: extension.idKey,
    extensionId: extension.id,
    clusterId: extension.clusterId,
    apiVersion: request.apiVersion,
    correlationId: request.correlationId,
    properties: {
      ...(request.forceDelete ? { forceDelete: true } : {}),
      ...(running ? { supersededOperationId: running.id } : {}),
    },
  })
  return { operation, created: true, canceled: running?.id ?? null }
}

async function lockExtensions(tx: Tx, where: { id: string } | { clusterId: string }): Promise<Extension[]> {
  const ids =
    'id' in where
      ? await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM extensions WHERE id = ${where.id}::uuid FOR UPDATE`
      : await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM extensions WHERE cluster_id = ${where.clusterId}::uuid ORDER BY id FOR UPDATE`
  if (ids.length === 0) return []
  return tx.extension.findMany({ where: { id: { in: ids.map((row) => row.id) } }, orderBy: { id: 'asc' } })
}

/**
 * Accepts a DELETE. An install or update in flight is canceled and the delete queued behind it (the worker's
 * per-extension lock keeps the two from interleaving); a delete in flight is answered with itself, so a repeated
 * DELETE is idempotent. Returns null when the extension is already gone.
 */
export async function acceptExtensionDelete(db: Db, current: Extension, request: DeleteRequest): Promise<(Accepted & { created: boolean }) | null> {
  return inTransaction(db, async (tx) => {
    const [extension] = await lockExtensions(tx, { id: current.id })
    if (!extension) return null
    if (request.expectedEtag !== undefined && extension.etag !== request.expectedEtag) throw new ConcurrentModificationError(current.resourceId)
    const started = await startExtensionDelete(tx, extension, { ...request, why: 'a DELETE request for this extension' })
    const updated = started.created ? await tx.extension.findUniqueOrThrow({ where: { id: extension.id } }) : extension
    return { extension: updated, operation: started.operation, created: started.created }
  })
}

export type ClusterDeleteAccepted =
  | { outcome: 'gone' }
  | { outcome: 'deleted' }
  | {
      outcome: 'accepted'
      operation: Operation
      /** Operations to deliver: the new extension deletes, then the cluster deletion (empty when one was already running). */
      deliver: Operation[]
    }

/**
 * Accepts a cluster DELETE. Without extensions the registration goes at once; otherwise the cluster turns Deleting,
 * every extension gets a delete operation (superseding whatever it had in flight) and a cluster.delete operation
 * removes the registration once they are all gone.
 */
export async function acceptClusterDelete(db: Db, cluster: Cluster, request: DeleteRequest): Promise<ClusterDeleteAccepted> {
  return inTransaction(db, async (tx) => {
    const locked = await lockCluster(tx, cluster.id, 'FOR UPDATE')
    if (!locked) return { outcome: 'gone' }
    if (request.expectedEtag !== undefined) {
      const { etag } = await tx.cluster.findUniqueOrThrow({ where: { id: cluster.id }, select: { etag: true } })
      if (etag !== request.expectedEtag) throw new ConcurrentModificationError(cluster.resourceId)
    }
    const running = await tx.operation.findFirst({ where: { clusterId: cluster.id, kind: 'cluster.delete', status: 'InProgress' } })
    if (running && (operationFlag(running, 'forceDelete') || !request.forceDelete)) return { outcome: 'accepted', operation: running, deliver: [] }
    const extensions = await lockExtensions(tx, { clusterId: cluster.id })
    if (extensions.length === 0) {
      if (running) await cancelOperation(tx, running.id, canceled('Canceled before it finished: a DELETE request with forceDelete=true removed the cluster, which had no extensions left.'))
      await tx.cluster.delete({ where: { id: cluster.id } })
      return { outcome: 'deleted' }
    }
    const operationId = newOperationId()
    if (running) await cancelOperation(tx, running.id, canceledBy(operationId, 'a DELETE request with forceDelete=true for this cluster'))
    const why = `the deletion of cluster '${cluster.name}'`
    const deliver: Operation[] = []
    for (const extension of extensions) {
      const started = await startExtensionDelete(tx, extension, { apiVersion: request.apiVersion, correlationId: request.correlationId, forceDelete: request.forceDelete, why })
      if (started.created) deliver.push(started.operation)
    }
    await tx.cluster.update({ where: { id: cluster.id }, data: { provisioningState: 'Deleting', etag: newEtag() } })
    const operation = await insertOperation(tx, {
      id: operationId,
      kind: 'cluster.delete',
      resourceId: cluster.resourceId,
      resourceIdKey: cluster.idKey,
      extensionId: null,
      clusterId: cluster.id,
      apiVersion: request.apiVersion,
      correlationId: request.correlationId,
      properties: { extensionCount: extensions.length, ...(request.forceDelete ? { forceDelete: true } : {}) },
    })
    deliver.push(operation)
    return { outcome: 'accepted', operation, deliver }
  })
}
