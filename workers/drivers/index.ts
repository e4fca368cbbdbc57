// Driver registry: clusters name their driver (core/store/cluster-driver.ts); nothing else switches on driver names.
import { defaultCatalog } from '../../core/catalog/index.js'
import type { Config } from '../../core/config.js'
import type { Db } from '../../core/db/client.js'
import type { ClusterDriverName } from '../../core/store/cluster-driver.js'
import type { ClusterDriver } from './driver.js'
import { HelmDriver } from './helm/helm-driver.js'
import { parseEnvFaults } from './simulated/env-faults.js'
import { SimulatedDriver } from './simulated/simulated-driver.js'

export type DriverConfig = Pick<Config, 'simulatedStepLatencyMs' | 'simulatedFaults' | 'helmBin' | 'helmChartRepository' | 'helmTimeoutSeconds' | 'kubeconfigExecAllowlist' | 'helmEnvPassthrough'>

/** Throws ConfigError for an invalid SIMULATED_FAULTS, so a worker with a bad value does not start. */
export function createDrivers(db: Db, config: DriverConfig): Record<ClusterDriverName, ClusterDriver> {
  const envFaults = config.simulatedFaults === undefined ? null : parseEnvFaults(config.simulatedFaults, { isKnownExtensionType: (type) => defaultCatalog().findType(type) !== undefined })
  return {
    simulated: new SimulatedDriver(db, { stepLatencyMs: config.simulatedStepLatencyMs, envFaults }),
    helm: new HelmDriver({
      helmBin: config.helmBin,
      chartRepository: config.helmChartRepository,
      timeoutSeconds: config.helmTimeoutSeconds,
      kubeconfigPolicy: { execAllowlist: config.kubeconfigExecAllowlist },
      envPassthrough: config.helmEnvPassthrough,
    }),
  }
}

/** Interrupts driver calls that only wait, so a worker's graceful stop is not held up by a simulated hang. */
export async function closeDrivers(drivers: Record<string, ClusterDriver>): Promise<void> {
  await Promise.all(Object.values(drivers).flatMap((driver) => (driver.close ? [driver.close()] : [])))
}
