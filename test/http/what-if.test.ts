// POST {extension}/whatIf (issue 18): the prediction for a PUT or PATCH body is exactly what the following request does
// (install, upgrade, reconfigure, none, refused), and asking writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, POLL, call, extensionPath, freshSubscription, provisioningState, registerCluster, startHarness, type Harness } from '../helpers/harness.js'
import { FLUX_NEWEST, FLUX_PREVIOUS } from '../helpers/shipped-flux.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const SECRET = 'what-if-secret-never-shown'
const WORKSPACE = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.OperationalInsights/workspaces/ws1'
let h: Harness

beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

async function freshCluster(): Promise<string> {
  const sub = freshSubscription()
  await registerCluster(h, sub)
  return sub
}

/** Rows of this subscription's extensions and operations: a what-if must leave both as they were. */
async function rows(sub: string): Promise<{ extensions: number; operations: number; etags: string[] }> {
  const { db } = h.api.app.services
  const extensions = await db.extension.findMany({ where: { resourceId: { contains: sub } }, select: { etag: true } })
  const operations = await db.operation.count({ where: { resourceId: { contains: sub } } })
  return { extensions: extensions.length, operations, etags: extensions.map((e) => e.etag).sort() }
}

async function whatIf(url: string, body: unknown, method: 'PUT' | 'PATCH' = 'PUT'): Promise<Json> {
  const [path, query] = url.split('?')
  const sub = /subscriptions\/([^/]+)/.exec(url)?.[1] ?? ''
  const before = await rows(sub)
  const response = await call<Json>(h, 'POST', `${path}/whatIf?${query}${method === 'PATCH' ? '&method=PATCH' : ''}`, body)
  expect(response.status, JSON.stringify(response.body)).toBe(200)
  expect(await rows(sub)).toEqual(before)
  expect(JSON.stringify(response.body)).not.toContain(SECRET)
  return response.body
}

async function settled(url: string): Promise<Json> {
  await expect.poll(() => provisioningState(h, url), POLL).toBe('Succeeded')
  return (await call<Json>(h, 'GET', url)).body
}

