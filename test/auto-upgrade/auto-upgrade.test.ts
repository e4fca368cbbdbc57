// Auto-upgrade over real HTTP, Postgres and Redis. The catalog is a temporary copy (CATALOG_FILE) of the seed-dated fixture
// (its Flux 1.14.1-1.16.2, so the rules are tested on data that does not move with the shipped catalog); the test adds a
// newer minor and a newer major of Flux to it the way an operator would, and the worker's scheduled sweep (a BullMQ
// job scheduler running every second here) moves auto-upgrading extensions to the new minor through a tracked
// operation, never to the new major, and never moves pinned or manually managed ones.
// The suite runs on its own database, so its sweeps never touch extensions other suites create meanwhile.
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { loadCatalog, resetDefaultCatalog } from '../../core/catalog/index.js'
import { SEED_CATALOG_FILE } from '../catalog/seed.js'
import { createDb, type Db } from '../../core/db/client.js'
import { OperationQueue, closeBullmq, redisConnection } from '../../core/queue.js'
import { AUTO_UPGRADE_QUEUE, AUTO_UPGRADE_SCHEDULER_ID } from '../../workers/jobs/auto-upgrade-schedule.js'
import { autoUpgradeTarget, sweepAutoUpgrades } from '../../workers/jobs/auto-upgrade.js'
import { dropDatabase, siblingDatabaseUrl } from '../helpers/isolation.js'
import { EXTENSION_API, call, extensionPath, freshSubscription, registerCluster, startHarness, until, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const databaseUrl = siblingDatabaseUrl(inject('databaseUrl'), 'autoupgrade_')

let h: Harness
let db: Db
let catalogDir: string
let catalogPath: string

/** Replaces the catalog file atomically, as an operator's editor would, so no reader sees half a file. */
function writeCatalog(edit: (raw: Json) => void): void {
  const raw = JSON.parse(readFileSync(catalogPath, 'utf8')) as Json
  edit(raw)
  const temporary = `${catalogPath}.tmp`
  writeFileSync(temporary, JSON.stringify(raw, null, 2))
  renameSync(temporary, catalogPath)
}

function addFluxVersions(raw: Json, versions: string[]): void {
  const flux = (raw.types as Json[]).find((t) => t.type === 'microsoft.flux')!
  const stable = (flux.releaseTrains as Json[]).find((t) => t.name === 'Stable')!
  for (const version of versions) stable.versions.push({ version, releasedOn: '2025-06', notes: [`test release ${version}`] })
}

async function install(sub: string, name: string, properties: Json): Promise<Json> {
  const put = await call<Json>(h, 'PUT', `${extensionPath(sub, name)}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux', ...properties } })
  expect(put.status, JSON.stringify(put.body)).toBe(201)
  const done = await until(
    () => call<Json>(h, 'GET', put.headers.get('azure-asyncoperation')!),
    (r) => r.body.status !== 'InProgress',
  )
  expect(done.body.status).toBe('Succeeded')
  return (await call<Json>(h, 'GET', `${extensionPath(sub, name)}?${EXTENSION_API}`)).body
}

async function operationsOf(sub: string, name: string) {
  return db.operation.findMany({ where: { resourceIdKey: extensionPath(sub, name).toLowerCase() }, orderBy: { startTime: 'asc' } })
}

beforeAll(async () => {
  catalogDir = mkdtempSync(path.join(os.tmpdir(), 'arcext-catalog-'))
  catalogPath = path.join(catalogDir, 'extension-types.json')
  copyFileSync(SEED_CATALOG_FILE, catalogPath)
  process.env.CATALOG_FILE = catalogPath
  resetDefaultCatalog()
  h = await startHarness({ env: { DATABASE_URL: databaseUrl, AUTO_UPGRADE_INTERVAL_SECONDS: '1' } })
  db = createDb(databaseUrl, 2)
})

afterAll(async () => {
  await db?.$disconnect()
  await h?.close()
  await dropDatabase(databaseUrl)
  rmSync(catalogDir, { recursive: true, force: true })
  delete process.env.CATALOG_FILE
  resetDefaultCatalog()
})

describe('auto-upgrade', () => {
  it('registers one shared BullMQ job scheduler for the sweep', async () => {
    const queue = new Queue(AUTO_UPGRADE_QUEUE, { connection: redisConnection(h.config.redisUrl), prefix: h.config.queuePrefix })
    try {
      const schedulers = await queue.getJobSchedulers()
      expect(schedulers).toEqual([expect.objectContaining({ key: AUTO_UPGRADE_SCHEDULER_ID, every: 1000 })])
    } finally {
      await closeBullmq(queue)
    }
  })

  it('moves auto-upgrading extensions to a new minor when the catalog gains one, never to a new major; pinned ones stay', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const auto = await install(sub, 'flux', {})
    const creator = auto.systemData.lastModifiedBy
    expect(auto.properties).toMatchObject({ autoUpgradeMinorVersion: true, currentVersion: '1.16.2' })
    // Flux allows one instance per cluster, so the pinned and the manually managed ones live on their own clusters.
    const pinnedSub = freshSubscription()
    await registerCluster(h, pinnedSub)
    expect((await install(pinnedSub, 'flux', { autoUpgradeMinorVersion: false, version: '1.15.1' })).properties.currentVersion).toBe('1.15.1')
    const manualSub = freshSubscription()
    await registerCluster(h, manualSub)
    expect((await install(manualSub, 'flux', { autoUpgradeMinorVersion: false })).properties.currentVersion).toBe('1.16.2')

    writeCatalog((raw) => addFluxVersions(raw, ['1.17.0', '2.0.0']))

    const upgraded = await until(
      () => call<Json>(h, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`),
      (r) => r.body.properties.currentVersion !== '1.16.2' && r.body.properties.provisioningState === 'Succeeded',
    )
    expect(upgraded.body.properties).toMatchObject({ currentVersion: '1.17.0', version: null, autoUpgradeMinorVersion: true, provisioningState: 'Succeeded' })
    expect((upgraded.body.properties.statuses as Json[]).some((s) => s.code === 'ReleaseDeployed' && String(s.message).includes('1.17.0'))).toBe(true)
    // Not a caller's change: systemData keeps who last changed the extension (docs/arm-rules.md rule 54).
    expect(upgraded.body.systemData.lastModifiedBy).toBe(creator)

    const operations = await operationsOf(sub, 'flux')
    expect(operations.map((op) => [op.kind, op.status])).toEqual([
      ['extension.install', 'Succeeded'],
      ['extension.upgrade', 'Succeeded'],
    ])
    const status = await call<Json>(h, 'GET', `${extensionPath(sub, 'flux')}/operations/${operations[1]!.id}?${EXTENSION_API}`)
    expect(status.status).toBe(200)
    expect(status.body).toMatchObject({ name: operations[1]!.id, status: 'Succeeded', error: null })

    // Further sweeps find nothing: 2.0.0 is a new major, so 1.17.0 is as far as auto-upgrade goes.
    const queue = new OperationQueue(redisConnection(h.config.redisUrl), h.config.queuePrefix)
    const again = await sweepAutoUpgrades({ db, queue, log: pino({ level: 'silent' }) }).finally(() => queue.close())
    expect(again.started).toEqual([])
    expect(again.examined).toBeGreaterThanOrEqual(1)
    expect((await call<Json>(h, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)).body.properties.currentVersion).toBe('1.17.0')

    for (const other of [pinnedSub, manualSub]) {
      const ops = await operationsOf(other, 'flux')
      expect(ops.map((op) => op.kind)).toEqual(['extension.install'])
    }
    expect((await call<Json>(h, 'GET', `${extensionPath(pinnedSub, 'flux')}?${EXTENSION_API}`)).body.properties.currentVersion).toBe('1.15.1')
    expect((await call<Json>(h, 'GET', `${extensionPath(manualSub, 'flux')}?${EXTENSION_API}`)).body.properties.currentVersion).toBe('1.16.2')

    // A new unpinned install takes the newest on the train, the new major included.
    const freshSub = freshSubscription()
    await registerCluster(h, freshSub)
    expect((await install(freshSub, 'flux', {})).properties.currentVersion).toBe('2.0.0')
  })
})

