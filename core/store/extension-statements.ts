// The statements an accepted extension write sends, as raw SQL: Prisma's query compiler would plan each of them
// again on every request, and a write that spans three tables would be three round trips. Each write lands the
// extension, its operation and the operation's outbox row in one statement (data-modifying CTEs), guarded by the
// coexistence check so no other statement has to sit between the check and the write.
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
  /** Null when the guard found extensions the rules may object to (then listed in `blocking`) or the row changed. */
  written: { extension: Extension; operation: Operation } | null
  blocking: InstalledExtension[]
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
  extension: unknown
  operation: unknown
  blocking: { name: string; extensionType: string }[]
}

function written(rows: WrittenRow[]): Written {
  const [row] = rows
  if (!row) throw new Error('an accept statement returned no row')
  const extension = optionalRow(row.extension, extensionFromRow)
  const operation = optionalRow(row.operation, operationFromRow)
  return { written: extension && operation ? { extension, operation } : null, blocking: row.blocking }
}

export interface NewOperationRow {
  id: string
  kind: OperationKind
  apiVersion: string
  correlationId: string | null
  /** Absent stores `{}`. */
  properties?: Record<string, unknown>
}

/** The tail every accept statement shares: the operation for the written extension row, its outbox row, the answer. */
function operationAndAnswer(operation: NewOperationRow) {
  return Prisma.sql`
  operation AS (
    INSERT INTO operations (id, kind, resource_id_key, resource_id, extension_id, cluster_id, status, api_version, correlation_id, properties)
    SELECT ${operation.id}::uuid, ${operation.kind}, id_key, resource_id, id, cluster_id, 'InProgress', ${operation.apiVersion}, ${operation.correlationId}, ${JSON.stringify(operation.properties ?? {})}::jsonb FROM extension
    RETURNING *
  ),
  outbox AS (INSERT INTO operation_outbox (operation_id, kind) SELECT id, kind FROM operation)
  SELECT
    (SELECT to_jsonb(extension) FROM extension) AS extension,
    (SELECT to_jsonb(operation) FROM operation) AS operation,
    (SELECT coalesce(jsonb_agg(jsonb_build_object('name', name, 'extensionType', extension_type)), '[]'::jsonb) FROM blocking) AS blocking`
}

export interface NewExtensionRow {
  id: string
  idKey: string
  resourceId: string
  name: string
  spec: ExtensionSpec
  protectedSettingsSealed: string | null
  activeOperationId: string
  etag: string
  caller: Caller
}

/**
 * Inserts the extension, its operation and outbox row unless the guard finds an extension the rules may object to
 * or the extension exists already, created by a concurrent PUT (`written` is null then, and the request is judged again).
 */
export async function insertExtension(sql: Sql, guard: CoexistenceGuard, row: NewExtensionRow, operation: NewOperationRow): Promise<Written> {
  return written(
    await sql<WrittenRow>(Prisma.sql`
  WITH blocking AS (${BLOCKING(guard)}),
  extension AS (
    INSERT INTO extensions (id, id_key, resource_id, cluster_id, name, name_key, extension_type, spec, protected_settings_sealed, provisioning_state,
                            active_operation_id, etag, created_by, created_by_type, last_modified_by, last_modified_by_type)
    SELECT ${row.id}::uuid, ${row.idKey}, ${row.resourceId}, ${guard.clusterId}::uuid, ${row.name}, ${guard.nameKey}, ${row.spec.extensionType}, ${JSON.stringify(row.spec)}::jsonb,
           ${row.protectedSettingsSealed}, 'Creating', ${row.activeOperationId}::uuid, ${row.etag}, ${row.caller.id}, ${row.caller.type}, ${row.caller.id}, ${row.caller.type}
    WHERE NOT EXISTS (SELECT 1 FROM blocking)
    ON CONFLICT DO NOTHING
    RETURNING *
  ),
  ${operationAndAnswer(operation)}`),
  )
}

export interface ExtensionChangeRow {
  activeOperationId: string
  etag: string
  /** Absent keeps the stored spec. */
  spec?: ExtensionSpec
  /** undefined keeps the stored secrets; null removes them. */
  protectedSettingsSealed?: string | null
  /** Set for a caller's change to user-modifiable properties (docs/arm-rules.md rule 54): lastModified* move to them. */
  modifiedBy?: Caller
}

/**
 * Starts an update on the extension if it is still the version that was judged (same etag, no operation in flight)
 * and the guard finds no extension the rules may object to; `written` is null otherwise.
 */
export async function updateExtension(sql: Sql, guard: CoexistenceGuard, current: Pick<Extension, 'id' | 'etag'>, change: ExtensionChangeRow, operation: NewOperationRow): Promise<Written> {
  const spec = change.spec ? JSON.stringify(change.spec) : null
  const replaceSecrets = change.protectedSettingsSealed !== undefined
  const modifiedBy = change.modifiedBy ?? null
  return written(
    await sql<WrittenRow>(Prisma.sql`
  WITH blocking AS (${BLOCKING(guard)}),
  extension AS (
    UPDATE extensions SET
      provisioning_state = 'Updating',
      active_operation_id = ${change.activeOperationId}::uuid,
      etag = ${change.etag},
      spec = coalesce(${spec}::jsonb, spec),
      protected_settings_sealed = CASE WHEN ${replaceSecrets} THEN ${change.protectedSettingsSealed ?? null} ELSE protected_settings_sealed END,
      last_modified_by = coalesce(${modifiedBy?.id ?? null}, last_modified_by),
      last_modified_by_type = coalesce(${modifiedBy?.type ?? null}, last_modified_by_type),
      last_modified_at = CASE WHEN ${modifiedBy !== null} THEN now() ELSE last_modified_at END,
      error_info = NULL
    WHERE id = ${current.id}::uuid AND etag = ${current.etag} AND active_operation_id IS NULL AND NOT EXISTS (SELECT 1 FROM blocking)
    RETURNING *
  ),
  ${operationAndAnswer(operation)}`),
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
