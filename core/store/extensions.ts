// Extension writes accepted by the api: the resource change, its operation and the operation's outbox row land in
// one transaction, and a resource with an operation in flight cannot be changed (docs/arm-rules.md rule 48), checked in the
// same statement that writes so two racing requests can never both win. A DELETE is the exception: it supersedes
// an install or update in flight (that operation ends Canceled) instead of waiting for it.
//
// Lock order, so concurrent accepts never deadlock: the cluster row first, then extension rows.
//   create: cluster FOR NO KEY UPDATE (serialises creates on one cluster, so coexistence is judged race-free)
//   update: cluster FOR KEY SHARE (only waits for a cluster delete being accepted)
//   cluster delete: cluster FOR UPDATE, then every extension row
//   extension delete: the extension row only
//
// A PUT is accepted in one call of a PL/pgSQL function (acceptExtensionPut) that takes the cluster lock in the mode
// above, re-checks what the judgement relied on, checks the coexisting extensions the catalog rules judge with a
// snapshot taken after the lock was granted (so it sees every create that held the lock before), and writes
// extension, operation and outbox row (core/store/extension-statements.ts). The judgement reads the cluster and the
// extension first without a lock, in one statement; a create on a cluster this process judged before skips that read
// (the call re-checks the cluster's etag and answers an existing extension). A refused request costs more
// statements; an accepted one never.
//
// Other creates and changes run in a transaction on a node-postgres connection of Prisma's pool
// (core/db/driver-transaction.ts), which retries a deadlock victim (40P01) or serialization loser (40001) as
// inTransaction does; deletes stay on Prisma.
import { randomUUID } from 'node:crypto'
import type { Db, Tx } from '../db/client.js'
import { Prisma, driverPool } from '../db/client.js'
import { driverStatements, inDriverTransaction, prismaSql, type Sql } from '../db/driver-transaction.js'
import type { Cluster, Extension } from '../db/generated/client.js'
import { ConcurrentModificationError, OperationInProgressError } from '../domain/errors.js'
import { ErrorCodes } from '../domain/error-catalogue.js'
import { type Caller, type ErrorDetail, type ExtensionSpec, type ExtensionStatus } from '../domain/model.js'
import { coexistenceTypes, type InstalledExtension } from '../catalog/rules.js'
import { lastGoodOf, type LastGood } from '../domain/last-good.js'
import { clusterFromRow, extensionFromRow, optionalRow } from './rows.js'
import { defaultCatalog } from '../catalog/catalog.js'
import { cancelOperation, inTransaction, insertOperation, newOperationId, operationFlag, type Operation } from './operations.js'
import {
  coexistingExtensions,
  insertExtension,
  lockClusterById,
  lockForPut,
  updateExtension,
  type CoexistenceGuard,
  type JudgedCluster,
  type LockedCluster,
  type PutTarget,
  type Written,
} from './extension-statements.js'

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

/**
 * Straight to the driver: every read of a single extension (GET above all) would otherwise pay Prisma's plan. A named
 * statement is parsed once per connection, not per call (about 15 µs of the api's CPU and a parse in Postgres).
 */
export async function findExtension(db: Db, idKey: string): Promise<Extension | null> {
  const { rows } = await driverPool(db).query<{ row: unknown }>({ name: 'find-extension', text: 'SELECT to_jsonb(e) AS row FROM extensions e WHERE e.id_key = $1', values: [idKey] })
  const [found] = rows
  return found ? extensionFromRow(found.row) : null
}

/**
 * What a PUT is judged against, read together without a lock (the accept re-checks it under the lock): the cluster
 * and, if the cluster exists, the extension. Named, as findExtension.
 */
async function readForPut(db: Db, target: PutTarget): Promise<{ cluster: Cluster | null; current: Extension | null }> {
  const { rows } = await driverPool(db).query<{ cluster: unknown; current: unknown }>({
    name: 'read-for-put',
    text: 'SELECT (SELECT to_jsonb(c) FROM clusters c WHERE c.id_key = $1) AS cluster, (SELECT to_jsonb(e) FROM extensions e WHERE e.id_key = $2) AS current',
    values: [target.clusterIdKey, target.extensionIdKey],
  })
  const [row] = rows
  const cluster = optionalRow(row?.cluster, clusterFromRow)
  return { cluster, current: cluster ? optionalRow(row?.current, extensionFromRow) : null }
}

