// The default driver: a simulated cluster whose installed releases persist in Postgres, so an emulator restart
// keeps what was "installed". Each install/upgrade/uninstall takes the configured step latency and may meet an
// injected fault (fault-injector.ts), so CI users can reproduce slow, failing, hanging and unreachable clusters.
import type { Db } from '../../../core/db/client.js'
import { syncEnvFaults } from '../../../core/simulator/faults.js'
import { releaseWithCandidateFaults, removeSimulatedRelease, saveSimulatedRelease, type CandidateFault, type SimulatedReleaseFields, type StoredRelease } from '../../../core/simulator/releases.js'
import type { ClusterDriver, DriverCallOptions, ObservedRelease, ReleaseSpec, TargetCluster } from '../driver.js'
import { driverStep } from '../driver-steps.js'
import type { EnvFault } from './env-faults.js'
import { FaultInjector, type FaultCall } from './fault-injector.js'

export interface SimulatedDriverOptions {
  stepLatencyMs: number
  /** SIMULATED_FAULTS, already validated; null when the variable is unset (env rules are then left alone). */
  envFaults?: EnvFault[] | null
  random?: () => number
}

export class SimulatedDriver implements ClusterDriver {
  readonly name = 'simulated'
  private readonly faults: FaultInjector
  private readonly closing = new AbortController()
  private seeding: Promise<void> | null = null
  /**
   * What an observe read, kept for an apply given the same call options (a job observes, then applies with the same
   * options object at once), so an install reads the simulated cluster once instead of twice. Only this job acts on
   * the release while it holds the extension's lock; fault rules added in between meet the next call.
   */
  private readonly observedFor = new WeakMap<DriverCallOptions, { clusterId: string; releaseName: string; release: StoredRelease | null; faults: CandidateFault[] }>()

  constructor(
    private readonly db: Db,
    private readonly options: SimulatedDriverOptions,
  ) {
    this.faults = new FaultInjector(db, { defaultLatencyMs: options.stepLatencyMs, random: options.random })
    // Loaded at start; if Postgres is not answering yet, the first call tries again.
    this.envFaultsLoaded().catch(() => undefined)
  }

  /** Resolves once SIMULATED_FAULTS is in Postgres. */
  envFaultsLoaded(): Promise<void> {
    const envFaults = this.options.envFaults
    if (!envFaults) return Promise.resolve()
    this.seeding ??= syncEnvFaults(this.db, envFaults).catch((error: unknown) => {
      this.seeding = null
      throw error
    })
    return this.seeding
  }

  async close(): Promise<void> {
    this.closing.abort(new Error('the worker is shutting down; another attempt will carry it out'))
  }

  /** The release as installed now and the rules that may fault a step on it, read once SIMULATED_FAULTS is in. */
  private async stepReads(cluster: TargetCluster, releaseName: string, extensionType: string | null | undefined) {
    await this.envFaultsLoaded()
    return releaseWithCandidateFaults(this.db, { clusterId: cluster.id, clusterIdKey: cluster.resourceId.toLowerCase(), releaseName, extensionType })
  }

  private async step(call: FaultCall, rules: readonly CandidateFault[], options: DriverCallOptions | undefined): Promise<void> {
    const signal = options?.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal
    await this.faults.run(call, rules, signal)
  }

  async observe(cluster: TargetCluster, releaseName: string, options?: DriverCallOptions): Promise<ObservedRelease | null> {
    // Rules for every type: the apply that may follow knows which type it installs and matches them then.
    const reads = await driverStep(options, this.name, 'readRelease', () => this.stepReads(cluster, releaseName, undefined))
    if (options) this.observedFor.set(options, { clusterId: cluster.id, releaseName, ...reads })
    const row = reads.release
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

  async apply(cluster: TargetCluster, release: ReleaseSpec, options?: DriverCallOptions): Promise<ObservedRelease> {
    const { release: existing, faults } = (options && this.takeObserved(options, cluster, release)) ?? (await this.stepReads(cluster, release.releaseName, release.extensionType))
    const operation = existing ? 'upgrade' : 'install'
    const fields: SimulatedReleaseFields = { namespace: release.namespace, extensionType: release.extensionType, version: release.version, status: 'deployed', valuesDigest: release.valuesDigest }
    await driverStep(options, this.name, operation, async () => {
      await this.step({ cluster, operation, releaseName: release.releaseName, namespace: release.namespace, extensionType: release.extensionType }, faults, options)
      await saveSimulatedRelease(this.db, cluster.id, release.releaseName, fields)
    })
    return { releaseName: release.releaseName, ...fields }
  }

  /** What the observe just before this apply read, with its fault rules matched to the type being applied. */
  private takeObserved(options: DriverCallOptions, cluster: TargetCluster, release: ReleaseSpec): { release: StoredRelease | null; faults: CandidateFault[] } | null {
    const observed = this.observedFor.get(options)
    this.observedFor.delete(options)
    if (!observed || observed.clusterId !== cluster.id || observed.releaseName !== release.releaseName) return null
    const type = release.extensionType.toLowerCase()
    return { release: observed.release, faults: observed.faults.filter((rule) => rule.extensionType === null || rule.extensionType === type) }
  }

  async uninstall(cluster: TargetCluster, releaseName: string, options?: DriverCallOptions): Promise<void> {
    const { release: existing, faults } = await this.stepReads(cluster, releaseName, null)
    await driverStep(options, this.name, 'uninstall', async () => {
      await this.step({ cluster, operation: 'uninstall', releaseName, namespace: existing?.namespace ?? options?.namespace ?? null, extensionType: existing?.extensionType ?? null }, faults, options)
      await removeSimulatedRelease(this.db, cluster.id, releaseName)
    })
  }
}
