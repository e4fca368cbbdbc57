// Item 3: transient driver failures are retried with exponential backoff and jitter and can still succeed;
// permanent ones fail at once; either way a failed operation leaves the extension Failed with errorInfo and
// statuses[] that tell the user what to do. Faults come from the simulated driver's fault injection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_RETRY_POLICY, jittered, retryDelayMs } from '../../workers/retry-policy.js'
import { EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, registerCluster } from '../helpers/harness.js'
import { FAST_WORKER, addFault, allTerminal, asyncUrl, settled, startRp, type Body, type Rp } from './helpers/rp.js'

const MAX_ATTEMPTS = FAST_WORKER.runner!.retry!.maxAttempts

describe('retry delays', () => {
  it('grow exponentially, stay within half and all of the exponential step, and are capped', () => {
    const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 }
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(policy, attempt, () => 0))).toEqual([50, 100, 200, 400, 500])
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(policy, attempt, () => 0.999999))).toEqual([100, 200, 400, 800, 1000])
    const spread = new Set(Array.from({ length: 50 }, () => retryDelayMs(policy, 3)))
    expect(spread.size).toBeGreaterThan(5)
    for (const delay of spread) expect(delay).toBeGreaterThanOrEqual(200)
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 30, () => 1)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs)
    expect(jittered(100, () => 0)).toBe(75)
    expect(jittered(100, () => 1)).toBe(125)
  })
})

describe('failures through the worker', () => {
  let rp: Rp
  beforeAll(async () => {
    rp = await startRp()
    await rp.startWorker()
  })
  afterAll(() => rp?.close())

  async function cluster(): Promise<string> {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    return sub
  }

  it('retries a transient install failure and succeeds', async () => {
    const sub = await cluster()
    await addFault(rp, { kind: 'failInstall', clusterId: clusterPath(sub), transient: true, remainingCalls: 2 })
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(await settled(rp, asyncUrl(put))).toMatchObject({ status: 'Succeeded', error: null })
    const got = await call<Body>(rp, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)
    expect(got.body.properties).toMatchObject({ provisioningState: 'Succeeded', errorInfo: null, statuses: [{ code: 'ReleaseDeployed', level: 'Information' }] })
    const [op, ...others] = await allTerminal(rp.db, sub)
    expect(others).toEqual([])
    expect(op).toMatchObject({ kind: 'extension.install', status: 'Succeeded', attempts: 3 })
  })

  it('fails a permanent install failure at once, with an actionable error on the operation and the extension', async () => {
    const sub = await cluster()
    await addFault(rp, { kind: 'failInstall', clusterId: clusterPath(sub), transient: false, message: 'chart flux-1.16.2 requires CRDs the cluster does not have' })
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    const status = await settled(rp, asyncUrl(put))
    expect(status).toMatchObject({ status: 'Failed', error: { code: 'HelmInstallFailed', target: extensionPath(sub, 'flux') } })
    expect(status.error.message).toContain('requires CRDs the cluster does not have')
    expect(status.error.message).toContain('send the PUT again')
    expect(status.error.message).not.toContain('attempted')

    const got = await call<Body>(rp, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)
    expect(got.body.properties.provisioningState).toBe('Failed')
    expect(got.body.properties.errorInfo).toEqual(status.error)
    expect(got.body.properties.statuses).toEqual([{ code: 'HelmInstallFailed', displayStatus: 'Failed', level: 'Error', message: status.error.message, time: expect.any(String) }])
    const ops = await allTerminal(rp.db, sub)
    expect(ops.map((op) => [op.kind, op.status, op.attempts])).toEqual([['extension.install', 'Failed', 1]])

    // The failed extension can be fixed by the next request once the cause is gone.
    await call(rp, 'POST', '/admin/simulator/reset', { clusterId: clusterPath(sub) })
    const retry = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(retry.status).toBe(200)
    expect((await settled(rp, asyncUrl(retry))).status).toBe('Succeeded')
  })

  it('gives up on a transient failure after the last attempt and says how often it tried', async () => {
    const sub = await cluster()
    await addFault(rp, { kind: 'unreachable', clusterId: clusterPath(sub) })
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.dapr' } })
    const status = await settled(rp, asyncUrl(put))
    expect(status).toMatchObject({ status: 'Failed', error: { code: 'ClusterUnreachable' } })
    expect(status.error.message).toContain(`attempted ${MAX_ATTEMPTS} times`)
    const ops = await allTerminal(rp.db, sub)
    expect(ops.map((op) => [op.kind, op.status, op.attempts])).toEqual([['extension.install', 'Failed', MAX_ATTEMPTS]])
    const got = await call<Body>(rp, 'GET', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`)
    expect(got.body.properties).toMatchObject({ provisioningState: 'Failed', errorInfo: { code: 'ClusterUnreachable' }, statuses: [{ level: 'Error' }] })
  })

  it('leaves a failed uninstall Failed with a hint at forceDelete', async () => {
    const sub = await cluster()
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    await settled(rp, asyncUrl(put))
    await addFault(rp, { kind: 'failUninstall', clusterId: clusterPath(sub), transient: false })
    const del = await call(rp, 'DELETE', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)
    const status = await settled(rp, asyncUrl(del))
    expect(status).toMatchObject({ status: 'Failed', error: { code: 'HelmUninstallFailed' } })
    expect(status.error.message).toContain('forceDelete=true')
    const got = await call<Body>(rp, 'GET', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)
    expect(got.body.properties).toMatchObject({ provisioningState: 'Failed', errorInfo: { code: 'HelmUninstallFailed' } })
    const ops = await allTerminal(rp.db, sub)
    expect(ops.map((op) => [op.kind, op.status])).toEqual([
      ['extension.install', 'Succeeded'],
      ['extension.delete', 'Failed'],
    ])
  })
})
