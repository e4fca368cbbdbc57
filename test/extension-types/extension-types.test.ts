// The extensionTypes read API over real HTTP. Expectations are derived from the catalog's raw JSON with simple
// rules written out here, independently of the server's rule code, so a route that drifts from the data fails.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shippedCatalogFile } from '../../core/catalog/catalog.js'
import { CLUSTER_API, call, clusterPath, freshSubscription, startHarness, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

interface RawType {
  type: string
  description: string
  publisher: string
  supportedDistributions: 'any' | string[]
  supportedClusterTypes: string[]
  scope: 'cluster' | 'namespace'
  minKubernetesVersion: string | null
  unsupportedArchitectures: string[]
  allowMultipleInstances: boolean
  defaultReleaseNamespace: string | null
  releaseTrains: { name: string; versions: { version: string }[] }[]
  supportPolicy: { kind: 'all' } | { kind: 'latestMinus'; n: number }
}

const RAW = JSON.parse(readFileSync(shippedCatalogFile(), 'utf8')) as { types: RawType[]; distributions: { id: string; aliases: string[] }[] }
const TYPES = [...RAW.types].sort((a, b) => (a.type < b.type ? -1 : 1))
const byName = (name: string) => RAW.types.find((t) => t.type === name)!

/** Orders release versions (numeric MAJOR.MINOR.PATCH, prerelease before release, numeric prerelease ids by value). */
function compare(a: string, b: string): number {
  const split = (v: string) => {
    const [core, pre] = v.split('+')[0]!.split(/-(.*)/s) as [string, string | undefined]
    return { nums: core.split('.').map(Number), pre: pre === undefined ? null : pre.split('.') }
  }
  const x = split(a)
  const y = split(b)
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return x.nums[i]! - y.nums[i]!
  if (x.pre === null || y.pre === null) return x.pre === y.pre ? 0 : x.pre === null ? 1 : -1
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i]
    const q = y.pre[i]
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1
    if (p === q) continue
    const pn = /^\d+$/.test(p)
    const qn = /^\d+$/.test(q)
    if (pn && qn) return Number(p) - Number(q)
    if (pn !== qn) return pn ? -1 : 1
    return p < q ? -1 : 1
  }
  return 0
}

/** Installable versions of a train, oldest first: the whole train, or its newest n+1 under latestMinus. */
function expectedVersions(type: RawType, train: string): string[] {
  const versions = type.releaseTrains
    .find((t) => t.name.toLowerCase() === train.toLowerCase())!
    .versions.map((v) => v.version)
    .sort(compare)
  return type.supportPolicy.kind === 'latestMinus' ? versions.slice(-(type.supportPolicy.n + 1)) : versions
}

function distributionId(reported: string): string {
  const lower = reported.toLowerCase()
  return RAW.distributions.find((d) => d.id === lower || d.aliases.includes(lower))?.id ?? 'generic'
}

function runsOn(type: RawType, cluster: { distribution: string; kubernetesVersion: string; architecture: string; clusterType: string }): boolean {
  if (!type.supportedClusterTypes.includes(cluster.clusterType)) return false
  if (type.supportedDistributions !== 'any' && !type.supportedDistributions.includes(distributionId(cluster.distribution))) return false
  if (type.unsupportedArchitectures.includes(cluster.architecture)) return false
  if (type.minKubernetesVersion) {
    const [major, minor] = cluster.kubernetesVersion.split('.').map(Number) as [number, number]
    const [minMajor, minMinor] = type.minKubernetesVersion.split('.').map(Number) as [number, number]
    if (major < minMajor || (major === minMajor && minor < minMinor)) return false
  }
  return true
}

let h: Harness
const sub = freshSubscription()
const API = 'api-version=2023-05-01'
const PREVIEW = 'api-version=2024-11-01-preview'
const location = `/subscriptions/${sub}/providers/Microsoft.KubernetesConfiguration/locations/eastus/extensionTypes`

beforeAll(async () => {
  h = await startHarness({ worker: false, transport: 'inject' })
})
afterAll(() => h?.close())

