// The simulated driver's part of a clean slate: its fault rules and installed releases. POST /admin/simulator/reset
// clears them alone (for the fleet or one cluster); POST /admin/reset clears them inside the transaction that removes
// every resource (core/store/reset.ts), so a reset never leaves half a fleet behind.
import type { Db, Tx } from '../db/client.js'
import type { ClusterResourceId } from '../store/cluster-resource-id.js'

/**
 * Removes fault rules and simulated releases: all of them, or only those of one cluster (rules scoped to it and
 * releases installed on it). Extension resources are left alone; their next operation reinstalls.
 */
export async function resetSimulator(db: Db, scope: { cluster?: ClusterResourceId } = {}): Promise<{ faultsDeleted: number; releasesDeleted: number }> {
  return db.$transaction(async (tx) => {
    if (!scope.cluster) {
      const faults = await tx.simulatedFault.deleteMany({})
      const releases = await tx.simulatedRelease.deleteMany({})
      return { faultsDeleted: faults.count, releasesDeleted: releases.count }
    }
    const faults = await tx.simulatedFault.deleteMany({ where: { clusterIdKey: scope.cluster.idKey } })
    const releases = await tx.simulatedRelease.deleteMany({ where: { cluster: { idKey: scope.cluster.idKey } } })
    return { faultsDeleted: faults.count, releasesDeleted: releases.count }
  })
}

/**
 * Within a full reset's transaction: every simulated release and every fault rule set through the API (or the seed
 * file, which goes through the API). Rules from SIMULATED_FAULTS are configuration, like the catalog: they stay, and
 * start counting afresh.
 */
export async function forgetSimulatorState(tx: Tx): Promise<{ faultRules: number; simulatedReleases: number }> {
  const simulatedReleases = await tx.simulatedRelease.deleteMany({})
  const faultRules = await tx.simulatedFault.deleteMany({ where: { source: { not: 'env' } } })
  await tx.simulatedFault.updateMany({ data: { injectedCalls: 0, lastInjectedAt: null } })
  return { faultRules: faultRules.count, simulatedReleases: simulatedReleases.count }
}
