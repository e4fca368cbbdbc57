// Cluster registrations: the parents extensions install into. Every write is conditional on the ETag it was judged
// against and reports a lost race as null, so the api judges the request again (api/arm/lost-race.ts).
import type { Db } from '../db/client.js'
import { Prisma } from '../db/client.js'
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

// Single-row reads are raw statements: on the request paths that use them a query plan per call would cost more
// than the read.
export async function findCluster(db: Db, idKey: string): Promise<Cluster | null> {
  const [found] = await db.$queryRaw<{ row: unknown }[]>`SELECT to_jsonb(c) AS row FROM clusters c WHERE c.id_key = ${idKey}`
  return found ? clusterFromRow(found.row) : null
}

export async function findClusterById(db: Db, id: string): Promise<Cluster | null> {
  const [found] = await db.$queryRaw<{ row: unknown }[]>`SELECT to_jsonb(c) AS row FROM clusters c WHERE c.id = ${id}::uuid`
  return found ? clusterFromRow(found.row) : null
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

/** A page of registrations ordered by name, then id (unique across resource groups). */
export function listClusters(db: Db, query: ClusterListQuery): Promise<Cluster[]> {
  const { after } = query
  return db.cluster.findMany({
    where: {
      subscriptionKey: query.subscriptionKey,
      typeKey: query.typeKey,
      ...(query.resourceGroupKey !== undefined ? { resourceGroupKey: query.resourceGroupKey } : {}),
      ...(query.readableResourceGroupKeys !== undefined ? { resourceGroupKey: { in: [...query.readableResourceGroupKeys] } } : {}),
      ...(after !== null ? { OR: [{ nameKey: { gt: after.nameKey } }, { nameKey: after.nameKey, idKey: { gt: after.idKey } }] } : {}),
    },
    orderBy: [{ nameKey: 'asc' }, { idKey: 'asc' }],
    take: query.take,
  })
}

function documentColumns(document: ClusterDocument) {
  return {
    tags: document.tags as Prisma.InputJsonValue,
    identity: document.identity ? (document.identity as Prisma.InputJsonValue) : Prisma.DbNull,
    properties: document.properties as Prisma.InputJsonValue,
  }
}

function modifiedBy(caller: Caller, at: Date) {
  return { etag: newEtag(), lastModifiedBy: caller.id, lastModifiedByType: caller.type, lastModifiedAt: at }
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
  try {
    return await db.cluster.create({
      data: {
        ...documentColumns(cluster),
        ...modifiedBy(cluster.caller, now),
        location: cluster.location,
        idKey: cluster.idKey,
        resourceId: cluster.resourceId,
        subscriptionKey: cluster.subscriptionKey,
        resourceGroupKey: cluster.resourceGroupKey,
        typeKey: cluster.typeKey,
        name: cluster.name,
        nameKey: cluster.name.toLowerCase(),
        provisioningState: 'Succeeded',
        createdBy: cluster.caller.id,
        createdByType: cluster.caller.type,
        createdAt: now,
      },
    })
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null
    throw error
  }
}

/** Writes `data` if the registration still has the ETag it was read with; null when another write came first. */
async function updateIfUnchanged(db: Db, current: Cluster, data: Prisma.ClusterUpdateManyMutationInput): Promise<Cluster | null> {
  const updated = await db.cluster.updateMany({ where: { id: current.id, etag: current.etag }, data })
  return updated.count === 1 ? findClusterById(db, current.id) : null
}

/** Replaces a registration's location and documents (a PUT). */
export function replaceCluster(db: Db, current: Cluster, replacement: ClusterDocument & { location: string }, caller: Caller): Promise<Cluster | null> {
  return updateIfUnchanged(db, current, { ...documentColumns(replacement), location: replacement.location, ...modifiedBy(caller, new Date()) })
}

/** Changes a registration's tags and properties (a PATCH). */
export function updateClusterDocument(db: Db, current: Cluster, change: Pick<ClusterDocument, 'tags' | 'properties'>, caller: Caller): Promise<Cluster | null> {
  return updateIfUnchanged(db, current, {
    tags: change.tags,
    properties: change.properties as Prisma.InputJsonValue,
    ...modifiedBy(caller, new Date()),
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
