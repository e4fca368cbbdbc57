// The admin API over real HTTP: fault-rule CRUD and validation with ARM error envelopes, scoped and global resets,
// and choosing a cluster's driver with a kubeconfig that is sealed at rest and never returned.
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FaultRuleView } from '../../core/simulator/faults.js'
import { EXTENSION_API, call, extensionPath, freshSubscription, registerCluster } from '../helpers/harness.js'
import { putExtension, startIsolatedHarness, type IsolatedHarness } from './support.js'

let h: IsolatedHarness

beforeAll(async () => {
  h = await startIsolatedHarness()
})
afterAll(() => h?.close())

const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters:\n- name: c1\n  cluster:\n    server: https://10.1.2.3:6443\nusers:\n- name: admin\n  user:\n    token: kubeconfig-token-never-returned\n'

interface Envelope {
  error: { code: string; message: string; target?: string; details?: { code: string; message: string; target: string }[] }
}

async function query<T>(sql: string, params: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: h.databaseUrl })
  await client.connect()
  try {
    return (await client.query(sql, params)).rows as T[]
  } finally {
    await client.end()
  }
}

describe('fault rules', () => {
  it('creates, lists, replaces and deletes rules', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)

    const created = await call<FaultRuleView>(h, 'POST', '/admin/simulator/faults', { kind: 'failUpgrade', clusterId: cluster, remainingCalls: 2 })
    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe(`/admin/simulator/faults/${created.body.id}`)
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      kind: 'failUpgrade',
      clusterId: cluster,
      extensionType: null,
      operations: ['upgrade'],
      transient: false,
      probability: 1,
      remainingCalls: 2,
      injectedCalls: 0,
      durationMs: null,
      message: null,
      source: 'api',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      lastInjectedAt: null,
    })

    const put = await call<FaultRuleView>(h, 'PUT', '/admin/simulator/faults/slow-flux', { kind: 'latency', clusterId: cluster, extensionType: 'microsoft.flux', durationMs: 50 })
    expect(put.status).toBe(201)
    expect(put.body).toMatchObject({ id: 'slow-flux', transient: null, operations: ['install', 'upgrade', 'uninstall'] })

    const listed = await call<{ value: FaultRuleView[] }>(h, 'GET', `/admin/simulator/faults?clusterId=${encodeURIComponent(cluster.toLowerCase())}`)
    expect(listed.status).toBe(200)
    expect(listed.body.value.map((f) => f.id)).toEqual([created.body.id, 'slow-flux'])

    // Replacing keeps the id and restarts the counters.
    expect(await putExtension(h, sub, 'flux', { extensionType: 'microsoft.flux' })).toMatchObject({ status: 'Succeeded' })
    expect((await call<FaultRuleView>(h, 'GET', '/admin/simulator/faults/slow-flux')).body.injectedCalls).toBe(1)
    const replaced = await call<FaultRuleView>(h, 'PUT', '/admin/simulator/faults/slow-flux', { kind: 'hang', clusterId: cluster, durationMs: 10, operations: ['uninstall'] })
    expect(replaced.status).toBe(200)
    expect(replaced.body).toMatchObject({ id: 'slow-flux', kind: 'hang', injectedCalls: 0, operations: ['uninstall'], createdAt: put.body.createdAt })

    expect((await call(h, 'DELETE', '/admin/simulator/faults/slow-flux')).status).toBe(200)
    const gone = await call<Envelope>(h, 'GET', '/admin/simulator/faults/slow-flux')
    expect(gone.status).toBe(404)
    expect(gone.body).toEqual({ error: { code: 'ResourceNotFound', message: "The Resource 'simulator fault' with id 'slow-flux' was not found.", target: 'slow-flux' } })
    expect((await call(h, 'DELETE', '/admin/simulator/faults/slow-flux')).status).toBe(204)
  })

  const invalid: [string, string, string, unknown, { status: number; code: string; target?: string; message: RegExp; details?: number }][] = [
    ['no body and no content type (what a cross-site form can send)', 'POST', '/admin/simulator/faults', undefined, { status: 415, code: 'UnsupportedMediaType', message: /'none' is not supported/ }],
    ['no body', 'POST', '/admin/simulator/faults', '', { status: 400, code: 'InvalidRequestContent', message: /must be a JSON object/ }],
    [
      'an unknown kind',
      'POST',
      '/admin/simulator/faults',
      { kind: 'meteor' },
      { status: 400, code: 'InvalidRequestContent', target: 'kind', message: /must be one of: failInstall, failUpgrade, failUninstall, hang, unreachable, latency/ },
    ],
    [
      'several problems',
      'POST',
      '/admin/simulator/faults',
      { kind: 'latency', probability: -1, clusterId: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm' },
      { status: 400, code: 'InvalidRequestContent', target: 'clusterId', message: /is not a cluster resource id/, details: 3 },
    ],
    [
      'a type not in the catalog',
      'POST',
      '/admin/simulator/faults',
      { kind: 'failInstall', extensionType: 'contoso.widget' },
      { status: 400, code: 'InvalidRequestContent', target: 'extensionType', message: /not in the catalog/ },
    ],
    ['a bad fault id', 'PUT', '/admin/simulator/faults/-bad-', { kind: 'failInstall' }, { status: 400, code: 'InvalidResourceName', target: 'fault', message: /fault ids are 1-64 letters/ }],
    ['a non-JSON body', 'POST', '/admin/simulator/faults', '{"kind":', { status: 400, code: 'InvalidRequestContent', message: /not valid JSON/ }],
    ['a reset with unknown properties', 'POST', '/admin/simulator/reset', { everything: true }, { status: 400, code: 'InvalidRequestContent', target: 'everything', message: /not allowed/ }],
    ['a reset with a bad cluster id', 'POST', '/admin/simulator/reset', { clusterId: 'c1' }, { status: 400, code: 'InvalidRequestContent', target: 'clusterId', message: /not a cluster resource id/ }],
    ['releases without a cluster', 'GET', '/admin/simulator/releases', undefined, { status: 400, code: 'InvalidRequestContent', target: 'clusterId', message: /required/ }],
  ]

  it.each(invalid)('answers %s with an ARM error envelope', async (_name, method, path, body, expected) => {
    const response = await call<Envelope>(h, method, path, body)
    expect(response.status).toBe(expected.status)
    expect(response.body.error.code).toBe(expected.code)
    expect(response.body.error.message).toMatch(expected.message)
    if (expected.target !== undefined) expect(response.body.error.target).toBe(expected.target)
    expect(response.body.error.details?.length).toBe(expected.details)
  })
})

