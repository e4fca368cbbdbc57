// Every catalog extension type over real HTTP, through the real worker and simulated driver, on a cluster the
// catalog says can run it: install (unpinned → newest on the train), pin an older version, upgrade by pinning the
// newest, uninstall. Clusters are derived from each type's own constraints, so a type added to the catalog is covered.
// The train is Stable where the type has one, else its first (API Management's "preview", a marketplace type's own);
// a train with a single version is installed and uninstalled, as there is nothing to move between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findReleaseTrain, loadCatalog, shippedCatalogFile, supportedVersions, type ExtensionTypeSpec } from '../../core/catalog/index.js'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, freshSubscription, startHarness, until, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const catalog = loadCatalog(shippedCatalogFile())

let h: Harness

beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

/** A connected cluster with facts the type accepts: a listed distribution (or an unlisted one for "any"), new Kubernetes, amd64. */
function clusterFor(spec: ExtensionTypeSpec): Json {
  const distribution = spec.supportedDistributions === 'any' ? 'k3s' : spec.supportedDistributions[0]
  return { location: 'eastus', properties: { distribution, kubernetesVersion: '1.31.2', totalNodeCount: 3, miscellaneousProperties: { architecture: 'amd64' } } }
}

/** A cluster parent the type supports: a connected cluster where it may, else an AKS cluster (managedClusters). */
function parentFor(spec: ExtensionTypeSpec, sub: string): { path: string; api: string; body: Json } {
  if (spec.supportedClusterTypes.includes('connectedClusters')) return { path: clusterPath(sub), api: CLUSTER_API, body: clusterFor(spec) }
  return {
    path: `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1`,
    api: 'api-version=2024-02-01',
    body: { location: 'eastus', properties: { kubernetesVersion: '1.31.2' } },
  }
}

/** Secrets a type's rules require in the protected map, which the catalog's exampleSettings (plain) cannot carry. */
const PROTECTED_EXAMPLES: Record<string, Json> = { 'microsoft.apimanagement.gateway': { 'gateway.auth.token': 'lifecycle-token' } }

/** The scope, train and plan every request for the type carries. */
function requestFor(spec: ExtensionTypeSpec, releaseTrain: string): Json {
  return {
    releaseTrain,
    ...(spec.scope === 'namespace' ? { scope: { namespace: { targetNamespace: 'team-a' } } } : {}),
    // A type whose settings rules refuse an empty map (Azure ML) is installed with the catalog's own sound example.
    ...(spec.settingsRules?.exampleSettings ? { configurationSettings: spec.settingsRules.exampleSettings } : {}),
    ...(PROTECTED_EXAMPLES[spec.type] ? { configurationProtectedSettings: PROTECTED_EXAMPLES[spec.type] } : {}),
    // A type whose CLI forces auto-upgrade (Chaos Studio: off) is asked for the forced value.
    ...(spec.settingsRules?.autoUpgradeMinorVersion != null ? { autoUpgradeMinorVersion: spec.settingsRules.autoUpgradeMinorVersion } : {}),
  }
}

/** A marketplace type is installed with its offer's plan. */
function planFor(spec: ExtensionTypeSpec): Json {
  const offer = spec.planInfo
  return offer ? { plan: { name: offer.planId, product: offer.offerId, publisher: offer.publisherId } } : {}
}

/** PUT/DELETE, then wait for the operation the Azure-AsyncOperation header names to end. */
async function changeAndWait(method: 'PUT' | 'DELETE', url: string, body?: Json): Promise<{ status: number; operation: Json }> {
  const response = await call<Json>(h, method, url, body)
  expect([200, 201, 202], JSON.stringify(response.body)).toContain(response.status)
  const asyncUrl = response.headers.get('azure-asyncoperation')
  expect(asyncUrl).toEqual(expect.any(String))
  const done = await until(
    () => call<Json>(h, 'GET', asyncUrl!),
    (r) => r.body.status !== 'InProgress',
  )
  return { status: response.status, operation: done.body }
}

// A type whose train lists no version yet (none could be sourced) installs nothing: settings-rules-table.test.ts
// shows it refused with NoInstallableVersion, and installs it from a catalog copy with a test version.
const installable = catalog.types.filter((spec) => (findReleaseTrain(spec, 'Stable') ?? spec.releaseTrains[0])!.versions.length > 0)

describe.each(installable.map((spec) => [spec.type, spec] as const))('%s', (_name, spec) => {
  it('installs, moves between versions and uninstalls on a compatible simulated cluster', async () => {
    const sub = freshSubscription()
    const parent = parentFor(spec, sub)
    expect((await call(h, 'PUT', `${parent.path}?${parent.api}`, parent.body)).status).toBe(201)
    const name = spec.singletonName ?? spec.type.split('.').pop()!
    const url = `${parent.path}/providers/Microsoft.KubernetesConfiguration/extensions/${name}?${EXTENSION_API}`
    const train = findReleaseTrain(spec, 'Stable') ?? spec.releaseTrains[0]!
    const [newest, older] = supportedVersions(spec, train)
    const common = requestFor(spec, train.name)
    const put = (properties: Json) => changeAndWait('PUT', url, { properties, ...planFor(spec) })

    const install = await put({ extensionType: spec.type, ...common })
    expect(install.status).toBe(201)
    expect(install.operation).toMatchObject({ status: 'Succeeded', error: null })
    const installed = (await call<Json>(h, 'GET', url)).body
    expect(installed.properties).toMatchObject({
      extensionType: spec.type,
      provisioningState: 'Succeeded',
      currentVersion: newest,
      autoUpgradeMinorVersion: spec.settingsRules?.autoUpgradeMinorVersion ?? true,
    })
    const previewStatus = (installed.properties.statuses as Json[]).find((s) => s.code === 'PreviewExtensionType')
    if (spec.preview) {
      expect(previewStatus).toMatchObject({ level: 'Warning', displayStatus: 'Preview' })
      expect(previewStatus!.message).toContain(spec.type)
    } else {
      expect(previewStatus).toBeUndefined()
    }

    // A type with auto-upgrade forced on cannot be pinned (AutoUpgradeNotAllowed); none such has a version listed today.
    if (older !== undefined && spec.settingsRules?.autoUpgradeMinorVersion !== true) {
      const pinned = await put({ extensionType: spec.type, autoUpgradeMinorVersion: false, version: older, ...common })
      expect(pinned.status).toBe(200)
      expect(pinned.operation.status).toBe('Succeeded')
      expect((await call<Json>(h, 'GET', url)).body.properties).toMatchObject({ currentVersion: older, version: older, provisioningState: 'Succeeded' })

      const upgraded = await put({ extensionType: spec.type, autoUpgradeMinorVersion: false, version: newest, ...common })
      expect(upgraded.operation.status).toBe('Succeeded')
      const after = (await call<Json>(h, 'GET', url)).body
      expect(after.properties).toMatchObject({ currentVersion: newest, provisioningState: 'Succeeded' })
      expect((after.properties.statuses as Json[]).some((s) => String(s.message).includes(newest!))).toBe(true)
    }

    const removed = await changeAndWait('DELETE', url)
    expect(removed.status).toBe(202)
    expect(removed.operation.status).toBe('Succeeded')
    const gone = await call<Json>(h, 'GET', url)
    expect(gone.status).toBe(404)
    expect(gone.body).toMatchObject({ error: { code: 'ResourceNotFound' } })
    const list = await call<Json>(h, 'GET', `${parent.path}/providers/Microsoft.KubernetesConfiguration/extensions?${EXTENSION_API}`)
    expect(list.body.value).toEqual([])
  })
})
