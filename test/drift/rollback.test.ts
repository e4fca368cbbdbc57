// Last known good and rollback over real HTTP, Postgres and Redis, with failures injected through the simulated
// driver's admin fault rules: a failed upgrade leaves the previous release serving and says so, POST …/rollback
// returns to the last good version and settings as an ordinary operation, a failed auto-upgrade is not tried again
// for that version until a newer one appears, and the sweep steps through a required upgrade stop.
// The suite runs on its own database, so the sweeps it runs never touch other suites' extensions.
import { readFileSync } from 'node:fs'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { validateCatalog, type Catalog } from '../../core/catalog/index.js'
import { createDb, type Db } from '../../core/db/client.js'
import { OperationQueue, redisConnection } from '../../core/queue.js'
import { loadSecretBox } from '../../core/secrets.js'
import { autoUpgradeTarget, sweepAutoUpgrades } from '../../workers/jobs/auto-upgrade.js'
import { dropDatabase, siblingDatabaseUrl } from '../helpers/isolation.js'
import { EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, registerCluster, startHarness, until, type Harness } from '../helpers/harness.js'
import { SEED_CATALOG_FILE, useSeedCatalog } from '../catalog/seed.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const databaseUrl = siblingDatabaseUrl(inject('databaseUrl'), 'rollback_')

let h: Harness
let db: Db
let queue: OperationQueue

// Flux 1.14.1-1.16.2 are the example versions here: the seed-dated catalog keeps them still.
useSeedCatalog()

beforeAll(async () => {
  h = await startHarness({ env: { DATABASE_URL: databaseUrl, DRIFT_CHECK_SECONDS: '0', AUTO_UPGRADE_INTERVAL_SECONDS: '0' } })
  db = createDb(databaseUrl, 2)
  queue = new OperationQueue(redisConnection(h.config.redisUrl), h.config.queuePrefix)
})

afterAll(async () => {
  await queue?.close()
  await db?.$disconnect()
  await h?.close()
  await dropDatabase(databaseUrl)
})

const fluxUrl = (sub: string) => `${extensionPath(sub, 'flux')}?${EXTENSION_API}`

async function settle(response: { headers: Headers }): Promise<Json> {
  const done = await until(
    () => call<Json>(h, 'GET', response.headers.get('azure-asyncoperation')!),
    (r) => r.body.status !== 'InProgress',
  )
  return done.body
}

async function putAndSettle(sub: string, properties: Json): Promise<Json> {
  const put = await call<Json>(h, 'PUT', fluxUrl(sub), { properties: { extensionType: 'microsoft.flux', ...properties } })
  expect([200, 201], JSON.stringify(put.body)).toContain(put.status)
  return settle(put)
}

async function addFault(sub: string, rule: Json): Promise<string> {
  const created = await call<Json>(h, 'POST', '/admin/simulator/faults', { clusterId: clusterPath(sub), extensionType: 'microsoft.flux', ...rule })
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  return created.body.id as string
}

async function removeFault(id: string): Promise<void> {
  expect((await call(h, 'DELETE', `/admin/simulator/faults/${id}`)).status).toBe(200)
}

async function servingVersion(sub: string): Promise<string | undefined> {
  const listed = await call<Json>(h, 'GET', `/admin/simulator/releases?clusterId=${encodeURIComponent(clusterPath(sub))}`)
  return (listed.body.value as Json[])[0]?.version
}

async function row(sub: string) {
  return db.extension.findFirstOrThrow({ where: { idKey: extensionPath(sub, 'flux').toLowerCase() } })
}

const pinned = (version: string, extra: Json = {}) => ({ autoUpgradeMinorVersion: false, version, ...extra })

