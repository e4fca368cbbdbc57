// Every stable api-version in the spec pack: wire differences (spec/README.md §8.2) and per-version parents.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, extensionPath, freshSubscription, registerCluster, startHarness, until, POLL, provisioningState, type Harness, APIM_SETTINGS } from '../helpers/harness.js'
import { FLUX_NEWEST } from '../helpers/shipped-flux.js'

let h: Harness
const sub = freshSubscription()
const ext = (name: string, version: string) => `${extensionPath(sub, name)}?api-version=${version}`

beforeAll(async () => {
  h = await startHarness()
  await registerCluster(h, sub)
  const put = await call(h, 'PUT', ext('flux', '2023-05-01'), { properties: { extensionType: 'microsoft.flux' }, plan: { name: 'p', publisher: 'pub', product: 'prod' } })
  expect(put.status).toBe(201)
  // expect.poll works only inside a test, not in a hook.
  await until(
    () => provisioningState(h, ext('flux', '2023-05-01')),
    (state) => state === 'Succeeded',
  )
})
afterAll(() => h?.close())

describe('api-versions', () => {
  it.each([
    ['2021-09-01', null, false],
    ['2022-03-01', 'installedVersion', false],
    ['2022-07-01', 'installedVersion', false],
    ['2022-11-01', 'currentVersion', true],
    ['2023-05-01', 'currentVersion', true],
    ['2024-11-01', 'currentVersion', true],
    ['2025-03-01', 'currentVersion', true],
  ] as const)('%s names the installed version %s and shows plan/isSystemExtension: %s', async (version, field, planAndFlag) => {
    const got = await call<{ plan?: unknown; properties: Record<string, unknown> }>(h, 'GET', ext('flux', version))
    expect(got.status).toBe(200)
    for (const name of ['currentVersion', 'installedVersion']) {
      if (name === field) expect(got.body.properties[name]).toBe(FLUX_NEWEST)
      else expect(got.body.properties).not.toHaveProperty(name)
    }
    expect('plan' in got.body).toBe(planAndFlag)
    expect('isSystemExtension' in got.body.properties).toBe(planAndFlag)
    expect('autoUpgradeMode' in got.body.properties).toBe(version === '2025-03-01')
  })

  it('answers a no-op PATCH with 202 before 2022-07-01 and 200 after', async () => {
    const old = await call(h, 'PATCH', ext('flux', '2022-03-01'), { properties: {} })
    expect(old.status).toBe(202)
    await expect.poll(() => provisioningState(h, ext('flux', '2023-05-01')), POLL).toBe('Succeeded')
    expect((await call(h, 'PATCH', ext('flux', '2023-05-01'), { properties: {} })).status).toBe(200)
  })

  it('accepts autoUpgradeMode only from 2025-03-01', async () => {
    const rejected = await call<{ error: { target: string } }>(h, 'PATCH', ext('flux', '2023-05-01'), { properties: { autoUpgradeMode: 'patch' } })
    expect(rejected.status).toBe(400)
    expect(rejected.body.error.target).toBe('properties.autoUpgradeMode')
    const accepted = await call(h, 'PATCH', ext('flux', '2025-03-01'), { properties: { autoUpgradeMode: 'patch' } })
    expect(accepted.status).toBe(202)
    expect(accepted.body).toMatchObject({ properties: { autoUpgradeMode: 'patch' } })
  })

  // 2024-11-01 has exactly the 2023-05-01 shape (spec/README.md §8.2): the 2025-03-01 fields are refused, not stored.
  it.each(['2023-05-01', '2024-11-01'])('%s refuses the 2025-03-01 fields in PUT and PATCH and accepts its own shape', async (version) => {
    // Its own cluster: one flux per cluster, and the shared cluster already has one.
    const cluster = `shape-${version}`
    await registerCluster(h, sub, cluster)
    const at = (v: string) => `${extensionPath(sub, 'flux', cluster)}?api-version=${v}`
    const body = { properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: true, releaseTrain: 'Stable', configurationSettings: { a: 'b' } } }
    for (const [extra, target] of [
      [{ properties: { ...body.properties, autoUpgradeMode: 'patch' } }, 'properties.autoUpgradeMode'],
      [{ ...body, managedBy: 'someone' }, 'managedBy'],
    ] as const) {
      const refused = await call<{ error: { code: string; target: string } }>(h, 'PUT', at(version), extra)
      expect(refused.status).toBe(400)
      expect(refused.body.error).toMatchObject({ code: 'InvalidRequestContent', target })
    }
    expect((await call(h, 'GET', at('2025-03-01'))).status).toBe(404)
    const created = await call<{ properties: Record<string, unknown> }>(h, 'PUT', at(version), body)
    expect(created.status).toBe(201)
    expect(created.body.properties).toMatchObject(body.properties)
    expect(created.body.properties).not.toHaveProperty('autoUpgradeMode')
    await expect.poll(() => provisioningState(h, at(version)), POLL).toBe('Succeeded')
    const patched = await call<{ error: { target: string } }>(h, 'PATCH', at(version), { properties: { autoUpgradeMode: 'none' } })
    expect(patched.status).toBe(400)
    expect(patched.body.error.target).toBe('properties.autoUpgradeMode')
    expect((await call(h, 'PATCH', at(version), { properties: { configurationSettings: { a: 'b' } } })).status).toBe(200)
    const seenLater = await call<{ managedBy?: string; properties: Record<string, unknown> }>(h, 'GET', at('2025-03-01'))
    expect(seenLater.body.properties.autoUpgradeMode).toBe('compatible')
    expect(seenLater.body).not.toHaveProperty('managedBy')
  })

  it('allows only the parents each version declares', async () => {
    const provisioned = (version: string) =>
      `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.HybridContainerService/provisionedClusters/p1/providers/Microsoft.KubernetesConfiguration/extensions/x?api-version=${version}`
    const old = await call<{ error: { code: string } }>(h, 'GET', provisioned('2021-09-01'))
    expect(old.status).toBe(400)
    expect(old.body.error.code).toBe('InvalidResourceType')
    expect((await call(h, 'GET', provisioned('2022-03-01'))).status).toBe(404)
    const appliance = (version: string) =>
      `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.ResourceConnector/appliances/a1/providers/Microsoft.KubernetesConfiguration/extensions/x?api-version=${version}`
    // Azure accepts the appliances parent from 2022-11-01 on (its common parameters are free strings).
    expect((await call(h, 'GET', appliance('2022-07-01'))).status).toBe(400)
    for (const version of ['2022-11-01', '2023-05-01', '2024-11-01', '2025-03-01']) expect((await call(h, 'GET', appliance(version))).status, version).toBe(404)
  })
})

