// Drift detection and repair over real HTTP, Postgres and Redis: extensions are installed through the simulated
// driver, their releases changed behind arcext's back through the operator's tamper endpoint, and the worker's
// scheduled observer (DRIFT_CHECK_SECONDS=1 here) reports each kind of drift on the extension, or, with the
// extension's `arcext.driftRepair` setting, repairs it through a visible `extension.repair` operation.
// The suite runs on its own database, so its observer never looks at other suites' extensions.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDb, type Db } from '../../core/db/client.js'
import { DRIFT_QUEUE, DRIFT_SCHEDULER_ID } from '../../workers/jobs/drift-schedule.js'
import { Queue } from 'bullmq'
import { closeBullmq, redisConnection } from '../../core/queue.js'
import { dropDatabase, siblingDatabaseUrl } from '../helpers/isolation.js'
import pino from 'pino'
import { OperationQueue } from '../../core/queue.js'
import { loadSecretBox } from '../../core/secrets.js'
import { catalogPlanner } from '../../workers/catalog-planner.js'
import { createDrivers } from '../../workers/drivers/index.js'
import { checkDrift } from '../../workers/jobs/drift-check.js'
import { SUPPORTED_EXTENSION_API_VERSIONS } from '../../api/versions/extension-api-versions.js'
import { WorkerMetrics } from '../../workers/worker-metrics.js'
import { EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, registerCluster, startHarness, until, type Harness } from '../helpers/harness.js'
import { useSeedCatalog } from '../catalog/seed.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const databaseUrl = siblingDatabaseUrl(inject('databaseUrl'), 'drift_')

let h: Harness
let db: Db

// Flux 1.14.1-1.16.2 are the example versions here: the seed-dated catalog keeps them still.
useSeedCatalog()

beforeAll(async () => {
  h = await startHarness({ env: { DATABASE_URL: databaseUrl, DRIFT_CHECK_SECONDS: '1', AUTO_UPGRADE_INTERVAL_SECONDS: '0' } })
  db = createDb(databaseUrl, 2)
})

afterAll(async () => {
  await db?.$disconnect()
  await h?.close()
  await dropDatabase(databaseUrl)
})

async function install(sub: string, properties: Json = {}): Promise<string> {
  await registerCluster(h, sub)
  const url = `${extensionPath(sub, 'flux')}?${EXTENSION_API}`
  const put = await call<Json>(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: false, version: '1.15.1', ...properties } })
  expect(put.status, JSON.stringify(put.body)).toBe(201)
  const done = await until(
    () => call<Json>(h, 'GET', put.headers.get('azure-asyncoperation')!),
    (r) => r.body.status !== 'InProgress',
  )
  expect(done.body.status).toBe('Succeeded')
  return url
}

async function releases(sub: string): Promise<Json[]> {
  const listed = await call<Json>(h, 'GET', `/admin/simulator/releases?clusterId=${encodeURIComponent(clusterPath(sub))}`)
  expect(listed.status).toBe(200)
  return listed.body.value as Json[]
}

async function tamper(sub: string, change: string, extra: Json = {}): Promise<void> {
  const response = await call<Json>(h, 'POST', '/admin/simulator/releases/tamper', { clusterId: clusterPath(sub), releaseName: 'flux', change, ...extra })
  expect(response.status, JSON.stringify(response.body)).toBe(200)
}

const driftStatusOf = (body: Json) => (body.properties.statuses as Json[]).find((s) => s.code === 'ReleaseDrifted')

async function driftRow(sub: string) {
  return db.extension.findFirstOrThrow({ where: { idKey: extensionPath(sub, 'flux').toLowerCase() }, select: { drift: true, lastGood: true } })
}

async function operationKinds(sub: string) {
  const ops = await db.operation.findMany({ where: { resourceIdKey: extensionPath(sub, 'flux').toLowerCase() }, orderBy: { startTime: 'asc' } })
  return ops.map((op) => [op.kind, op.status])
}

