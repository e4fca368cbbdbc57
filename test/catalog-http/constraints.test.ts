// Every seed constraint, rejected over real HTTP on a cluster that breaks it, with the ARM error code naming the
// rule and a message naming the offending value. Data-driven where the catalog says which types a rule applies to,
// plus the seed's own named cases. A rejected PUT leaves nothing behind. The API runs on the seed-dated catalog
// (test/fixtures/seed-catalog-2025-04-15.json), so the seed's facts stay covered while the shipped catalog follows Azure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CATALOG_FILE_ENV, resetDefaultCatalog } from '../../core/catalog/index.js'
import { SEED_CATALOG_FILE, seedCatalog } from '../catalog/seed.js'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, startHarness, until, type Harness, APIM_SETTINGS } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const catalog = seedCatalog()

let h: Harness

beforeAll(async () => {
  // The catalog is process-wide operator data: set for this file, restored after it, since test files share worker
  // processes (vitest.config.ts, isolate: false).
  process.env[CATALOG_FILE_ENV] = SEED_CATALOG_FILE
  resetDefaultCatalog()
  h = await startHarness()
})
afterAll(async () => {
  await h?.close()
  delete process.env[CATALOG_FILE_ENV]
  resetDefaultCatalog()
})

interface Facts {
  distribution?: string
  kubernetesVersion?: string
  architecture?: string
}

async function registerCluster(sub: string, facts: Facts = {}, name = 'cluster1'): Promise<void> {
  const body = {
    location: 'eastus',
    properties: {
      distribution: facts.distribution ?? 'k3s',
      kubernetesVersion: facts.kubernetesVersion ?? '1.30.4',
      miscellaneousProperties: { architecture: facts.architecture ?? 'amd64' },
    },
  }
  expect((await call(h, 'PUT', `${clusterPath(sub, name)}?${CLUSTER_API}`, body)).status).toBe(201)
}

/** PUTs an extension that must be refused, and checks that nothing was created. */
async function rejected(sub: string, name: string, properties: Json, cluster = 'cluster1'): Promise<{ status: number; error: Json }> {
  const url = `${extensionPath(sub, name, cluster)}?${EXTENSION_API}`
  const response = await call<Json>(h, 'PUT', url, { properties })
  expect(response.status, JSON.stringify(response.body)).toBeGreaterThanOrEqual(400)
  expect(response.status).toBeLessThan(500)
  expect((await call(h, 'GET', url)).status).toBe(404)
  return { status: response.status, error: response.body.error }
}

async function installed(sub: string, name: string, properties: Json, cluster = 'cluster1'): Promise<void> {
  const response = await call<Json>(h, 'PUT', `${extensionPath(sub, name, cluster)}?${EXTENSION_API}`, { properties })
  expect(response.status, JSON.stringify(response.body)).toBe(201)
  const asyncUrl = response.headers.get('azure-asyncoperation')!
  const done = await until(
    () => call<Json>(h, 'GET', asyncUrl),
    (r) => r.body.status !== 'InProgress',
  )
  expect(done.body.status).toBe('Succeeded')
}

const scopeOf = (type: string): Json => (catalog.findType(type)?.scope === 'namespace' ? { scope: { namespace: { targetNamespace: 'ns1' } } } : {})

describe('distribution', () => {
  const restricted = catalog.types.filter((t) => t.supportedDistributions !== 'any')

  it.each(restricted.map((t) => [t.type]))('%s is refused on a distribution it does not list (k3s)', async (type) => {
    const sub = freshSubscription()
    await registerCluster(sub, { distribution: 'k3s' })
    const { status, error } = await rejected(sub, 'ext', { extensionType: type, ...scopeOf(type) })
    expect(status).toBe(400)
    expect(error).toMatchObject({ code: 'DistributionNotSupported', target: 'properties.extensionType' })
    expect(error.message).toContain("'k3s'")
    expect(error.message).toContain(type)
  })

  it('Event Grid (AKS and OpenShift only) is refused on EKS and accepted on OpenShift by alias', async () => {
    const sub = freshSubscription()
    await registerCluster(sub, { distribution: 'eks' }, 'eks')
    await registerCluster(sub, { distribution: 'OCP' }, 'ocp')
    const { error } = await rejected(sub, 'eventgrid', { extensionType: 'microsoft.eventgrid' }, 'eks')
    expect(error.code).toBe('DistributionNotSupported')
    expect(error.message).toContain('aks, openshift')
    await installed(sub, 'eventgrid', { extensionType: 'microsoft.eventgrid' }, 'ocp')
  })
})