describe('location-level extensionTypes', () => {
  it('lists every catalog type with its facts (2023-05-01 shape)', async () => {
    const list = await call<Json>(h, 'GET', `${location}?${API}`)
    expect(list.status).toBe(200)
    expect(list.body.nextLink).toBeUndefined()
    expect(list.body.value.map((t: Json) => t.name)).toEqual(TYPES.map((t) => t.type))
    for (const [i, type] of TYPES.entries()) {
      const wire = list.body.value[i]
      expect(wire).toMatchObject({
        id: `${location}/${type.type}`,
        type: 'Microsoft.KubernetesConfiguration/extensionTypes',
        properties: {
          isSystemExtension: false,
          description: type.description,
          publisher: type.publisher,
          releaseTrains: type.releaseTrains.map((t) => t.name),
          supportedClusterTypes: type.supportedClusterTypes,
          supportedScopes: { defaultScope: type.scope },
        },
      })
      const settings = wire.properties.supportedScopes.clusterScopeSettings
      if (type.scope === 'namespace') {
        expect(settings).toBeUndefined()
      } else {
        const expected = { allowMultipleInstances: type.allowMultipleInstances, ...(type.defaultReleaseNamespace ? { defaultReleaseNamespace: type.defaultReleaseNamespace } : {}) }
        expect(settings).toEqual({ ...expected, properties: expected })
      }
    }
  })

  it('gets one type, case-insensitively, and 404s an unknown one', async () => {
    const got = await call<Json>(h, 'GET', `${location}/Microsoft.Flux?${PREVIEW}`)
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({
      id: `${location}/microsoft.flux`,
      name: 'microsoft.flux',
      properties: {
        isManagedIdentityRequired: false,
        supportedScopes: { defaultScope: 'cluster', clusterScopeSettings: { properties: { defaultReleaseNamespace: 'flux-system', allowMultipleInstances: false } } },
      },
    })
    const missing = await call<Json>(h, 'GET', `${location}/microsoft.nope?${API}`)
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ error: { code: 'ResourceNotFound', target: `${location}/microsoft.nope` } })
    expect(missing.body.error.message).toContain('microsoft.flux')
  })

  it('lists versions per release train (2023-05-01) matching the catalog and its support window', async () => {
    for (const type of TYPES) {
      const versions = await call<Json>(h, 'GET', `${location}/${type.type}/versions?${API}`)
      expect(versions.status).toBe(200)
      expect(versions.body.value).toEqual(type.releaseTrains.map((t) => ({ releaseTrain: t.name, versions: expectedVersions(type, t.name) })))
    }
    // Flux: latest and N-2 only (the shipped release notes' newest three); 1.21.1 is in the catalog but out of support.
    const flux = await call<Json>(h, 'GET', `${location}/microsoft.flux/versions?${API}`)
    expect(flux.body.value).toEqual([{ releaseTrain: 'Stable', versions: ['1.22.1', '1.22.2', '1.23.0'] }])
  })

  it('serves the versions list at the path the 2023-05-01 swagger misspells', async () => {
    const typo = await call<Json>(h, 'GET', `/subcriptions/${sub}/providers/Microsoft.KubernetesConfiguration/locations/eastus/extensionTypes/microsoft.flux/versions?${API}`)
    expect(typo.status).toBe(200)
    expect(typo.body.value[0].versions).toEqual(['1.22.1', '1.22.2', '1.23.0'])
  })

  it('filters versions by releaseTrain, majorVersion and showLatest', async () => {
    // Container insights has two trains (Stable, Preview).
    const monitor = byName('microsoft.azuremonitor.containers')
    const preview = await call<Json>(h, 'GET', `${location}/microsoft.azuremonitor.containers/versions?${API}&releaseTrain=preview`)
    expect(preview.body.value).toEqual([{ releaseTrain: 'Preview', versions: expectedVersions(monitor, 'Preview') }])
    const latest = await call<Json>(h, 'GET', `${location}/microsoft.azuremonitor.containers/versions?${API}&showLatest=true`)
    expect(latest.body.value).toEqual(monitor.releaseTrains.map((t) => ({ releaseTrain: t.name, versions: expectedVersions(monitor, t.name).slice(-1) })))
    const secretStore = byName('microsoft.azure.secretstore')
    const majorZero = await call<Json>(h, 'GET', `${location}/microsoft.azure.secretstore/versions?${API}&majorVersion=0`)
    expect(majorZero.body.value).toEqual([{ releaseTrain: 'Stable', versions: expectedVersions(secretStore, 'Stable').filter((v) => v.startsWith('0.')) }])
    expect(majorZero.body.value[0].versions.length).toBeGreaterThan(0)
    const unknownTrain = await call<Json>(h, 'GET', `${location}/microsoft.dapr/versions?${API}&releaseTrain=nightly`)
    expect(unknownTrain.body.value).toEqual([])
    const badMajor = await call<Json>(h, 'GET', `${location}/microsoft.dapr/versions?${API}&majorVersion=one`)
    expect(badMajor.status).toBe(400)
    expect(badMajor.body).toMatchObject({ error: { code: 'InvalidRequestContent', target: 'majorVersion' } })
    const badLatest = await call<Json>(h, 'GET', `${location}/microsoft.dapr/versions?${API}&showLatest=maybe`)
    expect(badLatest.status).toBe(400)
  })

  it('lists version resources (2024-11-01-preview), Stable by default, and gets one', async () => {
    const flux = await call<Json>(h, 'GET', `${location}/microsoft.flux/versions?${PREVIEW}`)
    expect(flux.body.value.map((v: Json) => v.name)).toEqual(['1.22.1', '1.22.2', '1.23.0'])
    expect(flux.body.value[2]).toEqual({
      id: `${location}/microsoft.flux/versions/1.23.0`,
      name: '1.23.0',
      type: 'Microsoft.KubernetesConfiguration/extensionTypes/versions',
      properties: { version: '1.23.0', supportedClusterTypes: byName('microsoft.flux').supportedClusterTypes },
    })
    const monitorPreview = await call<Json>(h, 'GET', `${location}/microsoft.azuremonitor.containers/versions?${PREVIEW}&releaseTrain=Preview&showLatest=true`)
    expect(monitorPreview.body.value.map((v: Json) => v.name)).toEqual(expectedVersions(byName('microsoft.azuremonitor.containers'), 'Preview').slice(-1))
    const wrongClusterType = await call<Json>(h, 'GET', `${location}/microsoft.eventgrid/versions?${PREVIEW}&clusterType=managedCluster`)
    expect(wrongClusterType.body.value).toEqual([])
    const rightClusterType = await call<Json>(h, 'GET', `${location}/microsoft.eventgrid/versions?${PREVIEW}&clusterType=connectedCluster`)
    expect(rightClusterType.body.value.length).toBe(expectedVersions(byName('microsoft.eventgrid'), 'Stable').length)

    const secretStoreNewest = expectedVersions(byName('microsoft.azure.secretstore'), 'Stable').at(-1)!
    const secretStore = await call<Json>(h, 'GET', `${location}/microsoft.azure.secretstore/versions/${secretStoreNewest}?${PREVIEW}`)
    expect(secretStore.status).toBe(200)
    expect(secretStore.body.properties).toEqual({
      version: secretStoreNewest,
      unsupportedKubernetesVersions: { connectedCluster: [{ unsupportedVersions: ['<1.27'] }] },
      supportedClusterTypes: ['connectedClusters'],
    })
    const outOfWindow = await call<Json>(h, 'GET', `${location}/microsoft.flux/versions/1.21.1?${PREVIEW}`)
    expect(outOfWindow.status).toBe(404)
    expect(outOfWindow.body.error.message).toContain('no longer supported')
    const unknown = await call<Json>(h, 'GET', `${location}/microsoft.flux/versions/9.9.9?${API}`)
    expect(unknown.status).toBe(404)
    expect(unknown.body).toMatchObject({ error: { code: 'ResourceNotFound' } })
  })

  it('filters types by clusterType and releaseTrain; marketplace filters match no first-party type', async () => {
    const managed = await call<Json>(h, 'GET', `${location}?${PREVIEW}&clusterType=managedClusters`)
    expect(managed.body.value.map((t: Json) => t.name)).toEqual(TYPES.filter((t) => t.supportedClusterTypes.includes('managedClusters')).map((t) => t.type))
    const singular = await call<Json>(h, 'GET', `${location}?${PREVIEW}&clusterType=managedCluster`)
    expect(singular.body.value).toEqual(managed.body.value)
    const previewTrain = await call<Json>(h, 'GET', `${location}?${API}&releaseTrain=preview`)
    expect(previewTrain.body.value.map((t: Json) => t.name)).toEqual(TYPES.filter((t) => t.releaseTrains.some((r) => r.name.toLowerCase() === 'preview')).map((t) => t.type))
    expect(previewTrain.body.value.length).toBeGreaterThan(0)
    const marketplace = await call<Json>(h, 'GET', `${location}?${API}&publisherId=Microsoft&offerId=x`)
    expect(marketplace.body).toEqual({ value: [] })
  })

  it('pages the type list with $top and $skipToken', async () => {
    const names: string[] = []
    let url: string | undefined = `${location}?${API}&$top=5`
    for (let pages = 0; url && pages < 20; pages++) {
      const page: { body: Json } = await call<Json>(h, 'GET', url)
      expect(page.body.value.length).toBeLessThanOrEqual(5)
      names.push(...page.body.value.map((t: Json) => t.name))
      url = page.body.nextLink
      if (url) expect(new URL(url).searchParams.get('api-version')).toBe('2023-05-01')
    }
    expect(names).toEqual(TYPES.map((t) => t.type))
  })

  it('rejects an unsupported api-version and a malformed subscription', async () => {
    const wrong = await call<Json>(h, 'GET', `${location}?api-version=2021-09-01`)
    expect(wrong.status).toBe(400)
    expect(wrong.body).toMatchObject({ error: { code: 'NoRegisteredProviderFound' } })
    const badSub = await call<Json>(h, 'GET', `/subscriptions/xyz/providers/Microsoft.KubernetesConfiguration/locations/eastus/extensionTypes?${API}`)
    expect(badSub.status).toBe(400)
  })
})

