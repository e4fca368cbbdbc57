// The unmodified official SDK (@azure/arm-kubernetesconfiguration 6.1.0, api-version 2023-05-01) drives the whole
// extension lifecycle against the RP over HTTPS: beginCreateAndWait, get, list (every page), beginUpdateAndWait,
// operationStatus.get, beginDeleteAndWait, get → 404. Every exchange is recorded (test/helpers/sdk.ts) so the test
// states what the SDK sent, and none of the answers may be a 5xx. The README's SDK snippet makes the same calls
// (and readme-walkthrough.test.ts runs it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription, startHarness, type Harness, APIM_SETTINGS } from '../helpers/harness.js'
import { sdkClient, type SdkExchange } from '../helpers/sdk.js'

let h: Harness
/** No worker: the paging test needs many extensions to exist, not to be installed. */
let idle: Harness

beforeAll(async () => {
  // The SDK waits Retry-After between polls (it overrides updateIntervalInMs); 1 s keeps the run short.
  ;[h, idle] = await Promise.all([startHarness({ env: { RETRY_AFTER_SECONDS: '1' } }), startHarness({ worker: false })])
})
afterAll(async () => {
  await Promise.all([h?.close(), idle?.close()])
})

const RG = 'rg1'
const RP = 'Microsoft.Kubernetes'
const KIND = 'connectedClusters'
const FAST = { updateIntervalInMs: 50 }

/** The exchanges recorded since `from`, as "METHOD path?query → status" lines, for readable failures. */
function trace(exchanges: SdkExchange[], from = 0): string[] {
  return exchanges.slice(from).map((e) => `${e.method} ${new URL(e.url).pathname}${new URL(e.url).search} → ${e.status}`)
}

async function registerCluster(sub: string, name: string, harness = h): Promise<void> {
  const res = await call(harness, 'PUT', `${clusterPath(sub, name, RG)}?${CLUSTER_API}`, compatibleCluster)
  expect(res.status, JSON.stringify(res.body)).toBe(201)
}

