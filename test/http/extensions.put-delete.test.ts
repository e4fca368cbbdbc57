// PUT (create 201 / replace 200), resource shape, read-only inputs, and DELETE semantics over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, unsignedToken } from '../auth/support.js'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription, startHarness, until, type Harness } from '../helpers/harness.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

type Ext = { id: string; name: string; type: string; identity?: { type: string; principalId: string; tenantId: string }; systemData: Record<string, string>; properties: Record<string, unknown> }

async function newCluster() {
  const sub = freshSubscription()
  expect((await call(h, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
  return sub
}

const settled = (url: string) =>
  until(
    () => call<Ext>(h, 'GET', url),
    (r) => ['Succeeded', 'Failed', 'Canceled'].includes(r.body.properties?.provisioningState as string),
  )

describe('PUT extension', () => {
  it('creates with 201, replaces with 200, keeps createdAt and identity ids, updates lastModified', async () => {
    const sub = await newCluster()
    const url = `${extensionPath(sub, 'Monitor')}?${EXTENSION_API}`
    const body = { identity: { type: 'SystemAssigned' }, properties: { extensionType: 'microsoft.azuremonitor.containers', configurationSettings: { a: '1' } } }
    const created = await call<Ext>(h, 'PUT', url, body, bearer(unsignedToken({ upn: 'alice@contoso.com' })))
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      id: extensionPath(sub, 'Monitor'),
      name: 'Monitor',
      type: 'Microsoft.KubernetesConfiguration/extensions',
      identity: { type: 'SystemAssigned', principalId: expect.stringMatching(/^[0-9a-f-]{36}$/), tenantId: expect.any(String) },
      systemData: { createdBy: 'alice@contoso.com', createdByType: 'User', lastModifiedBy: 'alice@contoso.com' },
      properties: { autoUpgradeMinorVersion: true, releaseTrain: 'Stable', provisioningState: 'Creating', isSystemExtension: false },
    })
    await settled(url)
    const replaced = await call<Ext>(
      h,
      'PUT',
      `${extensionPath(sub, 'MONITOR')}?${EXTENSION_API}`,
      { ...body, properties: { ...body.properties, configurationSettings: { a: '2' } } },
      bearer(unsignedToken({ upn: 'bob@contoso.com' })),
    )
    expect(replaced.status).toBe(200)
    expect(replaced.body.id).toBe(extensionPath(sub, 'Monitor')) // stored casing, not the request's
    expect(replaced.body.properties.provisioningState).toBe('Updating')
    expect(replaced.body.identity!.principalId).toBe(created.body.identity!.principalId)
    expect(replaced.body.systemData.createdAt).toBe(created.body.systemData.createdAt)
    expect(replaced.body.systemData.createdBy).toBe('alice@contoso.com')
    expect(replaced.body.systemData.lastModifiedBy).toBe('bob@contoso.com')
    const done = await settled(url)
    expect(done.body.properties).toMatchObject({ provisioningState: 'Succeeded', configurationSettings: { a: '2' } })
  })

  it.each([
    [{ name: 'other', properties: { extensionType: 'microsoft.flux' } }, 'name'],
    [{ properties: { extensionType: 'microsoft.flux', scope: { cluster: {}, namespace: {} } } }, 'properties.scope'],
    [{ properties: { extensionType: 'microsoft.flux', configurationSettings: { a: 1 } } }, 'properties.configurationSettings.a'],
  ])('rejects %j with a 400 naming %s', async (body, target) => {
    const sub = await newCluster()
    const response = await call<{ error: { code: string; target: string } }>(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, body)
    expect(response.status).toBe(400)
    expect(response.body.error.target).toBe(target)
  })

  it('ignores read-only inputs other than provisioningState and refuses a type change on replace', async () => {
    const sub = await newCluster()
    const url = `${extensionPath(sub, 'flux')}?${EXTENSION_API}`
    const created = await call<Ext>(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', currentVersion: '9.9.9', statuses: [{ code: 'x' }], isSystemExtension: true } })
    expect(created.status).toBe(201)
    expect(created.body.properties).toMatchObject({ currentVersion: null, statuses: [], isSystemExtension: false })
    await settled(url)
    // A GET-modify-PUT echoes the current provisioningState: ignored. Any other value is an attempt to set it.
    const wrongState = await call<{ error: { target: string } }>(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', provisioningState: 'Failed' } })
    expect(wrongState.status).toBe(400)
    expect(wrongState.body.error.target).toBe('properties.provisioningState')
    expect((await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', provisioningState: 'Succeeded' } })).status).toBe(200)
    await settled(url)
    const changed = await call<{ error: { target: string } }>(h, 'PUT', url, { properties: { extensionType: 'microsoft.dapr' } })
    expect(changed.status).toBe(400)
    expect(changed.body.error.target).toBe('properties.extensionType')
  })

  it('keeps protected settings on a replace that omits them and never returns them', async () => {
    const sub = await newCluster()
    const url = `${extensionPath(sub, 'flux')}?${EXTENSION_API}`
    await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', configurationProtectedSettings: { token: 'hidden-123' } } })
    await settled(url)
    const replaced = await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux' } })
    expect(replaced.status).toBe(200)
    await settled(url)
    const all = [replaced, await call(h, 'GET', url), await call(h, 'GET', `${clusterPath(sub)}/providers/Microsoft.KubernetesConfiguration/extensions?${EXTENSION_API}`)]
    for (const response of all) expect(JSON.stringify(response.body)).not.toContain('hidden-123')
  })
})

describe('DELETE extension', () => {
  it('answers 202 with async headers, then the resource is gone and Location answers 204', async () => {
    const sub = await newCluster()
    const url = `${extensionPath(sub, 'flux')}?${EXTENSION_API}`
    await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux' } })
    await settled(url)
    const deleted = await call(h, 'DELETE', url)
    expect(deleted.status).toBe(202)
    expect(deleted.body).toBeUndefined()
    expect(deleted.headers.get('x-ms-async-operation-timeout')).toBe('PT1H')
    const status = await until(
      () => call(h, 'GET', deleted.headers.get('azure-asyncoperation')!),
      (r) => r.body.status !== 'InProgress',
    )
    expect(status.body.status).toBe('Succeeded')
    expect((await call(h, 'GET', url)).status).toBe(404)
    expect((await call(h, 'GET', deleted.headers.get('location')!)).status).toBe(204)
    expect((await call(h, 'DELETE', url)).status).toBe(204)
  })

  it('does not find operations of another extension under this one', async () => {
    const sub = await newCluster()
    const put = await call(h, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    const operationId = put.headers.get('azure-asyncoperation')!.split('/operations/')[1]!.split('?')[0]
    const elsewhere = await call<{ error: { code: string } }>(h, 'GET', `${extensionPath(sub, 'dapr')}/operations/${operationId}?${EXTENSION_API}`)
    expect(elsewhere.status).toBe(404)
    expect(elsewhere.body.error.code).toBe('OperationNotFound')
    expect((await call(h, 'GET', `${extensionPath(sub, 'flux')}/operations/not-a-guid?${EXTENSION_API}`)).status).toBe(404)
  })
})
