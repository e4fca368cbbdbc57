// The ARM front door in dev mode over real HTTP: what `az cloud register`, `az login`, `az account` and
// `az provider show` read before they reach any extension.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SUPPORTED_EXTENSION_API_VERSIONS } from '../../api/versions/extension-api-versions.js'
import { CLUSTER_API, call, registerCluster, startHarness, type Harness } from '../helpers/harness.js'
import { exchange } from '../helpers/raw-http.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

let h: Harness
const withCluster = randomUUID()
const RESOURCES = 'api-version=2022-09-01'
const SUBSCRIPTIONS = 'api-version=2019-11-01'

beforeAll(async () => {
  h = await startHarness({ worker: false, env: { DEFAULT_SUBSCRIPTION_ID: 'AAAAAAAA-0000-4000-8000-000000000001' } })
  await registerCluster(h, withCluster, 'c1', { rg: 'Group-One', body: { location: 'westeurope', properties: { distribution: 'k3s', infrastructure: 'generic', kubernetesVersion: '1.30.4' } } })
})
afterAll(async () => h?.close())

describe('GET /metadata/endpoints', () => {
  it('names arcext as the authority and the audience, also when asked with the double slash the CLI sends', async () => {
    const host = new URL(h.baseUrl).host
    for (const target of ['/metadata/endpoints?api-version=2015-01-01', '//metadata/endpoints?api-version=2015-01-01']) {
      const answer = await exchange(h.baseUrl, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
      expect(answer.status, target).toBe(200)
      const body = JSON.parse(answer.body.slice(answer.body.indexOf('{'), answer.body.lastIndexOf('}') + 1)) as Json
      expect(body.authentication).toEqual({ loginEndpoint: `${h.baseUrl}/adfs`, audiences: [`${h.baseUrl}/`] })
    }
  })

  it('still refuses any other target starting with two slashes', async () => {
    const host = new URL(h.baseUrl).host
    const answer = await exchange(h.baseUrl, `GET //subscriptions?${SUBSCRIPTIONS} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
    expect(answer.status).toBe(400)
    expect(answer.body).toContain('InvalidRequestUri')
  })
})

describe('subscriptions and tenants', () => {
  it('lists the default subscription and every subscription holding a cluster, in the configured tenant', async () => {
    const list = await call<Json>(h, 'GET', `/subscriptions?${SUBSCRIPTIONS}`)
    expect(list.status).toBe(200)
    const ids = list.body.value.map((s: Json) => s.subscriptionId)
    expect(ids).toContain('aaaaaaaa-0000-4000-8000-000000000001')
    expect(ids).toContain(withCluster)
    const entry = list.body.value.find((s: Json) => s.subscriptionId === withCluster)
    expect(entry).toMatchObject({ id: `/subscriptions/${withCluster}`, state: 'Enabled', tenantId: h.config.azureTenantId })
  })

  it("answers in the token's tenant when the token names one", async () => {
    const tid = randomUUID()
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ tid, oid: randomUUID() })).toString('base64url')}.`
    const tenants = await call<Json>(h, 'GET', `/tenants?${SUBSCRIPTIONS}`, undefined, { authorization: `Bearer ${unsigned}` })
    expect(tenants.body.value).toEqual([expect.objectContaining({ id: `/tenants/${tid}`, tenantId: tid })])
    const one = await call<Json>(h, 'GET', `/subscriptions/${withCluster}?${SUBSCRIPTIONS}`, undefined, { authorization: `Bearer ${unsigned}` })
    expect(one.body.tenantId).toBe(tid)
  })

  it('answers any well-formed subscription in dev mode and refuses a malformed one or a missing api-version', async () => {
    expect((await call(h, 'GET', `/subscriptions/${randomUUID()}?${SUBSCRIPTIONS}`)).status).toBe(200)
    expect((await call<Json>(h, 'GET', `/subscriptions/not-a-guid?${SUBSCRIPTIONS}`)).body.error.code).toBe('InvalidResourceName')
    expect((await call<Json>(h, 'GET', '/subscriptions')).body.error.code).toBe('MissingApiVersionParameter')
  })

  it('lists locations', async () => {
    const locations = await call<Json>(h, 'GET', `/subscriptions/${withCluster}/locations?${SUBSCRIPTIONS}`)
    expect(locations.body.value).toContainEqual(expect.objectContaining({ name: 'westeurope', id: `/subscriptions/${withCluster}/locations/westeurope` }))
  })
})

describe('providers', () => {
  it('shows Microsoft.KubernetesConfiguration Registered with the api-versions the extension routes accept', async () => {
    const provider = await call<Json>(h, 'GET', `/subscriptions/${withCluster}/providers/microsoft.kubernetesconfiguration?${RESOURCES}`)
    expect(provider.status).toBe(200)
    expect(provider.body).toMatchObject({ namespace: 'Microsoft.KubernetesConfiguration', registrationState: 'Registered' })
    const extensions = provider.body.resourceTypes.find((type: Json) => type.resourceType === 'extensions')
    expect(extensions.apiVersions).toEqual(SUPPORTED_EXTENSION_API_VERSIONS)
    for (const version of extensions.apiVersions) {
      expect(
        (
          await call(
            h,
            'GET',
            `/subscriptions/${withCluster}/resourceGroups/Group-One/providers/Microsoft.Kubernetes/connectedClusters/c1/providers/Microsoft.KubernetesConfiguration/extensions?api-version=${version}`,
          )
        ).status,
      ).toBe(200)
    }
  })

  it('lists the cluster parents as their own namespaces, registers, and refuses an unknown namespace', async () => {
    const list = await call<Json>(h, 'GET', `/subscriptions/${withCluster}/providers?${RESOURCES}`)
    expect(list.body.value.map((p: Json) => p.namespace)).toEqual(expect.arrayContaining(['Microsoft.KubernetesConfiguration', 'Microsoft.Kubernetes', 'Microsoft.ContainerService']))
    const registered = await call<Json>(h, 'POST', `/subscriptions/${withCluster}/providers/Microsoft.Kubernetes/register?${RESOURCES}`)
    expect(registered.body).toMatchObject({ namespace: 'Microsoft.Kubernetes', registrationState: 'Registered' })
    expect(registered.body.resourceTypes).toContainEqual(expect.objectContaining({ resourceType: 'connectedClusters', apiVersions: ['2024-01-01', '2021-10-01'] }))
    const unknown = await call<Json>(h, 'GET', `/subscriptions/${withCluster}/providers/Contoso.Widgets?${RESOURCES}`)
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('InvalidResourceNamespace')
  })

  it('leaves the cluster list under a subscription where it was', async () => {
    const clusters = await call<Json>(h, 'GET', `/subscriptions/${withCluster}/providers/Microsoft.Kubernetes/connectedClusters?${CLUSTER_API}`)
    expect(clusters.body.value.map((c: Json) => c.name)).toEqual(['c1'])
  })
})

describe('resource groups', () => {
  const group = (sub: string, name: string) => `/subscriptions/${sub}/resourcegroups/${name}?${RESOURCES}`

  it('finds a group holding a cluster, with its location, and lists it', async () => {
    const found = await call<Json>(h, 'GET', group(withCluster, 'group-one'))
    expect(found.body).toEqual({
      id: `/subscriptions/${withCluster}/resourceGroups/Group-One`,
      name: 'Group-One',
      type: 'Microsoft.Resources/resourceGroups',
      location: 'westeurope',
      tags: {},
      properties: { provisioningState: 'Succeeded' },
    })
    expect((await call(h, 'HEAD', group(withCluster, 'Group-One'))).status).toBe(204)
    const list = await call<Json>(h, 'GET', `/subscriptions/${withCluster}/resourceGroups?${RESOURCES}`)
    expect(list.body.value.map((g: Json) => g.name)).toEqual(['Group-One'])
  })

  it('answers 404 for a group holding nothing, echoes a PUT, and finds the group once a cluster is in it', async () => {
    const sub = randomUUID()
    expect((await call<Json>(h, 'GET', group(sub, 'new-rg'))).body.error.code).toBe('ResourceGroupNotFound')
    expect((await call(h, 'HEAD', group(sub, 'new-rg'))).status).toBe(404)
    const put = await call<Json>(h, 'PUT', group(sub, 'new-rg'), { location: 'eastus', tags: { team: 'a' } })
    expect(put.status).toBe(201)
    expect(put.body).toMatchObject({ name: 'new-rg', location: 'eastus', tags: { team: 'a' } })
    expect((await call(h, 'DELETE', group(sub, 'new-rg'))).status).toBe(204)
    await registerCluster(h, sub, 'c1', { rg: 'new-rg' })
    expect((await call(h, 'PUT', group(sub, 'new-rg'), { location: 'eastus' })).status).toBe(200)
    const refused = await call<Json>(h, 'DELETE', group(sub, 'new-rg'))
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('ResourceGroupNotEmpty')
  })

  it('refuses a PUT without a location and a malformed group name', async () => {
    const sub = randomUUID()
    const missing = await call<Json>(h, 'PUT', group(sub, 'rg'), { tags: {} })
    expect(missing.status).toBe(400)
    expect(missing.body.error).toMatchObject({ code: 'InvalidRequestContent', target: 'location' })
    expect((await call<Json>(h, 'GET', group(sub, 'bad%20name!'))).body.error.code).toBe('InvalidResourceName')
  })
})
