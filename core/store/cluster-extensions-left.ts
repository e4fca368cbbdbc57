// What a cluster delete waits for: the extensions still on the cluster and the state of each one's active operation.
import type { Db } from '../db/client.js'
import type { ErrorDetail } from '../domain/model.js'

export interface RemainingExtension {
  name: string
  errorInfo: ErrorDetail | null
  activeKind: string | null
  activeStatus: string | null
}

export function extensionsLeftOnCluster(db: Db, clusterId: string): Promise<RemainingExtension[]> {
  // One statement, so each extension and the state of its active operation come from the same snapshot: read
  // separately, a delete that finished between the two reads looked like an extension left behind.
  return db.$queryRaw<RemainingExtension[]>`
    SELECT e.name, e.error_info AS "errorInfo", o.kind AS "activeKind", o.status AS "activeStatus"
    FROM extensions e LEFT JOIN operations o ON o.id = e.active_operation_id
    WHERE e.cluster_id = ${clusterId}::uuid
    ORDER BY e.name_key`
}
