// AUTH_MODE=jwt, authorization: Azure-RBAC-shaped role assignments from AUTH_POLICY_FILE over real HTTP. A token for
// one subscription can neither read nor change another's resources, refusals do not tell whether a resource exists,
// lists show only what the caller may read, and only Owners reach the operator endpoints.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, startHarness, type Harness } from '../helpers/harness.js'
import { bearer, jwks, jwtEnv, signingKey, tempDir, token, writeJson, type SigningKey } from './support.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
// eslint-disable-next-line no-control-regex -- NUL is what Postgres text cannot hold
const UNSTORABLE = /\u0000|[\uD800-\uDFFF]/

let h: Harness
let key: SigningKey
const A = randomUUID()
const B = randomUUID()
const ids = {
  owner: randomUUID(),
  ownerOfA: randomUUID(),
  contributorOfA: randomUUID(),
  readerOfA: randomUUID(),
  rgReaderApp: randomUUID(),
  groupB: randomUUID(),
  nobody: randomUUID(),
}

const policy = {
  principals: [
    { oid: ids.owner, roleAssignments: [{ role: 'Owner', scope: '/' }] },
    { oid: ids.ownerOfA, roleAssignments: [{ role: 'Owner', scope: `/subscriptions/${A}` }] },
    { oid: ids.contributorOfA, description: 'CI pipeline of A', roleAssignments: [{ role: 'Contributor', scope: `/subscriptions/${A.toUpperCase()}` }] },
    { oid: ids.readerOfA, roleAssignments: [{ role: 'Reader', scope: `/subscriptions/${A}` }] },
    { appid: ids.rgReaderApp, roleAssignments: [{ role: 'Reader', scope: `/subscriptions/${A}/resourceGroups/RG1` }] },
    { group: ids.groupB, roleAssignments: [{ role: 'Contributor', scope: `/subscriptions/${B}` }] },
  ],
}

/** Headers of a user token for the principal with object id `oid`. */
const as = async (oid: string, claims: Json = {}) => bearer(await token(key, { claims: { oid, upn: `${oid.slice(0, 8)}@contoso.com`, ...claims } }))