describe('a failed upgrade', () => {
  it('leaves the previous release serving and says so; rollback returns to the last good version and settings', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    expect((await putAndSettle(sub, pinned('1.15.1', { configurationSettings: { mode: 'good' }, configurationProtectedSettings: { token: 'good-secret' } }))).status).toBe('Succeeded')
    const good = await row(sub)
    expect(good.lastGood).toMatchObject({ version: '1.15.1', spec: { version: '1.15.1', configurationSettings: { mode: 'good' } } })
    // Protected settings stay sealed: the last known good holds the sealed value, never the plaintext.
    expect(good.lastGoodProtectedSettingsSealed).toBe(good.protectedSettingsSealed)
    expect(JSON.stringify(good.lastGood)).not.toContain('good-secret')

    const fault = await addFault(sub, { kind: 'failUpgrade', transient: false })
    const failed = await putAndSettle(sub, pinned('1.16.2', { configurationSettings: { mode: 'bad' }, configurationProtectedSettings: { token: 'bad-secret' } }))
    expect(failed.status).toBe('Failed')
    const broken = await call<Json>(h, 'GET', fluxUrl(sub))
    expect(broken.body.properties).toMatchObject({ provisioningState: 'Failed', currentVersion: '1.15.1', version: '1.16.2', configurationSettings: { mode: 'bad' } })
    expect(broken.body.properties.errorInfo.message).toContain('The previous release, version 1.15.1, is still serving')
    expect(broken.body.properties.errorInfo.message).toContain('/rollback')
    expect(await servingVersion(sub)).toBe('1.15.1')
    expect(((await row(sub)).lastGood as Json).version).toBe('1.15.1')
    await removeFault(fault)

    const stale = await call<Json>(h, 'POST', `${extensionPath(sub, 'flux')}/rollback?${EXTENSION_API}`, undefined, { 'if-match': '"not-the-etag"' })
    expect(stale.status).toBe(412)
    const rollback = await call<Json>(h, 'POST', `${extensionPath(sub, 'flux')}/rollback?${EXTENSION_API}`, undefined, { 'if-match': broken.headers.get('etag')! })
    expect(rollback.status, JSON.stringify(rollback.body)).toBe(202)
    expect(rollback.headers.get('etag')).not.toBe(broken.headers.get('etag'))
    expect(rollback.headers.get('azure-asyncoperation')).toMatch(/\/operations\//)
    expect(rollback.headers.get('location')).toBeTruthy()
    expect((await settle(rollback)).status).toBe('Succeeded')
    const restored = await call<Json>(h, 'GET', fluxUrl(sub))
    expect(restored.body.properties).toMatchObject({ provisioningState: 'Succeeded', currentVersion: '1.15.1', version: '1.15.1', configurationSettings: { mode: 'good' }, errorInfo: null })
    const after = await row(sub)
    expect(after.protectedSettingsSealed).toBe(good.protectedSettingsSealed)
    expect(loadSecretBox(h.config).openJson(after.protectedSettingsSealed!)).toEqual({ token: 'good-secret' })
    const ops = await db.operation.findMany({ where: { resourceIdKey: extensionPath(sub, 'flux').toLowerCase() }, orderBy: { startTime: 'asc' } })
    expect(ops.map((op) => [op.kind, op.status])).toEqual([
      ['extension.install', 'Succeeded'],
      ['extension.update', 'Failed'],
      ['extension.rollback', 'Succeeded'],
    ])
    expect(ops[2]!.properties).toMatchObject({ targetVersion: '1.15.1', fromVersion: '1.15.1' })

    // Now on its last known good: nothing to roll back to.
    const again = await call<Json>(h, 'POST', `${extensionPath(sub, 'flux')}/rollback?${EXTENSION_API}`)
    expect(again.status).toBe(409)
    expect(again.body.error).toMatchObject({ code: 'NothingToRollBack' })
    expect(again.body.error.message).toContain('1.15.1')
  })

  it('answers 409 NothingToRollBack for an extension that never succeeded, 409 AnotherOperationInProgress while one runs, 404 when absent', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const rollbackUrl = `${extensionPath(sub, 'flux')}/rollback?${EXTENSION_API}`
    expect((await call<Json>(h, 'POST', rollbackUrl)).status).toBe(404)
    const fault = await addFault(sub, { kind: 'failInstall', transient: false })
    expect((await putAndSettle(sub, {})).status).toBe('Failed')
    const never = await call<Json>(h, 'POST', rollbackUrl)
    expect(never.status).toBe(409)
    expect(never.body.error.code).toBe('NothingToRollBack')
    expect(never.body.error.message).toContain('no last known good')
    await removeFault(fault)

    const slow = await addFault(sub, { kind: 'latency', durationMs: 3000 })
    const put = await call<Json>(h, 'PUT', fluxUrl(sub), { properties: { extensionType: 'microsoft.flux' } })
    expect(put.status).toBe(200)
    const busy = await call<Json>(h, 'POST', rollbackUrl)
    expect(busy.status).toBe(409)
    expect(busy.body.error.code).toBe('AnotherOperationInProgress')
    await removeFault(slow)
    expect((await settle(put)).status).toBe('Succeeded')
  })
})