describe('Kubernetes version', () => {
  const withMinimum = catalog.types.filter((t) => t.minKubernetesVersion !== null)

  it('the catalog carries the seed minimum for Secret Store', () => {
    expect(withMinimum.map((t) => [t.type, t.minKubernetesVersion])).toContainEqual(['microsoft.azure.secretstore', '1.27'])
  })

  it.each(withMinimum.map((t) => [t.type, t.minKubernetesVersion!]))('%s is refused below Kubernetes %s', async (type, minimum) => {
    const sub = freshSubscription()
    const [major, minor] = minimum.split('.').map(Number) as [number, number]
    const below = `v${major}.${minor - 1}.9+k3s1`
    await registerCluster(sub, { kubernetesVersion: below })
    const { status, error } = await rejected(sub, 'ext', { extensionType: type, ...scopeOf(type) })
    expect(status).toBe(400)
    expect(error.code).toBe('KubernetesVersionTooLow')
    expect(error.message).toContain(minimum)
    expect(error.message).toContain(below)
  })

  it('Secret Store installs at exactly 1.27', async () => {
    const sub = freshSubscription()
    await registerCluster(sub, { kubernetesVersion: '1.27.0' })
    await installed(sub, 'secretstore', { extensionType: 'microsoft.azure.secretstore' })
  })
})

describe('architecture', () => {
  const excluding = catalog.types.filter((t) => t.unsupportedArchitectures.length > 0)

  it('the catalog carries the seed arm64 exclusion for Azure Machine Learning', () => {
    expect(excluding.map((t) => [t.type, t.unsupportedArchitectures])).toContainEqual(['microsoft.azureml.kubernetes', ['arm64']])
  })

  it.each(excluding.flatMap((t) => t.unsupportedArchitectures.map((a) => [t.type, a] as const)))('%s is refused on %s nodes', async (type, architecture) => {
    const sub = freshSubscription()
    await registerCluster(sub, { architecture })
    const { status, error } = await rejected(sub, 'ext', { extensionType: type, ...scopeOf(type) })
    expect(status).toBe(400)
    expect(error.code).toBe('ArchitectureNotSupported')
    expect(error.message).toContain(architecture)
  })
})

describe('coexistence', () => {
  const pairs = catalog.types.flatMap((t) => t.conflictsWith.map((other) => [t.type, other] as const))

  it('the catalog carries the seed conflict between Container Apps and Application services', () => {
    expect(pairs).toContainEqual(['microsoft.app.environment', 'microsoft.web.appservice'])
    expect(pairs).toContainEqual(['microsoft.web.appservice', 'microsoft.app.environment'])
  })

  it.each(pairs)('%s is refused with 409 while %s is installed, naming the extension to delete', async (type, other) => {
    const sub = freshSubscription()
    const distribution = [type, other]
      .map((name) => catalog.findType(name)!.supportedDistributions)
      .reduce<string[] | 'any'>((a, b) => (a === 'any' ? b : b === 'any' ? a : a.filter((d) => b.includes(d))), 'any')
    await registerCluster(sub, { distribution: distribution === 'any' ? 'k3s' : distribution[0] })
    await installed(sub, 'first-one', { extensionType: other, ...scopeOf(other) })
    const { status, error } = await rejected(sub, 'second-one', { extensionType: type, ...scopeOf(type) })
    expect(status).toBe(409)
    expect(error.code).toBe('ConflictingExtension')
    expect(error.message).toContain("Delete extension 'first-one' first")
    expect(error.message).toContain(other)
  })
})

describe('scope', () => {
  it('API Management (namespace-scoped) needs namespace.targetNamespace', async () => {
    const sub = freshSubscription()
    await registerCluster(sub)
    const none = await rejected(sub, 'apim', { extensionType: 'microsoft.apimanagement' })
    expect(none.status).toBe(400)
    expect(none.error).toMatchObject({ code: 'InvalidScope', target: 'properties.scope' })
    expect(none.error.message).toContain('targetNamespace')
    const clusterScope = await rejected(sub, 'apim', { extensionType: 'microsoft.apimanagement', scope: { cluster: { releaseNamespace: 'apim' } } })
    expect(clusterScope.error).toMatchObject({ code: 'InvalidScope' })
    expect(clusterScope.error.message).toContain('instead of properties.scope.cluster')
    await installed(sub, 'apim', { extensionType: 'microsoft.apimanagement', scope: { namespace: { targetNamespace: 'apim' } }, ...APIM_SETTINGS })
  })

  it('a cluster-scoped type refuses namespace scope', async () => {
    const sub = freshSubscription()
    await registerCluster(sub)
    const { error } = await rejected(sub, 'flux', { extensionType: 'microsoft.flux', scope: { namespace: { targetNamespace: 'flux' } } })
    expect(error).toMatchObject({ code: 'InvalidScope', target: 'properties.scope' })
    expect(error.message).toContain('cluster-scoped')
  })
})