describe('cluster-level extensionTypes', () => {
  const clusters = [
    { name: 'k3s-amd64', distribution: 'k3s', kubernetesVersion: '1.30.4', architecture: 'amd64' },
    { name: 'old-k3s', distribution: 'k3s', kubernetesVersion: '1.26.3', architecture: 'amd64' },
    { name: 'arm', distribution: 'k3s', kubernetesVersion: '1.30.4', architecture: 'arm64' },
    { name: 'openshift', distribution: 'OCP', kubernetesVersion: '1.29.0', architecture: 'amd64' },
    { name: 'eks', distribution: 'eks', kubernetesVersion: 'v1.28.5-eks-1', architecture: 'amd64' },
  ]

  beforeAll(async () => {
    for (const c of clusters) {
      const put = await call<Json>(h, 'PUT', `${clusterPath(sub, c.name)}?${CLUSTER_API}`, {
        location: 'eastus',
        properties: { distribution: c.distribution, kubernetesVersion: c.kubernetesVersion, miscellaneousProperties: { architecture: c.architecture } },
      })
      expect(put.status).toBe(201)
    }
  })

  const typesPath = (cluster: string) => `${clusterPath(sub, cluster)}/providers/Microsoft.KubernetesConfiguration/extensionTypes`

  it.each(clusters)('lists exactly the types cluster $name can run', async (c) => {
    const list = await call<Json>(h, 'GET', `${typesPath(c.name)}?${API}`)
    expect(list.status).toBe(200)
    const expected = TYPES.filter((t) => runsOn(t, { ...c, kubernetesVersion: c.kubernetesVersion.replace(/^v/, ''), clusterType: 'connectedClusters' })).map((t) => t.type)
    expect(list.body.value.map((t: Json) => t.name)).toEqual(expected)
    expect(list.body.value[0].id).toBe(`${typesPath(c.name)}/${expected[0]}`)
  })

  it('hides what the cluster cannot run, saying why', async () => {
    const names = async (cluster: string) => (await call<Json>(h, 'GET', `${typesPath(cluster)}?${API}`)).body.value.map((t: Json) => t.name)
    expect(await names('k3s-amd64')).not.toContain('microsoft.eventgrid')
    expect(await names('openshift')).toContain('microsoft.eventgrid')
    expect(await names('old-k3s')).not.toContain('microsoft.azure.secretstore')
    expect(await names('k3s-amd64')).toContain('microsoft.azure.secretstore')
    expect(await names('arm')).not.toContain('microsoft.azureml.kubernetes')
    expect(await names('k3s-amd64')).toContain('microsoft.azureml.kubernetes')

    const arm = await call<Json>(h, 'GET', `${typesPath('arm')}/microsoft.azureml.kubernetes?${API}`)
    expect(arm.status).toBe(404)
    expect(arm.body).toMatchObject({ error: { code: 'ResourceNotFound' } })
    expect(arm.body.error.message).toContain('arm64')
    const old = await call<Json>(h, 'GET', `${typesPath('old-k3s')}/microsoft.azure.secretstore/versions?${API}`)
    expect(old.status).toBe(404)
    expect(old.body.error.message).toContain('1.27')
    const ok = await call<Json>(h, 'GET', `${typesPath('k3s-amd64')}/microsoft.flux/versions?${PREVIEW}&showLatest=true`)
    expect(ok.body.value.map((v: Json) => v.name)).toEqual(['1.23.0'])
    const version = await call<Json>(h, 'GET', `${typesPath('k3s-amd64')}/microsoft.flux/versions/1.22.2?${PREVIEW}`)
    expect(version.body.id).toBe(`${typesPath('k3s-amd64')}/microsoft.flux/versions/1.22.2`)
  })

  it('leaves out the versions whose own constraints the cluster fails (Secret Store 1.3.0: Kubernetes 1.30; before 1.2.1: no arm64)', async () => {
    const versionsOn = async (cluster: string) => (await call<Json>(h, 'GET', `${typesPath(cluster)}/microsoft.azure.secretstore/versions?${PREVIEW}`)).body.value.map((v: Json) => v.name) as string[]
    const all = expectedVersions(byName('microsoft.azure.secretstore'), 'Stable')
    expect(await versionsOn('k3s-amd64')).toEqual(all)
    expect(await versionsOn('openshift')).toEqual(all.filter((v) => v !== '1.3.0'))
    const arm = await versionsOn('arm')
    expect(arm).toContain('1.2.1')
    expect(arm).not.toContain('1.1.6')
    expect(arm).not.toContain('0.9.6')

    const onOld = await call<Json>(h, 'GET', `${typesPath('openshift')}/microsoft.azure.secretstore/versions/1.3.0?${PREVIEW}`)
    expect(onOld.status).toBe(404)
    expect(onOld.body.error.message).toContain("cannot run on cluster 'openshift'")
    const onNew = await call<Json>(h, 'GET', `${typesPath('k3s-amd64')}/microsoft.azure.secretstore/versions/1.3.0?${PREVIEW}`)
    expect(onNew.body.properties.unsupportedKubernetesVersions).toEqual({ connectedCluster: [{ unsupportedVersions: ['<1.30'] }] })
    const next = await call<Json>(h, 'GET', `${location}/microsoft.azure.secretstore/versions/1.4.0?${PREVIEW}`)
    expect(next.body.properties.unsupportedKubernetesVersions).toEqual({ connectedCluster: [{ unsupportedVersions: ['<1.27'] }] })
  })

  it('judges managedClusters by their own type (AKS implied when no distribution is reported)', async () => {
    const aks = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/aks1`
    expect((await call<Json>(h, 'PUT', `${aks}?api-version=2024-02-01`, { location: 'eastus', properties: { kubernetesVersion: '1.30.0' } })).status).toBe(201)
    const list = await call<Json>(h, 'GET', `${aks}/providers/Microsoft.KubernetesConfiguration/extensionTypes?${API}`)
    expect(list.body.value.map((t: Json) => t.name)).toEqual(
      TYPES.filter((t) => runsOn(t, { distribution: 'aks', kubernetesVersion: '1.30.0', architecture: 'amd64', clusterType: 'managedClusters' })).map((t) => t.type),
    )
  })

  it('answers 404 ParentResourceNotFound for an unregistered cluster and 400 for an unknown parent type', async () => {
    const missing = await call<Json>(h, 'GET', `${typesPath('ghost')}?${API}`)
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ error: { code: 'ParentResourceNotFound' } })
    const badParent = await call<Json>(
      h,
      'GET',
      `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1/providers/Microsoft.KubernetesConfiguration/extensionTypes?${API}`,
    )
    expect(badParent.status).toBe(400)
    expect(badParent.body).toMatchObject({ error: { code: 'InvalidResourceType' } })
  })
})