/** The seed-dated catalog with versions added to Flux's Stable train (newest first), as an operator would add them. */
function catalogWithFlux(versions: Json[]): Catalog {
  const raw = JSON.parse(readFileSync(SEED_CATALOG_FILE, 'utf8')) as Json
  const flux = (raw.types as Json[]).find((t) => t.type === 'microsoft.flux')!
  const stable = (flux.releaseTrains as Json[]).find((t) => t.name === 'Stable')!
  stable.versions = [...versions.map((v) => ({ releasedOn: '2026-01', notes: [`test release ${v.version}`], ...v })), ...stable.versions]
  return validateCatalog(raw)
}

const sweep = (catalog: Catalog) => sweepAutoUpgrades({ db, queue, log: pino({ level: 'silent' }), catalog })

async function waitForIdle(sub: string): Promise<Json> {
  return (
    await until(
      () => call<Json>(h, 'GET', fluxUrl(sub)),
      (r) => r.body.properties.provisioningState !== 'Updating',
    )
  ).body
}

describe('a failed auto-upgrade', () => {
  it('is not tried again for that version on that extension until a newer one appears', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    expect((await putAndSettle(sub, {})).status).toBe('Succeeded')
    const resourceId = extensionPath(sub, 'flux')
    const mine = (result: Awaited<ReturnType<typeof sweep>>) => result.started.filter((s) => s.resourceId === resourceId)

    const fault = await addFault(sub, { kind: 'failUpgrade', transient: false })
    const with117 = catalogWithFlux([{ version: '1.17.0' }])
    expect(mine(await sweep(with117))).toEqual([expect.objectContaining({ fromVersion: '1.16.2', toVersion: '1.17.0' })])
    const failed = await waitForIdle(sub)
    expect(failed.properties).toMatchObject({ provisioningState: 'Failed', currentVersion: '1.16.2' })
    expect(failed.properties.errorInfo.message).toContain('The previous release, version 1.16.2, is still serving')
    expect(await servingVersion(sub)).toBe('1.16.2')
    await removeFault(fault)

    // The same catalog again: 1.17.0 failed here, so nothing starts, however often the sweep runs.
    expect(mine(await sweep(with117))).toEqual([])
    expect(mine(await sweep(with117))).toEqual([])

    // A newer version appears: the sweep moves on to it, and it succeeds.
    const with1171 = catalogWithFlux([{ version: '1.17.1' }, { version: '1.17.0' }])
    expect(mine(await sweep(with1171))).toEqual([expect.objectContaining({ fromVersion: '1.16.2', toVersion: '1.17.1' })])
    const upgraded = await waitForIdle(sub)
    expect(upgraded.properties).toMatchObject({ provisioningState: 'Succeeded', currentVersion: '1.17.1' })
    expect(await servingVersion(sub)).toBe('1.17.1')
  })

  it('leaves an extension whose own update failed to its owner', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    expect((await putAndSettle(sub, {})).status).toBe('Succeeded')
    const fault = await addFault(sub, { kind: 'failUpgrade', transient: false })
    expect((await putAndSettle(sub, { configurationSettings: { mode: 'changed' } })).status).toBe('Failed')
    await removeFault(fault)
    const result = await sweep(catalogWithFlux([{ version: '1.17.0' }]))
    expect(result.started.filter((s) => s.resourceId === extensionPath(sub, 'flux'))).toEqual([])
  })
})

describe('an upgrade path with a required stop', () => {
  it('is walked by the sweep one step per run, never skipping the stop', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    expect((await putAndSettle(sub, {})).status).toBe('Succeeded')
    const resourceId = extensionPath(sub, 'flux')
    // 1.18.0 needs 1.17.0 or later first; 1.16.2 is installed.
    const catalog = catalogWithFlux([{ version: '1.18.0', upgradeFrom: '1.17.0' }, { version: '1.17.0' }])
    expect(autoUpgradeTarget(catalog, await row(sub))).toBe('1.17.0')

    const first = (await sweep(catalog)).started.filter((s) => s.resourceId === resourceId)
    expect(first).toEqual([expect.objectContaining({ fromVersion: '1.16.2', toVersion: '1.17.0' })])
    expect((await waitForIdle(sub)).properties.currentVersion).toBe('1.17.0')
    const second = (await sweep(catalog)).started.filter((s) => s.resourceId === resourceId)
    expect(second).toEqual([expect.objectContaining({ fromVersion: '1.17.0', toVersion: '1.18.0' })])
    expect((await waitForIdle(sub)).properties).toMatchObject({ provisioningState: 'Succeeded', currentVersion: '1.18.0' })
    expect((await sweep(catalog)).started.filter((s) => s.resourceId === resourceId)).toEqual([])
  })
})
