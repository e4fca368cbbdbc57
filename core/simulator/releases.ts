// The simulated driver's installed releases: what a simulated cluster "has installed", kept in Postgres so an
// emulator restart keeps it and every worker process sees the same state.
import type { Db } from '../db/client.js'
import type { SimulatedRelease } from '../db/generated/client.js'

export type { SimulatedRelease }

export interface SimulatedReleaseFields {
  namespace: string
  extensionType: string
  version: string
  status: 'deployed'
  valuesDigest: string
}

export function findSimulatedRelease(db: Db, clusterId: string, releaseName: string): Promise<SimulatedRelease | null> {
  return db.simulatedRelease.findUnique({ where: { clusterId_releaseName: { clusterId, releaseName } } })
}

/** Installs the release, or upgrades it (one revision more) when it is there. */
export async function saveSimulatedRelease(db: Db, clusterId: string, releaseName: string, fields: SimulatedReleaseFields): Promise<void> {
  await db.simulatedRelease.upsert({
    where: { clusterId_releaseName: { clusterId, releaseName } },
    create: { clusterId, releaseName, ...fields },
    update: { ...fields, revision: { increment: 1 }, updatedAt: new Date() },
  })
}

export async function removeSimulatedRelease(db: Db, clusterId: string, releaseName: string): Promise<void> {
  await db.simulatedRelease.deleteMany({ where: { clusterId, releaseName } })
}
