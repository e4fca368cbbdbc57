// Operation rows: created by the api together with the resource change (and an outbox row, so delivery survives a
// crash between commit and enqueue), finished by workers together with the resource outcome, each in one
// transaction (ARO-RP's frontend/backend split over one database).
import { randomUUID } from 'node:crypto'
import type { Db, Tx } from '../db/client.js'
import { Prisma, driverRows } from '../db/client.js'
import { retryingWriteConflicts } from '../db/driver-transaction.js'
import type { Operation } from '../db/generated/client.js'
import { addOutboxRow } from './outbox.js'
import type { DriverStep } from '../domain/driver-step.js'
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
  correlationId?: string
  /** Request options the worker needs (forceDelete, ...); shown to callers once the operation succeeds. */
  properties?: Record<string, unknown>
}

export function newOperationId(): string {
  return randomUUID()
}

/** Inserts the operation and its outbox row; call inside the transaction that changes the resource. */
export async function insertOperation(tx: Tx, op: NewOperation): Promise<Operation> {
  const operation = await tx.operation.create({
    data: {
      id: op.id ?? newOperationId(),
      kind: op.kind,
      resourceId: op.resourceId,
      resourceIdKey: op.resourceIdKey,
      extensionId: op.extensionId,
      clusterId: op.clusterId,
      apiVersion: op.apiVersion,
      correlationId: op.correlationId ?? null,
      status: 'InProgress',
      properties: (op.properties ?? {}) as Prisma.InputJsonValue,
    },
  })
  await addOutboxRow(tx, { id: operation.id, kind: op.kind })
  return operation
}

/** The operation's error column as the domain type the workers wrote into it; null while none is recorded. */
export function operationError(op: Pick<Operation, 'error'>): ErrorDetail | null {
  return (op.error as unknown as ErrorDetail | null) ?? null
}

/**
 * A page of a cluster's operations still running, by id: those after `after`, at most `take`. A forceDelete's
 * cleanup is internal (its DELETE already answered 200), so ARM clients never see it.
 */
export function listRunningOperations(db: Db, clusterId: string, page: { after: string | null; take: number }): Promise<Operation[]> {
  return db.operation.findMany({
    where: { clusterId, status: 'InProgress', kind: { not: 'extension.cleanup' }, ...(page.after !== null ? { id: { gt: page.after } } : {}) },
    orderBy: { id: 'asc' },
    take: page.take,
  })
}

export function loadOperation(db: Db | Tx, id: string): Promise<Operation | null> {
  return db.operation.findUnique({ where: { id } })
}

export async function recordProgress(db: Db, id: string, percentComplete: number): Promise<void> {
  await driverRows(db, 'record-progress', Prisma.sql`UPDATE operations SET percent_complete = ${percentComplete}, updated_at = now() WHERE id = ${id}::uuid AND status = 'InProgress'`)
}

/** Takes back an attempt that only found its preconditions unmet (waiting is not failing). */
export async function releaseAttempt(db: Db, id: string): Promise<void> {
  await db.operation.updateMany({ where: { id, status: 'InProgress', attempts: { gt: 0 } }, data: { attempts: { decrement: 1 } } })
}

export async function operationStatus(db: Db, id: string): Promise<string | null> {
  const rows = await driverRows<{ status: string }>(db, 'operation-status', Prisma.sql`SELECT status FROM operations WHERE id = ${id}::uuid`)
  return rows[0]?.status ?? null
}

/**
 * An attempt's driver steps as a statement parameter (null for none), each with how long before now it started, so
 * the timeline places it on the database's clock whatever the worker's clock says.
 */
function stepsParam(steps: readonly DriverStep[] | undefined): string | null {
  if (!steps?.length) return null
  const now = Date.now()
  return JSON.stringify(
    steps.map((s) => ({ driver: s.driver, step: s.step, status: s.status, error_code: s.errorCode ?? null, duration_ms: s.durationMs ?? now - s.startedAt, ago_ms: now - s.startedAt })),
  )
}

/**
 * A CTE that puts an attempt's driver steps on the operation's timeline, in the order they started, inside a statement
 * that runs anyway (so they cost no statement of their own). Steps of an operation that is gone are dropped.
 */
function driverStepEvents(opId: string, steps: readonly DriverStep[] | undefined): Prisma.Sql {
  return Prisma.sql`
    stepped AS (
      INSERT INTO operation_events (operation_id, kind, at, attempt, driver, step, status, error_code, duration_ms)
      SELECT o.id, 'driverStep', clock_timestamp() - make_interval(secs => s.ago_ms / 1000.0), o.attempts, s.driver, s.step, s.status, s.error_code, s.duration_ms
        FROM operations o,
             ROWS FROM (jsonb_to_recordset(${stepsParam(steps)}::jsonb) AS (driver text, step text, status text, error_code text, duration_ms int, ago_ms int))
               WITH ORDINALITY AS s(driver, step, status, error_code, duration_ms, ago_ms, ord)
       WHERE o.id = ${opId}::uuid
       ORDER BY s.ord
      RETURNING id)`
}