describe('autoUpgradeMode (api-version 2025-03-01) through the scheduled sweep', () => {
  const API_2025 = 'api-version=2025-03-01'

  async function installPinned(sub: string, mode: 'none' | 'patch' | 'compatible'): Promise<void> {
    await registerCluster(h, sub)
    const url = `${extensionPath(sub, 'flux')}?${API_2025}`
    // Pinned first: the catalog already holds 1.17.0 and 2.0.0, which an unpinned install would take at once.
    const put = await call<Json>(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', autoUpgradeMode: 'none', version: '1.16.2' } })
    expect(put.status, JSON.stringify(put.body)).toBe(201)
    expect(put.body.properties).toMatchObject({ autoUpgradeMode: 'none', autoUpgradeMinorVersion: false, version: '1.16.2' })
    await until(
      () => call<Json>(h, 'GET', url),
      (r) => r.body.properties.provisioningState === 'Succeeded',
    )
    if (mode === 'none') return
    const patch = await call<Json>(h, 'PATCH', url, { properties: { autoUpgradeMode: mode, version: null } })
    expect(patch.status, JSON.stringify(patch.body)).toBe(202)
    expect(patch.body.properties).toMatchObject({ autoUpgradeMode: mode, autoUpgradeMinorVersion: true, version: null })
    await until(
      () => call<Json>(h, 'GET', url),
      (r) => r.body.properties.provisioningState === 'Succeeded',
    )
  }

  const current = async (sub: string) => (await call<Json>(h, 'GET', `${extensionPath(sub, 'flux')}?${API_2025}`)).body.properties.currentVersion as string

  it('patch moves within major.minor, compatible within the major, none never', async () => {
    const [patchSub, compatibleSub, noneSub] = [freshSubscription(), freshSubscription(), freshSubscription()]
    await installPinned(patchSub, 'patch')
    await installPinned(compatibleSub, 'compatible')
    await installPinned(noneSub, 'none')
    // Unpinned, compatible took the newest of major 1 (1.17.0); patch stayed on 1.16.
    expect(await current(patchSub)).toBe('1.16.2')
    expect(await current(compatibleSub)).toBe('1.17.0')

    writeCatalog((raw) => addFluxVersions(raw, ['1.16.3', '1.18.0']))

    await until(
      () => Promise.all([current(patchSub), current(compatibleSub)]),
      ([p, c]) => p === '1.16.3' && c === '1.18.0',
    )
    // Two more sweeps (one per second): none still has not moved, and nothing moved further.
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect(await current(noneSub)).toBe('1.16.2')
    expect((await operationsOf(noneSub, 'flux')).map((op) => op.kind)).toEqual(['extension.install'])
    expect((await operationsOf(patchSub, 'flux')).map((op) => op.kind)).toEqual(['extension.install', 'extension.update', 'extension.upgrade'])
    expect(await current(patchSub)).toBe('1.16.3')
    expect(await current(compatibleSub)).toBe('1.18.0')
  })
})

describe('the sweep, called directly', () => {
  it('starts one upgrade per outdated extension and none while it is in flight; a broken catalog fails the run', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const before = await install(sub, 'flux', {})
    const from = before.properties.currentVersion as string
    // From here on only this test sweeps: the scheduled sweeps run in the harness's worker.
    await h.stopWorker()
    writeCatalog((raw) => addFluxVersions(raw, [`${from.split('.')[0]}.99.0`]))
    const queue = new OperationQueue(redisConnection(h.config.redisUrl), `${h.config.queuePrefix}-direct`)
    const log = pino({ level: 'silent' })
    try {
      // A queue no worker reads: the operation stays in flight, so a second sweep must not start another.
      const first = await sweepAutoUpgrades({ db, queue, log, batchSize: 1 })
      const mine = first.started.filter((s) => s.resourceId === extensionPath(sub, 'flux'))
      expect(mine).toEqual([{ resourceId: extensionPath(sub, 'flux'), operationId: expect.any(String), fromVersion: from, toVersion: `${from.split('.')[0]}.99.0` }])
      const during = await call<Json>(h, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)
      expect(during.body.properties.provisioningState).toBe('Updating')
      const second = await sweepAutoUpgrades({ db, queue, log })
      expect(second.started.filter((s) => s.resourceId === extensionPath(sub, 'flux'))).toEqual([])

      writeFileSync(catalogPath, '{ not json')
      await expect(sweepAutoUpgrades({ db, queue, log })).rejects.toThrow(/not valid JSON/)
    } finally {
      await queue.queue.obliterate({ force: true })
      await queue.close()
      copyFileSync(SEED_CATALOG_FILE, catalogPath)
    }
  })

  it('never chooses a target for pinned or manual extensions, or across a major', () => {
    const raw = JSON.parse(readFileSync(SEED_CATALOG_FILE, 'utf8')) as Json
    addFluxVersions(raw, ['1.17.0', '2.0.0'])
    const file = path.join(catalogDir, 'targets.json')
    writeFileSync(file, JSON.stringify(raw))
    const catalog = loadCatalog(file)
    const spec = (overrides: Json) => ({ extensionType: 'microsoft.flux', autoUpgradeMinorVersion: true, releaseTrain: 'Stable', version: null, ...overrides })
    const row = (currentVersion: string | null, overrides: Json = {}) => ({ extensionType: 'microsoft.flux', currentVersion, spec: spec(overrides) as never })
    expect(autoUpgradeTarget(catalog, row('1.15.1'))).toBe('1.17.0')
    expect(autoUpgradeTarget(catalog, row('1.17.0'))).toBeNull()
    expect(autoUpgradeTarget(catalog, row('2.0.0'))).toBeNull()
    expect(autoUpgradeTarget(catalog, row('1.15.1', { autoUpgradeMinorVersion: false, version: '1.15.1' }))).toBeNull()
    expect(autoUpgradeTarget(catalog, row('1.15.1', { autoUpgradeMinorVersion: false }))).toBeNull()
    expect(autoUpgradeTarget(catalog, row(null))).toBeNull()
    expect(autoUpgradeTarget(catalog, { ...row('1.0.0'), extensionType: 'microsoft.gone' })).toBeNull()
  })
})
