// Fault injection in the simulated driver, end to end over real HTTP: a rule set through the admin API (or
// SIMULATED_FAULTS) makes a real worker's install/upgrade/uninstall slow, fail, hang or find the cluster unreachable,
// and the extension ends in the state with the error a user can act on.
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, call, extensionPath, freshSubscription, registerCluster, until, POLL } from '../helpers/harness.js'
import type { FaultRuleView } from '../../core/simulator/faults.js'
import { getExtension, putExtension, runOperation, startIsolatedHarness, type IsolatedHarness } from './support.js'

let h: IsolatedHarness

beforeAll(async () => {
  h = await startIsolatedHarness()
})
afterAll(() => h?.close())
// Rules may match every cluster; each test starts from none (this suite has a database of its own).
afterEach(async () => {
  await call(h, 'POST', '/admin/simulator/reset', undefined, { 'content-type': 'application/json' })
})

async function addFault(rule: Record<string, unknown>): Promise<FaultRuleView> {
  const created = await call<FaultRuleView>(h, 'POST', '/admin/simulator/faults', rule)
  expect(created.status, JSON.stringify(created.body)).toBe(201)
  return created.body
}

async function fault(id: string): Promise<FaultRuleView> {
  const got = await call<FaultRuleView>(h, 'GET', `/admin/simulator/faults/${id}`)
  expect(got.status).toBe(200)
  return got.body
}

async function attempts(operationError: unknown, resourceId: string): Promise<number> {
  void operationError
  const client = new pg.Client({ connectionString: h.databaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query('SELECT max(attempts) AS attempts FROM operations WHERE resource_id_key = $1', [resourceId.toLowerCase()])
    return Number(rows[0].attempts)
  } finally {
    await client.end()
  }
}

describe('fail install / upgrade / uninstall', () => {
  it('fails an install permanently with an actionable message, only for the matching cluster and type', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    // Cluster ids match case-insensitively, like every ARM id.
    const rule = await addFault({ kind: 'failInstall', clusterId: cluster.toUpperCase(), extensionType: 'Microsoft.Flux' })
    expect(rule).toMatchObject({ kind: 'failInstall', operations: ['install'], transient: false, probability: 1, remainingCalls: null, injectedCalls: 0, source: 'api' })

    const op = await putExtension(h, sub, 'flux', { extensionType: 'microsoft.flux' })
    const driverMessage =
      `Helm install of release 'flux' in namespace 'flux-system' failed: timed out waiting for the condition (injected fault ${rule.id}). ` +
      `Remove the fault with DELETE /admin/simulator/faults/${rule.id} to stop injecting it.`
    expect(op).toMatchObject({ status: 'Failed', error: { code: 'HelmInstallFailed' } })
    // The worker appends what to do next with the resource; the driver's sentence comes first, whole.
    const message = op.error!.message
    expect(message.startsWith(`${driverMessage} `)).toBe(true)

    const ext = await getExtension(h, sub, 'flux')
    expect(ext.body.properties).toMatchObject({ provisioningState: 'Failed', errorInfo: { code: 'HelmInstallFailed', message } })
    expect(ext.body.properties.statuses).toContainEqual(expect.objectContaining({ code: 'HelmInstallFailed', level: 'Error', displayStatus: 'Failed', message }))
    // Permanent: no retry, so exactly one injection.
    expect(await fault(rule.id)).toMatchObject({ injectedCalls: 1, lastInjectedAt: expect.any(String) })

    // Another type on the same cluster, and the same type on another cluster, are untouched.
    expect(await putExtension(h, sub, 'dapr', { extensionType: 'microsoft.dapr' })).toMatchObject({ status: 'Succeeded' })
    await registerCluster(h, sub, 'cluster2')
    expect(await putExtension(h, sub, 'flux', { extensionType: 'microsoft.flux' }, 'cluster2')).toMatchObject({ status: 'Succeeded' })
    expect(await fault(rule.id)).toMatchObject({ injectedCalls: 1 })
  })

  it('fails an upgrade and leaves the installed release as it was', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    expect(await putExtension(h, sub, 'flux', { extensionType: 'microsoft.flux' })).toMatchObject({ status: 'Succeeded' })
    const rule = await addFault({ kind: 'failUpgrade', clusterId: cluster, message: 'rendered manifests contain a resource that already exists' })

    const op = await putExtension(h, sub, 'flux', { extensionType: 'microsoft.flux', configurationSettings: { 'multiTenancy.enforce': 'false' } })
    expect(op).toMatchObject({ status: 'Failed', error: { code: 'HelmUpgradeFailed' } })
    expect(op.error!.message).toContain(
      `Helm upgrade of release 'flux' in namespace 'flux-system' failed: rendered manifests contain a resource that already exists (injected fault ${rule.id}). Remove the fault with DELETE /admin/simulator/faults/${rule.id} to stop injecting it.`,
    )
    const releases = await call<{ value: { releaseName: string; revision: number }[] }>(h, 'GET', `/admin/simulator/releases?clusterId=${encodeURIComponent(cluster)}`)
    expect(releases.body.value).toEqual([expect.objectContaining({ releaseName: 'flux', revision: 1, status: 'deployed' })])
  })

  it('fails an uninstall, keeps the extension Failed, and deletes it once the fault is removed', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    expect(await putExtension(h, sub, 'flux', { extensionType: 'microsoft.flux' })).toMatchObject({ status: 'Succeeded' })
    const rule = await addFault({ kind: 'failUninstall', extensionType: 'microsoft.flux' })

    const op = await runOperation(h, 'DELETE', extensionPath(sub, 'flux'))
    expect(op).toMatchObject({ status: 'Failed', error: { code: 'HelmUninstallFailed' } })
    expect(op.error!.message).toMatch(
      /^Helm uninstall of release 'flux' in namespace 'flux-system' failed: uninstallation completed with 1 error\(s\): timed out waiting for the condition \(injected fault /,
    )
    const ext = await getExtension(h, sub, 'flux')
    expect(ext.status).toBe(200)
    expect(ext.body.properties).toMatchObject({ provisioningState: 'Failed', errorInfo: { code: 'HelmUninstallFailed' } })

    expect((await call(h, 'DELETE', `/admin/simulator/faults/${rule.id}`)).status).toBe(200)
    expect((await call(h, 'DELETE', `/admin/simulator/faults/${rule.id}`)).status).toBe(204)
    expect(await runOperation(h, 'DELETE', extensionPath(sub, 'flux'))).toMatchObject({ status: 'Succeeded' })
    expect((await getExtension(h, sub, 'flux')).status).toBe(404)
    const releases = await call<{ value: unknown[] }>(h, 'GET', `/admin/simulator/releases?clusterId=${encodeURIComponent(cluster)}`)
    expect(releases.body.value).toEqual([])
  })
})

