// The default driver: a simulated cluster whose installed releases persist in Postgres, so an emulator restart
// keeps what was "installed". Each step can be slowed down to reproduce real install times.
import { setTimeout as sleep } from 'node:timers/promises'
import type { Db } from '../../../core/db/client.js'
import type { ClusterDriver, ObservedRelease, ReleaseSpec, TargetCluster } from '../driver.js'
import { valuesDigest } from '../values-digest.js'

export interface SimulatedDriverOptions {
  stepLatencyMs: number
}

export class SimulatedDriver implements ClusterDriver {
  readonly name = 'simulated'

  constructor(
    private readonly db: Db,
    private readonly options: SimulatedDriverOptions,
  ) {}

  private async step(): Promise<void> {
    if (this.options.stepLatencyMs > 0) await sleep(this.options.stepLatencyMs)
  }

  async observe(cluster: TargetCluster, releaseName: string): Promise<ObservedRelease | null> {
    const row = await this.db.simulatedRelease.findUnique({ where: { clusterId_releaseName: { clusterId: cluster.id, releaseName } } })
    if (!row) return null
    return {
      releaseName: row.releaseName,
      namespace: row.namespace,
      extensionType: row.extensionType,
      version: row.version,
      status: row.status as ObservedRelease['status'],
      valuesDigest: row.valuesDigest,
    }
  }

  async apply(cluster: TargetCluster, release: ReleaseSpec): Promise<ObservedRelease> {
    await this.step()
    const digest = valuesDigest(release)
    const fields = { namespace: release.namespace, extensionType: release.extensionType, version: release.version, status: 'deployed', valuesDigest: digest }
    await this.db.simulatedRelease.upsert({
      where: { clusterId_releaseName: { clusterId: cluster.id, releaseName: release.releaseName } },
      create: { clusterId: cluster.id, releaseName: release.releaseName, ...fields },
      update: { ...fields, revision: { increment: 1 }, updatedAt: new Date() },
    })
    return { releaseName: release.releaseName, ...fields, status: 'deployed' }
  }

  async uninstall(cluster: TargetCluster, releaseName: string): Promise<void> {
    await this.step()
    await this.db.simulatedRelease.deleteMany({ where: { clusterId: cluster.id, releaseName } })
  }
}