/**
 * A page of a cluster's extensions, by lower-cased name: those after `after`, at most `take`. Through the driver, as
 * findExtension: a LIST is an ordinary read, and on Prisma it would plan every call and instantiate Prisma's query
 * compiler (about 30 MB resident) in an api that otherwise never needs it. A named statement per shape, so each is
 * parsed once per connection and keeps a plan on the (cluster_id, name_key) index.
 */
export async function listExtensions(db: Db, clusterId: string, page: { after: string | null; take: number }): Promise<Extension[]> {
  const { rows } = await driverPool(db).query<{ row: unknown }>(
    page.after === null
      ? { name: 'list-extensions', text: 'SELECT to_jsonb(e) AS row FROM extensions e WHERE e.cluster_id = $1::uuid ORDER BY e.name_key LIMIT $2', values: [clusterId, page.take] }
      : {
          name: 'list-extensions-after',
          text: 'SELECT to_jsonb(e) AS row FROM extensions e WHERE e.cluster_id = $1::uuid AND e.name_key > $3 ORDER BY e.name_key LIMIT $2',
          values: [clusterId, page.take, page.after],
        },
  )
  return rows.map((found) => extensionFromRow(found.row))
}

/** An extension on a cluster as the catalog's coexistence rules judge it. */
export type { InstalledExtension }

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
   * others) and throws to refuse it. It is given the extensions as read under the cluster lock that serialises
   * creates on one cluster, so of two creates that may not coexist exactly one is accepted.
   */
  admit: Admit
}

/** Throws to refuse a write given the extensions on the cluster its coexistence rules look at. */
export type Admit = (installed: InstalledExtension[]) => void

export interface Accepted {
  extension: Extension
  operation: Operation
}

/** The guard for a write of `extensionType`: the types whose presence the catalog's coexistence rules judge. */
function coexistenceGuard(clusterId: string, extensionType: string, name: string): CoexistenceGuard {
  const catalog = defaultCatalog()
  const type = catalog.findType(extensionType)
  return { clusterId, types: type ? coexistenceTypes(type, catalog) : [], nameKey: name.toLowerCase() }
}

/**
 * The extensions a write of `extensionType` named `name` would be judged against (the coexistence rules' reading), read
 * without a lock: for a what-if, which changes nothing and so needs no serialisation against concurrent creates. On
 * the driver pool, as the PUT it rehearses, so a what-if does not load Prisma's query compiler into the api either.
 */
export function findCoexistingExtensions(db: Db, clusterId: string, extensionType: string, name: string): Promise<InstalledExtension[]> {
  return coexistingExtensions(driverStatements(db), coexistenceGuard(clusterId, extensionType, name))
}

/** A cluster being deleted takes no new work: its deletion owns every extension on it. */
async function clusterDeletionInProgress(sql: Sql, cluster: LockedCluster): Promise<OperationInProgressError> {
  const [deletion] = await sql<{ id: string }>(Prisma.sql`SELECT id::text FROM operations WHERE cluster_id = ${cluster.id}::uuid AND kind = 'cluster.delete' AND status = 'InProgress' LIMIT 1`)
  return new OperationInProgressError(cluster.resourceId, deletion?.id ?? null)
}

function refusal(admit: Admit): unknown {
  try {
    admit([])
    return null
  } catch (error) {
    return error
  }
}

/** The cluster a write was judged against; `etag` as in JudgedCluster (null: judged under the lock). */
type JudgedAgainst = LockedCluster & JudgedCluster