describe('transient faults and retries', () => {
  it('fails the first 2 installs, then succeeds on a retry', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const rule = await addFault({ kind: 'failInstall', clusterId: cluster, transient: true, remainingCalls: 2 })

    const op = await putExtension(h, sub, 'flux', { extensionType: 'microsoft.flux' })
    expect(op).toMatchObject({ status: 'Succeeded' })
    expect(await fault(rule.id)).toMatchObject({ injectedCalls: 2, remainingCalls: 0 })
    expect(await attempts(op, extensionPath(sub, 'flux'))).toBeGreaterThanOrEqual(3)
    const ext = await getExtension(h, sub, 'flux')
    expect(ext.body.properties).toMatchObject({ provisioningState: 'Succeeded', errorInfo: null })
  })

  it('reports an unreachable cluster as transient and recovers when it answers again', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const rule = await addFault({ kind: 'unreachable', clusterId: cluster, remainingCalls: 1 })
    expect(rule).toMatchObject({ transient: true, operations: ['install', 'upgrade', 'uninstall'] })

    expect(await putExtension(h, sub, 'dapr', { extensionType: 'microsoft.dapr' })).toMatchObject({ status: 'Succeeded' })
    expect(await fault(rule.id)).toMatchObject({ injectedCalls: 1, remainingCalls: 0 })
  })

  it('fails at once with a permanent unreachable cluster, saying what to check', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const rule = await addFault({ kind: 'unreachable', clusterId: cluster, transient: false, operations: ['install'] })

    const op = await putExtension(h, sub, 'dapr', { extensionType: 'microsoft.dapr' })
    expect(op).toMatchObject({ status: 'Failed', error: { code: 'ClusterUnreachable' } })
    expect(op.error!.message).toContain(
      `The cluster '${cluster}' is not reachable: Get "https://cluster1:443/version": dial tcp: connect: connection refused (injected fault ${rule.id}). ` +
        'Check that the cluster is running and that its API server accepts connections from this service.',
    )
    const ext = await getExtension(h, sub, 'dapr')
    expect(ext.body.properties.statuses).toContainEqual(expect.objectContaining({ code: 'ClusterUnreachable', level: 'Error' }))
  })
})

