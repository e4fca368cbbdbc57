// The emulator's clean slate (POST /admin/reset): every resource, operation and outbox row, every simulated release
// and every fault rule set through the API, in one transaction, so a reset never leaves half a fleet behind. Fault
// rules from SIMULATED_FAULTS are configuration, like the catalog: they stay, and start counting afresh.
import type { Db } from '../db/client.js'

export interface RemovedByReset {
  clusters: number
  extensions: number
  operations: number
  faultRules: number
  simulatedReleases: number
}

export async function deleteEverything(db: Db): Promise<RemovedByReset> {
  return db.$transaction(async (tx) => {
    await tx.operationOutbox.deleteMany({})
    const operations = await tx.operation.deleteMany({})
    const simulatedReleases = await tx.simulatedRelease.deleteMany({})
    const extensions = await tx.extension.deleteMany({})
    const clusters = await tx.cluster.deleteMany({})
    const faultRules = await tx.simulatedFault.deleteMany({ where: { source: { not: 'env' } } })
    await tx.simulatedFault.updateMany({ data: { injectedCalls: 0, lastInjectedAt: null } })
    return { clusters: clusters.count, extensions: extensions.count, operations: operations.count, faultRules: faultRules.count, simulatedReleases: simulatedReleases.count }
  })
}
