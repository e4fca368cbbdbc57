// The tenant extensions' identities report: the caller's (its token's tid), else AZURE_TENANT_ID, which is read once
// in core/config.ts and validated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../core/config.js'
import { bearer, unsignedToken } from '../auth/support.js'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription, startHarness, type Harness } from '../helpers/harness.js'

const TENANT = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d'
let h: Harness
beforeAll(async () => {
  h = await startHarness({ worker: false, env: { AZURE_TENANT_ID: TENANT } })
})
afterAll(() => h?.close())

describe('AZURE_TENANT_ID', () => {
  it('defaults to a GUID and refuses anything else in one line', () => {
    expect(loadConfig({}).azureTenantId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(loadConfig({ AZURE_TENANT_ID: TENANT }).azureTenantId).toBe(TENANT)
    expect(() => loadConfig({ AZURE_TENANT_ID: 'contoso.onmicrosoft.com' })).toThrow(ConfigError)
    expect(() => loadConfig({ AZURE_TENANT_ID: 'contoso.onmicrosoft.com' })).toThrow(/^AZURE_TENANT_ID=contoso\.onmicrosoft\.com is not a GUID$/)
  })

  it('is the tenantId of the system-assigned identity an extension is given', async () => {
    const sub = freshSubscription()
    expect((await call(h, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
    const created = await call<{ identity?: { tenantId: string } }>(h, 'PUT', `${extensionPath(sub, 'monitor')}?${EXTENSION_API}`, {
      identity: { type: 'SystemAssigned' },
      properties: { extensionType: 'microsoft.azuremonitor.containers' },
    })
    expect(created.status).toBe(201)
    expect(created.body.identity?.tenantId).toBe(TENANT)
  })

  it("is the caller's tenant when its token names one (the token's tid), as in Azure", async () => {
    const sub = freshSubscription()
    expect((await call(h, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
    const callerTenant = '5f6e7d8c-9b0a-4c1d-8e2f-3a4b5c6d7e8f'
    const created = await call<{ identity?: { tenantId: string } }>(
      h,
      'PUT',
      `${extensionPath(sub, 'monitor')}?${EXTENSION_API}`,
      { identity: { type: 'SystemAssigned' }, properties: { extensionType: 'microsoft.azuremonitor.containers' } },
      bearer(unsignedToken({ tid: callerTenant, oid: '11111111-2222-4333-8444-555555555555' })),
    )
    expect(created.status).toBe(201)
    expect(created.body.identity?.tenantId).toBe(callerTenant)
  })
})
