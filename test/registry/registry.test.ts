// The cluster registry over real HTTP: connectedClusters (and the other parent types) PUT/GET/PATCH/LIST, ETags,
// fact validation, and keyset paging with opaque $skipToken and absolute nextLinks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, call, clusterPath, compatibleCluster, freshSubscription, startHarness, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

let h: Harness

beforeAll(async () => {
  h = await startHarness({ worker: false, transport: 'inject' })
})
afterAll(() => h?.close())

const rgList = (sub: string, rg = 'rg1', type = 'Microsoft.Kubernetes/connectedClusters') => `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}`
const subList = (sub: string, type = 'Microsoft.Kubernetes/connectedClusters') => `/subscriptions/${sub}/providers/${type}`

async function register(sub: string, name: string, rg = 'rg1', body: Json = compatibleCluster) {
  const response = await call<Json>(h, 'PUT', `${clusterPath(sub, name, rg)}?${CLUSTER_API}`, body)
  expect(response.status, JSON.stringify(response.body)).toBe(201)
  return response
}

/** Follows nextLink to the end, checking each link is absolute and keeps api-version and $top. */
async function listAll(first: string, top: number): Promise<{ names: string[]; pages: number }> {
  const names: string[] = []
  let url: string | undefined = first
  let pages = 0
  while (url) {
    const page: { status: number; body: Json } = await call<Json>(h, 'GET', url)
    expect(page.status).toBe(200)
    expect(page.body.value.length).toBeLessThanOrEqual(top)
    names.push(...page.body.value.map((c: Json) => c.name))
    url = page.body.nextLink
    if (url) {
      expect(url.startsWith(`${h.baseUrl}/`)).toBe(true)
      const parsed = new URL(url)
      expect(parsed.searchParams.get('api-version')).toBe('2024-01-01')
      expect(parsed.searchParams.get('$top')).toBe(String(top))
      expect(parsed.searchParams.get('$skipToken')).toEqual(expect.any(String))
    }
    pages += 1
    if (pages > 50) throw new Error('paging did not end')
  }
  return { names, pages }
}

