// The statements an accepted extension write sends, as raw SQL: Prisma's query compiler would plan each of them
// again on every request, and a write that spans three tables would be three round trips. Each write lands the
// extension, its operation and the operation's outbox row in one call of a PL/pgSQL function
// (prisma/migrations/20261206070000_extension_accept_functions), which takes the cluster lock, checks the
// coexisting extensions with a snapshot taken after the lock was granted, and writes. Called outside a transaction
// it is the whole accept in one round trip; it re-checks the cluster's etag then, since the request was judged
// against an unlocked read.
import type { Sql } from '../db/driver-transaction.js'
import { Prisma } from '../db/client.js'
import type { Cluster, Extension } from '../db/generated/client.js'
import type { InstalledExtension } from '../catalog/rules.js'
import type { Caller, ExtensionSpec, OperationKind } from '../domain/model.js'
import { clusterFromRow, extensionFromRow, operationFromRow, optionalRow } from './rows.js'
import type { Operation } from './operations.js'

/** What the coexistence rules may object to: extensions on the cluster of these types, other than this one. */
export interface CoexistenceGuard {
  clusterId: string
  /** Trimmed, lower-cased (core/catalog/rules.ts coexistenceTypes); empty guards nothing. */
  types: readonly string[]
  /** The lower-cased name of the extension being written, which never conflicts with itself. */
  nameKey: string
}

export interface Written {
  /** Null when the guard found extensions the rules may object to (then listed in `blocking`) or the rows changed. */
  written: { extension: Extension; operation: Operation } | null
  blocking: InstalledExtension[]
  /** A create found the extension existing: this is it, to judge the request again as a change of. */
  existing: Extension | null
}

const BLOCKING = (guard: CoexistenceGuard) => Prisma.sql`
  SELECT name, extension_type FROM extensions
  WHERE cluster_id = ${guard.clusterId}::uuid AND lower(btrim(extension_type)) = ANY(${[...guard.types]}::text[]) AND name_key <> ${guard.nameKey}`

export async function coexistingExtensions(sql: Sql, guard: CoexistenceGuard): Promise<InstalledExtension[]> {
  if (guard.types.length === 0) return []
  const rows = await sql<{ name: string; extension_type: string }>(BLOCKING(guard))
  return rows.map((row) => ({ name: row.name, extensionType: row.extension_type }))
}

interface WrittenRow {
  outcome: 'written' | 'blocked' | 'exists' | 'stale'
  extension: unknown
  operation: unknown
  blocking: InstalledExtension[] | null
}

function written(rows: WrittenRow[]): Written {
  const [row] = rows
  if (!row) throw new Error('an accept statement returned no row')
  if (row.outcome === 'written') return { written: { extension: extensionFromRow(row.extension), operation: operationFromRow(row.operation) }, blocking: [], existing: null }
  return { written: null, blocking: row.blocking ?? [], existing: row.outcome === 'exists' ? extensionFromRow(row.extension) : null }
}

export interface NewOperationRow {
  id: string
  kind: OperationKind
  apiVersion: string
  correlationId: string | null
  /** Absent stores `{}`. */
  properties?: Record<string, unknown>
}

/** The operation written with it becomes the extension's active one. */
export interface NewExtensionRow {
  id: string
  idKey: string
  resourceId: string
  name: string
  spec: ExtensionSpec
  protectedSettingsSealed: string | null
  etag: string
  caller: Caller
}

/**
 * The cluster a write was judged against: its etag then, which the write re-checks under the cluster lock, or null
 * from a caller that judged in a transaction that holds the lock already.
 */
export interface JudgedCluster {
  etag: string | null
}

/**
 * Inserts the extension, its operation and outbox row (prisma/migrations/20261206070000_extension_accept_functions)
 * unless the extension exists already (`existing`), the cluster changed since it was judged, or the guard finds an
 * extension the rules may object to (`written` is null then, and the request is judged again).
 */
export async function insertExtension(sql: Sql, guard: CoexistenceGuard, cluster: JudgedCluster, row: NewExtensionRow, operation: Omit<NewOperationRow, 'kind' | 'properties'>): Promise<Written> {
  return written(
    await sql<WrittenRow>(Prisma.sql`SELECT * FROM arcext_accept_extension_create(
      ${guard.clusterId}::uuid, ${cluster.etag}, ${[...guard.types]}::text[], ${guard.nameKey},
      ${row.id}::uuid, ${row.idKey}, ${row.resourceId}, ${row.name}, ${row.spec.extensionType}, ${JSON.stringify(row.spec)}::jsonb, ${row.protectedSettingsSealed}, ${row.etag},
      ${row.caller.id}, ${row.caller.type},
      ${operation.id}::uuid, ${operation.apiVersion}, ${operation.correlationId})`),
  )
}

