// Issue 18's table over real HTTP: each row refused at PUT and PATCH with a 400 (409 for Event Grid's second instance)
// naming the key and the rule, forced values applied when omitted, and the settingsSchema endpoint serving the rules.
// The types whose versions no source gave are installed from a copy of the shipped catalog with a test version added.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resetDefaultCatalog } from '../../core/catalog/index.js'
import { EXTENSION_API, POLL, call, extensionPath, freshSubscription, provisioningState, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const SECRET = 'table-http-secret-never-echoed'
const TEST_VERSION = '0.0.1-test'
let h: Harness
let dir: string
const previousCatalogFile = process.env.CATALOG_FILE

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'arcext-table-'))
  const shipped = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../core/catalog/extension-types.json'), 'utf8'))
  for (const type of shipped.types) for (const train of type.releaseTrains) if (train.versions.length === 0) train.versions.push({ version: TEST_VERSION, releasedOn: null, notes: ['test only'] })
  const file = path.join(dir, 'catalog.json')
  writeFileSync(file, JSON.stringify(shipped))
  process.env.CATALOG_FILE = file
  resetDefaultCatalog()
  h = await startHarness()
})

afterAll(async () => {
  await h?.close()
  if (previousCatalogFile === undefined) delete process.env.CATALOG_FILE
  else process.env.CATALOG_FILE = previousCatalogFile
  resetDefaultCatalog()
  rmSync(dir, { recursive: true, force: true })
})

async function aksCluster(): Promise<string> {
  const aks = `/subscriptions/${freshSubscription()}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1`
  expect((await call(h, 'PUT', `${aks}?api-version=2024-02-01`, { location: 'eastus', properties: { kubernetesVersion: '1.30.0' } })).status).toBe(201)
  return aks
}

const extensionUrl = (cluster: string, name: string) => `${cluster}/providers/Microsoft.KubernetesConfiguration/extensions/${name}?${EXTENSION_API}`

async function refused(method: 'PUT' | 'PATCH', url: string, body: Json, status = 400): Promise<Json> {
  const response = await call<Json>(h, method, url, body)
  expect(response.status, JSON.stringify(response.body)).toBe(status)
  expect(JSON.stringify(response.body)).not.toContain(SECRET)
  return response.body.error
}

const all = (error: Json) => (error.details ?? [error]).map((d: Json) => [d.code, d.target])

async function installed(url: string, body: Json): Promise<Json> {
  const response = await call<Json>(h, 'PUT', url, body)
  expect(response.status, JSON.stringify(response.body)).toBe(201)
  await expect.poll(() => provisioningState(h, url), POLL).toBe('Succeeded')
  return (await call<Json>(h, 'GET', url)).body
}

const BACKUP = {
  'configuration.backupStorageLocation.bucket': 'backups',
  'configuration.backupStorageLocation.config.storageAccount': 'store',
  'configuration.backupStorageLocation.config.resourceGroup': 'rg1',
  'configuration.backupStorageLocation.config.subscriptionId': '00000000-0000-0000-0000-000000000000',
}

