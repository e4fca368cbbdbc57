// Item 5: a DELETE cancels an install in flight (Canceled, with an error code) and then deletes; a repeated DELETE
// answers with the delete already running; forceDelete=true answers 200 with the resource gone at once and uninstalls
// in a background cleanup whose failure only operators see (docs/arm-rules.md rule 33).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, registerCluster, until, POLL } from '../helpers/harness.js'
import { addFault, allTerminal, asyncUrl, operationIdOf, settled, startRp, type Body, type Rp } from './helpers/rp.js'

let rp: Rp
beforeAll(async () => {
  // Slow enough that an install is reliably still running when the DELETE arrives.
  rp = await startRp({ SIMULATED_STEP_LATENCY_MS: '800' })
  await rp.startWorker()
})
afterAll(() => rp?.close())

async function releasesOn(sub: string) {
  const cluster = await rp.db.cluster.findFirstOrThrow({ where: { idKey: clusterPath(sub).toLowerCase() } })
  return rp.db.simulatedRelease.findMany({ where: { clusterId: cluster.id } })
}

describe('DELETE while an install runs', () => {
  it('cancels the install, then uninstalls and removes the extension', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    const installId = operationIdOf(put)
    // The install is running: a worker has started an attempt on it.
    await expect.poll(async () => (await rp.db.operation.findUniqueOrThrow({ where: { id: installId } })).attempts, POLL).toBeGreaterThanOrEqual(1)

    const del = await call(rp, 'DELETE', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)
    expect(del.status).toBe(202)
    expect(del.headers.get('location')).toMatch(/\/operationResults\//)
    const deleteId = operationIdOf(del)
    expect(deleteId).not.toBe(installId)

    const install = await call<Body>(rp, 'GET', asyncUrl(put))
    expect(install.body).toMatchObject({ status: 'Canceled', error: { code: 'OperationCanceled' } })
    expect(install.body.error.message).toContain(deleteId)
    const got = await call<Body>(rp, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)
    expect(got.body.properties.provisioningState).toBe('Deleting')

    expect((await settled(rp, asyncUrl(del))).status).toBe('Succeeded')
    expect((await call(rp, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)).status).toBe(404)
    expect((await call(rp, 'GET', del.headers.get('location')!)).status).toBe(204)
    // The canceled install never left a release behind the delete.
    expect(await releasesOn(sub)).toEqual([])

    const ops = await allTerminal(rp.db, sub)
    expect(ops.map((op) => [op.kind, op.status, (op.error as Body | null)?.code ?? null])).toEqual([
      ['extension.install', 'Canceled', 'OperationCanceled'],
      ['extension.delete', 'Succeeded', null],
    ])
    expect(ops[1]!.properties).toMatchObject({ supersededOperationId: installId })
  })

  it('answers a repeated DELETE with the delete already in flight', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.dapr' } })
    await settled(rp, asyncUrl(put))
    const first = await call(rp, 'DELETE', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`)
    const second = await call(rp, 'DELETE', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`)
    expect([first.status, second.status]).toEqual([202, 202])
    expect(operationIdOf(second)).toBe(operationIdOf(first))
    expect((await settled(rp, asyncUrl(first))).status).toBe('Succeeded')
    expect((await call(rp, 'DELETE', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`)).status).toBe(204)
    const ops = await allTerminal(rp.db, sub)
    expect(ops.map((op) => [op.kind, op.status])).toEqual([
      ['extension.install', 'Succeeded'],
      ['extension.delete', 'Succeeded'],
    ])
  })
})

describe('forceDelete', () => {
  /** The operations GET /admin/operations shows for this cluster, oldest first. */
  async function adminOperations(sub: string): Promise<Body[]> {
    const listed = await call<Body>(rp, 'GET', `/admin/operations?cluster=${encodeURIComponent(clusterPath(sub))}`)
    expect(listed.status).toBe(200)
    return (listed.body.value as Body[]).slice().reverse()
  }

  it('answers 200 with the resource gone at once; the cleanup on an unreachable cluster fails for operators only', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    await settled(rp, asyncUrl(put))
    await addFault(rp, { kind: 'unreachable', clusterId: clusterPath(sub) })

    // A normal delete keeps retrying while the cluster cannot be reached, and says so on the extension.
    const del = await call(rp, 'DELETE', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)
    const retrying = await until(
      () => call<Body>(rp, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`),
      (r) => r.body.properties?.statuses?.[0]?.displayStatus === 'Retrying',
    )
    expect(retrying.body.properties).toMatchObject({ provisioningState: 'Deleting', statuses: [{ code: 'ClusterUnreachable', level: 'Warning' }] })

    // As Azure answers it (CLI recordings): 200, no body, nothing to poll, and the resource is gone at once.
    const forced = await call(rp, 'DELETE', `${extensionPath(sub, 'flux')}?${EXTENSION_API}&forceDelete=true`)
    expect(forced.status).toBe(200)
    expect(forced.headers.get('azure-asyncoperation')).toBeNull()
    expect(forced.headers.get('location')).toBeNull()
    expect((await call(rp, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)).status).toBe(404)
    expect((await call(rp, 'DELETE', `${extensionPath(sub, 'flux')}?${EXTENSION_API}&forceDelete=true`)).status).toBe(204)

    // The cleanup is an operator's matter: recorded, failed, never shown to ARM clients, never bringing the resource back.
    const ops = await until(
      () => adminOperations(sub),
      (list) => list.length === 3 && list.every((op) => op.status !== 'InProgress'),
    )
    expect(ops.map((op) => [op.kind, op.status, op.error?.code ?? null])).toEqual([
      ['extension.install', 'Succeeded', null],
      ['extension.delete', 'Canceled', 'OperationCanceled'],
      ['extension.cleanup', 'Failed', 'ForceDeleteCleanupFailed'],
    ])
    expect(ops[1]!.id).toBe(operationIdOf(del))
    expect(ops[2]!.error.message).toContain("release 'flux'")
    expect(ops[2]!.error.message).toContain('helm uninstall')
    expect((await call(rp, 'GET', `${extensionPath(sub, 'flux')}/operations/${ops[2]!.id}?${EXTENSION_API}`)).status).toBe(404)
    const running = await call<Body>(rp, 'GET', `${clusterPath(sub)}/providers/Microsoft.KubernetesConfiguration/operations?${EXTENSION_API}`)
    expect(running.body.value).toEqual([])
    expect((await call(rp, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)).status).toBe(404)
    // What was installed is still on the (simulated) cluster: exactly what the failure says.
    expect((await releasesOn(sub)).map((r) => r.releaseName)).toEqual(['flux'])
  })

  it('uninstalls in the background when the cluster answers, and accepts only true/false', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.dapr' } })
    await settled(rp, asyncUrl(put))
    const invalid = await call<Body>(rp, 'DELETE', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}&forceDelete=maybe`)
    expect(invalid.status).toBe(400)
    expect(invalid.body.error.code).toBe('InvalidRequestContent')

    const forced = await call(rp, 'DELETE', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}&forceDelete=True`)
    expect(forced.status).toBe(200)
    expect((await call(rp, 'GET', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`)).status).toBe(404)
    const ops = await until(
      () => adminOperations(sub),
      (list) => list.at(-1)?.status === 'Succeeded',
    )
    expect(ops.map((op) => [op.kind, op.status])).toEqual([
      ['extension.install', 'Succeeded'],
      ['extension.cleanup', 'Succeeded'],
    ])
    await expect.poll(() => releasesOn(sub), POLL).toEqual([])
  })

  it('cancels an install in flight; the cleanup waits for it to stop and removes what it installed', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    const installId = operationIdOf(put)
    await expect.poll(async () => (await rp.db.operation.findUniqueOrThrow({ where: { id: installId } })).attempts, POLL).toBeGreaterThanOrEqual(1)
    expect((await call(rp, 'DELETE', `${extensionPath(sub, 'flux')}?${EXTENSION_API}&forceDelete=true`)).status).toBe(200)
    expect((await call(rp, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)).status).toBe(404)
    const ops = await until(
      () => adminOperations(sub),
      (list) => list.length === 2 && list.every((op) => op.status !== 'InProgress'),
    )
    expect(ops.map((op) => [op.kind, op.status])).toEqual([
      ['extension.install', 'Canceled'],
      ['extension.cleanup', 'Succeeded'],
    ])
    await expect.poll(() => releasesOn(sub), POLL).toEqual([])
    expect((await call(rp, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)).status).toBe(404)
  })
})