describe('reset', () => {
  it('scoped to a cluster: removes only its rules and releases, and leaves extension resources alone', async () => {
    const sub = freshSubscription()
    const one = await registerCluster(h, sub, 'one')
    const two = await registerCluster(h, sub, 'two')
    expect(await putExtension(h, sub, 'flux', { extensionType: 'microsoft.flux' }, 'one')).toMatchObject({ status: 'Succeeded' })
    expect(await putExtension(h, sub, 'flux', { extensionType: 'microsoft.flux' }, 'two')).toMatchObject({ status: 'Succeeded' })
    const onRule = await call<FaultRuleView>(h, 'POST', '/admin/simulator/faults', { kind: 'failUpgrade', clusterId: one })
    const twoRule = await call<FaultRuleView>(h, 'POST', '/admin/simulator/faults', { kind: 'failUpgrade', clusterId: two })

    const reset = await call(h, 'POST', '/admin/simulator/reset', { clusterId: one.toUpperCase() })
    expect(reset.status).toBe(200)
    expect(reset.body).toEqual({ faultsDeleted: 1, releasesDeleted: 1 })
    expect((await call(h, 'GET', `/admin/simulator/faults/${onRule.body.id}`)).status).toBe(404)
    expect((await call(h, 'GET', `/admin/simulator/faults/${twoRule.body.id}`)).status).toBe(200)
    const releases = async (cluster: string) => (await call<{ value: unknown[] }>(h, 'GET', `/admin/simulator/releases?clusterId=${encodeURIComponent(cluster)}`)).body.value
    expect(await releases(one)).toEqual([])
    expect(await releases(two)).toHaveLength(1)
    expect((await call(h, 'GET', `${extensionPath(sub, 'flux', 'one')}?${EXTENSION_API}`)).status).toBe(200)
  })

  it('global: removes every rule and release (this suite has its own database)', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    expect(await putExtension(h, sub, 'dapr', { extensionType: 'microsoft.dapr' })).toMatchObject({ status: 'Succeeded' })
    await call(h, 'POST', '/admin/simulator/faults', { kind: 'failInstall', extensionType: 'microsoft.flux' })

    const reset = await call<{ faultsDeleted: number; releasesDeleted: number }>(h, 'POST', '/admin/simulator/reset', '')
    expect(reset.status).toBe(200)
    expect(reset.body.faultsDeleted).toBeGreaterThanOrEqual(1)
    expect(reset.body.releasesDeleted).toBeGreaterThanOrEqual(1)
    expect((await call<{ value: unknown[] }>(h, 'GET', '/admin/simulator/faults')).body.value).toEqual([])
    expect(await query('SELECT 1 FROM simulated_releases', [])).toEqual([])
  })
})