/**
 * Puts the attempt's driver steps and the retry on the operation's timeline, its failure's code as the retry's
 * reason, and shows the failure on the extension while the operation waits to retry it: one statement.
 */
export async function recordRetry(db: Db, op: Operation, status: ExtensionStatus, steps?: readonly DriverStep[]): Promise<void> {
  // The retry's event reads `stepped`, so the steps are inserted (and numbered) before it.
  await db.$executeRaw`
    WITH ${driverStepEvents(op.id, steps)},
    event AS (
      INSERT INTO operation_events (operation_id, kind, attempt, reason)
      SELECT id, 'retryScheduled', attempts, ${status.code} FROM operations WHERE id = ${op.id}::uuid AND status = 'InProgress' AND (SELECT count(*) FROM stepped) >= 0)
    UPDATE extensions SET statuses = ${JSON.stringify([status])}::jsonb
     WHERE ${op.extensionId}::uuid IS NOT NULL AND id = ${op.extensionId}::uuid AND active_operation_id = ${op.id}::uuid`
}

export interface Outcome {
  status: TerminalState
  error?: ErrorDetail
  statuses?: ExtensionStatus[]
  currentVersion?: string | null
  /** Merged into the operation's properties (shown once it succeeds). */
  properties?: Record<string, unknown>
}

/** Prisma reports a deadlock or serialization failure as P2034, except from a raw statement (P2010 with the driver's kind). */
function isWriteConflict(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false
  if (error.code === 'P2034') return true
  const adapterError = error.meta?.driverAdapterError
  const cause = adapterError instanceof Error ? adapterError.cause : undefined
  return error.code === 'P2010' && typeof cause === 'object' && cause !== null && 'kind' in cause && cause.kind === 'TransactionWriteConflict'
}

/**
 * Runs a transaction, again when Postgres chose it as a deadlock victim or write-conflict loser (P2034). Every
 * transaction here locks in one order (cluster, extension, operation), so that is rare; a retry makes it invisible.
 */
export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>, options?: { maxWait?: number; timeout?: number }): Promise<T> {
  // Waiting for a pooled connection under a burst is normal (creates on one cluster serialise on its row);
  // Prisma's 2 s default would turn a busy moment into failed requests.
  return retryingWriteConflicts(() => db.$transaction(work, { maxWait: 10_000, timeout: 20_000, ...options }), isWriteConflict)
}

/** Ends the operation row if it is still running; false when something else ended it first. */
async function endOperation(tx: Tx, op: Operation, outcome: Outcome): Promise<boolean> {
  const ended = await tx.operation.updateMany({
    where: { id: op.id, status: 'InProgress' },
    data: {
      status: outcome.status,
      endTime: new Date(),
      percentComplete: outcome.status === 'Succeeded' ? 100 : undefined,
      error: outcome.error ? (outcome.error as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
      ...(outcome.properties ? { properties: { ...(op.properties as Record<string, unknown>), ...outcome.properties } as Prisma.InputJsonValue } : {}),
    },
  })
  return ended.count === 1
}

/** A JSON column's new value as a statement parameter: null stores SQL NULL. */
function jsonParam(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value)
}

/**
 * Ends an extension operation and applies its outcome to the extension, in one statement (a worker's hot path), with
 * the attempt's driver steps on the timeline (before `finished`, which an AFTER trigger writes at the statement's end).
 * Only the operation that holds the extension's active slot may change it, so a duplicated or late job is harmless.
 * Returns false when the operation was already terminal.
 *
 * The extension is locked before the operation, the order every accepting transaction locks them in
 * (core/store/extensions.ts): the uncorrelated sub-select on `ext` runs before the operation row is updated.
 */
