// The api-versions the az CLI's k8s-extension reads parent clusters at: connectedClusters 2021-10-01, managedClusters
// 2022-11-01, appliances 2021-10-31-preview and provisionedClusters 2022-05-01-preview (the CLI sends that namespace in
// lower case). Each answers with what the CLI reads: id, name, type, location, provisioningState and the facts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, compatibleCluster, freshSubscription, startHarness, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

let h: Harness
const sub = freshSubscription()

beforeAll(async () => {
  h = await startHarness({ worker: false, transport: 'inject' })
})
afterAll(() => h?.close())

const CASES = [
  { namespace: 'Microsoft.Kubernetes', type: 'connectedClusters', newest: '2024-01-01', cli: '2021-10-01', cliNamespace: 'Microsoft.Kubernetes', extra: { connectivityStatus: 'Connected' } },
  {
    namespace: 'Microsoft.ContainerService',
    type: 'managedClusters',
    newest: '2024-02-01',
    cli: '2022-11-01',
    cliNamespace: 'Microsoft.ContainerService',
    extra: { currentKubernetesVersion: '1.30.4' },
  },
  { namespace: 'Microsoft.ResourceConnector', type: 'appliances', newest: '2022-10-27', cli: '2021-10-31-preview', cliNamespace: 'Microsoft.ResourceConnector', extra: { distro: 'k3s' } },
  {
    namespace: 'Microsoft.HybridContainerService',
    type: 'provisionedClusters',
    newest: '2024-01-01',
    cli: '2022-05-01-preview',
    cliNamespace: 'microsoft.hybridcontainerservice',
    extra: {},
  },
] as const

describe('parent clusters at the versions the az CLI reads', () => {
  it.each(CASES)('$type at $cli', async ({ namespace, type, newest, cli, cliNamespace, extra }) => {
    const name = `cli-${type}`
    const id = `/subscriptions/${sub}/resourceGroups/rg1/providers/${namespace}/${type}/${name}`
    const body = { ...compatibleCluster, properties: { ...compatibleCluster.properties, kubernetesVersion: '1.30.4' } }
    expect((await call(h, 'PUT', `${id}?api-version=${newest}`, body)).status).toBe(201)
    const got = await call<Json>(h, 'GET', `/subscriptions/${sub}/resourceGroups/rg1/providers/${cliNamespace}/${type}/${name}?api-version=${cli}`)
    expect(got.status, JSON.stringify(got.body)).toBe(200)
    expect(got.body).toMatchObject({ id, name, type: `${namespace}/${type}`, location: body.location })
    expect(got.body.properties).toMatchObject({ provisioningState: 'Succeeded', kubernetesVersion: '1.30.4', distribution: body.properties.distribution, ...extra })
    if (type !== 'connectedClusters') expect(got.body.properties).not.toHaveProperty('connectivityStatus')
    // Registering at the CLI's version works too, as does listing.
    const other = `${id}-2?api-version=${cli}`
    expect((await call(h, 'PUT', other, body)).status).toBe(201)
    const list = await call<Json>(h, 'GET', `/subscriptions/${sub}/resourceGroups/rg1/providers/${cliNamespace}/${type}?api-version=${cli}`)
    expect((list.body.value as Json[]).map((c) => c.name)).toEqual([name, `${name}-2`])
  })

  it('still refuses versions no client reads', async () => {
    const refused = await call<Json>(h, 'GET', `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/x?api-version=2021-01-01`)
    expect(refused.status).toBe(400)
    expect(refused.body.error.code).toBe('NoRegisteredProviderFound')
  })
})