describe('official Azure SDK for JavaScript', () => {
  it('runs the full extension lifecycle unmodified over HTTPS, with no 5xx answer', async () => {
    const sub = freshSubscription()
    await registerCluster(sub, 'cluster1')
    const { client, exchanges } = sdkClient(h, sub)
    const url = (path: string) => `${h.api.httpsUrl}${path}?${EXTENSION_API}`

    // ---- beginCreateAndWait: PUT 201 Creating, polls Azure-AsyncOperation, then GETs the resource ----
    const raw: { status: number; headers: Record<string, string> }[] = []
    const created = await client.extensions.beginCreateAndWait(
      RG,
      RP,
      KIND,
      'cluster1',
      'dapr',
      { extensionType: 'microsoft.dapr', configurationSettings: { 'global.ha.enabled': 'true' }, configurationProtectedSettings: { 'dapr.token': 's3cr3t-sdk' } },
      { ...FAST, onResponse: (response) => raw.push({ status: response.status, headers: response.headers.toJSON() }) },
    )
    const put = exchanges[0]!
    expect(put).toMatchObject({ method: 'PUT', url: url(extensionPath(sub, 'dapr')), status: 201 })
    expect(put.requestHeaders.authorization).toBe('Bearer arcext-test-token')
    expect(put.requestHeaders['content-type']).toMatch(/^application\/json/)
    expect(put.requestBody).toEqual({
      properties: { extensionType: 'microsoft.dapr', configurationSettings: { 'global.ha.enabled': 'true' }, configurationProtectedSettings: { 'dapr.token': 's3cr3t-sdk' } },
    })
    // The raw onResponse callback sees what the SDK's typed result hides: the Azure-AsyncOperation header.
    const asyncUrl = raw[0]!.headers['azure-asyncoperation']!
    expect(asyncUrl).toBe(put.responseHeaders['azure-asyncoperation'])
    expect(asyncUrl.startsWith(`${h.api.httpsUrl}${extensionPath(sub, 'dapr')}/operations/`)).toBe(true)
    // The SDK polled exactly the URL it was given, then read the resource (final-state-via azure-async-operation).
    const polls = exchanges.slice(1)
    expect(polls.length, trace(exchanges).join('\n')).toBeGreaterThanOrEqual(2)
    expect(polls.slice(0, -1).every((e) => e.method === 'GET' && e.url === asyncUrl)).toBe(true)
    expect(polls.at(-1)).toMatchObject({ method: 'GET', url: url(extensionPath(sub, 'dapr')), status: 200 })
    expect(raw.map((r) => r.status)).toEqual(exchanges.map((e) => e.status))
    expect(created).toMatchObject({
      id: extensionPath(sub, 'dapr'),
      name: 'dapr',
      type: 'Microsoft.KubernetesConfiguration/extensions',
      extensionType: 'microsoft.dapr',
      provisioningState: 'Succeeded',
      autoUpgradeMinorVersion: true,
      releaseTrain: 'Stable',
      configurationSettings: { 'global.ha.enabled': 'true' },
      isSystemExtension: false,
    })
    expect(created.currentVersion).toMatch(/^\d+\.\d+\.\d+/)
    expect(created.systemData?.createdAt).toBeInstanceOf(Date)
    expect(created.configurationProtectedSettings).toBeUndefined()
    const createOperationId = asyncUrl.split('/operations/')[1]!.split('?')[0]!

    // ---- get ----
    let from = exchanges.length
    const got = await client.extensions.get(RG, RP, KIND, 'cluster1', 'dapr')
    expect(trace(exchanges, from)).toEqual([`GET ${extensionPath(sub, 'dapr')}?${EXTENSION_API} → 200`])
    expect(got).toMatchObject({ name: 'dapr', provisioningState: 'Succeeded', currentVersion: created.currentVersion })

    // ---- operationStatus.get for the operation id from the Azure-AsyncOperation header ----
    from = exchanges.length
    const status = await client.operationStatus.get(RG, RP, KIND, 'cluster1', 'dapr', createOperationId)
    expect(trace(exchanges, from)).toEqual([`GET ${extensionPath(sub, 'dapr')}/operations/${createOperationId}?${EXTENSION_API} → 200`])
    expect(status).toMatchObject({ id: `${extensionPath(sub, 'dapr')}/operations/${createOperationId}`, name: createOperationId, status: 'Succeeded' })

    // ---- beginUpdateAndWait: PATCH 202 Updating, polls, then GETs the resource ----
    from = exchanges.length
    const updated = await client.extensions.beginUpdateAndWait(RG, RP, KIND, 'cluster1', 'dapr', { configurationSettings: { 'global.ha.enabled': 'false' } }, FAST)
    const patch = exchanges[from]!
    expect(patch).toMatchObject({ method: 'PATCH', url: url(extensionPath(sub, 'dapr')), status: 202, requestBody: { properties: { configurationSettings: { 'global.ha.enabled': 'false' } } } })
    expect(exchanges.at(-1)).toMatchObject({ method: 'GET', url: url(extensionPath(sub, 'dapr')), status: 200 })
    expect(updated).toMatchObject({ provisioningState: 'Succeeded', configurationSettings: { 'global.ha.enabled': 'false' } })
    expect(updated.systemData?.lastModifiedAt?.getTime()).toBeGreaterThanOrEqual(created.systemData!.lastModifiedAt!.getTime())
    const patchOperationId = patch.responseHeaders['azure-asyncoperation']!.split('/operations/')[1]!.split('?')[0]!
    expect(await client.operationStatus.get(RG, RP, KIND, 'cluster1', 'dapr', patchOperationId)).toMatchObject({ name: patchOperationId, status: 'Succeeded' })

    // ---- list ----
    from = exchanges.length
    const listed = []
    for await (const extension of client.extensions.list(RG, RP, KIND, 'cluster1')) listed.push(extension)
    expect(trace(exchanges, from)).toEqual([`GET ${extensionPath(sub, 'dapr').replace(/\/dapr$/, '')}?${EXTENSION_API} → 200`])
    expect(listed.map((e) => [e.name, e.provisioningState])).toEqual([['dapr', 'Succeeded']])

    // ---- beginDeleteAndWait: DELETE 202, polls until Succeeded ----
    from = exchanges.length
    await client.extensions.beginDeleteAndWait(RG, RP, KIND, 'cluster1', 'dapr', FAST)
    expect(exchanges[from]).toMatchObject({ method: 'DELETE', url: url(extensionPath(sub, 'dapr')), status: 202 })
    expect(exchanges.slice(from + 1).every((e) => e.method === 'GET' && e.url.includes('/operations/'))).toBe(true)

    // ---- get → 404 RestError with ARM's error code ----
    const gone = await client.extensions.get(RG, RP, KIND, 'cluster1', 'dapr').then(
      () => null,
      (error: unknown) => error as { name?: string; statusCode?: number; code?: string },
    )
    expect(gone).toMatchObject({ name: 'RestError', statusCode: 404, code: 'ResourceNotFound' })

    // The secret went out once, in the create request, and never came back.
    for (const e of exchanges.slice(1)) expect(JSON.stringify(e.requestBody ?? '')).not.toContain('s3cr3t-sdk')
    expect(exchanges.filter((e) => e.status >= 500).map((e) => `${e.method} ${e.url} → ${e.status}`)).toEqual([])
  })

  it('pages through more than one page of extensions with list()', async () => {
    const sub = freshSubscription()
    await registerCluster(sub, 'busy', idle)
    // A namespace-scoped type may be installed any number of times: 101 extensions, one more than a page.
    const names = Array.from({ length: 101 }, (_, i) => `apim-${String(i).padStart(3, '0')}`)
    // Five at a time: creates on one cluster serialise on the cluster row, and a wider burst currently exhausts the
    // connection pool (Prisma P2028 → 500), which is reported separately and is not what this test is about.
    for (let i = 0; i < names.length; i += 5) {
      const batch = names.slice(i, i + 5).map(async (name) => {
        const res = await call(idle, 'PUT', `${extensionPath(sub, name, 'busy')}?${EXTENSION_API}`, {
          properties: { extensionType: 'microsoft.apimanagement', scope: { namespace: { targetNamespace: name } }, ...APIM_SETTINGS },
        })
        expect(res.status, JSON.stringify(res.body)).toBe(201)
      })
      await Promise.all(batch)
    }
    const { client, exchanges } = sdkClient(idle, sub)
    const pages: string[][] = []
    for await (const page of client.extensions.list(RG, RP, KIND, 'busy').byPage()) pages.push(page.map((e) => e.name!))
    expect(pages.map((p) => p.length)).toEqual([100, 1])
    expect(pages.flat()).toEqual(names)
    expect(exchanges).toHaveLength(2)
    expect(new URL(exchanges[1]!.url).searchParams.get('$skipToken')).toBeTruthy()
    expect(exchanges.filter((e) => e.status >= 500)).toEqual([])
  }, 60_000) // ~4 s on an idle machine; 101 validated PUTs take longer when the machine is shared
})