const KINDS = [
  { change: 'remove', extra: {}, kind: 'releaseMissing', words: 'the release is no longer installed' },
  { change: 'changeValues', extra: {}, kind: 'valuesChanged', words: 'its values differ from the applied configuration settings' },
  { change: 'changeVersion', extra: { version: '1.14.1' }, kind: 'versionChanged', words: 'version 1.14.1 is installed instead of 1.15.1' },
] as const

describe('the drift observer', () => {
  it('runs on one shared BullMQ job scheduler', async () => {
    const queue = new Queue(DRIFT_QUEUE, { connection: redisConnection(h.config.redisUrl), prefix: h.config.queuePrefix })
    try {
      expect(await queue.getJobSchedulers()).toEqual([expect.objectContaining({ key: DRIFT_SCHEDULER_ID, every: 1000 })])
    } finally {
      await closeBullmq(queue)
    }
  })

  it.each(KINDS)('reports a release changed behind its back ($change) with what differs and since when, and leaves it alone', async ({ change, extra, kind, words }) => {
    const sub = freshSubscription()
    const url = await install(sub, { configurationSettings: { 'source.interval': '5m' } })
    const [before] = await releases(sub)
    await tamper(sub, change, extra)

    const drifted = await until(
      () => call<Json>(h, 'GET', url),
      (r) => driftStatusOf(r.body) !== undefined,
    )
    expect(drifted.body.properties).toMatchObject({ provisioningState: 'Succeeded', currentVersion: '1.15.1' })
    const status = driftStatusOf(drifted.body)!
    expect(status).toMatchObject({ level: 'Warning', displayStatus: 'Drifted' })
    expect(status.message).toContain(words)
    const { drift } = await driftRow(sub)
    const facts = drift as Json
    expect(facts.differences.map((d: Json) => d.kind)).toEqual([kind])
    expect(status.message).toContain(`since ${facts.since}`)
    // What differs is named, never a setting's value.
    expect(JSON.stringify(facts) + status.message).not.toContain('5m')
    expect(Date.parse(facts.since)).toBeGreaterThan(Date.parse(before!.updatedAt))

    // Report mode: nothing re-applied; later checks keep the first time it was seen.
    await new Promise((resolve) => setTimeout(resolve, 2200))
    expect(await operationKinds(sub)).toEqual([['extension.install', 'Succeeded']])
    expect(((await driftRow(sub)).drift as Json).since).toBe(facts.since)
    const after = await releases(sub)
    if (change === 'remove') expect(after).toEqual([])
    else expect(after[0]!.revision).toBe(before!.revision + 1)

    // A PUT of the same desired state re-applies it and ends the drift.
    const put = await call<Json>(h, 'PUT', url, {
      properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: false, version: '1.15.1', configurationSettings: { 'source.interval': '5m' } },
    })
    expect(put.status).toBe(200)
    const settled = await until(
      () => call<Json>(h, 'GET', url),
      (r) => r.body.properties.provisioningState === 'Succeeded',
    )
    expect(driftStatusOf(settled.body)).toBeUndefined()
    expect((await driftRow(sub)).drift).toBeNull()
    expect((await releases(sub))[0]).toMatchObject({ version: '1.15.1', status: 'deployed' })
  })

  it.each(KINDS)('repairs it ($change) through an extension.repair operation when the extension asks for repair', async ({ change, extra, kind }) => {
    const sub = freshSubscription()
    const url = await install(sub, { configurationSettings: { 'arcext.driftRepair': 'repair', 'source.interval': '5m' } })
    const [before] = await releases(sub)
    await tamper(sub, change, extra)

    await until(
      () => operationKinds(sub),
      (ops) => ops.length === 2 && ops[1]![1] === 'Succeeded',
      20_000,
    )
    expect(await operationKinds(sub)).toEqual([
      ['extension.install', 'Succeeded'],
      ['extension.repair', 'Succeeded'],
    ])
    const repair = await db.operation.findFirstOrThrow({ where: { resourceIdKey: extensionPath(sub, 'flux').toLowerCase(), kind: 'extension.repair' } })
    expect(repair.properties).toMatchObject({ targetVersion: '1.15.1', drift: [kind] })
    const [after] = await releases(sub)
    expect(after).toMatchObject({ version: '1.15.1', status: 'deployed', namespace: before!.namespace })
    const got = await call<Json>(h, 'GET', url)
    expect(got.body.properties).toMatchObject({ provisioningState: 'Succeeded', currentVersion: '1.15.1' })
    expect(driftStatusOf(got.body)).toBeUndefined()
    expect((await driftRow(sub)).drift).toBeNull()
    // The repaired release is in sync: later checks find nothing and start nothing more.
    await new Promise((resolve) => setTimeout(resolve, 2200))
    expect((await operationKinds(sub)).length).toBe(2)
  })

  it('reports a failed release status too', async () => {
    const sub = freshSubscription()
    const url = await install(sub)
    await tamper(sub, 'markFailed')
    const drifted = await until(
      () => call<Json>(h, 'GET', url),
      (r) => driftStatusOf(r.body) !== undefined,
    )
    expect(driftStatusOf(drifted.body)!.message).toContain("its status is 'failed' instead of 'deployed'")
  })
})