interface Judged {
  cluster: JudgedAgainst
  guard: CoexistenceGuard
  admit: Admit
  /** Set when an operation on the extension is in flight (an update only). */
  inFlight: OperationInProgressError | null
  /** The write that accepts the request, guarded by `guard`'s coexistence check. */
  write: (guard: CoexistenceGuard) => Promise<Written>
}

/** Whether the judgement refuses the write before any coexisting extension is read. */
function refusedOutright(judged: Judged): boolean {
  return judged.cluster.provisioningState === 'Deleting' || judged.inFlight !== null || refusal(judged.admit) !== null
}

/**
 * Refuses the write in the order a caller is told why: the catalog's rules first (coexistence among them), then an
 * operation in flight, then a cluster being deleted. Only a refusal reads the coexisting extensions on its own; an
 * accepted write checks them in the statement that writes (`write`), so the common case costs one statement.
 * Runs in a transaction that holds the cluster lock.
 */
async function writeUnlessRefused(sql: Sql, judged: Judged): Promise<Accepted | null> {
  if (refusedOutright(judged)) {
    judged.admit(await coexistingExtensions(sql, judged.guard))
    throw refusal(judged.admit) ?? judged.inFlight ?? (await clusterDeletionInProgress(sql, judged.cluster))
  }
  const first = await judged.write(judged.guard)
  if (first.blocking.length === 0) return first.written
  judged.admit(first.blocking)
  // The rules themselves admitted what the guard's coarser reading held back: they are the judge.
  return (await judged.write({ ...judged.guard, types: [] })).written
}

/** Accepts a create; the caller supplies the cluster it belongs to. Four statements: BEGIN, lock, write, COMMIT. */
export async function acceptExtensionCreate(db: Db, write: ExtensionCreate): Promise<Accepted> {
  return inDriverTransaction(db, async (sql) => createIn(sql, write, underLock(await lockClusterById(sql, write.clusterId, 'FOR NO KEY UPDATE'))))
}

/** A cluster locked by the transaction that judges against it: nothing for the write to re-check. */
function underLock(cluster: LockedCluster | null): JudgedAgainst | null {
  return cluster && { ...cluster, etag: null }
}

/** The judgement of a create and the write that accepts it. */
function createJudged(sql: Sql, write: ExtensionCreate, cluster: JudgedAgainst): Judged {
  const operationId = newOperationId()
  return {
    cluster,
    guard: coexistenceGuard(cluster.id, write.spec.extensionType, write.name),
    admit: write.admit,
    inFlight: null,
    write: (guard) =>
      insertExtension(
        sql,
        guard,
        cluster,
        {
          id: randomUUID(),
          idKey: write.idKey,
          resourceId: write.resourceId,
          name: write.name,
          spec: write.spec,
          protectedSettingsSealed: write.protectedSettingsSealed ?? null,
          etag: newEtag(),
          caller: write.caller,
        },
        { id: operationId, apiVersion: write.apiVersion, correlationId: write.correlationId ?? null },
      ),
  }
}

async function createIn(sql: Sql, write: ExtensionCreate, cluster: JudgedAgainst | null): Promise<Accepted> {
  if (!cluster) throw new ConcurrentModificationError(write.resourceId)
  const accepted = await writeUnlessRefused(sql, createJudged(sql, write, cluster))
  // A concurrent PUT created the same extension first: the request is judged again against that one.
  if (!accepted) throw new ConcurrentModificationError(write.resourceId)
  return accepted
}

export interface ExtensionChange {
  /** Deletes go through acceptExtensionDelete: a delete supersedes what is in flight rather than being refused. */
  kind: 'extension.update' | 'extension.upgrade' | 'extension.rollback' | 'extension.repair'
  spec?: ExtensionSpec
  protectedSettingsSealed?: string | null
  caller: Caller
  apiVersion: string
  correlationId?: string
  /** Judges the change against the coexisting extensions, as a create's admit does; absent judges nothing. */
  admit?: Admit
  /** The operation's properties (e.g. `targetVersion` for the job; shown to callers once it succeeds). */
  properties?: Record<string, unknown>
}

