// POST /admin/reset, the clean slate a CI pipeline asks for between runs: afterwards the instance answers as a new
// one would (no clusters, extensions, operations, queued jobs, API fault rules or simulated releases, full throttle
// buckets), and it keeps working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, registerCluster } from '../helpers/harness.js'
import { startIsolatedHarness, type IsolatedHarness } from '../drivers/support.js'

let idle: IsolatedHarness

beforeAll(async () => {
  // A database of its own: a reset empties the whole database, and the run's other suites share theirs. No worker:
  // the accepted operations stay queued, so the reset has jobs to discard.
  idle = await startIsolatedHarness({ worker: false })
})
afterAll(() => idle?.close())

describe('POST /admin/reset', () => {
  it('empties the instance, and it accepts new work afterwards', async () => {
    const sub = freshSubscription()
    await registerCluster(idle, sub)
    const put = await call(idle, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(put.status).toBe(201)
    const fault = await call(idle, 'POST', '/admin/simulator/faults', { kind: 'failInstall', transient: false })
    expect(fault.status).toBe(201)
    for (let i = 0; i < 5; i++) await call(idle, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`)
    const spent = await call(idle, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`)
    expect(Number(spent.headers.get('x-ms-ratelimit-remaining-subscription-reads'))).toBeLessThan(249)
    expect(await idle.api.app.services.queue.queue.getWaitingCount()).toBeGreaterThan(0)

    const reset = await call<{ removed: Record<string, number> }>(idle, 'POST', '/admin/reset', {})
    expect(reset.status).toBe(200)
    expect(reset.body.removed).toMatchObject({ clusters: expect.any(Number), extensions: expect.any(Number), operations: expect.any(Number), faultRules: expect.any(Number) })
    expect(reset.body.removed.clusters).toBeGreaterThanOrEqual(1)
    expect(reset.body.removed.extensions).toBeGreaterThanOrEqual(1)
    expect(reset.body.removed.faultRules).toBeGreaterThanOrEqual(1)

    const first = await call(idle, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)
    expect(first.status).toBe(404)
    // A full bucket again: this read is the first to spend from it.
    expect(first.headers.get('x-ms-ratelimit-remaining-subscription-reads')).toBe('249')
    expect((await call(idle, 'GET', put.headers.get('azure-asyncoperation')!)).status).toBe(404)
    expect((await call(idle, 'GET', `${clusterPath(sub)}?${CLUSTER_API}`)).status).toBe(404)
    expect((await call<{ value: unknown[] }>(idle, 'GET', '/admin/simulator/faults')).body.value).toEqual([])
    const counts = await idle.api.app.services.queue.queue.getJobCounts('waiting', 'delayed', 'completed', 'failed', 'prioritized')
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0)

    await registerCluster(idle, sub)
    expect((await call(idle, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })).status).toBe(201)
  })

  it('takes no options, and only as an operator request', async () => {
    const refused = await call<{ error: { code: string } }>(idle, 'POST', '/admin/reset', { everything: true })
    expect(refused.status).toBe(400)
    expect((await call(idle, 'POST', '/admin/reset', {}, { origin: 'https://evil.example' })).status).toBe(403)
  })
})
