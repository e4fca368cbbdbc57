// The catalog's settings rules over real HTTP (issue 18): a raw PUT or PATCH with a setting the az CLI would have
// refused gets a 400 naming the key and the rule at once, never a protected value; valid settings install.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, POLL, call, extensionPath, freshSubscription, provisioningState, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const SECRET = 'pa55-never-in-a-message'
let h: Harness

beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

async function clusterFor(): Promise<string> {
  const sub = freshSubscription()
  await registerCluster(h, sub)
  return sub
}

async function refusedPut(sub: string, name: string, properties: Json): Promise<Json> {
  const url = `${extensionPath(sub, name)}?${EXTENSION_API}`
  const response = await call<Json>(h, 'PUT', url, { properties })
  expect(response.status, JSON.stringify(response.body)).toBe(400)
  expect((await call(h, 'GET', url)).status).toBe(404)
  expect(JSON.stringify(response.body)).not.toContain(SECRET)
  return response.body.error
}

async function installed(sub: string, name: string, properties: Json): Promise<string> {
  const url = `${extensionPath(sub, name)}?${EXTENSION_API}`
  const response = await call<Json>(h, 'PUT', url, { properties })
  expect(response.status, JSON.stringify(response.body)).toBe(201)
  await expect.poll(() => provisioningState(h, url), POLL).toBe('Succeeded')
  return url
}

describe('PUT', () => {
  it('refuses a Container Insights interval out of range, naming the key and the rule', async () => {
    const error = await refusedPut(await clusterFor(), 'monitor', { extensionType: 'microsoft.azuremonitor.containers', configurationSettings: { 'dataCollectionSettings.interval': '45m' } })
    expect(error).toMatchObject({ code: 'InvalidConfigurationSetting', target: "properties.configurationSettings['dataCollectionSettings.interval']" })
    expect(error.message).toContain("key 'dataCollectionSettings.interval'")
    expect(error.message).toContain('from 1 to 30')
  })

  it('refuses a malformed protected proxyEndpoint without echoing it', async () => {
    const error = await refusedPut(await clusterFor(), 'monitor', {
      extensionType: 'microsoft.azuremonitor.containers',
      configurationProtectedSettings: { proxyEndpoint: `socks5://me:${SECRET}@proxy` },
    })
    expect(error).toMatchObject({ code: 'InvalidProtectedSetting', target: "properties.configurationProtectedSettings['proxyEndpoint']" })
  })

  it('refuses Dapr outside dapr-system and installs it there', async () => {
    const sub = await clusterFor()
    const error = await refusedPut(sub, 'dapr', { extensionType: 'microsoft.dapr', scope: { cluster: { releaseNamespace: 'dapr' } } })
    expect(error).toMatchObject({ code: 'ReleaseNamespaceNotAllowed', target: 'properties.scope.cluster.releaseNamespace' })
    const url = await installed(sub, 'dapr', { extensionType: 'microsoft.dapr', scope: { cluster: { releaseNamespace: 'dapr-system' } } })
    expect((await call<Json>(h, 'GET', url)).body.properties.scope).toEqual({ cluster: { releaseNamespace: 'dapr-system' } })
  })

  it('refuses Azure ML with neither training nor inference, and a key in both maps', async () => {
    const sub = await clusterFor()
    const neither = await refusedPut(sub, 'ml', { extensionType: 'microsoft.azureml.kubernetes', configurationSettings: { enableTraining: 'false' } })
    expect(neither).toMatchObject({ code: 'InvalidConfigurationSetting', target: 'properties.configurationSettings' })
    expect(neither.message).toContain('enableTraining or enableInference')
    const both = await refusedPut(sub, 'ml', {
      extensionType: 'microsoft.azureml.kubernetes',
      configurationSettings: { enableTraining: 'true', sslSecret: 'tls' },
      configurationProtectedSettings: { sslSecret: SECRET },
    })
    expect(both).toMatchObject({ code: 'SettingInBothMaps', target: "properties.configurationProtectedSettings['sslSecret']" })
  })

  it('refuses a plan without its publisher', async () => {
    const url = `${extensionPath(await clusterFor(), 'flux')}?${EXTENSION_API}`
    const response = await call<Json>(h, 'PUT', url, { plan: { name: 'p', product: 'o', publisher: '' }, properties: { extensionType: 'microsoft.flux' } })
    expect(response.status).toBe(400)
    expect(response.body.error).toMatchObject({ code: 'PlanIncomplete', target: 'plan.publisher' })
    expect((await call(h, 'GET', url)).status).toBe(404)
  })
})

describe('PATCH', () => {
  it('judges the settings as they will be after the patch, protected ones kept from before', async () => {
    const sub = await clusterFor()
    // enableTraining only in the protected map: a later PATCH that does not send them must still count it.
    const url = await installed(sub, 'ml', { extensionType: 'microsoft.azureml.kubernetes', configurationProtectedSettings: { enableTraining: 'true' } })
    const fine = await call<Json>(h, 'PATCH', url, { properties: { configurationSettings: { inferenceRouterServiceType: 'ClusterIP' } } })
    expect(fine.status, JSON.stringify(fine.body)).toBe(202)
    await expect.poll(() => provisioningState(h, url), POLL).toBe('Succeeded')

    const badType = await call<Json>(h, 'PATCH', url, { properties: { configurationSettings: { inferenceRouterServiceType: 'Ingress' } } })
    expect(badType.status).toBe(400)
    expect(badType.body.error).toMatchObject({ code: 'InvalidConfigurationSetting', target: "properties.configurationSettings['inferenceRouterServiceType']" })

    // Replacing the protected map drops enableTraining: nothing is enabled any more.
    const dropped = await call<Json>(h, 'PATCH', url, { properties: { configurationProtectedSettings: { other: SECRET } } })
    expect(dropped.status).toBe(400)
    expect(dropped.body.error.message).toContain('enableTraining or enableInference')
    expect(JSON.stringify(dropped.body)).not.toContain(SECRET)
    expect((await call<Json>(h, 'GET', url)).body.properties.configurationSettings).toEqual({ inferenceRouterServiceType: 'ClusterIP' })
  })
})