/** The judgement of a change and the write that accepts it. */
function changeJudged(sql: Sql, cluster: JudgedAgainst, current: Extension, change: ExtensionChange): Judged {
  const operationId = newOperationId()
  return {
    cluster,
    guard: change.admit ? coexistenceGuard(cluster.id, current.extensionType, current.name) : { clusterId: cluster.id, types: [], nameKey: current.nameKey },
    admit: change.admit ?? (() => {}),
    inFlight: current.activeOperationId ? new OperationInProgressError(current.resourceId, current.activeOperationId) : null,
    write: (guard) =>
      updateExtension(
        sql,
        guard,
        cluster,
        current,
        {
          etag: newEtag(),
          spec: change.spec,
          protectedSettingsSealed: change.protectedSettingsSealed,
          // Only a caller's change to user-modifiable properties moves lastModified* (docs/arm-rules.md rule 54): not a
          // delete, not an auto-upgrade or drift repair; a rollback restores settings at the caller's request, so it does.
          modifiedBy: change.kind === 'extension.update' || change.kind === 'extension.rollback' ? change.caller : undefined,
        },
        { id: operationId, kind: change.kind, apiVersion: change.apiVersion, correlationId: change.correlationId ?? null, properties: change.properties },
      ),
  }
}

async function changeIn(sql: Sql, cluster: JudgedAgainst | null, current: Extension, change: ExtensionChange): Promise<Accepted> {
  if (!cluster) throw new ConcurrentModificationError(current.resourceId)
  const accepted = await writeUnlessRefused(sql, changeJudged(sql, cluster, current, change))
  // Another request changed the extension since it was read: the request is judged again against that change.
  if (!accepted) throw new ConcurrentModificationError(current.resourceId)
  return accepted
}

/** Starts an operation on an existing extension, guarded by its etag and free operation slot. */
export async function acceptExtensionChange(db: Db, current: Extension, change: ExtensionChange): Promise<Accepted> {
  if (current.activeOperationId && !change.admit) throw new OperationInProgressError(current.resourceId, current.activeOperationId)
  return inDriverTransaction(db, async (sql) => changeIn(sql, underLock(await lockClusterById(sql, current.clusterId, 'FOR KEY SHARE')), current, change))
}

/** What a PUT decided after seeing the extension as it is: a create or a change of the existing one. */
export type PutDecision = { create: ExtensionCreate } | { change: ExtensionChange }

type PutAccepted = Accepted & { created: boolean }

type Decide = (cluster: Cluster | null, current: Extension | null) => PutDecision

/**
 * Clusters PUTs were lately judged against, by id key, per database: a create on a cluster seen before is judged
 * against this copy and written in one call, without a read first. Safe because the call re-checks the cluster's
 * etag under its lock (every change of a registration that a judgement reads gives it a new etag), and a copy found
 * changed is dropped. First in, first out, bounded.
 */
const judgedClusters = new WeakMap<Db, Map<string, Cluster>>()
const JUDGED_CLUSTERS_KEPT = 2000

function clustersJudged(db: Db): Map<string, Cluster> {
  let clusters = judgedClusters.get(db)
  if (!clusters) judgedClusters.set(db, (clusters = new Map()))
  return clusters
}

function rememberCluster(db: Db, idKey: string, cluster: Cluster | null): void {
  const clusters = clustersJudged(db)
  clusters.delete(idKey)
  if (!cluster) return
  if (clusters.size >= JUDGED_CLUSTERS_KEPT) clusters.delete(clusters.keys().next().value!)
  // No judgement reads the sealed kubeconfig, which can be kilobytes: it is not kept.
  clusters.set(idKey, { ...cluster, kubeconfigSealed: null })
}

/**
 * Accepts a PUT. A create on a cluster judged before is one call (acceptAsCreate); otherwise two statements: the
 * cluster and the extension read together without a lock, then one call that re-checks under the cluster lock what
 * `decide` judged against (the cluster's etag, the extension absent or at the same etag with no operation in flight)
 * and the coexisting extensions, and writes (core/store/extension-statements.ts). `decide` throws to refuse the
 * request (nothing written). When the re-check finds things changed, the request is judged again from the read
 * (ConcurrentModificationError, api/arm/lost-race.ts). A refusal that depends on the coexisting extensions or on
 * state in flight is judged again in a transaction under the lock (lockedPut), so its answer is the one that
 * transaction would give.
 */