describe('what-if predicts the following request', () => {
  it('install: the resource as the PUT answers it, the version the worker installs', async () => {
    const url = `${extensionPath(await freshCluster(), 'flux')}?${EXTENSION_API}`
    const body = { properties: { extensionType: 'microsoft.flux', configurationSettings: { a: '1' }, configurationProtectedSettings: { token: SECRET } } }
    const prediction = await whatIf(url, body)
    expect(prediction).toMatchObject({ method: 'PUT', accepted: true, status: 201, operation: 'install', startsOperation: true, installedVersion: null, violations: [] })
    expect(prediction.changes.configurationSettings).toEqual([{ key: 'a', change: 'added', after: '1' }])
    expect(prediction.changes.configurationProtectedSettings).toEqual([{ key: 'token', change: 'added' }])
    expect((await call(h, 'GET', url)).status).toBe(404)

    const put = await call<Json>(h, 'PUT', url, body)
    expect(put.status).toBe(prediction.status)
    const { systemData: _predicted, ...predicted } = prediction.resource
    const { systemData: _answered, ...answered } = put.body
    expect(predicted).toEqual(answered)
    expect((await settled(url)).properties.currentVersion).toBe(prediction.resolvedVersion)
  })

  it('reconfigure and none: a settings change keeps the version; the same PATCH again changes nothing', async () => {
    const url = `${extensionPath(await freshCluster(), 'flux')}?${EXTENSION_API}`
    expect((await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', configurationSettings: { a: '1' }, configurationProtectedSettings: { token: SECRET } } })).status).toBe(201)
    const installed = (await settled(url)).properties.currentVersion
    const patch = { properties: { configurationSettings: { a: '2', b: '3' } } }
    const prediction = await whatIf(url, patch, 'PATCH')
    expect(prediction).toMatchObject({ accepted: true, status: 202, operation: 'reconfigure', installedVersion: installed, resolvedVersion: installed })
    expect(prediction.changes.configurationSettings).toEqual([
      { key: 'a', change: 'modified', before: '1', after: '2' },
      { key: 'b', change: 'added', after: '3' },
    ])
    expect(prediction.changes.configurationProtectedSettings).toEqual([{ key: 'token', change: 'unchanged' }])
    const patched = await call<Json>(h, 'PATCH', url, patch)
    expect(patched.status).toBe(202)
    expect(prediction.resource.properties).toEqual(patched.body.properties)
    expect((await settled(url)).properties.currentVersion).toBe(installed)

    const again = await whatIf(url, patch, 'PATCH')
    expect(again).toMatchObject({ accepted: true, status: 200, operation: 'none', startsOperation: false, resolvedVersion: installed })
    expect(again.changes).toEqual({ properties: [], configurationSettings: [], configurationProtectedSettings: [{ key: 'token', change: 'unchanged' }] })
    const noOp = await call<Json>(h, 'PATCH', url, patch)
    expect(noOp.status).toBe(200)
    expect(again.resource).toEqual(noOp.body)

    // A replaced secret shows as changed, never with its value.
    const rotated = await whatIf(url, { properties: { configurationProtectedSettings: { token: `${SECRET}-2` } } }, 'PATCH')
    expect(rotated).toMatchObject({ operation: 'reconfigure', changes: { configurationProtectedSettings: [{ key: 'token', change: 'changed' }] } })
  })

  it('upgrade: a pinned newer version is the operation and the version the worker installs', async () => {
    const url = `${extensionPath(await freshCluster(), 'flux')}?${EXTENSION_API}`
    expect((await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: false, version: FLUX_PREVIOUS } })).status).toBe(201)
    expect((await settled(url)).properties.currentVersion).toBe(FLUX_PREVIOUS)
    const patch = { properties: { version: FLUX_NEWEST } }
    const prediction = await whatIf(url, patch, 'PATCH')
    expect(prediction).toMatchObject({ accepted: true, status: 202, operation: 'upgrade', installedVersion: FLUX_PREVIOUS, resolvedVersion: FLUX_NEWEST })
    expect(prediction.changes.properties).toEqual([{ property: 'properties.version', before: FLUX_PREVIOUS, after: FLUX_NEWEST }])
    expect((await call(h, 'PATCH', url, patch)).status).toBe(202)
    expect((await settled(url)).properties.currentVersion).toBe(FLUX_NEWEST)
  })

  it('PUT over an installed extension: upgrade, reconfigure, and none (a PUT that changes nothing still re-applies)', async () => {
    const url = `${extensionPath(await freshCluster(), 'flux')}?${EXTENSION_API}`
    const pinned = (version: string, settings: Record<string, string>) => ({
      properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: false, version, configurationSettings: settings },
    })
    expect((await call(h, 'PUT', url, pinned(FLUX_PREVIOUS, { a: '1' }))).status).toBe(201)
    await settled(url)

    const upgrade = await whatIf(url, pinned(FLUX_NEWEST, { a: '1' }))
    expect(upgrade).toMatchObject({ accepted: true, status: 200, operation: 'upgrade', installedVersion: FLUX_PREVIOUS, resolvedVersion: FLUX_NEWEST })
    const upgraded = await call<Json>(h, 'PUT', url, pinned(FLUX_NEWEST, { a: '1' }))
    expect(upgraded.status).toBe(upgrade.status)
    expect(upgrade.resource.properties).toEqual(upgraded.body.properties)
    expect((await settled(url)).properties.currentVersion).toBe(FLUX_NEWEST)

    const reconfigure = await whatIf(url, pinned(FLUX_NEWEST, { a: '2' }))
    expect(reconfigure).toMatchObject({
      status: 200,
      operation: 'reconfigure',
      resolvedVersion: FLUX_NEWEST,
      changes: { properties: [], configurationSettings: [{ key: 'a', change: 'modified', before: '1', after: '2' }] },
    })
    expect((await call(h, 'PUT', url, pinned(FLUX_NEWEST, { a: '2' }))).status).toBe(200)
    expect((await settled(url)).properties).toMatchObject({ currentVersion: FLUX_NEWEST, configurationSettings: { a: '2' } })

    const same = await whatIf(url, pinned(FLUX_NEWEST, { a: '2' }))
    expect(same).toMatchObject({ accepted: true, status: 200, operation: 'none', startsOperation: true, resolvedVersion: FLUX_NEWEST })
    expect(same.changes).toEqual({ properties: [], configurationSettings: [], configurationProtectedSettings: [] })
    const again = await call<Json>(h, 'PUT', url, pinned(FLUX_NEWEST, { a: '2' }))
    expect(again.status).toBe(200)
    expect(again.headers.get('azure-asyncoperation')).toEqual(expect.any(String))
    expect((await settled(url)).properties.currentVersion).toBe(FLUX_NEWEST)
  })

  it('a refused body: every rule it breaks, with the codes and the status the PUT answers', async () => {
    const url = `${extensionPath(await freshCluster(), 'monitor')}?${EXTENSION_API}`
    const body = {
      properties: {
        extensionType: 'microsoft.azuremonitor.containers',
        releaseTrain: 'Nightly',
        configurationSettings: { 'dataCollectionSettings.interval': '45m', 'dataCollectionSettings.namespaceFilteringMode': 'All' },
        configurationProtectedSettings: { proxyEndpoint: `socks5://u:${SECRET}@proxy` },
      },
    }
    const prediction = await whatIf(url, body)
    expect(prediction).toMatchObject({ accepted: false, status: 400, operation: 'none', startsOperation: false, resolvedVersion: null, resource: null })
    const put = await call<Json>(h, 'PUT', url, body)
    expect(put.status).toBe(prediction.status)
    const codes = (put.body.error.details as Json[]).map((d) => [d.code, d.target])
    expect(prediction.violations.map((v: Json) => [v.code, v.target])).toEqual(codes)
    expect(codes).toEqual([
      ['InvalidConfigurationSetting', "properties.configurationSettings['dataCollectionSettings.interval']"],
      ['InvalidConfigurationSetting', "properties.configurationSettings['dataCollectionSettings.namespaceFilteringMode']"],
      ['InvalidProtectedSetting', "properties.configurationProtectedSettings['proxyEndpoint']"],
      ['UnknownReleaseTrain', 'properties.releaseTrain'],
    ])
    expect((await call(h, 'GET', url)).status).toBe(404)
  })

  it('refusals before the rules: a schema-invalid body, a changed extension type', async () => {
    const url = `${extensionPath(await freshCluster(), 'flux')}?${EXTENSION_API}`
    const badShape = await whatIf(url, { properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: 'sometimes' } })
    const badPut = await call<Json>(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: 'sometimes' } })
    expect(badPut.status).toBe(400)
    expect(badShape).toMatchObject({ accepted: false, status: 400, violations: [{ code: badPut.body.error.code, target: badPut.body.error.target }] })

    expect((await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux' } })).status).toBe(201)
    await settled(url)
    const typeChange = await whatIf(url, { properties: { extensionType: 'microsoft.dapr' } })
    expect(typeChange).toMatchObject({ accepted: false, status: 400, violations: [{ code: 'InvalidRequestContent', target: 'properties.extensionType' }] })
  })

  it('applies what the catalog forces on an omitted property, and answers 404 for a PATCH of nothing', async () => {
    const sub = await freshCluster()
    const url = `${extensionPath(sub, 'chaos')}?${EXTENSION_API}`
    const missing = await call<Json>(h, 'POST', `${url.split('?')[0]}/whatIf?${EXTENSION_API}&method=PATCH`, { properties: {} })
    expect(missing.status).toBe(404)
    const monitor = await whatIf(`${extensionPath(sub, 'monitor')}?${EXTENSION_API}`, {
      properties: { extensionType: 'microsoft.azuremonitor.containers', configurationSettings: { logAnalyticsWorkspaceResourceID: WORKSPACE } },
    })
    expect(monitor).toMatchObject({ accepted: true, operation: 'install' })
  })

  // Last: it stops the worker, so the install stays in flight.
  it('an operation in flight: 409 AnotherOperationInProgress, as the PATCH answers', async () => {
    await h.stopWorker()
    const url = `${extensionPath(await freshCluster(), 'flux')}?${EXTENSION_API}`
    expect((await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux' } })).status).toBe(201)
    const patch = { properties: { configurationSettings: { x: 'y' } } }
    const busy = await whatIf(url, patch, 'PATCH')
    const refused = await call<Json>(h, 'PATCH', url, patch)
    expect(refused.status).toBe(409)
    expect(busy).toMatchObject({ accepted: false, status: 409, violations: [{ code: refused.body.error.code, message: refused.body.error.message }] })
  })
})
