// Polling pace: every answer a client polls while an operation runs says when to ask again (Retry-After), so the
// SDKs poll at RETRY_AFTER_SECONDS instead of their own defaults (JavaScript 2 s, Python 30 s); a finished
// operation's status carries none, since there is nothing left to wait for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, registerCluster, startHarness, type Harness } from '../helpers/harness.js'

let idle: Harness
let working: Harness

beforeAll(async () => {
  // No worker: operations stay InProgress for as long as the test looks at them. Default RETRY_AFTER_SECONDS.
  ;[idle, working] = await Promise.all([startHarness({ worker: false }), startHarness({ env: { RETRY_AFTER_SECONDS: '3' } })])
})
afterAll(() => Promise.all([idle?.close(), working?.close()]))

describe('Retry-After while an operation runs', () => {
  it('is on the 201, the operation status and the operation result of a running install, 1 s by default', async () => {
    const sub = freshSubscription()
    await registerCluster(idle, sub)
    const put = await call(idle, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(put.status).toBe(201)
    expect(put.headers.get('retry-after')).toBe('1')
    const status = await call<{ status: string }>(idle, 'GET', put.headers.get('azure-asyncoperation')!)
    expect(status.body.status).toBe('InProgress')
    expect(status.headers.get('retry-after')).toBe('1')
    const result = await call(idle, 'GET', put.headers.get('location')!)
    expect(result.status).toBe(202)
    expect(result.headers.get('retry-after')).toBe('1')
  })

  it('is on the status of a running cluster deletion', async () => {
    const sub = freshSubscription()
    await registerCluster(idle, sub)
    expect((await call(idle, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })).status).toBe(201)
    const deletion = await call(idle, 'DELETE', `${clusterPath(sub)}?${CLUSTER_API}`)
    expect(deletion.status).toBe(202)
    const status = await call<{ status: string }>(idle, 'GET', deletion.headers.get('azure-asyncoperation')!)
    expect(status.body.status).toBe('InProgress')
    expect(status.headers.get('retry-after')).toBe('1')
  })

  it('follows RETRY_AFTER_SECONDS, and is gone once the operation has finished', async () => {
    const sub = freshSubscription()
    await registerCluster(working, sub)
    const put = await call(working, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(put.headers.get('retry-after')).toBe('3')
    const statusUrl = put.headers.get('azure-asyncoperation')!
    await expect.poll(async () => (await call<{ status: string }>(working, 'GET', statusUrl)).body.status, { timeout: 15_000, interval: 50 }).toBe('Succeeded')
    expect((await call(working, 'GET', statusUrl)).headers.get('retry-after')).toBeNull()
  })
})
