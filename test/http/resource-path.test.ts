// The resource a path addresses is read and checked once, just before the handler (api/arm/resource-path.ts): names
// are checked in path order, after the body, and the ids handlers use come from the decoded path in the caller's casing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription, startHarness, type Harness } from '../helpers/harness.js'

type ErrorBody = { error: { code: string; target?: string } }
let h: Harness
beforeAll(async () => {
  h = await startHarness({ worker: false })
})
afterAll(() => h?.close())

describe('the addressed resource', () => {
  it('reports the first wrong name in path order', async () => {
    const path = `/subscriptions/not-a-guid/resourceGroups/bad*group/providers/Microsoft.Kubernetes/connectedClusters/bad.cluster/providers/Microsoft.KubernetesConfiguration/extensions/-bad?${EXTENSION_API}`
    expect((await call<ErrorBody>(h, 'GET', path)).body.error).toMatchObject({ code: 'InvalidResourceName', target: 'subscription' })
    const sub = freshSubscription()
    const underGroup = `/subscriptions/${sub}/resourceGroups/bad*group/providers/Microsoft.Kubernetes/connectedClusters/bad.cluster/providers/Microsoft.KubernetesConfiguration/extensions/-bad?${EXTENSION_API}`
    expect((await call<ErrorBody>(h, 'GET', underGroup)).body.error).toMatchObject({ code: 'InvalidResourceName', target: 'resourceGroup' })
    expect((await call<ErrorBody>(h, 'GET', `${extensionPath(sub, '-bad', 'bad.cluster')}?${EXTENSION_API}`)).body.error).toMatchObject({ code: 'InvalidResourceName', target: 'cluster' })
    expect((await call<ErrorBody>(h, 'GET', `${extensionPath(sub, '-bad')}?${EXTENSION_API}`)).body.error).toMatchObject({ code: 'InvalidResourceName', target: 'extension' })
  })

  it('checks names after the body, as each handler did', async () => {
    const sub = freshSubscription()
    const put = await call<ErrorBody>(h, 'PUT', `${clusterPath(sub, 'bad.cluster')}?${CLUSTER_API}`, { tags: {} })
    expect(put.status).toBe(400)
    expect(put.body.error.code).not.toBe('InvalidResourceName')
    expect((await call<ErrorBody>(h, 'PUT', `${clusterPath(sub, 'bad.cluster')}?${CLUSTER_API}`, compatibleCluster)).body.error.code).toBe('InvalidResourceName')
  })

  it('builds ids from the decoded path in the caller casing, and keys them case-insensitively', async () => {
    const sub = freshSubscription()
    const encoded = clusterPath(sub, 'My%2DCluster')
    const created = await call<{ id: string }>(h, 'PUT', `${encoded}?${CLUSTER_API}`, compatibleCluster)
    expect(created.status).toBe(201)
    expect(created.body.id).toBe(clusterPath(sub, 'My-Cluster'))
    const read = await call<{ id: string }>(h, 'GET', `${clusterPath(sub.toUpperCase(), 'MY-CLUSTER')}?${CLUSTER_API}`)
    expect(read.status).toBe(200)
    expect(read.body.id).toBe(clusterPath(sub, 'My-Cluster'))
    const missing = await call<ErrorBody>(h, 'GET', `${extensionPath(sub, 'Flux', 'My-Cluster')}?${EXTENSION_API}`)
    expect(missing.body.error).toMatchObject({ code: 'ResourceNotFound', target: extensionPath(sub, 'Flux', 'My-Cluster') })
  })
})
