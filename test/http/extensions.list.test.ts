// List (Extensions_List): value + nextLink with a stable opaque $skipToken; provider and cluster operation lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription, registerCluster, startHarness, type Harness, APIM_SETTINGS } from '../helpers/harness.js'

let h: Harness
const sub = freshSubscription()
const names = ['alpha', 'Bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf']

beforeAll(async () => {
  h = await startHarness({ worker: false })
  await registerCluster(h, sub)
  await registerCluster(h, sub, 'empty')
  // Cluster-scoped types with multiple instances allowed? Use one instance per distinct type-compatible name on Flux-free types.
  for (const name of names) {
    const put = await call(h, 'PUT', `${extensionPath(sub, name)}?${EXTENSION_API}`, {
      properties: { extensionType: 'microsoft.apimanagement', scope: { namespace: { targetNamespace: name.toLowerCase() } }, ...APIM_SETTINGS },
    })
    expect(put.status).toBe(201)
  }
})
afterAll(() => h?.close())

const listUrl = (cluster = 'cluster1') => `${clusterPath(sub, cluster)}/providers/Microsoft.KubernetesConfiguration/extensions?${EXTENSION_API}`

describe('list extensions', () => {
  it('returns every extension in name order on one page by default, without nextLink', async () => {
    const list = await call<{ value: { name: string }[]; nextLink?: string }>(h, 'GET', listUrl())
    expect(list.status).toBe(200)
    expect(list.body.value.map((e) => e.name)).toEqual(names)
    expect(list.body).not.toHaveProperty('nextLink')
  })

  it('pages with $top and follows nextLink to the end, seeing every item once', async () => {
    const seen: string[] = []
    let url: string | undefined = `${listUrl()}&$top=3`
    let pages = 0
    while (url) {
      const page: { status: number; body: { value: { name: string }[]; nextLink?: string } } = await call(h, 'GET', url)
      expect(page.status).toBe(200)
      seen.push(...page.body.value.map((e) => e.name))
      url = page.body.nextLink
      if (url) {
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/subscriptions\//)
        expect(url).toContain('api-version=2023-05-01')
      }
      pages += 1
    }
    expect(seen).toEqual(names)
    expect(pages).toBe(3)
  })

  it('stays correct when items are inserted between pages', async () => {
    const first = await call<{ value: { name: string }[]; nextLink: string }>(h, 'GET', `${listUrl()}&$top=2`)
    await call(h, 'PUT', `${extensionPath(sub, 'aardvark')}?${EXTENSION_API}`, {
      properties: { extensionType: 'microsoft.apimanagement', scope: { namespace: { targetNamespace: 'aardvark' } }, ...APIM_SETTINGS },
    })
    const second = await call<{ value: { name: string }[] }>(h, 'GET', first.body.nextLink)
    expect(second.body.value[0]!.name).toBe('charlie')
  })

  it('answers an empty cluster with an empty value and rejects bad paging input', async () => {
    expect((await call(h, 'GET', listUrl('empty'))).body).toEqual({ value: [] })
    expect((await call<{ error: { code: string } }>(h, 'GET', `${listUrl()}&$skipToken=garbage`)).status).toBe(400)
    expect((await call<{ error: { code: string } }>(h, 'GET', `${listUrl()}&$top=0`)).status).toBe(400)
    expect((await call(h, 'GET', listUrl('ghost'))).status).toBe(404)
  })

  it.each([
    { name: 'a NUL', after: 'a\u0000' },
    { name: 'an unpaired surrogate', after: '\ud800a' },
  ])('rejects a forged skip token whose key holds $name', async ({ after }) => {
    const forged = Buffer.from(JSON.stringify({ v: 1, after }), 'utf8').toString('base64url')
    const response = await call<{ error: { code: string; target: string } }>(h, 'GET', `${listUrl()}&$skipToken=${forged}`)
    expect(response.status).toBe(400)
    expect(response.body.error).toMatchObject({ code: 'InvalidRequestContent', target: '$skipToken' })
  })
})

describe('operation lists', () => {
  it('lists the provider operations tenant-wide', async () => {
    const ops = await call<{ value: { name: string; isDataAction: boolean; display: Record<string, string> }[] }>(h, 'GET', `/providers/Microsoft.KubernetesConfiguration/operations?${EXTENSION_API}`)
    expect(ops.status).toBe(200)
    expect(ops.body.value.map((o) => o.name)).toEqual(
      expect.arrayContaining(['Microsoft.KubernetesConfiguration/extensions/write', 'Microsoft.KubernetesConfiguration/extensions/read', 'Microsoft.KubernetesConfiguration/extensions/delete']),
    )
    for (const op of ops.body.value) expect(op.display).toMatchObject({ provider: expect.any(String), resource: expect.any(String), operation: expect.any(String), description: expect.any(String) })
  })

  it('lists the operations in progress on a cluster', async () => {
    const ops = await call<{ value: { name: string; status: string; id: string }[] }>(h, 'GET', `${clusterPath(sub)}/providers/Microsoft.KubernetesConfiguration/operations?${EXTENSION_API}`)
    expect(ops.status).toBe(200)
    expect(ops.body.value.length).toBeGreaterThanOrEqual(names.length) // no worker runs in this file, so all are pending
    for (const op of ops.body.value) expect(op.status).toBe('InProgress')
  })
})

describe('ARM headers', () => {
  it('reports remaining read and write quota that decreases as it is used', async () => {
    // A subscription of its own, so its read bucket is full: 25 tokens a second come back, never above the 250 it holds.
    const fresh = freshSubscription()
    const a = await call(h, 'GET', `${clusterPath(fresh)}?${CLUSTER_API}`)
    const b = await call(h, 'GET', `${clusterPath(fresh)}?${CLUSTER_API}`)
    const reads = [a, b].map((r) => Number(r.headers.get('x-ms-ratelimit-remaining-subscription-reads')))
    expect(reads[0]).toBe(249)
    expect(reads[1]).toBeGreaterThanOrEqual(248)
    expect(reads[1]).toBeLessThanOrEqual(249)
    const write = await call(h, 'PUT', `${clusterPath(sub, 'other')}?${CLUSTER_API}`, compatibleCluster)
    expect(Number(write.headers.get('x-ms-ratelimit-remaining-subscription-writes'))).toBeGreaterThan(0)
  })
})
