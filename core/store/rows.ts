// Rows that hot statements read with raw SQL (Prisma's query compiler plans every model query again on each call,
// raw statements skip it) arrive as `to_jsonb(row)`: the database's column names, timestamps as ISO text. These
// mappers turn them into the model types the rest of the code reads, checking every column they take.
import type { Prisma } from '../db/client.js'
import type { Cluster, Extension, Operation } from '../db/generated/client.js'

type Row = Record<string, unknown>

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function mismatch(column: string, expected: string, value: unknown): TypeError {
  return new TypeError(`column ${column}: expected ${expected}, got ${value === null ? 'null' : typeof value}`)
}

function text(row: Row, column: string): string {
  const value = row[column]
  if (typeof value !== 'string') throw mismatch(column, 'text', value)
  return value
}

function textOrNull(row: Row, column: string): string | null {
  const value = row[column]
  if (value === null || value === undefined) return null
  if (typeof value !== 'string') throw mismatch(column, 'text', value)
  return value
}

function number(row: Row, column: string): number {
  const value = row[column]
  if (typeof value !== 'number') throw mismatch(column, 'number', value)
  return value
}

function time(row: Row, column: string): Date {
  const value = row[column]
  if (typeof value !== 'string') throw mismatch(column, 'timestamp', value)
  return new Date(value)
}

function timeOrNull(row: Row, column: string): Date | null {
  return row[column] === null || row[column] === undefined ? null : time(row, column)
}

/** A JSON column: JSON.parse made it, so it is JSON; SQL NULL is null (the model's JsonValue | null). */
function json(row: Row, column: string): Prisma.JsonValue {
  const value = row[column]
  if (value === undefined) throw mismatch(column, 'json', value)
  return value
}

/** A JSON object column the schema declares NOT NULL. */
function jsonObject(row: Row, column: string): Prisma.JsonValue {
  const value = json(row, column)
  if (!isRow(value)) throw mismatch(column, 'json object', value)
  return value
}

function asRow(value: unknown, what: string): Row {
  if (!isRow(value)) throw new TypeError(`expected ${what} as a JSON object, got ${value === null ? 'null' : typeof value}`)
  return value
}

/** The etag and systemData columns every ARM resource row has. */
function trackedChanges(row: Row): Pick<Extension & Cluster, 'etag' | 'createdBy' | 'createdByType' | 'createdAt' | 'lastModifiedBy' | 'lastModifiedByType' | 'lastModifiedAt'> {
  return {
    etag: text(row, 'etag'),
    createdBy: text(row, 'created_by'),
    createdByType: text(row, 'created_by_type'),
    createdAt: time(row, 'created_at'),
    lastModifiedBy: text(row, 'last_modified_by'),
    lastModifiedByType: text(row, 'last_modified_by_type'),
    lastModifiedAt: time(row, 'last_modified_at'),
  }
}

export function extensionFromRow(value: unknown): Extension {
  const row = asRow(value, 'an extensions row')
  return {
    id: text(row, 'id'),
    idKey: text(row, 'id_key'),
    resourceId: text(row, 'resource_id'),
    clusterId: text(row, 'cluster_id'),
    name: text(row, 'name'),
    nameKey: text(row, 'name_key'),
    extensionType: text(row, 'extension_type'),
    spec: jsonObject(row, 'spec'),
    protectedSettingsSealed: textOrNull(row, 'protected_settings_sealed'),
    currentVersion: textOrNull(row, 'current_version'),
    provisioningState: text(row, 'provisioning_state'),
    statuses: json(row, 'statuses'),
    errorInfo: json(row, 'error_info'),
    activeOperationId: textOrNull(row, 'active_operation_id'),
    lastGood: json(row, 'last_good'),
    lastGoodProtectedSettingsSealed: textOrNull(row, 'last_good_protected_settings_sealed'),
    drift: json(row, 'drift'),
    driftCheckedAt: timeOrNull(row, 'drift_checked_at'),
    ...trackedChanges(row),
  }
}

export function operationFromRow(value: unknown): Operation {
  const row = asRow(value, 'an operations row')
  return {
    id: text(row, 'id'),
    kind: text(row, 'kind'),
    resourceIdKey: text(row, 'resource_id_key'),
    resourceId: text(row, 'resource_id'),
    extensionId: textOrNull(row, 'extension_id'),
    clusterId: textOrNull(row, 'cluster_id'),
    status: text(row, 'status'),
    percentComplete: number(row, 'percent_complete'),
    apiVersion: text(row, 'api_version'),
    correlationId: textOrNull(row, 'correlation_id'),
    error: json(row, 'error'),
    properties: jsonObject(row, 'properties'),
    attempts: number(row, 'attempts'),
    startTime: time(row, 'start_time'),
    endTime: timeOrNull(row, 'end_time'),
    updatedAt: time(row, 'updated_at'),
  }
}

export function clusterFromRow(value: unknown): Cluster {
  const row = asRow(value, 'a clusters row')
  return {
    id: text(row, 'id'),
    idKey: text(row, 'id_key'),
    resourceId: text(row, 'resource_id'),
    subscriptionKey: text(row, 'subscription_key'),
    resourceGroupKey: text(row, 'resource_group_key'),
    typeKey: text(row, 'type_key'),
    name: text(row, 'name'),
    nameKey: text(row, 'name_key'),
    location: text(row, 'location'),
    tags: jsonObject(row, 'tags'),
    identity: json(row, 'identity'),
    properties: jsonObject(row, 'properties'),
    provisioningState: text(row, 'provisioning_state'),
    driver: text(row, 'driver'),
    kubeconfigSealed: textOrNull(row, 'kubeconfig_sealed'),
    ...trackedChanges(row),
  }
}

/** A nullable JSON result column: null when the statement found or wrote no such row. */
export function optionalRow<T>(value: unknown, map: (value: unknown) => T): T | null {
  return value === null || value === undefined ? null : map(value)
}
