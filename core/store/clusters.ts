import type { Db } from '../db/client.js'
import type { Cluster } from '../db/generated/client.js'

export type { Cluster }

export function findCluster(db: Db, idKey: string): Promise<Cluster | null> {
  return db.cluster.findUnique({ where: { idKey } })
}