describe('extensionState', () => {
  it('is Drifted at 2025-03-01 while a Succeeded extension is drifted, Ready once it is re-applied; older api-versions have none', async () => {
    const sub = freshSubscription()
    const url = await install(sub)
    const at = (version: string) => `${extensionPath(sub, 'flux')}?api-version=${version}`
    const latest = at('2025-03-01')
    expect((await call<Json>(h, 'GET', latest)).body.properties.extensionState).toBe('Ready')
    await tamper(sub, 'changeVersion', { version: '1.14.1' })

    const drifted = await until(
      () => call<Json>(h, 'GET', latest),
      (r) => driftStatusOf(r.body) !== undefined,
    )
    expect(drifted.body.properties).toMatchObject({ provisioningState: 'Succeeded', extensionState: 'Drifted' })
    for (const version of SUPPORTED_EXTENSION_API_VERSIONS.filter((v) => v < '2025-03-01')) {
      const old = await call<Json>(h, 'GET', at(version))
      expect(old.status, version).toBe(200)
      expect(old.body.properties, version).not.toHaveProperty('extensionState')
      expect(driftStatusOf(old.body), version).toBeDefined()
    }

    // A running operation is Pending, drifted or not; the re-applied release is Ready again.
    const put = await call<Json>(h, 'PUT', latest, { properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: false, version: '1.15.1' } })
    expect(put.status, JSON.stringify(put.body)).toBe(200)
    expect(put.body.properties.extensionState).toBe('Pending')
    const settled = await until(
      () => call<Json>(h, 'GET', latest),
      (r) => r.body.properties.provisioningState === 'Succeeded',
    )
    expect(settled.body.properties.extensionState).toBe('Ready')
    expect(driftStatusOf(settled.body)).toBeUndefined()
    expect((await call<Json>(h, 'GET', url)).body.properties).not.toHaveProperty('extensionState')
  })
})

describe('DRIFT_REPAIR=repair', () => {
  it('repairs every drifted extension except those whose arcext.driftRepair setting says report', async () => {
    const repairing = freshSubscription()
    await install(repairing)
    const reporting = freshSubscription()
    await install(reporting, { configurationSettings: { 'arcext.driftRepair': 'report' } })
    await tamper(repairing, 'remove')
    await tamper(reporting, 'remove')
    // A pass of this worker's own with the global mode set to repair (the harness's scheduled passes only report).
    const queue = new OperationQueue(redisConnection(h.config.redisUrl), h.config.queuePrefix)
    const ctx = { db, secrets: loadSecretBox(h.config), drivers: createDrivers(db, h.config), planner: catalogPlanner(), log: pino({ level: 'silent' }), metrics: new WorkerMetrics() }
    try {
      const result = await checkDrift(ctx, queue, { repair: 'repair', batchSize: 1000, observeTimeoutMs: 5000 })
      expect(result.repairs.map((r) => r.resourceId)).toContain(extensionPath(repairing, 'flux'))
      expect(result.repairs.map((r) => r.resourceId)).not.toContain(extensionPath(reporting, 'flux'))
      expect(result.drifted.map((d) => d.resourceId)).toEqual(expect.arrayContaining([extensionPath(repairing, 'flux'), extensionPath(reporting, 'flux')]))
    } finally {
      await queue.close()
    }
    await until(
      () => operationKinds(repairing),
      (ops) => ops.length === 2 && ops[1]![1] === 'Succeeded',
    )
    expect((await releases(repairing))[0]).toMatchObject({ version: '1.15.1', status: 'deployed' })
    expect(await operationKinds(reporting)).toEqual([['extension.install', 'Succeeded']])
    expect(await releases(reporting)).toEqual([])
  })
})

