// releaseTrain is matched against the catalog case-insensitively but answered exactly as the client wrote it, in the
// PUT's answer, GET, list and after a PATCH, at every api-version (Azure echoes it; its examples send `Preview`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, extensionPath, freshSubscription, POLL, provisioningState, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

let h: Harness
const sub = freshSubscription()

beforeAll(async () => {
  h = await startHarness()
  await registerCluster(h, sub)
})
afterAll(() => h?.close())

describe('releaseTrain', () => {
  it('is echoed as sent while the catalog matches it whatever its case', async () => {
    const url = (version: string) => `${extensionPath(sub, 'flux')}?api-version=${version}`
    const put = await call<Json>(h, 'PUT', url('2023-05-01'), { properties: { extensionType: 'microsoft.flux', releaseTrain: 'sTaBlE' } })
    expect(put.status, JSON.stringify(put.body)).toBe(201)
    expect(put.body.properties.releaseTrain).toBe('sTaBlE')
    await expect.poll(() => provisioningState(h, url('2023-05-01')), POLL).toBe('Succeeded')
    const got = await call<Json>(h, 'GET', url('2025-03-01'))
    expect(got.body.properties).toMatchObject({ releaseTrain: 'sTaBlE', currentVersion: expect.any(String) })
    const installed = got.body.properties.currentVersion
    const list = await call<Json>(h, 'GET', `${extensionPath(sub, '').replace(/\/$/, '')}?api-version=2022-03-01`)
    expect(list.body.value[0].properties.releaseTrain).toBe('sTaBlE')

    const patched = await call<Json>(h, 'PATCH', url('2025-03-01'), { properties: { releaseTrain: 'STABLE' } })
    expect(patched.body.properties.releaseTrain).toBe('STABLE')
    await expect.poll(() => provisioningState(h, url('2025-03-01')), POLL).toBe('Succeeded')
    const after = await call<Json>(h, 'GET', url('2022-07-01'))
    expect(after.body.properties).toMatchObject({ releaseTrain: 'STABLE', installedVersion: installed })
  })
})