export async function acceptExtensionPut(db: Db, target: PutTarget, decide: Decide): Promise<PutAccepted> {
  const sql = driverStatements(db)
  const known = clustersJudged(db).get(target.clusterIdKey)
  const asCreate = known ? await acceptAsCreate(db, sql, target, known, decide) : null
  if (asCreate) return asCreate
  const { cluster, current } = await readForPut(db, target)
  rememberCluster(db, target.clusterIdKey, cluster)
  const decision = decide(cluster, current)
  const accepted = cluster ? await acceptJudged(sql, cluster, current, decision) : null
  return accepted ?? lockedPut(db, target, decide)
}

/**
 * The PUT judged as a create against the cluster as last seen, written in one call that re-checks the cluster and
 * finds whether the extension exists. If it does, the request is judged again as a change of it (a second call).
 * Null when the read is needed after all: the cluster changed, or the judgement refused (its answer must come from
 * the extension as it is, which this judgement did not see).
 */
async function acceptAsCreate(db: Db, sql: Sql, target: PutTarget, cluster: Cluster, decide: Decide): Promise<PutAccepted | null> {
  let decision: PutDecision
  try {
    decision = decide(cluster, null)
  } catch {
    return null
  }
  if (!('create' in decision)) return null
  const judged = createJudged(sql, decision.create, cluster)
  if (refusedOutright(judged)) return null
  const { written, existing, blocking } = await judged.write(judged.guard)
  if (written) return { ...written, created: true }
  if (existing) return acceptJudged(sql, cluster, existing, decide(cluster, existing))
  if (blocking.length === 0) {
    rememberCluster(db, target.clusterIdKey, null)
    return null
  }
  // Found after the call re-checked the cluster and found no such extension: the rules refuse as under the lock.
  judged.admit(blocking)
  return null
}

/** The PUT as judged against an unlocked read, in one call; null when only the locked judgement can answer it. */
async function acceptJudged(sql: Sql, cluster: JudgedAgainst, current: Extension | null, decision: PutDecision): Promise<PutAccepted | null> {
  const put = putJudged(sql, cluster, current, decision)
  if (refusedOutright(put.judged)) return null
  const { written, blocking } = await put.judged.write(put.judged.guard)
  if (written) return { ...written, created: put.created }
  if (blocking.length > 0) {
    // A create's call re-checked the cluster and found no such extension first, so the rules refuse as they would
    // under the lock; a change is judged under the lock, against the extension as it is then.
    if (put.created) put.judged.admit(blocking)
    return null
  }
  // The cluster changed, or a concurrent request created or changed the extension first: judged again from the read.
  throw new ConcurrentModificationError(put.resourceId)
}

function putJudged(sql: Sql, cluster: JudgedAgainst, current: Extension | null, decision: PutDecision): { judged: Judged; created: boolean; resourceId: string } {
  if ('create' in decision) return { judged: createJudged(sql, decision.create, cluster), created: true, resourceId: decision.create.resourceId }
  if (!current) throw new Error('a PUT decided to change an extension that does not exist')
  return { judged: changeJudged(sql, cluster, current, decision.change), created: false, resourceId: current.resourceId }
}

/**
 * The PUT judged and written in one transaction that holds the cluster lock: BEGIN; the cluster (locked) and the
 * extension read together; the write; COMMIT. For the requests the single call leaves to it.
 */
function lockedPut(db: Db, target: PutTarget, decide: Decide): Promise<PutAccepted> {
  return inDriverTransaction(db, async (sql) => {
    const { cluster, current } = await lockForPut(sql, target)
    const decision = decide(cluster, current)
    const locked = cluster ? { id: cluster.id, resourceId: cluster.resourceId, provisioningState: cluster.provisioningState, etag: null } : null
    if ('create' in decision) return { ...(await createIn(sql, decision.create, locked)), created: true }
    if (!current) throw new Error('a PUT decided to change an extension that does not exist')
    return { ...(await changeIn(sql, locked, current, decision.change)), created: false }
  })
}

