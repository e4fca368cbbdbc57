// POST /admin/operations/{id}/retry: a failed install, update or delete runs again as a new operation once its cause
// is gone; anything but the newest operation on a resource, or one that did not fail, is refused with 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, registerCluster, startHarness, until, type Harness } from '../helpers/harness.js'

interface OperationView {
  id: string
  kind: string
  resourceId: string
  status: string
  error: { code: string; message: string } | null
  retriedOperationId?: string
}
interface Envelope {
  error: { code: string; message: string; target?: string }
}

let h: Harness

beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

async function ended(id: string): Promise<OperationView> {
  return (
    await until(
      () => call<OperationView>(h, 'GET', `/admin/operations/${id}`),
      (r) => r.status === 200 && r.body.status !== 'InProgress',
    )
  ).body
}

const operationIdOf = (response: { headers: Headers }) => new URL(response.headers.get('azure-asyncoperation')!).pathname.split('/').pop()!

async function fault(cluster: string, kind: string): Promise<string> {
  const created = await call<{ id: string }>(h, 'POST', '/admin/simulator/faults', { kind, clusterId: cluster, transient: false, message: 'the chart refused' })
  expect(created.status).toBe(201)
  return created.body.id
}

describe('POST /admin/operations/{id}/retry', () => {
  it('runs a failed install again once its fault is gone, and refuses to run it a second time', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const faultId = await fault(cluster, 'failInstall')
    const put = await call(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux', configurationSettings: { 'multiTenancy.enforce': 'false' } } })
    expect(put.status).toBe(201)
    const failedId = operationIdOf(put)
    expect((await ended(failedId)).status).toBe('Failed')

    // While the fault stays, the retry is accepted and fails again, as a re-sent PUT would.
    const doomed = await call<OperationView>(h, 'POST', `/admin/operations/${failedId}/retry`, {})
    expect(doomed.status, JSON.stringify(doomed.body)).toBe(202)
    expect((await ended(doomed.body.id)).error?.message).toMatch(/the chart refused/)

    expect((await call(h, 'DELETE', `/admin/simulator/faults/${faultId}`)).status).toBe(200)
    const stale = await call<Envelope>(h, 'POST', `/admin/operations/${failedId}/retry`, {})
    expect(stale.status).toBe(409)
    expect(stale.body.error).toMatchObject({ code: 'OperationNotRetryable', target: failedId })
    expect(stale.body.error.message).toContain(`operation '${doomed.body.id}' (extension.update, Failed) on the same resource came after it`)

    const retried = await call<OperationView>(h, 'POST', `/admin/operations/${doomed.body.id}/retry`, {})
    expect(retried.status).toBe(202)
    expect(retried.body).toMatchObject({ kind: 'extension.update', status: 'InProgress', retriedOperationId: doomed.body.id, resourceId: extensionPath(sub, 'flux') })
    expect(retried.headers.get('azure-asyncoperation')).toBe(`${h.baseUrl}${extensionPath(sub, 'flux')}/operations/${retried.body.id}?${EXTENSION_API}`)
    expect(retried.headers.get('retry-after')).toBe('1')
    expect((await ended(retried.body.id)).status).toBe('Succeeded')
    const extension = await call<{ properties: { provisioningState: string; configurationSettings: Record<string, string>; currentVersion: string } }>(
      h,
      'GET',
      `${extensionPath(sub, 'flux')}?${EXTENSION_API}`,
    )
    expect(extension.body.properties).toMatchObject({ provisioningState: 'Succeeded', configurationSettings: { 'multiTenancy.enforce': 'false' } })
    expect(extension.body.properties.currentVersion).toMatch(/^\d+\.\d+\.\d+$/)

    const notFailed = await call<Envelope>(h, 'POST', `/admin/operations/${retried.body.id}/retry`, {})
    expect(notFailed.status).toBe(409)
    expect(notFailed.body.error.message).toBe(`The operation '${retried.body.id}' cannot be retried: it is Succeeded; only a Failed operation can be retried.`)
  })

  it('runs a failed delete again once its fault is gone', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const put = await call(h, 'PUT', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.dapr' } })
    expect((await ended(operationIdOf(put))).status).toBe('Succeeded')
    const faultId = await fault(cluster, 'failUninstall')
    const deleted = await call(h, 'DELETE', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`)
    expect(deleted.status).toBe(202)
    const failedId = operationIdOf(deleted)
    expect((await ended(failedId)).status).toBe('Failed')
    await call(h, 'DELETE', `/admin/simulator/faults/${faultId}`)

    const retried = await call<OperationView>(h, 'POST', `/admin/operations/${failedId}/retry`, {})
    expect(retried.status).toBe(202)
    expect(retried.body.kind).toBe('extension.delete')
    expect((await ended(retried.body.id)).status).toBe('Succeeded')
    expect((await call(h, 'GET', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`)).status).toBe(404)
    // The resource is gone, and the retry's own operation came after the failed one.
    expect((await call<Envelope>(h, 'POST', `/admin/operations/${failedId}/retry`, {})).body.error.code).toBe('OperationNotRetryable')
    expect((await call(h, 'DELETE', `${clusterPath(sub)}?${CLUSTER_API}`)).status).toBe(200)
  })

  it('runs a failed cluster deletion again, and of two retries at once exactly one is accepted', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const put = await call(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect((await ended(operationIdOf(put))).status).toBe('Succeeded')
    const faultId = await fault(cluster, 'failUninstall')
    const deleted = await call(h, 'DELETE', `${cluster}?${CLUSTER_API}`)
    expect(deleted.status).toBe(202)
    const failedId = operationIdOf(deleted)
    expect(await ended(failedId)).toMatchObject({ kind: 'cluster.delete', status: 'Failed' })
    await call(h, 'DELETE', `/admin/simulator/faults/${faultId}`)

    const [first, second] = await Promise.all([0, 1].map(() => call<OperationView & Envelope>(h, 'POST', `/admin/operations/${failedId}/retry`, {})))
    const statuses = [first!.status, second!.status].sort()
    expect(statuses).toEqual([202, 409])
    const accepted = first!.status === 202 ? first! : second!
    const refused = first!.status === 202 ? second! : first!
    expect(refused.body.error.code).toBe('OperationNotRetryable')
    expect(accepted.body).toMatchObject({ kind: 'cluster.delete', retriedOperationId: failedId, resourceId: cluster })
    expect(accepted.headers.get('azure-asyncoperation')).toBe(`${h.baseUrl}${cluster}/operations/${accepted.body.id}?${CLUSTER_API}`)
    expect((await ended(accepted.body.id)).status).toBe('Succeeded')
    expect((await call(h, 'GET', `${cluster}?${CLUSTER_API}`)).status).toBe(404)
  })

  it('answers 404 for an unknown operation and 400 for options, in the ARM envelope', async () => {
    const unknown = await call<Envelope>(h, 'POST', '/admin/operations/6a0b0e11-0000-4000-8000-000000000001/retry', {})
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('OperationNotFound')
    expect((await call<Envelope>(h, 'POST', '/admin/operations/not-a-guid/retry', {})).body.error.code).toBe('OperationNotFound')
    expect((await call<Envelope>(h, 'POST', '/admin/operations/6a0b0e11-0000-4000-8000-000000000001/retry', { force: true })).status).toBe(400)
    expect((await call(h, 'POST', '/admin/operations/6a0b0e11-0000-4000-8000-000000000001/retry', {}, { origin: 'https://evil.example' })).status).toBe(403)
  })
})