describe('versions and release trains', () => {
  let sub: string
  beforeAll(async () => {
    sub = freshSubscription()
    await registerCluster(sub)
  })

  it('refuses a version together with autoUpgradeMinorVersion (explicit or by default)', async () => {
    for (const properties of [
      { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: true, version: '1.16.2' },
      { extensionType: 'microsoft.flux', version: '1.16.2' },
    ]) {
      const { status, error } = await rejected(sub, 'flux', properties)
      expect(status).toBe(400)
      expect(error).toMatchObject({ code: 'VersionWithAutoUpgrade', target: 'properties.version' })
      expect(error.message).toContain("'1.16.2'")
    }
  })

  it('refuses a version that is not on the release train, listing the ones that are', async () => {
    const { error } = await rejected(sub, 'flux', { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: false, version: '1.99.0' })
    expect(error).toMatchObject({ code: 'UnknownVersion', target: 'properties.version' })
    expect(error.message).toContain("'1.99.0'")
    expect(error.message).toContain('1.16.2, 1.15.1, 1.14.1')
  })

  it('refuses a Flux version outside latest + N-2', async () => {
    const { error } = await rejected(sub, 'flux', { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: false, version: '1.13.1' })
    expect(error).toMatchObject({ code: 'VersionNotSupported', target: 'properties.version' })
    expect(error.message).toContain('N-2')
    expect(error.message).toContain("'1.13.1'")
  })

  it.each(['1.0.029903', 'v1.16.2', '1.16', '01.16.2'])('refuses the non-strict semver %s', async (version) => {
    const { error } = await rejected(sub, 'flux', { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: false, version })
    expect(error).toMatchObject({ code: 'InvalidVersion', target: 'properties.version' })
    expect(error.message).toContain(`'${version}'`)
  })

  it('refuses an unknown release train, listing the known ones', async () => {
    const { error } = await rejected(sub, 'dapr', { extensionType: 'microsoft.dapr', releaseTrain: 'nightly' })
    expect(error).toMatchObject({ code: 'UnknownReleaseTrain', target: 'properties.releaseTrain' })
    expect(error.message).toContain('Stable, Preview')
  })

  it('refuses an unknown extension type, listing the available ones', async () => {
    const { status, error } = await rejected(sub, 'mystery', { extensionType: 'microsoft.nope' })
    expect(status).toBe(400)
    expect(error).toMatchObject({ code: 'UnknownExtensionType', target: 'properties.extensionType' })
    expect(error.message).toContain("'microsoft.nope'")
    expect(error.message).toContain('microsoft.flux')
  })

  it('installs a pinned version from a non-default train', async () => {
    const preview = catalog.findType('microsoft.dapr')!.releaseTrains.find((t) => t.name === 'Preview')!.versions[0]!.version
    await installed(sub, 'dapr-preview', { extensionType: 'microsoft.dapr', releaseTrain: 'preview', autoUpgradeMinorVersion: false, version: preview })
    const got = await call<Json>(h, 'GET', `${extensionPath(sub, 'dapr-preview')}?${EXTENSION_API}`)
    expect(got.body.properties).toMatchObject({ currentVersion: preview })
  })
})

describe('cluster', () => {
  it('refuses a second instance of a single-instance type with 409', async () => {
    const sub = freshSubscription()
    await registerCluster(sub)
    await installed(sub, 'flux', { extensionType: 'microsoft.flux' })
    const { status, error } = await rejected(sub, 'flux2', { extensionType: 'microsoft.flux' })
    expect(status).toBe(409)
    expect(error.code).toBe('MultipleInstancesNotAllowed')
    expect(error.message).toContain("'flux'")
  })

  it('refuses a type on a parent type it does not support (Event Grid on managedClusters)', async () => {
    const sub = freshSubscription()
    const aks = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1`
    expect((await call(h, 'PUT', `${aks}?api-version=2024-02-01`, { location: 'eastus', properties: { kubernetesVersion: '1.30.0' } })).status).toBe(201)
    const url = `${aks}/providers/Microsoft.KubernetesConfiguration/extensions/eventgrid?${EXTENSION_API}`
    const response = await call<Json>(h, 'PUT', url, { properties: { extensionType: 'microsoft.eventgrid' } })
    expect(response.status).toBe(400)
    expect(response.body.error.code).toBe('ClusterTypeNotSupported')
    expect(response.body.error.message).toContain('managedClusters')
    // Flux does run on managedClusters, where AKS is implied.
    const flux = await call<Json>(h, 'PUT', `${aks}/providers/Microsoft.KubernetesConfiguration/extensions/flux?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(flux.status).toBe(201)
  })

  it('answers 404 ParentResourceNotFound under an unregistered cluster', async () => {
    const sub = freshSubscription()
    const response = await call<Json>(h, 'PUT', `${extensionPath(sub, 'flux', 'ghost')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(response.status).toBe(404)
    expect(response.body.error).toMatchObject({ code: 'ParentResourceNotFound' })
    expect(response.body.error.message).toContain(clusterPath(sub, 'ghost'))
  })
})
