// Cluster registrations: the parents extensions install into. Every write is conditional on the ETag it was judged
// against and reports a lost race as null, so the api judges the request again (api/arm/lost-race.ts).
//
// Registration, its reads and its LIST go straight to the driver (named statements, parsed once per connection), as
// the extension reads do: on Prisma each would be planned per call, and the first would instantiate Prisma's query
// compiler (about 30 MB resident) in an api serving only ordinary ARM requests. The resource group and subscription
// reads below stay on Prisma.
import { randomUUID } from 'node:crypto'
import type { DatabaseError } from 'pg'
import { driverPool, type Db } from '../db/client.js'
import type { Cluster } from '../db/generated/client.js'
import type { Caller } from '../domain/model.js'
import { newEtag } from './extensions.js'
import { clusterFromRow } from './rows.js'

export type { Cluster }

type JsonObject = Record<string, unknown>

/** The caller-owned JSON columns of a registration, as the types the api wrote into them. */
export interface ClusterDocument {
  tags: Record<string, string>
  identity: JsonObject | null
  properties: JsonObject
}

export function clusterDocument(cluster: Cluster): ClusterDocument {
  return {
    tags: cluster.tags as Record<string, string>,
    identity: (cluster.identity as JsonObject | null) ?? null,
    properties: cluster.properties as JsonObject,
  }
}

/** The one row a statement returned as `row`, or null. */
async function oneCluster(db: Db, statement: { name: string; text: string; values: unknown[] }): Promise<Cluster | null> {
  const { rows } = await driverPool(db).query<{ row: unknown }>(statement)
  const [found] = rows
  return found ? clusterFromRow(found.row) : null
}

export function findCluster(db: Db, idKey: string): Promise<Cluster | null> {
  return oneCluster(db, { name: 'find-cluster', text: 'SELECT to_jsonb(c) AS row FROM clusters c WHERE c.id_key = $1', values: [idKey] })
}

export function findClusterById(db: Db, id: string): Promise<Cluster | null> {
  return oneCluster(db, { name: 'find-cluster-by-id', text: 'SELECT to_jsonb(c) AS row FROM clusters c WHERE c.id = $1::uuid', values: [id] })
}

export interface ClusterListQuery {
  subscriptionKey: string
  typeKey: string
  /** One resource group (lower-cased), or every group of the subscription. */
  resourceGroupKey?: string
  /** When set, only these resource groups (lower-cased): a caller who may read only some of them. */
  readableResourceGroupKeys?: readonly string[]
  /** Keyset position: the last (nameKey, idKey) of the previous page. */
  after: { nameKey: string; idKey: string } | null
  take: number
}

/**
 * A page of registrations ordered by name, then id (unique across resource groups). A caller's readable groups, when
 * given, are the group condition (they replace `resourceGroupKey`).
 */
export async function listClusters(db: Db, query: ClusterListQuery): Promise<Cluster[]> {
  const { after } = query
  const values: unknown[] = [query.subscriptionKey, query.typeKey, query.take]
  const conditions = ['c.subscription_key = $1', 'c.type_key = $2']
  let group = 'all'
  if (query.readableResourceGroupKeys !== undefined) {
    values.push([...query.readableResourceGroupKeys])
    conditions.push(`c.resource_group_key = ANY($${values.length}::text[])`)
    group = 'readable'
  } else if (query.resourceGroupKey !== undefined) {
    values.push(query.resourceGroupKey)
    conditions.push(`c.resource_group_key = $${values.length}`)
    group = 'one'
  }
  if (after !== null) {
    values.push(after.nameKey, after.idKey)
    conditions.push(`(c.name_key > $${values.length - 1} OR (c.name_key = $${values.length - 1} AND c.id_key > $${values.length}))`)
  }
  const { rows } = await driverPool(db).query<{ row: unknown }>({
    name: `list-clusters-${group}${after !== null ? '-after' : ''}`,
    text: `SELECT to_jsonb(c) AS row FROM clusters c WHERE ${conditions.join(' AND ')} ORDER BY c.name_key, c.id_key LIMIT $3`,
    values,
  })
  return rows.map((found) => clusterFromRow(found.row))
}

/** The JSON columns as statement parameters: text the statement casts to jsonb, SQL NULL for no identity. */
function documentValues(document: ClusterDocument): [string, string | null, string] {
  return [JSON.stringify(document.tags), document.identity ? JSON.stringify(document.identity) : null, JSON.stringify(document.properties)]
}