describe('microsoft.dataprotection.kubernetes', () => {
  it('refuses connectedClusters, missing and unknown settings and auto-upgrade off; forces auto-upgrade on when omitted, at PUT and PATCH', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const arc = await refused('PUT', `${extensionPath(sub, 'backup')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.dataprotection.kubernetes', configurationSettings: BACKUP } })
    expect(arc.code).toBe('ClusterTypeNotSupported')

    const aks = await aksCluster()
    const url = extensionUrl(aks, 'backup')
    const missing = await refused('PUT', url, {
      properties: { extensionType: 'microsoft.dataprotection.kubernetes', configurationSettings: { 'configuration.backupStorageLocation.bucket': 'b', storageAccount: 's' } },
    })
    expect(all(missing)).toEqual([
      ['InvalidConfigurationSetting', "properties.configurationSettings['configuration.backupStorageLocation.config.storageAccount']"],
      ['InvalidConfigurationSetting', "properties.configurationSettings['configuration.backupStorageLocation.config.resourceGroup']"],
      ['InvalidConfigurationSetting', "properties.configurationSettings['configuration.backupStorageLocation.config.subscriptionId']"],
      ['InvalidConfigurationSetting', "properties.configurationSettings['storageAccount']"],
    ])
    const forcedOff = await refused('PUT', url, { properties: { extensionType: 'microsoft.dataprotection.kubernetes', autoUpgradeMinorVersion: false, configurationSettings: BACKUP } })
    expect(forcedOff).toMatchObject({ code: 'AutoUpgradeNotAllowed', target: 'properties.autoUpgradeMinorVersion' })

    const extension = await installed(url, { properties: { extensionType: 'microsoft.dataprotection.kubernetes', releaseTrain: 'stable', configurationSettings: BACKUP } })
    expect(extension.properties).toMatchObject({ autoUpgradeMinorVersion: true, currentVersion: TEST_VERSION, scope: { cluster: { releaseNamespace: 'dataprotection-microsoft' } } })
    expect(await refused('PATCH', url, { properties: { autoUpgradeMinorVersion: false } })).toMatchObject({ code: 'AutoUpgradeNotAllowed' })
    expect(await refused('PATCH', url, { properties: { configurationSettings: { useAAD: 'true' } } })).toMatchObject({
      code: 'InvalidConfigurationSetting',
      target: "properties.configurationSettings['useAAD']",
    })
  })
})

describe('microsoft.chaosstudio', () => {
  it('installs from dev with auto-upgrade off when omitted; refuses auto-upgrade on and another namespace', async () => {
    const arc = freshSubscription()
    await registerCluster(h, arc)
    expect(await refused('PUT', `${extensionPath(arc, 'chaos')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.chaosstudio' } })).toMatchObject({ code: 'ClusterTypeNotSupported' })
    const aks = await aksCluster()
    const url = extensionUrl(aks, 'chaos')
    expect(await refused('PUT', url, { properties: { extensionType: 'microsoft.chaosstudio', autoUpgradeMinorVersion: true } })).toMatchObject({ code: 'AutoUpgradeNotAllowed' })
    const namespace = await refused('PUT', url, { properties: { extensionType: 'microsoft.chaosstudio', scope: { cluster: { releaseNamespace: 'chaos' } } } })
    expect(namespace).toMatchObject({ code: 'ReleaseNamespaceNotAllowed', target: 'properties.scope.cluster.releaseNamespace' })
    // The what-if applies the same forced values the PUT does.
    const preview = await call<Json>(h, 'POST', `${url.split('?')[0]}/whatIf?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.chaosstudio' } })
    expect(preview.body).toMatchObject({ accepted: true, operation: 'install', resolvedVersion: '0.1.3', resource: { properties: { autoUpgradeMinorVersion: false, releaseTrain: 'dev' } } })
    const extension = await installed(url, { properties: { extensionType: 'microsoft.chaosstudio' } })
    expect(extension.properties).toMatchObject({ autoUpgradeMinorVersion: false, releaseTrain: 'dev', currentVersion: '0.1.3', scope: { cluster: { releaseNamespace: 'chaos-infrastructure' } } })
    expect(await refused('PATCH', url, { properties: { autoUpgradeMinorVersion: true } })).toMatchObject({ code: 'AutoUpgradeNotAllowed' })
  })
})

describe('microsoft.entraworkloadiam', () => {
  it('refuses a long name, missing settings and a plain join token; installs with the token protected', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const settings = { trustdomain: 'contoso.example', tenantid: '00000000-0000-0000-0000-000000000000' }
    const long = await refused('PUT', `${extensionPath(sub, 'workload-identity-iam-ext')}?${EXTENSION_API}`, {
      properties: { extensionType: 'microsoft.entraworkloadiam', configurationSettings: settings, configurationProtectedSettings: { jointoken: SECRET } },
    })
    expect(long).toMatchObject({ code: 'ExtensionNameNotAllowed', target: 'name' })
    const url = `${extensionPath(sub, 'wiam')}?${EXTENSION_API}`
    const missing = await refused('PUT', url, { properties: { extensionType: 'microsoft.entraworkloadiam', configurationSettings: { jointoken: SECRET } } })
    expect(all(missing)).toEqual([
      ['InvalidConfigurationSetting', "properties.configurationSettings['jointoken']"],
      ['InvalidConfigurationSetting', 'properties.configurationSettings'],
      ['InvalidConfigurationSetting', 'properties.configurationSettings'],
    ])
    const extension = await installed(url, { properties: { extensionType: 'microsoft.entraworkloadiam', configurationSettings: settings, configurationProtectedSettings: { jointoken: SECRET } } })
    expect(extension.properties.releaseTrain).toBe('preview')
    // A PATCH that drops the protected map leaves neither jointoken nor localauthority.
    const dropped = await refused('PATCH', url, { properties: { configurationProtectedSettings: null } })
    expect(dropped.message).toContain('jointoken (protected) or localauthority')
  })
})

describe('microsoft.virtualnodes', () => {
  it('refuses keys outside its allow-list in either map, at PUT and PATCH', async () => {
    const arc = freshSubscription()
    await registerCluster(h, arc)
    expect(await refused('PUT', `${extensionPath(arc, 'vn')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.virtualnodes' } })).toMatchObject({ code: 'ClusterTypeNotSupported' })
    const aks = await aksCluster()
    const url = extensionUrl(aks, 'vn')
    const error = await refused('PUT', url, {
      properties: { extensionType: 'microsoft.virtualnodes', configurationSettings: { replicaCount: '1', aciSubnetName: 'x' }, configurationProtectedSettings: { token: SECRET } },
    })
    expect(all(error)).toEqual([
      ['InvalidConfigurationSetting', "properties.configurationSettings['aciSubnetName']"],
      ['InvalidProtectedSetting', "properties.configurationProtectedSettings['token']"],
    ])
    const extension = await installed(url, { properties: { extensionType: 'microsoft.virtualnodes', configurationSettings: { replicaCount: '1' } } })
    expect(extension.properties.scope).toEqual({ cluster: { releaseNamespace: 'vn-system' } })
    expect(await refused('PATCH', url, { properties: { configurationSettings: { image: 'x' } } })).toMatchObject({
      code: 'InvalidConfigurationSetting',
      target: "properties.configurationSettings['image']",
    })
  })
})

describe('microsoft.apimanagement.gateway', () => {
  it('needs the endpoint and a protected token, and a known service.type', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const url = `${extensionPath(sub, 'gateway')}?${EXTENSION_API}`
    const scope = { namespace: { targetNamespace: 'apim' } }
    const error = await refused('PUT', url, {
      properties: { extensionType: 'Microsoft.ApiManagement.Gateway', scope, configurationSettings: { 'service.type': 'Ingress', 'gateway.auth.token': SECRET } },
    })
    expect(all(error)).toEqual([
      ['InvalidConfigurationSetting', "properties.configurationSettings['gateway.configuration.uri']"],
      ['InvalidConfigurationSetting', "properties.configurationSettings['service.type']"],
      ['InvalidConfigurationSetting', "properties.configurationSettings['gateway.auth.token']"],
      ['InvalidProtectedSetting', "properties.configurationProtectedSettings['gateway.auth.token']"],
    ])
    await installed(url, {
      properties: {
        extensionType: 'Microsoft.ApiManagement.Gateway',
        scope,
        configurationSettings: { 'gateway.configuration.uri': 'https://contoso.configuration.azure-api.net', 'service.type': 'ClusterIP' },
        configurationProtectedSettings: { 'gateway.auth.token': SECRET },
      },
    })
    expect(await refused('PATCH', url, { properties: { configurationSettings: { 'service.type': 'Ingress' } } })).toMatchObject({ code: 'InvalidConfigurationSetting' })
  })
})

describe('microsoft.eventgrid', () => {
  it("refuses a second instance with Azure's message (409)", async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub, 'cluster1', { body: { location: 'eastus', properties: { distribution: 'openshift', kubernetesVersion: '1.30.0' } } })
    await installed(`${extensionPath(sub, 'eg1')}?${EXTENSION_API}`, { properties: { extensionType: 'Microsoft.EventGrid' } })
    const error = await refused('PUT', `${extensionPath(sub, 'eg2')}?${EXTENSION_API}`, { properties: { extensionType: 'Microsoft.EventGrid' } }, 409)
    expect(error.code).toBe('MultipleInstancesNotAllowed')
    expect(error.message).toContain('An instance of Event Grid has already been installed on this connected Kubernetes cluster.')
  })
})