const clusterUrl = (sub: string, name: string, rg = 'rg1') => `${clusterPath(sub, name, rg)}?${CLUSTER_API}`
const subscriptionList = (sub: string) => `/subscriptions/${sub}/providers/Microsoft.Kubernetes/connectedClusters?${CLUSTER_API}`
const denial = (client: string, oid: string, action: string, scope: string) => ({
  error: {
    code: 'AuthorizationFailed',
    message: `The client '${client}' with object id '${oid}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  },
})

beforeAll(async () => {
  key = await signingKey('RS256')
  const dir = tempDir()
  h = await startHarness({ worker: false, env: jwtEnv({ AUTH_JWKS_FILE: writeJson(dir, 'jwks.json', jwks(key)) }, writeJson(dir, 'policy.json', policy)) })
  const owner = await as(ids.owner)
  for (const [sub, name, rg] of [
    [A, 'a1', 'rg1'],
    [A, 'a2', 'rg2'],
    [B, 'b1', 'rg1'],
  ] as const) {
    expect((await call(h, 'PUT', clusterUrl(sub, name, rg), compatibleCluster, owner)).status).toBe(201)
  }
})
afterAll(() => h?.close())

describe('jwt mode: authorization', () => {
  it('a Contributor of A reads and changes A', async () => {
    const headers = await as(ids.contributorOfA)
    expect((await call(h, 'GET', clusterUrl(A, 'a1'), undefined, headers)).status).toBe(200)
    expect((await call(h, 'PUT', clusterUrl(A, 'mine'), compatibleCluster, headers)).status).toBe(201)
    expect((await call(h, 'PATCH', clusterUrl(A, 'mine'), { tags: { team: 'a' } }, headers)).status).toBe(200)
    expect((await call(h, 'DELETE', clusterUrl(A, 'mine'), undefined, headers)).status).toBe(200)
  })

  it('a token for A can neither read nor change B, and the 403 is the same whether or not the resource exists', async () => {
    const headers = await as(ids.contributorOfA)
    const client = `${ids.contributorOfA.slice(0, 8)}@contoso.com`
    const ext = `${extensionPath(B, 'flux', 'b1')}?${EXTENSION_API}`
    const requests: [string, string, unknown, string][] = [
      ['GET', clusterUrl(B, 'b1'), undefined, 'Microsoft.Kubernetes/connectedClusters/read'],
      ['PUT', clusterUrl(B, 'b1'), compatibleCluster, 'Microsoft.Kubernetes/connectedClusters/write'],
      ['PATCH', clusterUrl(B, 'b1'), { tags: {} }, 'Microsoft.Kubernetes/connectedClusters/write'],
      ['DELETE', clusterUrl(B, 'b1'), undefined, 'Microsoft.Kubernetes/connectedClusters/delete'],
      ['GET', subscriptionList(B), undefined, 'Microsoft.Kubernetes/connectedClusters/read'],
      ['GET', `/subscriptions/${B}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters?${CLUSTER_API}`, undefined, 'Microsoft.Kubernetes/connectedClusters/read'],
      ['PUT', ext, { properties: { extensionType: 'microsoft.flux' } }, 'Microsoft.KubernetesConfiguration/extensions/write'],
      ['GET', ext, undefined, 'Microsoft.KubernetesConfiguration/extensions/read'],
      ['PATCH', ext, { properties: {} }, 'Microsoft.KubernetesConfiguration/extensions/write'],
      ['DELETE', ext, undefined, 'Microsoft.KubernetesConfiguration/extensions/delete'],
      ['GET', `${clusterPath(B, 'b1')}/providers/Microsoft.KubernetesConfiguration/extensions?${EXTENSION_API}`, undefined, 'Microsoft.KubernetesConfiguration/extensions/read'],
    ]
    const before = []
    for (const [method, url, body, action] of requests) {
      const response = await call(h, method, url, body, headers)
      expect(response.status, `${method} ${url}`).toBe(403)
      expect(response.body).toEqual(denial(client, ids.contributorOfA, action, url.split('?')[0]!))
      before.push(response.body)
    }
    // The extension now exists (its owner installs it): the refusals do not change by a byte.
    const put = await call(h, 'PUT', ext, { properties: { extensionType: 'microsoft.flux' } }, await as(ids.owner))
    expect(put.status).toBe(201)
    for (const [i, [method, url, body]] of requests.entries()) {
      expect((await call(h, method, url, body, headers)).body, `${method} ${url}`).toEqual(before[i])
    }
    expect((await call(h, 'GET', ext, undefined, await as(ids.owner))).status).toBe(200)
  })

  it('matches the subscription on the decoded, case-folded path', async () => {
    const headers = await as(ids.contributorOfA)
    expect((await call(h, 'GET', clusterUrl(A.toUpperCase(), 'a1', 'RG1'), undefined, headers)).status).toBe(200)
    // One character of B's id percent-encoded is still B.
    const encodedB = `%${B.charCodeAt(0).toString(16)}${B.slice(1)}`
    expect((await call(h, 'GET', clusterUrl(encodedB, 'b1'), undefined, headers)).status).toBe(403)
  })

  it('a Reader reads but cannot write or delete', async () => {
    const headers = await as(ids.readerOfA)
    expect((await call(h, 'GET', clusterUrl(A, 'a1'), undefined, headers)).status).toBe(200)
    expect((await call<Json>(h, 'GET', subscriptionList(A), undefined, headers)).body.value.map((c: Json) => c.name)).toEqual(['a1', 'a2'])
    for (const [method, body] of [
      ['PUT', compatibleCluster],
      ['PATCH', { tags: {} }],
      ['DELETE', undefined],
    ] as const) {
      const response = await call<Json>(h, method, clusterUrl(A, 'a1'), body, headers)
      expect(response.status).toBe(403)
      expect(response.body.error.code).toBe('AuthorizationFailed')
    }
  })

  it('an application with Reader on one resource group (matched by appid or azp) sees only that group', async () => {
    for (const claims of [{ appid: ids.rgReaderApp, idtyp: 'app' }, { azp: ids.rgReaderApp }]) {
      const headers = bearer(await token(key, { claims: { oid: randomUUID(), ...claims } }))
      const listed = await call<Json>(h, 'GET', subscriptionList(A), undefined, headers)
      expect(listed.status).toBe(200)
      expect(listed.body.value.map((c: Json) => c.name)).toEqual(['a1'])
      expect((await call(h, 'GET', clusterUrl(A, 'a1'), undefined, headers)).status).toBe(200)
      expect((await call(h, 'GET', clusterUrl(A, 'a2', 'rg2'), undefined, headers)).status).toBe(403)
      expect((await call(h, 'PUT', clusterUrl(A, 'a1'), compatibleCluster, headers)).status).toBe(403)
      expect((await call(h, 'GET', subscriptionList(B), undefined, headers)).status).toBe(403)
      const denied = await call<Json>(h, 'GET', clusterUrl(A, 'a2', 'rg2'), undefined, headers)
      expect(denied.body.error.message).toContain(`The client '${ids.rgReaderApp}'`)
    }
  })

  it('a caller with no role anywhere under a subscription gets 403 on its list', async () => {
    const response = await call<Json>(h, 'GET', subscriptionList(A), undefined, await as(ids.nobody))
    expect(response.status).toBe(403)
    expect(response.body.error.code).toBe('AuthorizationFailed')
  })

  it('a group member gets the group roles', async () => {
    const member = await as(randomUUID(), { groups: [randomUUID(), ids.groupB.toUpperCase()] })
    expect((await call(h, 'PUT', clusterUrl(B, 'from-group'), compatibleCluster, member)).status).toBe(201)
    expect((await call(h, 'GET', clusterUrl(A, 'a1'), undefined, member)).status).toBe(403)
  })

  it('authorizes operation status and result URLs as reads of their extension', async () => {
    const contributor = await as(ids.contributorOfA)
    const put = await call(h, 'PUT', `${extensionPath(A, 'dapr', 'a1')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.dapr' } }, contributor)
    expect(put.status).toBe(201)
    const status = new URL(put.headers.get('azure-asyncoperation')!)
    const result = new URL(put.headers.get('location')!)
    for (const url of [status, result]) {
      const path = `${url.pathname}${url.search}`
      expect((await call(h, 'GET', path, undefined, await as(ids.readerOfA))).status).toBeLessThan(300)
      const refused = await call<Json>(h, 'GET', path, undefined, await as(randomUUID(), { groups: [ids.groupB] }))
      expect(refused.status).toBe(403)
      expect(refused.body.error.message).toContain("action 'Microsoft.KubernetesConfiguration/extensions/operations/read'")
    }
  })

  it('extension types need Reader on the subscription, or on the cluster for cluster-scoped routes', async () => {
    const location = `/subscriptions/${A}/providers/Microsoft.KubernetesConfiguration/locations/eastus/extensionTypes?api-version=2023-05-01`
    const onCluster = `${clusterPath(A, 'a1')}/providers/Microsoft.KubernetesConfiguration/extensionTypes?api-version=2023-05-01`
    const rgApp = bearer(await token(key, { claims: { appid: ids.rgReaderApp } }))
    expect((await call(h, 'GET', location, undefined, await as(ids.readerOfA))).status).toBe(200)
    expect((await call(h, 'GET', location, undefined, rgApp)).status).toBe(403)
    expect((await call(h, 'GET', onCluster, undefined, rgApp)).status).toBe(200)
  })

  describe('operator endpoints', () => {
    const a1 = clusterPath(A, 'a1')
    const b1 = clusterPath(B, 'b1')

    it('a Contributor cannot reach them; an Owner at "/" can', async () => {
      const refused = await call<Json>(h, 'GET', '/admin/simulator/faults', undefined, await as(ids.contributorOfA))
      expect(refused.status).toBe(403)
      expect(refused.body).toEqual(denial(`${ids.contributorOfA.slice(0, 8)}@contoso.com`, ids.contributorOfA, 'Arcext.Operator/admin/read', '/'))
      expect((await call(h, 'GET', '/admin/simulator/faults')).status).toBe(401)
      expect((await call(h, 'GET', '/admin/simulator/faults', undefined, await as(ids.owner))).status).toBe(200)
    })

    it('the queue UI, its assets and its API are for an Owner at "/" only', async () => {
      const ownerOfA = await as(ids.ownerOfA)
      for (const url of ['/admin/queues', '/admin/queues/static/favicon-32x32.png', '/admin/queues/api/queues']) {
        expect((await call(h, 'GET', url)).status, url).toBe(401)
        for (const headers of [await as(ids.contributorOfA), ownerOfA]) {
          const refused = await call<Json>(h, 'GET', url, undefined, headers)
          expect(refused.status, url).toBe(403)
          expect(refused.body.error.code).toBe('AuthorizationFailed')
        }
      }
      const board = await fetch(`${h.baseUrl}/admin/queues`, { headers: await as(ids.owner) })
      expect(board.status).toBe(200)
      expect(await board.text()).toContain('<!DOCTYPE html>')
      expect((await call(h, 'GET', '/admin/queues/api/queues', undefined, await as(ids.owner))).status).toBe(200)
    })

    it('an Owner of A acts on clusters in A only, and on nothing fleet-wide', async () => {
      const ownerOfA = await as(ids.ownerOfA)
      expect((await call(h, 'POST', '/admin/simulator/reset', { clusterId: a1 }, ownerOfA)).status).toBe(200)
      expect((await call(h, 'GET', `/admin/simulator/faults?clusterId=${encodeURIComponent(a1)}`, undefined, ownerOfA)).status).toBe(200)
      expect((await call(h, 'GET', `/admin/simulator/releases?clusterId=${encodeURIComponent(a1)}`, undefined, ownerOfA)).status).toBe(200)
      expect((await call(h, 'GET', `/admin/clusters/${encodeURIComponent(a1)}/driver`, undefined, ownerOfA)).status).toBe(200)
      const created = await call<Json>(h, 'POST', '/admin/simulator/faults', { kind: 'failInstall', clusterId: a1, remainingCalls: 1 }, ownerOfA)
      expect(created.status).toBe(201)
      for (const [method, url, body] of [
        ['POST', '/admin/simulator/reset', { clusterId: b1 }],
        ['POST', '/admin/simulator/reset', undefined],
        ['GET', '/admin/simulator/faults', undefined],
        ['GET', `/admin/simulator/faults?clusterId=${encodeURIComponent(b1)}`, undefined],
        ['POST', '/admin/simulator/faults', { kind: 'failInstall' }],
        ['POST', '/admin/simulator/faults', { kind: 'failInstall', clusterId: b1 }],
        ['GET', `/admin/simulator/faults/${created.body.id}`, undefined],
        ['DELETE', `/admin/simulator/faults/${created.body.id}`, undefined],
        ['GET', `/admin/clusters/${encodeURIComponent(b1)}/driver`, undefined],
        ['PUT', `/admin/clusters${b1}/driver`, { driver: 'simulated' }],
      ] as const) {
        // Operator POSTs carry the JSON content type even without a body (cross-site rule), so the role is what refuses.
        const headers = method === 'POST' && body === undefined ? { ...ownerOfA, 'content-type': 'application/json' } : ownerOfA
        const response = await call<Json>(h, method, url, body, headers)
        expect(response.status, `${method} ${url}`).toBe(403)
        expect(response.body.error.code).toBe('AuthorizationFailed')
      }
      expect((await call(h, 'DELETE', `/admin/simulator/faults/${created.body.id}`, undefined, await as(ids.owner))).status).toBe(200)
    })
  })

  describe('systemData', () => {
    it('comes from the token, and identity headers are ignored', async () => {
      const spoof = {
        'x-ms-client-principal-name': 'mallory@evil.example',
        'x-ms-arm-resource-system-data': JSON.stringify({ createdBy: 'mallory@evil.example', createdByType: 'User' }),
      }
      const user = await call<Json>(h, 'PUT', clusterUrl(A, 'by-user'), compatibleCluster, { ...(await as(ids.contributorOfA, { upn: 'alice@contoso.com' })), ...spoof })
      expect(user.body.systemData).toMatchObject({ createdBy: 'alice@contoso.com', createdByType: 'User', lastModifiedBy: 'alice@contoso.com' })
      const legacy = await call<Json>(h, 'PUT', clusterUrl(A, 'by-unique-name'), compatibleCluster, bearer(await token(key, { claims: { oid: ids.contributorOfA, unique_name: 'bob@contoso.com' } })))
      expect(legacy.body.systemData).toMatchObject({ createdBy: 'bob@contoso.com', createdByType: 'User' })
      const app = await call<Json>(h, 'PUT', clusterUrl(A, 'by-app'), compatibleCluster, {
        ...bearer(await token(key, { claims: { oid: ids.contributorOfA, appid: 'ci-app-id', idtyp: 'app' } })),
        ...spoof,
      })
      expect(app.body.systemData).toMatchObject({ createdBy: 'ci-app-id', createdByType: 'Application' })
      const oidOnly = await call<Json>(h, 'PUT', clusterUrl(A, 'by-oid'), compatibleCluster, bearer(await token(key, { claims: { oid: ids.contributorOfA } })))
      expect(oidOnly.body.systemData).toMatchObject({ createdBy: ids.contributorOfA })
    })

    it('stores claims Postgres cannot hold as they are, without a 500', async () => {
      for (const [i, upn] of ['nul\u0000name', 'lone\uD800surrogate', 'x'.repeat(10_000)].entries()) {
        const response = await call<Json>(h, 'PUT', clusterUrl(A, `odd-claim-${i}`), compatibleCluster, await as(ids.contributorOfA, { upn }))
        expect(response.status, JSON.stringify(response.body)).toBe(201)
        const createdBy = response.body.systemData.createdBy as string
        expect(createdBy).not.toMatch(UNSTORABLE)
        expect(createdBy.length).toBeLessThanOrEqual(256)
      }
    })
  })
})
