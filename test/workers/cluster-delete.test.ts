// Deleting a cluster with extensions (issue #5 item 2): 202 and a cluster operation, polled under the cluster id,
// that deletes every extension (each its own tracked delete, superseding what was in flight) and then the cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription, registerCluster, until } from '../helpers/harness.js'
import { addFault, allTerminal, asyncUrl, operationIdOf, settled, startRp, type Body, type Rp } from './helpers/rp.js'

let rp: Rp
beforeAll(async () => {
  rp = await startRp({ SIMULATED_STEP_LATENCY_MS: '400' })
  await rp.startWorker()
})
afterAll(() => rp?.close())

async function install(sub: string, name: string, type: string): Promise<string> {
  const put = await call(rp, 'PUT', `${extensionPath(sub, name)}?${EXTENSION_API}`, { properties: { extensionType: type } })
  expect(put.status).toBe(201)
  return asyncUrl(put)
}

describe('DELETE of a cluster', () => {
  it('removes an empty cluster at once', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    expect((await call(rp, 'DELETE', `${clusterPath(sub)}?${CLUSTER_API}`)).status).toBe(200)
    expect((await call(rp, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`)).status).toBe(404)
    expect((await call(rp, 'DELETE', `${clusterPath(sub)}?${CLUSTER_API}`)).status).toBe(204)
  })

  it('deletes every extension, then the cluster, as one tracked operation', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    await settled(rp, await install(sub, 'flux', 'microsoft.flux'))
    await settled(rp, await install(sub, 'monitor', 'microsoft.azuremonitor.containers'))
    const inFlight = await install(sub, 'dapr', 'microsoft.dapr')

    const del = await call(rp, 'DELETE', `${clusterPath(sub)}?${CLUSTER_API}`)
    expect(del.status).toBe(202)
    const statusUrl = asyncUrl(del)
    const opId = operationIdOf(del)
    expect(statusUrl).toBe(`${rp.baseUrl}${clusterPath(sub)}/operations/${opId}?${CLUSTER_API}`)
    expect(del.headers.get('location')).toBe(`${rp.baseUrl}${clusterPath(sub)}/operationResults/${opId}?${CLUSTER_API}`)

    const running = await call<Body>(rp, 'GET', statusUrl)
    expect(running.body).toMatchObject({ id: `${clusterPath(sub)}/operations/${opId}`, name: opId, status: 'InProgress' })
    expect((await call(rp, 'GET', del.headers.get('location')!)).status).toBe(202)
    const cluster = await call<Body>(rp, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`)
    expect(cluster.body.properties.provisioningState).toBe('Deleting')
    // Nothing new lands on a cluster being deleted, and its registration cannot change meanwhile.
    const late = await call<Body>(rp, 'PUT', `${extensionPath(sub, 'policy')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.policyinsights' } })
    expect(late.status).toBe(409)
    expect(late.body.error).toMatchObject({ code: 'AnotherOperationInProgress', target: clusterPath(sub) })
    expect((await call(rp, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, compatibleCluster)).status).toBe(409)
    // A repeated DELETE answers with the same operation.
    const again = await call(rp, 'DELETE', `${clusterPath(sub)}?${CLUSTER_API}`)
    expect([again.status, operationIdOf(again)]).toEqual([202, opId])

    const done = await settled(rp, statusUrl)
    expect(done).toMatchObject({ status: 'Succeeded', percentComplete: 100, error: null, properties: { extensionCount: 3 } })
    expect((await call(rp, 'GET', del.headers.get('location')!)).status).toBe(204)
    expect((await call(rp, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`)).status).toBe(404)
    for (const name of ['flux', 'monitor', 'dapr']) expect((await call(rp, 'GET', `${extensionPath(sub, name)}?${EXTENSION_API}`)).status).toBe(404)
    expect((await call<Body>(rp, 'GET', inFlight)).body).toMatchObject({ status: 'Canceled', error: { code: 'OperationCanceled' } })
    expect(await rp.db.simulatedRelease.count({ where: { cluster: { idKey: clusterPath(sub).toLowerCase() } } })).toBe(0)

    const ops = await allTerminal(rp.db, sub)
    const summary = ops.map((op) => `${op.kind} ${op.resourceId.split('/').pop()} ${op.status}`).sort()
    expect(summary).toEqual([
      'cluster.delete cluster1 Succeeded',
      'extension.delete dapr Succeeded',
      'extension.delete flux Succeeded',
      'extension.delete monitor Succeeded',
      'extension.install dapr Canceled',
      'extension.install flux Succeeded',
      'extension.install monitor Succeeded',
    ])
    // The status stays readable after the cluster is gone; other ids are not found under it.
    expect((await call(rp, 'GET', statusUrl)).status).toBe(200)
    const unknown = await call<Body>(rp, 'GET', statusUrl.replace(opId, ops.find((op) => op.kind === 'extension.install')!.id))
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('OperationNotFound')
  })

  it('fails when an extension cannot be uninstalled, leaving the cluster Failed, and forceDelete then removes it', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    await settled(rp, await install(sub, 'flux', 'microsoft.flux'))
    await settled(rp, await install(sub, 'dapr', 'microsoft.dapr'))
    await addFault(rp, { kind: 'failUninstall', clusterId: clusterPath(sub), extensionType: 'microsoft.flux', transient: false })

    const del = await call(rp, 'DELETE', `${clusterPath(sub)}?${CLUSTER_API}`)
    const failed = await settled(rp, asyncUrl(del))
    expect(failed).toMatchObject({ status: 'Failed', error: { code: 'ExtensionDeletionFailed' } })
    expect(failed.error.message).toContain("'flux' (HelmUninstallFailed")
    expect(failed.error.message).toContain('forceDelete=true')
    const result = await call<Body>(rp, 'GET', del.headers.get('location')!)
    expect(result.status).toBe(400)
    expect(result.body.error.code).toBe('ExtensionDeletionFailed')
    const cluster = await call<Body>(rp, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`)
    expect(cluster.body.properties.provisioningState).toBe('Failed')
    expect((await call(rp, 'GET', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`)).status).toBe(404)
    const flux = await call<Body>(rp, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)
    expect(flux.body.properties).toMatchObject({ provisioningState: 'Failed', errorInfo: { code: 'HelmUninstallFailed' } })

    const forced = await call(rp, 'DELETE', `${clusterPath(sub)}?${CLUSTER_API}&forceDelete=true`)
    expect(forced.status).toBe(202)
    expect(await settled(rp, asyncUrl(forced))).toMatchObject({ status: 'Succeeded', properties: { forceDelete: true, extensionCount: 1 } })
    expect((await call(rp, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`)).status).toBe(404)

    const ops = await until(
      () => allTerminal(rp.db, sub),
      (all) => all.length === 7,
    )
    const summary = ops.map((op) => `${op.kind} ${op.resourceId.split('/').pop()} ${op.status}`).sort()
    expect(summary).toEqual([
      'cluster.delete cluster1 Failed',
      'cluster.delete cluster1 Succeeded',
      'extension.delete dapr Succeeded',
      'extension.delete flux Failed',
      'extension.delete flux Succeeded',
      'extension.install dapr Succeeded',
      'extension.install flux Succeeded',
    ])
    const forcedFlux = ops.find((op) => op.kind === 'extension.delete' && op.status === 'Succeeded' && op.resourceId.endsWith('/flux'))!
    expect(forcedFlux.properties).toMatchObject({ forceDelete: true, cleanupMayRemain: true })
  })

  it('rejects a forceDelete value other than true or false', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const response = await call<Body>(rp, 'DELETE', `${clusterPath(sub)}?${CLUSTER_API}&forceDelete=yes`)
    expect(response.status).toBe(400)
    expect(response.body.error.code).toBe('InvalidRequestContent')
    expect((await call(rp, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`)).status).toBe(200)
  })
})