function isUniqueViolation(error: unknown): boolean {
  return (error as Partial<DatabaseError> | null)?.code === '23505'
}

export interface NewCluster extends ClusterDocument {
  resourceId: string
  idKey: string
  subscriptionKey: string
  resourceGroupKey: string
  typeKey: string
  name: string
  location: string
  caller: Caller
}

/** Registers a cluster; null when a concurrent request registered the same id first. */
export async function createCluster(db: Db, cluster: NewCluster): Promise<Cluster | null> {
  const now = new Date()
  const { caller } = cluster
  try {
    return await oneCluster(db, {
      name: 'create-cluster',
      text: `INSERT INTO clusters AS c (id, id_key, resource_id, subscription_key, resource_group_key, type_key, name, name_key, location, tags, identity, properties,
                                        provisioning_state, etag, created_by, created_by_type, created_at, last_modified_by, last_modified_by_type, last_modified_at)
             VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12::jsonb, 'Succeeded', $13, $14, $15, $16, $14, $15, $16)
             RETURNING to_jsonb(c) AS row`,
      values: [
        randomUUID(),
        cluster.idKey,
        cluster.resourceId,
        cluster.subscriptionKey,
        cluster.resourceGroupKey,
        cluster.typeKey,
        cluster.name,
        cluster.name.toLowerCase(),
        cluster.location,
        ...documentValues(cluster),
        newEtag(),
        caller.id,
        caller.type,
        now,
      ],
    })
  } catch (error) {
    if (isUniqueViolation(error)) return null
    throw error
  }
}

/** Replaces a registration's location and documents (a PUT), if it still has the ETag it was read with; null when another write came first. */
export function replaceCluster(db: Db, current: Cluster, replacement: ClusterDocument & { location: string }, caller: Caller): Promise<Cluster | null> {
  return oneCluster(db, {
    name: 'replace-cluster',
    text: `UPDATE clusters AS c SET tags = $3::jsonb, identity = $4::jsonb, properties = $5::jsonb, location = $6,
                                    etag = $7, last_modified_by = $8, last_modified_by_type = $9, last_modified_at = $10
           WHERE c.id = $1::uuid AND c.etag = $2 RETURNING to_jsonb(c) AS row`,
    values: [current.id, current.etag, ...documentValues(replacement), replacement.location, newEtag(), caller.id, caller.type, new Date()],
  })
}

/** Changes a registration's tags and properties (a PATCH), as replaceCluster. */
export function updateClusterDocument(db: Db, current: Cluster, change: Pick<ClusterDocument, 'tags' | 'properties'>, caller: Caller): Promise<Cluster | null> {
  return oneCluster(db, {
    name: 'update-cluster-document',
    text: `UPDATE clusters AS c SET tags = $3::jsonb, properties = $4::jsonb, etag = $5, last_modified_by = $6, last_modified_by_type = $7, last_modified_at = $8
           WHERE c.id = $1::uuid AND c.etag = $2 RETURNING to_jsonb(c) AS row`,
    values: [current.id, current.etag, JSON.stringify(change.tags), JSON.stringify(change.properties), newEtag(), caller.id, caller.type, new Date()],
  })
}

// ---- the resource groups and subscriptions clusters imply (the ARM front door stores neither) ----

/** Lower-cased ids of the subscriptions that hold at least one cluster. */
export async function subscriptionsHoldingClusters(db: Db): Promise<string[]> {
  const rows = await db.cluster.findMany({ distinct: ['subscriptionKey'], select: { subscriptionKey: true } })
  return rows.map((row) => row.subscriptionKey)
}

/** The first cluster (by id) of a resource group, which stands for the group; null when it holds none. */
export function firstClusterInGroup(db: Db, subscriptionKey: string, resourceGroupKey: string): Promise<Cluster | null> {
  return db.cluster.findFirst({ where: { subscriptionKey, resourceGroupKey }, orderBy: { idKey: 'asc' } })
}

/** One cluster per resource group of a subscription (the first by id), by group; `groups` limits which. */
export function firstClusterPerGroup(db: Db, subscriptionKey: string, groups: readonly string[] | undefined): Promise<Cluster[]> {
  return db.cluster.findMany({
    where: { subscriptionKey, ...(groups !== undefined ? { resourceGroupKey: { in: [...groups] } } : {}) },
    distinct: ['resourceGroupKey'],
    orderBy: [{ resourceGroupKey: 'asc' }, { idKey: 'asc' }],
  })
}