describe('microsoft.dapr', () => {
  it('refuses a name that cannot be its Helm release name', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    expect(await refused('PUT', `${extensionPath(sub, 'DaprExtension')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.dapr' } })).toMatchObject({
      code: 'ExtensionNameNotAllowed',
      target: 'name',
    })
  })
})

describe('GET .../extensionTypes/{type}/versions/{version}/settingsSchema', () => {
  const location = (sub: string) => `/subscriptions/${sub}/providers/Microsoft.KubernetesConfiguration/locations/eastus/extensionTypes`

  it('serves the rules the PUT enforces, at location and cluster level', async () => {
    const sub = freshSubscription()
    const response = await call<Json>(h, 'GET', `${location(sub)}/microsoft.chaosstudio/versions/0.1.3/settingsSchema?api-version=2024-11-01-preview`)
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    expect(response.body).toMatchObject({
      extensionType: 'microsoft.chaosstudio',
      version: '0.1.3',
      releaseNamespace: 'chaos-infrastructure',
      autoUpgradeMinorVersion: false,
      defaultReleaseTrain: 'dev',
      extensionName: { fixed: null, maxLength: null, helmReleaseName: false },
    })
    const vn = await call<Json>(h, 'GET', `${location(sub)}/Microsoft.VirtualNodes/versions/${TEST_VERSION}/settingsSchema?api-version=2024-11-01-preview`)
    expect(vn.body.configurationSettings).toMatchObject({ additionalProperties: false, properties: { replicaCount: { type: 'string' } } })
    const aks = await aksCluster()
    const atCluster = await call<Json>(
      h,
      'GET',
      `${aks}/providers/Microsoft.KubernetesConfiguration/extensionTypes/microsoft.dataprotection.kubernetes/versions/${TEST_VERSION}/settingsSchema?api-version=2023-05-01-preview`,
    )
    expect(atCluster.status).toBe(200)
    expect(atCluster.body.configurationSettings.required).toHaveLength(4)
    expect(atCluster.body.autoUpgradeMinorVersion).toBe(true)
  })

  it('answers 404 for an unknown version or type', async () => {
    const sub = freshSubscription()
    expect((await call(h, 'GET', `${location(sub)}/microsoft.chaosstudio/versions/9.9.9/settingsSchema?api-version=2024-11-01-preview`)).status).toBe(404)
    expect((await call(h, 'GET', `${location(sub)}/microsoft.nothing/versions/1.0.0/settingsSchema?api-version=2024-11-01-preview`)).status).toBe(404)
  })
})