describe('hang', () => {
  it('keeps the operation in progress, then fails it with a timeout', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const rule = await addFault({ kind: 'hang', clusterId: cluster, durationMs: 1500 })

    const put = await call(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(put.status).toBe(201)
    const asyncUrl = put.headers.get('azure-asyncoperation')!
    await expect.poll(async () => (await fault(rule.id)).injectedCalls, POLL).toBeGreaterThanOrEqual(1)
    expect((await call(h, 'GET', asyncUrl)).body).toMatchObject({ status: 'InProgress' })
    expect((await getExtension(h, sub, 'flux')).body.properties).toMatchObject({ provisioningState: 'Creating' })

    const done = await until(
      () => call(h, 'GET', asyncUrl),
      (r) => r.body.status !== 'InProgress',
    )
    expect(done.body).toMatchObject({ status: 'Failed', error: { code: 'HelmInstallFailed' } })
    expect((done.body.error as { message: string }).message).toContain(
      `Helm install of release 'flux' in namespace 'flux-system' failed: timed out waiting for the condition after 1.5s (injected fault ${rule.id}). ` +
        `Remove the fault with DELETE /admin/simulator/faults/${rule.id} to stop injecting it.`,
    )
  })

  it('is interrupted when the worker shuts down, so shutdown is not held up', async () => {
    const h2 = await startIsolatedHarness()
    try {
      const sub = freshSubscription()
      const cluster = await registerCluster(h2, sub)
      // Ten minutes: without interruption, stopWorker() would outlast the test timeout.
      const created = await call<FaultRuleView>(h2, 'POST', '/admin/simulator/faults', { kind: 'hang', clusterId: cluster })
      expect(created.body.durationMs).toBe(600_000)
      const put = await call(h2, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
      await expect.poll(async () => (await call<FaultRuleView>(h2, 'GET', `/admin/simulator/faults/${created.body.id}`)).body.injectedCalls, POLL).toBe(1)

      await h2.stopWorker()
      // Interrupted is not failed: the operation waits for another attempt.
      expect((await call(h2, 'GET', put.headers.get('azure-asyncoperation')!)).body).toMatchObject({ status: 'InProgress' })
    } finally {
      await h2.close()
    }
  })
})

describe('probability', () => {
  it('never injects with probability 0 and always with probability 1', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const never = await addFault({ kind: 'failInstall', clusterId: cluster, extensionType: 'microsoft.flux', probability: 0 })
    const always = await addFault({ kind: 'failInstall', clusterId: cluster, extensionType: 'microsoft.dapr', probability: 1 })

    expect(await putExtension(h, sub, 'flux', { extensionType: 'microsoft.flux' })).toMatchObject({ status: 'Succeeded' })
    expect(await putExtension(h, sub, 'dapr', { extensionType: 'microsoft.dapr' })).toMatchObject({ status: 'Failed', error: { code: 'HelmInstallFailed' } })
    expect(await fault(never.id)).toMatchObject({ injectedCalls: 0 })
    expect(await fault(always.id)).toMatchObject({ injectedCalls: 1 })
  })
})

describe('latency', () => {
  it('slows one cluster down; the most specific rule wins', async () => {
    const sub = freshSubscription()
    const slow = await registerCluster(h, sub, 'slow')
    const fast = await registerCluster(h, sub, 'fast')
    const slowCluster = await addFault({ kind: 'latency', clusterId: slow, durationMs: 1200 })
    // A type-wide latency that would outlast the test timeout, overridden on `fast` by a cluster+type rule.
    const daprEverywhere = await addFault({ kind: 'latency', extensionType: 'microsoft.dapr', durationMs: 600_000 })
    const daprOnFast = await addFault({ kind: 'latency', clusterId: fast, extensionType: 'microsoft.dapr', durationMs: 0 })

    const put = await call(h, 'PUT', `${extensionPath(sub, 'flux', 'slow')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    const asyncUrl = put.headers.get('azure-asyncoperation')!
    await expect.poll(async () => (await fault(slowCluster.id)).injectedCalls, POLL).toBe(1)
    expect((await call(h, 'GET', asyncUrl)).body).toMatchObject({ status: 'InProgress' })
    expect(
      (
        await until(
          () => call(h, 'GET', asyncUrl),
          (r) => r.body.status !== 'InProgress',
        )
      ).body,
    ).toMatchObject({ status: 'Succeeded' })

    expect(await putExtension(h, sub, 'dapr', { extensionType: 'microsoft.dapr' }, 'fast')).toMatchObject({ status: 'Succeeded' })
    expect(await fault(daprOnFast.id)).toMatchObject({ injectedCalls: 1 })
    expect(await fault(daprEverywhere.id)).toMatchObject({ injectedCalls: 0 })
  })
})

describe('SIMULATED_FAULTS', () => {
  it('loads rules from the environment at worker start', async () => {
    const sub = freshSubscription()
    const cluster = `/subscriptions/${sub}/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/cluster1`
    const faults = [{ id: 'ci-flux-install', kind: 'failInstall', clusterId: cluster, extensionType: 'microsoft.flux', message: 'pre-install hook failed: job failed: BackoffLimitExceeded' }]
    const h3 = await startIsolatedHarness({ env: { SIMULATED_FAULTS: JSON.stringify(faults) } })
    try {
      const listed = await until(
        () => call<{ value: FaultRuleView[] }>(h3, 'GET', `/admin/simulator/faults?clusterId=${encodeURIComponent(cluster)}`),
        (r) => r.body.value.length === 1,
      )
      expect(listed.body.value[0]).toMatchObject({ id: 'ci-flux-install', source: 'env', clusterId: cluster, extensionType: 'microsoft.flux' })

      await registerCluster(h3, sub)
      expect(await putExtension(h3, sub, 'flux', { extensionType: 'microsoft.flux' })).toMatchObject({
        status: 'Failed',
        error: {
          code: 'HelmInstallFailed',
          message: expect.stringContaining('failed: pre-install hook failed: job failed: BackoffLimitExceeded (injected fault ci-flux-install).'),
        },
      })
    } finally {
      await h3.close()
    }
  })
})
