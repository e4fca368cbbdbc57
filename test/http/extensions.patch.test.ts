// PATCH (Extensions_Update): only patchable properties, a merge patch of configurationSettings and a replacement of
// configurationProtectedSettings (as Azure documents), 200 for no-op, 202 + Updating otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, call, extensionPath, freshSubscription, registerCluster, startHarness, until, POLL, provisioningState, type Harness } from '../helpers/harness.js'
import { FLUX_NEWEST, FLUX_PREVIOUS } from '../helpers/shipped-flux.js'

let h: Harness
beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

async function installedFlux(settings: Record<string, string> = { a: '1', b: '2' }) {
  const sub = freshSubscription()
  await registerCluster(h, sub)
  const url = `${extensionPath(sub, 'flux')}?${EXTENSION_API}`
  const put = await call(h, 'PUT', url, { properties: { extensionType: 'microsoft.flux', configurationSettings: settings, configurationProtectedSettings: { token: 'one' } } })
  expect(put.status).toBe(201)
  await expect.poll(() => provisioningState(h, url), POLL).toBe('Succeeded')
  return { sub, url }
}

describe('PATCH extension', () => {
  it('merges configurationSettings key by key, null removing a key, and runs an update operation', async () => {
    const { url } = await installedFlux()
    const patch = await call(h, 'PATCH', url, { properties: { configurationSettings: { b: null, c: '3' } } })
    expect(patch.status).toBe(202)
    expect(patch.body).toMatchObject({ properties: { provisioningState: 'Updating', configurationSettings: { a: '1', c: '3' } } })
    expect((patch.body.properties as { configurationSettings: Record<string, string> }).configurationSettings).not.toHaveProperty('b')
    expect(patch.headers.get('azure-asyncoperation')).toMatch(/\/operations\/[0-9a-f-]{36}\?api-version=2023-05-01$/)
    expect(patch.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//)
    const done = await until(
      () => call(h, 'GET', patch.headers.get('azure-asyncoperation')!),
      (r) => r.body.status !== 'InProgress',
    )
    expect(done.body.status).toBe('Succeeded')
    const got = await call(h, 'GET', url)
    expect(got.body).toMatchObject({ properties: { provisioningState: 'Succeeded', configurationSettings: { a: '1', c: '3' } } })
  })

  it('answers 200 with the current resource when nothing changes', async () => {
    const { url } = await installedFlux()
    const patch = await call(h, 'PATCH', url, { properties: { configurationSettings: { a: '1' }, releaseTrain: 'Stable' } })
    expect(patch.status).toBe(200)
    expect(patch.body).toMatchObject({ properties: { provisioningState: 'Succeeded' } })
    expect(patch.headers.get('azure-asyncoperation')).toBeNull()
  })

  it('treats a changed protected setting as a change without ever returning it', async () => {
    const { url } = await installedFlux()
    const patch = await call(h, 'PATCH', url, { properties: { configurationProtectedSettings: { token: 'two' } } })
    expect(patch.status).toBe(202)
    expect(JSON.stringify(patch.body)).not.toContain('two')
    expect(patch.body.properties).not.toHaveProperty('configurationProtectedSettings')
  })

  it('replaces the whole protected settings map, as Azure does: keys left out are deleted', async () => {
    const { url } = await installedFlux()
    const stored = async () => {
      const row = await h.api.app.services.db.extension.findFirstOrThrow({ where: { resourceId: url.split('?')[0]! } })
      return row.protectedSettingsSealed === null ? null : h.api.app.services.secrets.openJson<Record<string, string>>(row.protectedSettingsSealed)
    }
    expect(await stored()).toEqual({ token: 'one' })
    const patch = await call(h, 'PATCH', url, { properties: { configurationProtectedSettings: { other: 'o', gone: null } } })
    expect(patch.status).toBe(202)
    await expect.poll(() => provisioningState(h, url), POLL).toBe('Succeeded')
    expect(await stored()).toEqual({ other: 'o' })
    // The same map again changes nothing; a null map removes them all.
    expect((await call(h, 'PATCH', url, { properties: { configurationProtectedSettings: { other: 'o' } } })).status).toBe(200)
    expect((await call(h, 'PATCH', url, { properties: { configurationProtectedSettings: null } })).status).toBe(202)
    await expect.poll(() => provisioningState(h, url), POLL).toBe('Succeeded')
    expect(await stored()).toBeNull()
  })

  it.each([
    [{ properties: { extensionType: 'microsoft.dapr' } }, 'properties.extensionType'],
    [{ properties: { scope: { cluster: { releaseNamespace: 'x' } } } }, 'properties.scope'],
    [{ identity: { type: 'SystemAssigned' } }, 'identity'],
  ])('rejects immutable property %j naming %s', async (body, target) => {
    const { url } = await installedFlux()
    const patch = await call<{ error: { code: string; target: string; message: string } }>(h, 'PATCH', url, body)
    expect(patch.status).toBe(400)
    expect(patch.body.error.target).toBe(target)
    expect(patch.body.error.message).toContain(target)
  })

  it('applies the catalog rules to the patched state', async () => {
    const { url } = await installedFlux()
    const patch = await call<{ error: { code: string } }>(h, 'PATCH', url, { properties: { version: FLUX_NEWEST } })
    expect(patch.status).toBe(400)
    expect(patch.body.error.code).toBe('VersionWithAutoUpgrade')
    const pinned = await call(h, 'PATCH', url, { properties: { autoUpgradeMinorVersion: false, version: FLUX_PREVIOUS } })
    expect(pinned.status).toBe(202)
    await expect.poll(() => provisioningState(h, url), POLL).toBe('Succeeded')
    expect((await call(h, 'GET', url)).body).toMatchObject({ properties: { version: FLUX_PREVIOUS, currentVersion: FLUX_PREVIOUS } })
  })

  it('is 404 for a missing extension and 409 while another operation runs', async () => {
    const { sub, url } = await installedFlux()
    expect((await call(h, 'PATCH', `${extensionPath(sub, 'missing')}?${EXTENSION_API}`, { properties: {} })).status).toBe(404)
    await h.stopWorker()
    const first = await call(h, 'PATCH', url, { properties: { configurationSettings: { z: '1' } } })
    expect(first.status).toBe(202)
    const second = await call<{ error: { code: string } }>(h, 'PATCH', url, { properties: { configurationSettings: { z: '2' } } })
    expect(second.status).toBe(409)
    expect(second.body.error.code).toBe('AnotherOperationInProgress')
  })
})