describe('ETag preconditions (docs/arm-rules.md rules 44-47)', () => {
  const url = () => ext('etagged', '2023-05-01')
  const body = { properties: { extensionType: 'microsoft.apimanagement', scope: { namespace: { targetNamespace: 'apim' } }, ...APIM_SETTINGS } }

  it('honours If-None-Match and If-Match on PUT, PATCH and DELETE', async () => {
    expect((await call(h, 'PUT', url(), body, { 'if-match': '*' })).status).toBe(412)
    expect((await call(h, 'PATCH', url(), { properties: {} }, { 'if-match': '"x"' })).status).toBe(404)
    expect((await call(h, 'DELETE', url(), undefined, { 'if-match': '"x"' })).status).toBe(204)
    const created = await call(h, 'PUT', url(), body, { 'if-none-match': '*' })
    expect(created.status).toBe(201)
    await expect.poll(() => provisioningState(h, url()), POLL).toBe('Succeeded')
    const got = await call(h, 'GET', url())
    const etag = got.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-f-]{36}"$/)
    const again = await call<{ error: { code: string } }>(h, 'PUT', url(), body, { 'if-none-match': '*' })
    expect(again.status).toBe(412)
    expect(again.body.error.code).toBe('PreconditionFailed')
    expect((await call(h, 'PATCH', url(), { properties: { configurationSettings: { a: 'b' } } }, { 'if-match': '"stale"' })).status).toBe(412)
    expect((await call(h, 'DELETE', url(), undefined, { 'if-match': '"stale"' })).status).toBe(412)
    const patched = await call(h, 'PATCH', url(), { properties: { configurationSettings: { a: 'b' } } }, { 'if-match': etag })
    expect(patched.status).toBe(202)
    expect(patched.headers.get('etag')).not.toBe(etag)
  })
})