describe('connectedClusters registry', () => {
  it('creates (201), replaces (200) and reads a cluster with its facts, ARM-shaped', async () => {
    const sub = freshSubscription()
    const created = await register(sub, 'c1', 'rg1', { ...compatibleCluster, tags: { env: 'dev' }, identity: { type: 'SystemAssigned' } })
    expect(created.headers.get('etag')).toMatch(/^".+"$/)
    expect(created.body).toMatchObject({
      id: clusterPath(sub, 'c1'),
      name: 'c1',
      type: 'Microsoft.Kubernetes/connectedClusters',
      location: 'eastus',
      tags: { env: 'dev' },
      identity: { type: 'SystemAssigned' },
      properties: {
        distribution: 'k3s',
        kubernetesVersion: '1.30.4',
        totalNodeCount: 3,
        miscellaneousProperties: { architecture: 'amd64' },
        provisioningState: 'Succeeded',
        connectivityStatus: 'Connected',
      },
      systemData: { createdBy: expect.any(String), createdAt: expect.any(String), lastModifiedAt: expect.any(String) },
    })

    const replaced = await call<Json>(h, 'PUT', `${clusterPath(sub, 'c1')}?${CLUSTER_API}`, {
      location: 'eastus',
      properties: { distribution: 'eks', kubernetesVersion: 'v1.29.2-eks-1', provisioningState: 'Failed' },
    })
    expect(replaced.status).toBe(200)
    expect(replaced.body.properties).toEqual({ distribution: 'eks', kubernetesVersion: 'v1.29.2-eks-1', provisioningState: 'Succeeded', connectivityStatus: 'Connected' })
    expect(replaced.body.tags).toEqual({})
    expect(replaced.body.systemData.createdAt).toBe((created.body.systemData as Json).createdAt)
    expect(replaced.headers.get('etag')).not.toBe(created.headers.get('etag'))

    const got = await call<Json>(h, 'GET', `${clusterPath(sub, 'C1', 'RG1')}?${CLUSTER_API}`)
    expect(got.status).toBe(200)
    expect(got.body).toEqual(replaced.body)
    expect(got.headers.get('etag')).toBe(replaced.headers.get('etag'))
  })

  it('serves api-version 2021-10-01 and rejects others', async () => {
    const sub = freshSubscription()
    const put = await call<Json>(h, 'PUT', `${clusterPath(sub, 'old')}?api-version=2021-10-01`, compatibleCluster)
    expect(put.status).toBe(201)
    expect((await call<Json>(h, 'GET', `${clusterPath(sub, 'old')}?api-version=2021-10-01`)).status).toBe(200)
    const wrong = await call<Json>(h, 'GET', `${clusterPath(sub, 'old')}?api-version=2023-05-01`)
    expect(wrong.status).toBe(400)
    expect(wrong.body).toMatchObject({ error: { code: 'NoRegisteredProviderFound' } })
  })

  it('answers 404 ResourceNotFound for a cluster that is not registered', async () => {
    const sub = freshSubscription()
    const got = await call<Json>(h, 'GET', `${clusterPath(sub, 'nope')}?${CLUSTER_API}`)
    expect(got.status).toBe(404)
    expect(got.body).toMatchObject({ error: { code: 'ResourceNotFound', target: clusterPath(sub, 'nope') } })
  })

  it.each([
    ['an unknown architecture', { miscellaneousProperties: { architecture: 'riscv64' } }, 'properties.miscellaneousProperties.architecture'],
    ['a negative node count', { totalNodeCount: -1 }, 'properties.totalNodeCount'],
    ['a fractional node count', { totalNodeCount: 2.5 }, 'properties.totalNodeCount'],
    ['a node count given as text', { totalNodeCount: '3' }, 'properties.totalNodeCount'],
    ['a Kubernetes version that is not one', { kubernetesVersion: 'latest' }, 'properties.kubernetesVersion'],
    ['an empty distribution', { distribution: '' }, 'properties.distribution'],
  ])('rejects %s with 400 naming the property', async (_what, properties, target) => {
    const sub = freshSubscription()
    const put = await call<Json>(h, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, { location: 'eastus', properties })
    expect(put.status).toBe(400)
    expect(put.body).toMatchObject({ error: { code: 'InvalidRequestContent', target } })
    expect((await call<Json>(h, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`)).status).toBe(404)
  })

  it('requires a location', async () => {
    const put = await call<Json>(h, 'PUT', `${clusterPath(freshSubscription())}?${CLUSTER_API}`, { properties: {} })
    expect(put.status).toBe(400)
    expect(put.body).toMatchObject({ error: { code: 'InvalidRequestContent', target: 'location' } })
  })

  it('keeps any distribution string as given', async () => {
    const sub = freshSubscription()
    const put = await register(sub, 'custom', 'rg1', { location: 'eastus', properties: { distribution: 'My-Own-K8s', infrastructure: 'bare_metal' } })
    expect(put.body.properties).toMatchObject({ distribution: 'My-Own-K8s', infrastructure: 'bare_metal' })
  })
})

describe('ETag preconditions', () => {
  it('PUT honours If-Match and If-None-Match', async () => {
    const sub = freshSubscription()
    const url = `${clusterPath(sub)}?${CLUSTER_API}`
    expect((await call<Json>(h, 'PUT', url, compatibleCluster, { 'if-match': '*' })).status).toBe(412)
    const created = await call<Json>(h, 'PUT', url, compatibleCluster, { 'if-none-match': '*' })
    expect(created.status).toBe(201)
    const etag = created.headers.get('etag')!
    const again = await call<Json>(h, 'PUT', url, compatibleCluster, { 'if-none-match': '*' })
    expect(again.status).toBe(412)
    expect(again.body).toMatchObject({ error: { code: 'PreconditionFailed' } })
    expect((await call<Json>(h, 'PUT', url, compatibleCluster, { 'if-match': '"stale"' })).status).toBe(412)
    expect((await call<Json>(h, 'PUT', url, compatibleCluster, { 'if-match': etag })).status).toBe(200)
  })

  it('PATCH is 404 for a missing cluster whatever If-Match says, 412 on a stale ETag', async () => {
    const sub = freshSubscription()
    const url = `${clusterPath(sub)}?${CLUSTER_API}`
    const missing = await call<Json>(h, 'PATCH', url, { tags: { a: 'b' } }, { 'if-match': '*' })
    expect(missing.status).toBe(404)
    expect(missing.body).toMatchObject({ error: { code: 'ResourceNotFound' } })
    const created = await register(sub, 'cluster1')
    const stale = await call<Json>(h, 'PATCH', url, { tags: { a: 'b' } }, { 'if-match': '"stale"' })
    expect(stale.status).toBe(412)
    const ok = await call<Json>(h, 'PATCH', url, { tags: { a: 'b' } }, { 'if-match': created.headers.get('etag')! })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('etag')).not.toBe(created.headers.get('etag'))
  })

  it('of simultaneous PATCHes with one If-Match exactly one wins; the others get 412, not 409', async () => {
    const sub = freshSubscription()
    const created = await register(sub, 'cluster1')
    const etag = created.headers.get('etag')!
    const patches = await Promise.all(Array.from({ length: 8 }, (_, i) => call<Json>(h, 'PATCH', `${clusterPath(sub)}?${CLUSTER_API}`, { tags: { writer: String(i) } }, { 'if-match': etag })))
    expect(patches.map((p) => p.status).sort()).toEqual([200, 412, 412, 412, 412, 412, 412, 412])
  })
})

describe('PATCH', () => {
  it('merges simultaneous PATCHes without If-Match one after another: none is refused and none is lost', async () => {
    const sub = freshSubscription()
    await register(sub, 'cluster1')
    const url = `${clusterPath(sub)}?${CLUSTER_API}`
    const writers = Array.from({ length: 8 }, (_, i) => `writer${i}`)
    const patches = await Promise.all(writers.map((key) => call<Json>(h, 'PATCH', url, { properties: { miscellaneousProperties: { [key]: 'yes' } } })))
    expect(patches.map((p) => p.status)).toEqual(writers.map(() => 200))
    const got = await call<Json>(h, 'GET', url)
    expect(Object.keys(got.body.properties.miscellaneousProperties).sort()).toEqual(['architecture', ...writers].sort())
  })

  it('replaces tags and merges facts (null removes one)', async () => {
    const sub = freshSubscription()
    await register(sub, 'cluster1', 'rg1', { ...compatibleCluster, tags: { keep: 'no', old: 'x' } })
    const url = `${clusterPath(sub)}?${CLUSTER_API}`
    const patched = await call<Json>(h, 'PATCH', url, {
      tags: { team: 'platform' },
      properties: { kubernetesVersion: '1.31.1', totalNodeCount: null, miscellaneousProperties: { architecture: 'arm64' }, distributionVersion: '1.31' },
    })
    expect(patched.status).toBe(200)
    expect(patched.body.tags).toEqual({ team: 'platform' })
    expect(patched.body.properties).toEqual({
      distribution: 'k3s',
      distributionVersion: '1.31',
      infrastructure: 'generic',
      kubernetesVersion: '1.31.1',
      miscellaneousProperties: { architecture: 'arm64' },
      provisioningState: 'Succeeded',
      connectivityStatus: 'Connected',
    })
    const got = await call<Json>(h, 'GET', url)
    expect(got.body).toEqual(patched.body)

    const tagsOnly = await call<Json>(h, 'PATCH', url, { tags: { only: 'tags' } })
    expect(tagsOnly.body.tags).toEqual({ only: 'tags' })
    expect(tagsOnly.body.properties).toEqual(patched.body.properties)
  })

  it('changes nothing, not even the ETag or lastModifiedAt, when the patch changes nothing', async () => {
    const sub = freshSubscription()
    const created = await register(sub, 'cluster1', 'rg1', { ...compatibleCluster, tags: { a: '1' } })
    const url = `${clusterPath(sub)}?${CLUSTER_API}`
    for (const body of [{}, { tags: { a: '1' } }, { properties: { distribution: 'k3s', miscellaneousProperties: { architecture: 'amd64' } } }]) {
      const patched = await call<Json>(h, 'PATCH', url, body)
      expect(patched.status).toBe(200)
      expect(patched.headers.get('etag')).toBe(created.headers.get('etag'))
      expect(patched.body).toEqual(created.body)
    }
  })

  it('rejects properties PATCH cannot change and invalid facts', async () => {
    const sub = freshSubscription()
    await register(sub, 'cluster1')
    const url = `${clusterPath(sub)}?${CLUSTER_API}`
    const readOnly = await call<Json>(h, 'PATCH', url, { properties: { agentPublicKeyCertificate: 'abc' } })
    expect(readOnly.status).toBe(400)
    expect(readOnly.body).toMatchObject({ error: { code: 'InvalidRequestContent', target: 'properties.agentPublicKeyCertificate' } })
    const badArch = await call<Json>(h, 'PATCH', url, { properties: { miscellaneousProperties: { architecture: 'x86' } } })
    expect(badArch.status).toBe(400)
    expect(badArch.body).toMatchObject({ error: { target: 'properties.miscellaneousProperties.architecture' } })
    expect((await call<Json>(h, 'GET', url)).body.properties).toMatchObject({ miscellaneousProperties: { architecture: 'amd64' } })
  })
})

describe('lists', () => {
  it('lists by resource group and by subscription, paging with $top and an opaque $skipToken', async () => {
    const sub = freshSubscription()
    const rg1 = ['alpha', 'Bravo', 'charlie', 'delta', 'echo']
    const rg2 = ['alpha', 'foxtrot']
    for (const name of rg1) await register(sub, name, 'rg1')
    for (const name of rg2) await register(sub, name, 'rg2')
    // Another subscription's and another type's clusters never show up.
    await register(freshSubscription(), 'alpha', 'rg1')
    await call<Json>(h, 'PUT', `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/mc1?api-version=2024-02-01`, compatibleCluster)

    const byGroup = await listAll(`${rgList(sub)}?${CLUSTER_API}&$top=2`, 2)
    expect(byGroup.names).toEqual(['alpha', 'Bravo', 'charlie', 'delta', 'echo'])
    expect(byGroup.pages).toBe(3)

    const bySubscription = await listAll(`${subList(sub)}?${CLUSTER_API}&$top=3`, 3)
    expect(bySubscription.names).toEqual(['alpha', 'alpha', 'Bravo', 'charlie', 'delta', 'echo', 'foxtrot'])

    const whole = await call<Json>(h, 'GET', `${subList(sub)}?${CLUSTER_API}`)
    expect(whole.body.value).toHaveLength(7)
    expect(whole.body.nextLink).toBeUndefined()
    expect(whole.body.value[0]).toMatchObject({ type: 'Microsoft.Kubernetes/connectedClusters', properties: { provisioningState: 'Succeeded' } })
  })

  it('keeps paging correct when clusters are added behind the cursor', async () => {
    const sub = freshSubscription()
    for (const name of ['b', 'd', 'f']) await register(sub, name)
    const first = await call<Json>(h, 'GET', `${rgList(sub)}?${CLUSTER_API}&$top=2`)
    expect(first.body.value.map((c: Json) => c.name)).toEqual(['b', 'd'])
    await register(sub, 'a')
    await register(sub, 'e')
    const second = await call<Json>(h, 'GET', first.body.nextLink as string)
    expect(second.body.value.map((c: Json) => c.name)).toEqual(['e', 'f'])
  })

  it('answers an empty list for a resource group without clusters', async () => {
    const empty = await call<Json>(h, 'GET', `${rgList(freshSubscription())}?${CLUSTER_API}`)
    expect(empty.status).toBe(200)
    expect(empty.body).toEqual({ value: [] })
  })

  it.each([
    ['$top=0', '$top'],
    ['$top=5000', '$top'],
    ['$top=abc', '$top'],
    ['$skipToken=not-a-token', '$skipToken'],
    [`$skipToken=${Buffer.from(JSON.stringify({ v: 1, after: 'plain' })).toString('base64url')}`, '$skipToken'],
  ])('rejects %s with 400', async (query) => {
    const response = await call<Json>(h, 'GET', `${rgList(freshSubscription())}?${CLUSTER_API}&${query}`)
    expect(response.status).toBe(400)
    expect(response.body).toMatchObject({ error: { code: 'InvalidRequestContent' } })
  })

  it('validates the subscription id and requires api-version', async () => {
    expect((await call<Json>(h, 'GET', `/subscriptions/not-a-guid/providers/Microsoft.Kubernetes/connectedClusters?${CLUSTER_API}`)).status).toBe(400)
    const missing = await call<Json>(h, 'GET', subList(freshSubscription()))
    expect(missing.status).toBe(400)
    expect(missing.body).toMatchObject({ error: { code: 'MissingApiVersionParameter' } })
  })
})

describe('other parent types', () => {
  it.each([
    ['Microsoft.ContainerService/managedClusters', '2024-02-01'],
    ['Microsoft.HybridContainerService/provisionedClusters', '2024-01-01'],
  ])('%s registers, patches and lists through the same registry', async (type, apiVersion) => {
    const sub = freshSubscription()
    const url = `/subscriptions/${sub}/resourceGroups/rg1/providers/${type}/k1?api-version=${apiVersion}`
    const put = await call<Json>(h, 'PUT', url, compatibleCluster)
    expect(put.status).toBe(201)
    expect(put.body).toMatchObject({ type, name: 'k1' })
    const patched = await call<Json>(h, 'PATCH', url, { properties: { kubernetesVersion: '1.32.0' } })
    expect(patched.body.properties).toMatchObject({ kubernetesVersion: '1.32.0', distribution: 'k3s' })
    const listed = await call<Json>(h, 'GET', `/subscriptions/${sub}/providers/${type}?api-version=${apiVersion}`)
    expect(listed.body.value.map((c: Json) => c.id)).toEqual([`/subscriptions/${sub}/resourceGroups/rg1/providers/${type}/k1`])
    expect((await call<Json>(h, 'GET', `${subList(sub)}?${CLUSTER_API}`)).body.value).toEqual([])
  })
})