export interface DeleteRequest {
  apiVersion: string
  correlationId?: string
  /** Remove the resource even if the release cannot be uninstalled (docs/arm-rules.md rule 33). */
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
  return { code: ErrorCodes.OperationCanceled, message }
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

/** Where the release of a force-deleted extension is, for its background cleanup (extension.cleanup). */
export interface ReleaseLocation {
  releaseName: string
  /** Undefined when the api could not tell (the type left the catalog); the driver then finds the release itself. */
  releaseNamespace?: string
}

/**
 * Accepts a DELETE with forceDelete=true as Azure answers it: the resource is gone when this commits (GET is 404 at
 * once). Whatever was in flight is canceled, and an `extension.cleanup` operation is queued to uninstall the release
 * in the background; it names the removed row's id, so it waits for a canceled job still holding that extension, and
 * never writes an extension row. Returns null when the extension is already gone.
 */
export async function acceptExtensionForceDelete(
  db: Db,
  current: Extension,
  request: DeleteRequest & { release: (extension: Extension) => ReleaseLocation },
): Promise<{ operation: Operation } | null> {
  return inTransaction(db, async (tx) => {
    const [extension] = await lockExtensions(tx, { id: current.id })
    if (!extension) return null
    if (request.expectedEtag !== undefined && extension.etag !== request.expectedEtag) throw new ConcurrentModificationError(current.resourceId)
    const operationId = newOperationId()
    const running = extension.activeOperationId ? await tx.operation.findUnique({ where: { id: extension.activeOperationId } }) : null
    if (running?.status === 'InProgress') await cancelOperation(tx, running.id, canceledBy(operationId, 'a DELETE with forceDelete=true for this extension'))
    await tx.extension.delete({ where: { id: extension.id } })
    const operation = await insertOperation(tx, {
      id: operationId,
      kind: 'extension.cleanup',
      resourceId: extension.resourceId,
      resourceIdKey: extension.idKey,
      extensionId: extension.id,
      clusterId: extension.clusterId,
      apiVersion: request.apiVersion,
      correlationId: request.correlationId,
      properties: { ...request.release(extension), ...(running?.status === 'InProgress' ? { supersededOperationId: running.id } : {}) },
    })
    return { operation }
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
    const locked = await lockClusterById(prismaSql(tx), cluster.id, 'FOR UPDATE')
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

export interface RollbackRequest {
  caller: Caller
  apiVersion: string
  correlationId?: string
}

/**
 * Whether the extension is anywhere but its last known good: another version, other settings, or a failed last
 * operation. Null when there is no last known good to go back to.
 */
export function rollbackTarget(extension: Extension): LastGood | null {
  const good = lastGoodOf(extension)
  if (!good) return null
  const onIt =
    extension.provisioningState === 'Succeeded' &&
    extension.currentVersion === good.version &&
    JSON.stringify(extension.spec) === JSON.stringify(good.spec) &&
    extension.protectedSettingsSealed === extension.lastGoodProtectedSettingsSealed
  return onIt ? null : good
}

/**
 * Accepts POST …/rollback: the last known good spec and sealed protected settings become the desired state again,
 * and an `extension.rollback` operation re-applies exactly its version. Guarded like any change (etag, free slot).
 */
export async function acceptExtensionRollback(db: Db, current: Extension, good: LastGood, request: RollbackRequest): Promise<Accepted> {
  return acceptExtensionChange(db, current, {
    kind: 'extension.rollback',
    spec: good.spec,
    protectedSettingsSealed: current.lastGoodProtectedSettingsSealed,
    caller: request.caller,
    apiVersion: request.apiVersion,
    correlationId: request.correlationId,
    properties: { targetVersion: good.version, fromVersion: current.currentVersion },
  })
}