/** The operation written with it becomes the extension's active one. */
export interface ExtensionChangeRow {
  etag: string
  /** Absent keeps the stored spec. */
  spec?: ExtensionSpec
  /** undefined keeps the stored secrets; null removes them. */
  protectedSettingsSealed?: string | null
  /** Set for a caller's change to user-modifiable properties (docs/arm-rules.md rule 54): lastModified* move to them. */
  modifiedBy?: Caller
}

/**
 * Starts an update on the extension if it is still the version that was judged (same etag, no operation in flight),
 * the cluster is as judged and the guard finds no extension the rules may object to; `written` is null otherwise.
 */
export async function updateExtension(
  sql: Sql,
  guard: CoexistenceGuard,
  cluster: JudgedCluster,
  current: Pick<Extension, 'id' | 'etag'>,
  change: ExtensionChangeRow,
  operation: NewOperationRow,
): Promise<Written> {
  const spec = change.spec ? JSON.stringify(change.spec) : null
  const modifiedBy = change.modifiedBy ?? null
  return written(
    await sql<WrittenRow>(Prisma.sql`SELECT * FROM arcext_accept_extension_change(
      ${guard.clusterId}::uuid, ${cluster.etag}, ${[...guard.types]}::text[], ${guard.nameKey},
      ${current.id}::uuid, ${current.etag}, ${change.etag}, ${spec}::jsonb, ${change.protectedSettingsSealed !== undefined}, ${change.protectedSettingsSealed ?? null},
      ${modifiedBy?.id ?? null}, ${modifiedBy?.type ?? null},
      ${operation.id}::uuid, ${operation.kind}, ${operation.apiVersion}, ${operation.correlationId}, ${JSON.stringify(operation.properties ?? {})}::jsonb)`),
  )
}

export type ClusterLockMode = 'FOR UPDATE' | 'FOR NO KEY UPDATE' | 'FOR KEY SHARE'

export interface LockedCluster {
  id: string
  resourceId: string
  provisioningState: string
}

export async function lockClusterById(sql: Sql, clusterId: string, mode: ClusterLockMode): Promise<LockedCluster | null> {
  const rows = await sql<{ id: string; resource_id: string; provisioning_state: string }>(
    Prisma.sql`SELECT id::text, resource_id, provisioning_state FROM clusters WHERE id = ${clusterId}::uuid ${Prisma.raw(mode)}`,
  )
  const [row] = rows
  return row ? { id: row.id, resourceId: row.resource_id, provisioningState: row.provisioning_state } : null
}

export interface PutTarget {
  clusterIdKey: string
  extensionIdKey: string
}

/**
 * One statement for what a PUT is judged against: the extension as it is, and its cluster locked in the mode the
 * accept needs (FOR NO KEY UPDATE when no extension exists, so creates on the cluster serialise; FOR KEY SHARE when
 * one does, which only waits for a cluster delete being accepted). The cluster is returned as locked, so its
 * provisioning state is the one no cluster delete can change until commit.
 */
export async function lockForPut(sql: Sql, target: PutTarget): Promise<{ cluster: Cluster | null; current: Extension | null }> {
  const rows = await sql<{ cluster: unknown; current: unknown }>(Prisma.sql`
    WITH current AS (SELECT to_jsonb(e) AS row FROM extensions e WHERE e.id_key = ${target.extensionIdKey}),
    creating AS (SELECT to_jsonb(c) AS row FROM clusters c WHERE c.id_key = ${target.clusterIdKey} AND NOT EXISTS (SELECT 1 FROM current) FOR NO KEY UPDATE),
    updating AS (SELECT to_jsonb(c) AS row FROM clusters c WHERE c.id_key = ${target.clusterIdKey} AND EXISTS (SELECT 1 FROM current) FOR KEY SHARE)
    SELECT (SELECT row FROM creating UNION ALL SELECT row FROM updating) AS cluster, (SELECT row FROM current) AS current`)
  const [row] = rows
  const cluster = optionalRow(row?.cluster, clusterFromRow)
  return { cluster, current: cluster ? optionalRow(row?.current, extensionFromRow) : null }
}
