import type { Db } from '../db/client.js'
import { Prisma } from '../db/client.js'
import type { Cluster } from '../db/generated/client.js'
import type { Caller } from '../domain/model.js'
import { newEtag } from './extensions.js'

export type { Cluster }

export function findCluster(db: Db, idKey: string): Promise<Cluster | null> {
  return db.cluster.findUnique({ where: { idKey } })
}

export interface ClusterWrite {
  resourceId: string
  idKey: string
  subscriptionKey: string
  resourceGroupKey: string
  typeKey: string
  name: string
  location: string
  tags: Record<string, string>
  identity: Record<string, unknown> | null
  properties: Record<string, unknown>
  caller: Caller
}

/** Creates or replaces a cluster registration; returns whether it was created. */
export async function upsertCluster(db: Db, write: ClusterWrite): Promise<{ cluster: Cluster; created: boolean }> {
  const now = new Date()
  const fields = {
    location: write.location,
    tags: write.tags as Prisma.InputJsonValue,
    identity: write.identity ? (write.identity as Prisma.InputJsonValue) : Prisma.DbNull,
    properties: write.properties as Prisma.InputJsonValue,
    provisioningState: 'Succeeded',
    etag: newEtag(),
    lastModifiedBy: write.caller.id,
    lastModifiedByType: write.caller.type,
    lastModifiedAt: now,
  }
  const existing = await findCluster(db, write.idKey)
  if (existing) {
    const cluster = await db.cluster.update({ where: { id: existing.id }, data: fields })
    return { cluster, created: false }
  }
  try {
    const cluster = await db.cluster.create({
      data: {
        idKey: write.idKey,
        resourceId: write.resourceId,
        subscriptionKey: write.subscriptionKey,
        resourceGroupKey: write.resourceGroupKey,
        typeKey: write.typeKey,
        name: write.name,
        nameKey: write.name.toLowerCase(),
        createdBy: write.caller.id,
        createdByType: write.caller.type,
        createdAt: now,
        ...fields,
      },
    })
    return { cluster, created: true }
  } catch (error) {
    // Lost a create race against an identical PUT: the other request created it, so this one replaces it.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return upsertCluster(db, write)
    throw error
  }
}