describe('the arcext.driftRepair setting and the tamper endpoint', () => {
  it('refuses an unknown mode, an unknown arcext key and arcext keys among protected settings, naming the key', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const url = `${extensionPath(sub, 'flux')}?${EXTENSION_API}`
    const put = (properties: Json) => call<Json>(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', ...properties } })
    const badMode = await put({ configurationSettings: { 'arcext.driftRepair': 'sometimes' } })
    expect(badMode.status).toBe(400)
    expect(badMode.body.error).toMatchObject({ code: 'InvalidConfigurationSetting', target: "properties.configurationSettings['arcext.driftRepair']" })
    expect(badMode.body.error.message).toContain("'report', 'repair'")
    const unknown = await put({ configurationSettings: { 'arcext.drift': 'repair' } })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.message).toContain("Key 'arcext.drift' is not an arcext setting")
    const secret = await put({ configurationProtectedSettings: { 'arcext.driftRepair': 'repair' } })
    expect(secret.status).toBe(400)
    expect(secret.body.error.target).toBe("properties.configurationProtectedSettings['arcext.driftRepair']")
  })

  it('keeps arcext settings out of the release values', async () => {
    const sub = freshSubscription()
    const url = await install(sub, { configurationSettings: { 'arcext.driftRepair': 'report' } })
    const withKey = (await driftRow(sub)).lastGood as Json
    expect(withKey.spec.configurationSettings).toEqual({ 'arcext.driftRepair': 'report' })
    const [installed] = await releases(sub)
    // Changing only arcext's own setting changes nothing on the cluster: the same values, no new revision.
    const patch = await call<Json>(h, 'PATCH', url, { properties: { configurationSettings: { 'arcext.driftRepair': 'repair' } } })
    expect(patch.status).toBe(202)
    await until(
      () => call<Json>(h, 'GET', url),
      (r) => r.body.properties.provisioningState === 'Succeeded',
    )
    expect((await releases(sub))[0]!.revision).toBe(installed!.revision)
  })

  it('answers 404 for a release the cluster does not have and 400 for a version without changeVersion', async () => {
    const sub = freshSubscription()
    await install(sub)
    const missing = await call<Json>(h, 'POST', '/admin/simulator/releases/tamper', { clusterId: clusterPath(sub), releaseName: 'nope', change: 'remove' })
    expect(missing.status).toBe(404)
    const stray = await call<Json>(h, 'POST', '/admin/simulator/releases/tamper', { clusterId: clusterPath(sub), releaseName: 'flux', change: 'remove', version: '1.0.0' })
    expect(stray.status).toBe(400)
    expect(stray.body.error.target).toBe('version')
    const noVersion = await call<Json>(h, 'POST', '/admin/simulator/releases/tamper', { clusterId: clusterPath(sub), releaseName: 'flux', change: 'changeVersion' })
    expect(noVersion.status).toBe(400)
    const badChange = await call<Json>(h, 'POST', '/admin/simulator/releases/tamper', { clusterId: clusterPath(sub), releaseName: 'flux', change: 'explode' })
    expect(badChange.status).toBe(400)
  })
})