describe('cluster driver', () => {
  const driverPath = (cluster: string) => `/admin/clusters/${encodeURIComponent(cluster)}/driver`

  it('switches a cluster to helm with a kubeconfig that is sealed and never returned', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    expect((await call(h, 'GET', driverPath(cluster))).body).toEqual({ clusterId: cluster, driver: 'simulated', kubeconfigSet: false })
    // The id may also be spelled out in the path instead of URL-encoded.
    expect((await call(h, 'GET', `/admin/clusters${cluster}/driver`)).body).toEqual({ clusterId: cluster, driver: 'simulated', kubeconfigSet: false })

    const set = await call(h, 'PUT', driverPath(cluster.toLowerCase()), { driver: 'helm', kubeconfig: KUBECONFIG })
    expect(set.status).toBe(200)
    expect(set.body).toEqual({ clusterId: cluster, driver: 'helm', kubeconfigSet: true })
    expect(JSON.stringify(set.body)).not.toContain('kubeconfig-token-never-returned')
    const [row] = await query<{ row: string }>('SELECT row_to_json(c)::text AS row FROM clusters c WHERE id_key = $1', [cluster.toLowerCase()])
    expect(row!.row).not.toContain('kubeconfig-token-never-returned')
    expect(row!.row).toMatch(/"kubeconfig_sealed":"v1\./)

    // Omitted kubeconfig: kept. null: removed, which helm does not allow.
    expect((await call(h, 'PUT', driverPath(cluster), { driver: 'simulated' })).body).toEqual({ clusterId: cluster, driver: 'simulated', kubeconfigSet: true })
    expect((await call(h, 'PUT', driverPath(cluster), { driver: 'helm' })).body).toEqual({ clusterId: cluster, driver: 'helm', kubeconfigSet: true })
    const cleared = await call<Envelope>(h, 'PUT', driverPath(cluster), { driver: 'helm', kubeconfig: null })
    expect(cleared.status).toBe(400)
    expect(cleared.body.error).toMatchObject({ code: 'InvalidRequestContent', target: 'kubeconfig', message: "The helm driver needs the cluster's kubeconfig; pass it as 'kubeconfig'." })
    expect((await call(h, 'PUT', driverPath(cluster), { driver: 'simulated', kubeconfig: null })).body).toEqual({ clusterId: cluster, driver: 'simulated', kubeconfigSet: false })
    // The cluster's own ARM representation never shows any of this.
    const arm = await call(h, 'GET', `${cluster}?api-version=2024-01-01`)
    expect(JSON.stringify(arm.body)).not.toMatch(/kubeconfig|"driver"/)
  })

  const invalid: [string, unknown, { status: number; code: string; target?: string; message: RegExp }][] = [
    ['an unknown driver', { driver: 'ssh' }, { status: 400, code: 'InvalidRequestContent', target: 'driver', message: /must be one of: simulated, helm/ }],
    ['helm without a kubeconfig', { driver: 'helm' }, { status: 400, code: 'InvalidRequestContent', target: 'kubeconfig', message: /needs the cluster's kubeconfig/ }],
    ['a kubeconfig path instead of content', { driver: 'helm', kubeconfig: '/home/me/.kube/config' }, { status: 400, code: 'InvalidRequestContent', target: 'kubeconfig', message: /not its path/ }],
    ['an extra property', { driver: 'simulated', namespace: 'x' }, { status: 400, code: 'InvalidRequestContent', target: 'namespace', message: /not allowed/ }],
  ]

  it.each(invalid)('rejects %s', async (_name, body, expected) => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const response = await call<Envelope>(h, 'PUT', driverPath(cluster), body)
    expect(response.status).toBe(expected.status)
    expect(response.body.error).toMatchObject({ code: expected.code, ...(expected.target ? { target: expected.target } : {}) })
    expect(response.body.error.message).toMatch(expected.message)
  })

  it('answers 404 for an unregistered cluster and 400 for something that is not a cluster id', async () => {
    const missing = `/subscriptions/${freshSubscription()}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/ghost`
    const notFound = await call<Envelope>(h, 'PUT', driverPath(missing), { driver: 'simulated' })
    expect(notFound.status).toBe(404)
    expect(notFound.body.error).toMatchObject({ code: 'ResourceNotFound', target: missing })
    expect((await call<Envelope>(h, 'GET', driverPath(missing))).status).toBe(404)
    const other = await call<Envelope>(h, 'GET', `/admin/clusters/${encodeURIComponent(missing)}/owner`)
    expect(other.status).toBe(404)
    expect(other.body.error.code).toBe('NotFound')
    const bad = await call<Envelope>(h, 'GET', driverPath('cluster1'))
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({ code: 'InvalidRequestContent', target: 'clusterId' })
  })

  it('refuses to switch while one of the cluster’s extensions has an operation in flight', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const slow = await call<FaultRuleView>(h, 'POST', '/admin/simulator/faults', { kind: 'hang', clusterId: cluster, durationMs: 3000, transient: true, remainingCalls: 1 })
    const put = await call(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(put.status).toBe(201)

    const refused = await call<Envelope>(h, 'PUT', driverPath(cluster), { driver: 'helm', kubeconfig: KUBECONFIG })
    expect(refused.status).toBe(409)
    expect(refused.body.error).toMatchObject({ code: 'AnotherOperationInProgress', target: extensionPath(sub, 'flux') })
    expect((await call(h, 'GET', driverPath(cluster))).body).toMatchObject({ driver: 'simulated', kubeconfigSet: false })
    await call(h, 'DELETE', `/admin/simulator/faults/${slow.body.id}`)
  })
})
