// Driver registry: clusters name their driver; nothing else switches on driver names.
import type { Config } from '../../core/config.js'
import type { Db } from '../../core/db/client.js'
import type { ClusterDriver } from './driver.js'
import { SimulatedDriver } from './simulated/simulated-driver.js'

export function createDrivers(db: Db, config: Pick<Config, 'simulatedStepLatencyMs'>): Record<string, ClusterDriver> {
  return { simulated: new SimulatedDriver(db, { stepLatencyMs: config.simulatedStepLatencyMs }) }
}
