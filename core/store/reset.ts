// The emulator's clean slate (POST /admin/reset): every resource, operation and outbox row, and the simulated
// driver's state (core/simulator/reset.ts), in one transaction, so a reset never leaves half a fleet behind.
import type { Db } from '../db/client.js'
import { forgetSimulatorState } from '../simulator/reset.js'

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
    // Before the extensions and clusters: releases belong to clusters.
    const simulator = await forgetSimulatorState(tx)
    const extensions = await tx.extension.deleteMany({})
    const clusters = await tx.cluster.deleteMany({})
    return { clusters: clusters.count, extensions: extensions.count, operations: operations.count, ...simulator }
  })
}