export async function finishExtensionOperation(db: Db, op: Operation, outcome: Outcome, steps?: readonly DriverStep[]): Promise<boolean> {
  const removeResource = op.kind === 'extension.delete' && outcome.status === 'Succeeded'
  const error = jsonParam(outcome.error)
  const properties = jsonParam(outcome.properties)
  const statuses = jsonParam(outcome.statuses)
  const setVersion = outcome.currentVersion !== undefined
  // A successful apply (it reports the version it left installed) is the new last known good, and ends any drift.
  const recordGood = outcome.status === 'Succeeded' && typeof outcome.currentVersion === 'string'
  const rows = await driverRows<{ ended: number }>(
    db,
    'finish-extension-operation',
    Prisma.sql`
    WITH ext AS MATERIALIZED (SELECT id FROM extensions WHERE id = ${op.extensionId}::uuid FOR UPDATE),
    ${driverStepEvents(op.id, steps)},
    ended AS (
      UPDATE operations
         SET status = ${outcome.status}, end_time = now(), updated_at = now(), error = ${error}::jsonb,
             percent_complete = CASE WHEN ${outcome.status} = 'Succeeded' THEN 100 ELSE percent_complete END,
             properties = CASE WHEN ${properties}::jsonb IS NULL THEN properties ELSE properties || ${properties}::jsonb END
       WHERE id = ${op.id}::uuid AND status = 'InProgress' AND (SELECT count(*) FROM ext) >= 0
      RETURNING id),
    removed AS (
      DELETE FROM extensions
       WHERE ${removeResource} AND id = ${op.extensionId}::uuid AND active_operation_id = ${op.id}::uuid AND EXISTS (SELECT 1 FROM ended)),
    applied AS (
      UPDATE extensions
         SET provisioning_state = ${outcome.status}, active_operation_id = NULL, error_info = ${error}::jsonb,
             statuses = COALESCE(${statuses}::jsonb, statuses),
             current_version = CASE WHEN ${setVersion} THEN ${outcome.currentVersion ?? null} ELSE current_version END,
             last_good = CASE WHEN ${recordGood} THEN jsonb_build_object('version', ${outcome.currentVersion ?? null}::text, 'spec', spec, 'recordedAt', to_jsonb(now())) ELSE last_good END,
             last_good_protected_settings_sealed = CASE WHEN ${recordGood} THEN protected_settings_sealed ELSE last_good_protected_settings_sealed END,
             drift = CASE WHEN ${recordGood} THEN NULL ELSE drift END
       WHERE NOT ${removeResource} AND id = ${op.extensionId}::uuid AND active_operation_id = ${op.id}::uuid AND EXISTS (SELECT 1 FROM ended))
    SELECT count(*)::int AS ended FROM ended`,
  )
  return rows[0]?.ended === 1
}

export type ClusterFinish = 'finished' | 'alreadyTerminal' | 'extensionsRemain'

/**
 * Ends a cluster.delete operation: on success the registration goes in the same transaction (its simulated
 * releases cascade), on failure the cluster is left Failed so it can be changed or deleted again.
 */
export async function finishClusterOperation(db: Db, op: Operation, outcome: Outcome): Promise<ClusterFinish> {
  return inTransaction(db, async (tx) => {
    if (op.clusterId) {
      // Cluster before operation, as when a deletion is accepted; it also orders this after an extension create
      // that passed its cluster check just before.
      await tx.$queryRaw`SELECT id FROM clusters WHERE id = ${op.clusterId}::uuid FOR UPDATE`
      if (outcome.status === 'Succeeded' && (await tx.extension.count({ where: { clusterId: op.clusterId } })) > 0) return 'extensionsRemain'
    }
    if (!(await endOperation(tx, op, outcome))) return 'alreadyTerminal'
    if (!op.clusterId) return 'finished'
    if (outcome.status === 'Succeeded') {
      await tx.cluster.deleteMany({ where: { id: op.clusterId } })
    } else {
      await tx.cluster.updateMany({ where: { id: op.clusterId, provisioningState: 'Deleting' }, data: { provisioningState: 'Failed', etag: randomUUID() } })
    }
    return 'finished'
  })
}

/**
 * Ends any operation with its resource-specific outcome. A cluster.delete runs no driver itself (its extensions'
 * own operations do), so only extension operations have driver steps to record.
 */
export async function finishOperation(db: Db, op: Operation, outcome: Outcome, steps?: readonly DriverStep[]): Promise<boolean> {
  if (op.kind === 'cluster.delete') return (await finishClusterOperation(db, op, outcome)) === 'finished'
  return finishExtensionOperation(db, op, outcome, steps)
}

/** Marks a running operation Canceled inside the transaction that supersedes it (docs/arm-rules.md rule 40: error.code required). */
export async function cancelOperation(tx: Tx, operationId: string, error: ErrorDetail): Promise<boolean> {
  const canceled = await tx.operation.updateMany({
    where: { id: operationId, status: 'InProgress' },
    data: { status: 'Canceled', endTime: new Date(), error: error as unknown as Prisma.InputJsonValue },
  })
  return canceled.count === 1
}

export function operationFlag(op: Pick<Operation, 'properties'>, name: string): boolean {
  const properties = op.properties as Record<string, unknown> | null
  return properties?.[name] === true
}
