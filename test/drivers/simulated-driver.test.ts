// The simulated driver on its own against Postgres: interruptible hangs, install-vs-upgrade detection, probability
// rolls, and how SIMULATED_FAULTS is synchronised into the shared rules table.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../../core/db/client.js'
import { migrate } from '../../core/db/migrate.js'
import { readFaultRule, type FaultRuleSpec } from '../../core/simulator/fault-rule.js'
import { createFault, findFault, listFaults, syncEnvFaults } from '../../core/simulator/faults.js'
import { DriverError, type ReleaseSpec, type TargetCluster } from '../../workers/drivers/driver.js'
import { SimulatedDriver } from '../../workers/drivers/simulated/simulated-driver.js'
import { dropDatabase, isolatedDatabaseUrl } from './support.js'

let databaseUrl: string
let db: Db

beforeAll(async () => {
  databaseUrl = isolatedDatabaseUrl()
  await migrate(databaseUrl)
  db = createDb(databaseUrl, 4)
})
afterAll(async () => {
  await db?.$disconnect()
  await dropDatabase(databaseUrl)
})

function rule(body: Record<string, unknown>): FaultRuleSpec {
  const result = readFaultRule(body)
  if (!result.ok) throw new Error(JSON.stringify(result.problems))
  return result.rule
}

async function newCluster(): Promise<TargetCluster> {
  const name = `c-${randomUUID().slice(0, 8)}`
  const resourceId = `/subscriptions/${randomUUID()}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/${name}`
  const row = await db.cluster.create({
    data: {
      idKey: resourceId.toLowerCase(),
      resourceId,
      subscriptionKey: resourceId.split('/')[2]!,
      resourceGroupKey: 'rg1',
      typeKey: 'microsoft.kubernetes/connectedclusters',
      name,
      nameKey: name,
      location: 'eastus',
      provisioningState: 'Succeeded',
      etag: 'e',
      createdBy: 't',
      createdByType: 'User',
      lastModifiedBy: 't',
      lastModifiedByType: 'User',
    },
  })
  return { id: row.id, resourceId, facts: { distribution: 'k3s', infrastructure: null, kubernetesVersion: '1.30.4', totalNodeCount: 1, architecture: 'amd64' }, kubeconfig: null }
}

const release: ReleaseSpec = { releaseName: 'flux', namespace: 'flux-system', extensionType: 'microsoft.flux', version: '1.16.2', values: {}, protectedValues: {}, valuesDigest: 'hmac-sha256.k.d' }

async function rejection(promise: Promise<unknown>): Promise<DriverError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DriverError)
  return error as DriverError
}

describe('simulated driver', () => {
  it('ends a hang at once when closed, as a transient interruption', async () => {
    const cluster = await newCluster()
    await createFault(db, randomUUID(), rule({ kind: 'hang', clusterId: cluster.resourceId }))
    const driver = new SimulatedDriver(db, { stepLatencyMs: 0 })
    const pending = driver.apply(cluster, release)
    await expect.poll(async () => (await listFaults(db, { cluster: { resourceId: cluster.resourceId, idKey: cluster.resourceId.toLowerCase() } }))[0]?.injectedCalls).toBe(1)
    await driver.close()
    const error = await rejection(pending)
    expect(error).toMatchObject({ kind: 'transient', code: 'OperationInterrupted' })
    expect(error.message).toBe("Helm install of release 'flux' was interrupted: the worker is shutting down; another attempt will carry it out.")
    expect(await driver.observe(cluster, 'flux')).toBeNull()
  })

  it('ends a long step latency when the caller aborts', async () => {
    const cluster = await newCluster()
    await createFault(db, randomUUID(), rule({ kind: 'latency', clusterId: cluster.resourceId, durationMs: 600_000 }))
    const controller = new AbortController()
    const pending = new SimulatedDriver(db, { stepLatencyMs: 0 }).uninstall(cluster, 'flux', { signal: controller.signal })
    setTimeout(() => controller.abort(), 100)
    expect(await rejection(pending)).toMatchObject({ kind: 'transient', code: 'OperationInterrupted' })
  })

  it('tells an install from an upgrade by what is installed', async () => {
    const cluster = await newCluster()
    const upgradeFault = randomUUID()
    await createFault(db, upgradeFault, rule({ kind: 'failUpgrade', clusterId: cluster.resourceId }))
    const driver = new SimulatedDriver(db, { stepLatencyMs: 0 })
    await driver.apply(cluster, release)
    const error = await rejection(driver.apply(cluster, { ...release, version: '1.17.0' }))
    expect(error).toMatchObject({ kind: 'permanent', code: 'HelmUpgradeFailed' })
    expect(await driver.observe(cluster, 'flux')).toMatchObject({ version: '1.16.2' })
  })

  it('rolls the probability per call and spends remaining calls only on injections', async () => {
    const cluster = await newCluster()
    const id = randomUUID()
    await createFault(db, id, rule({ kind: 'failInstall', clusterId: cluster.resourceId, probability: 0.5, remainingCalls: 1 }))
    const rolls = [0.7, 0.2]
    const driver = new SimulatedDriver(db, { stepLatencyMs: 0, random: () => rolls.shift() ?? 0 })
    await driver.apply(cluster, release) // 0.7 ≥ 0.5: not injected
    await driver.uninstall(cluster, 'flux')
    expect(await rejection(driver.apply(cluster, release))).toMatchObject({ code: 'HelmInstallFailed' }) // 0.2 < 0.5
    await driver.apply(cluster, release) // no calls left
    expect(await findFault(db, id)).toMatchObject({ injectedCalls: 1, remainingCalls: 0 })
  })

  it('synchronises SIMULATED_FAULTS: adds missing rules, keeps counters of listed ones, removes unlisted env rules only', async () => {
    const apiRule = randomUUID()
    await createFault(db, apiRule, rule({ kind: 'failUninstall', extensionType: 'microsoft.dapr', clusterId: (await newCluster()).resourceId }))
    const cluster = await newCluster()
    const a = { id: `env-a-${randomUUID().slice(0, 6)}`, rule: rule({ kind: 'failInstall', clusterId: cluster.resourceId, transient: true }) }
    const b = { id: `env-b-${randomUUID().slice(0, 6)}`, rule: rule({ kind: 'latency', clusterId: cluster.resourceId, durationMs: 0 }) }

    const first = new SimulatedDriver(db, { stepLatencyMs: 0, envFaults: [a, b] })
    await first.envFaultsLoaded()
    await rejection(first.apply(cluster, release))
    expect(await findFault(db, a.id)).toMatchObject({ source: 'env', injectedCalls: 1 })

    // A second worker with only `a`: `a` keeps its count, `b` goes, the api rule stays.
    const second = new SimulatedDriver(db, { stepLatencyMs: 0, envFaults: [a] })
    await second.envFaultsLoaded()
    expect(await findFault(db, a.id)).toMatchObject({ injectedCalls: 1 })
    expect(await findFault(db, b.id)).toBeNull()
    expect(await findFault(db, apiRule)).not.toBeNull()

    // A worker without SIMULATED_FAULTS leaves env rules alone.
    await new SimulatedDriver(db, { stepLatencyMs: 0, envFaults: null }).envFaultsLoaded()
    expect(await findFault(db, a.id)).not.toBeNull()
    await syncEnvFaults(db, [])
    expect(await findFault(db, a.id)).toBeNull()
  })
})
