// GET /admin/operations and /admin/operations/{id}: operators list operations by subscription, cluster, extension,
// status and kind, newest first, and follow one through its timeline as the api and a real worker wrote it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, call, extensionPath, freshSubscription, registerCluster, startHarness, until, type Harness } from '../helpers/harness.js'
import { startIsolatedHarness, type IsolatedHarness } from '../drivers/support.js'
import type { OperationView, TimelineEventView } from '../../core/domain/operation-view.js'

/** A driver step carries names, an outcome, a code and times: never a message or a value. */
const STEP_FIELDS = ['at', 'event', 'attempt', 'driver', 'step', 'status', 'errorCode', 'durationMs']

function driverSteps(op: OperationView): TimelineEventView[] {
  const steps = op.timeline!.filter((e) => e.event === 'driverStep')
  for (const step of steps) {
    for (const field of Object.keys(step)) expect(STEP_FIELDS).toContain(field)
    expect(step.durationMs).toBeGreaterThanOrEqual(0)
  }
  return steps
}

let h: Harness

beforeAll(async () => {
  h = await startHarness()
})
afterAll(() => h?.close())

/** Sends the PUT and waits for its operation to end; returns the operation id. */
async function install(sub: string, name: string, properties: Record<string, unknown>, cluster = 'cluster1'): Promise<string> {
  const put = await call(h, 'PUT', `${extensionPath(sub, name, cluster)}?${EXTENSION_API}`, { properties })
  expect(put.status, JSON.stringify(put.body)).toBe(201)
  const asyncUrl = put.headers.get('azure-asyncoperation')!
  await until(
    () => call<{ status: string }>(h, 'GET', asyncUrl),
    (r) => r.body.status !== 'InProgress',
  )
  return new URL(asyncUrl, h.baseUrl).pathname.split('/').pop()!
}

async function operation(id: string): Promise<OperationView> {
  const got = await call<OperationView>(h, 'GET', `/admin/operations/${id}`)
  expect(got.status, JSON.stringify(got.body)).toBe(200)
  return got.body
}

async function list(query: string): Promise<OperationView[]> {
  const got = await call<{ value: OperationView[] }>(h, 'GET', `/admin/operations?${query}`)
  expect(got.status, JSON.stringify(got.body)).toBe(200)
  return got.body.value
}

describe('an operation timeline', () => {
  it('records acceptance, dispatch, the attempt, each driver step and the end of an install, and never a protected value', async () => {
    const sub = freshSubscription()
    await registerCluster(h, sub)
    const secret = 'tl-secret-value-4b1d'
    const id = await install(sub, 'flux', { extensionType: 'microsoft.flux', configurationProtectedSettings: { token: secret } })

    const op = await operation(id)
    expect(op).toMatchObject({ id, kind: 'extension.install', status: 'Succeeded', attempts: 1, error: null })
    expect(op.resourceId.toLowerCase()).toBe(extensionPath(sub, 'flux').toLowerCase())
    expect(op.timeline!.map((e) => e.event)).toEqual(['accepted', 'dispatched', 'attemptStarted', 'driverStep', 'driverStep', 'finished'])
    expect(op.timeline![2]).toMatchObject({ attempt: 1 })
    expect(driverSteps(op)).toEqual([
      { at: expect.any(String), event: 'driverStep', attempt: 1, driver: 'simulated', step: 'readRelease', status: 'Succeeded', durationMs: expect.any(Number) },
      { at: expect.any(String), event: 'driverStep', attempt: 1, driver: 'simulated', step: 'install', status: 'Succeeded', durationMs: expect.any(Number) },
    ])
    expect(op.timeline![5]).toMatchObject({ status: 'Succeeded', attempt: 1 })
    expect(op.timeline![5]!.errorCode).toBeUndefined()
    const times = op.timeline!.map((e) => Date.parse(e.at))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(JSON.stringify(op)).not.toContain(secret)

    const removal = await call(h, 'DELETE', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)
    expect(removal.status).toBe(202)
    const removalUrl = removal.headers.get('azure-asyncoperation')!
    await until(
      () => call<{ status: string }>(h, 'GET', removalUrl),
      (r) => r.body.status !== 'InProgress',
    )
    const removed = await operation(new URL(removalUrl).pathname.split('/').pop()!)
    expect(removed.timeline!.map((e) => e.event)).toEqual(['accepted', 'dispatched', 'attemptStarted', 'driverStep', 'finished'])
    expect(driverSteps(removed)).toMatchObject([{ attempt: 1, driver: 'simulated', step: 'uninstall', status: 'Succeeded' }])
  })

  it('records each retry with its reason, and a failure with its error code', async () => {
    const sub = freshSubscription()
    const cluster = await registerCluster(h, sub)
    const transient = await call<{ id: string }>(h, 'POST', '/admin/simulator/faults', { kind: 'failInstall', clusterId: cluster, extensionType: 'microsoft.flux', transient: true, remainingCalls: 1 })
    expect(transient.status).toBe(201)
    const retried = await operation(await install(sub, 'flux', { extensionType: 'microsoft.flux' }))
    expect(retried.status).toBe('Succeeded')
    expect(retried.timeline!.map((e) => e.event)).toEqual([
      'accepted',
      'dispatched',
      'attemptStarted',
      'driverStep',
      'driverStep',
      'retryScheduled',
      'attemptStarted',
      'driverStep',
      'driverStep',
      'finished',
    ])
    const retry = retried.timeline![5]!
    expect(retry).toMatchObject({ attempt: 1, reason: expect.stringMatching(/^[A-Za-z]+$/) })
    // The failed step names the code the retry gives as its reason; the second attempt's install succeeds.
    expect(driverSteps(retried).map((e) => [e.attempt, e.step, e.status, e.errorCode])).toEqual([
      [1, 'readRelease', 'Succeeded', undefined],
      [1, 'install', 'Failed', retry.reason],
      [2, 'readRelease', 'Succeeded', undefined],
      [2, 'install', 'Succeeded', undefined],
    ])
    expect(retried.timeline![6]).toMatchObject({ attempt: 2 })

    const permanent = await call<{ id: string }>(h, 'POST', '/admin/simulator/faults', { kind: 'failInstall', clusterId: cluster, extensionType: 'microsoft.dapr', transient: false })
    expect(permanent.status).toBe(201)
    const failed = await operation(await install(sub, 'dapr', { extensionType: 'microsoft.dapr' }))
    expect(failed.status).toBe('Failed')
    const last = failed.timeline!.at(-1)!
    expect(last).toMatchObject({ event: 'finished', status: 'Failed', errorCode: failed.error!.code })
    expect(failed.timeline!.at(-2)).toMatchObject({ event: 'driverStep', step: 'install', status: 'Failed', errorCode: expect.stringMatching(/^[A-Za-z]+$/) })
    expect((await call(h, 'DELETE', `/admin/simulator/faults/${permanent.body.id}`)).status).toBe(200)
  })
})

describe('the operation list', () => {
  it('filters by subscription, cluster, extension, status and kind, newest first, at most $top', async () => {
    const sub = freshSubscription()
    const clusterA = await registerCluster(h, sub, 'cluster-a')
    const clusterB = await registerCluster(h, sub, 'cluster-b')
    const first = await install(sub, 'flux', { extensionType: 'microsoft.flux' }, 'cluster-a')
    const second = await install(sub, 'dapr', { extensionType: 'microsoft.dapr' }, 'cluster-a')
    const third = await install(sub, 'flux', { extensionType: 'microsoft.flux' }, 'cluster-b')

    expect((await list(`subscription=${sub}`)).map((o) => o.id)).toEqual([third, second, first])
    expect((await list(`subscription=${sub.toUpperCase()}&$top=2`)).map((o) => o.id)).toEqual([third, second])
    expect((await list(`cluster=${encodeURIComponent(clusterA)}`)).map((o) => o.id)).toEqual([second, first])
    expect((await list(`cluster=${encodeURIComponent(clusterB.toUpperCase())}`)).map((o) => o.id)).toEqual([third])
    expect((await list(`subscription=${sub}&extension=FLUX`)).map((o) => o.id)).toEqual([third, first])
    expect((await list(`cluster=${encodeURIComponent(clusterA)}&extension=flux&status=Succeeded&kind=extension.install`)).map((o) => o.id)).toEqual([first])
    expect(await list(`subscription=${sub}&status=Failed`)).toEqual([])
    expect(await list(`subscription=${sub}&kind=extension.delete`)).toEqual([])
    // The list carries no timelines: those are per operation.
    expect((await list(`subscription=${sub}`))[0]).not.toHaveProperty('timeline')
  })

  it('refuses bad filters with the ARM error envelope, and answers 404 for an unknown operation', async () => {
    for (const query of ['status=Done', 'kind=extension.explode', '$top=0', '$top=5000', '$top=ten', 'subscription=not-a-guid', 'cluster=%2Fnot%2Fa%2Fcluster', 'colour=blue']) {
      const refused = await call<{ error: { code: string; message: string } }>(h, 'GET', `/admin/operations?${query}`)
      expect(refused.status, query).toBe(400)
      expect(refused.body.error.code, query).toMatch(/^Invalid/)
    }
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const missing = await call<{ error: { code: string } }>(h, 'GET', `/admin/operations/${id}`)
      expect(missing.status).toBe(404)
      expect(missing.body.error.code).toBe('OperationNotFound')
    }
  })

  it('is an operator request', async () => {
    expect((await call(h, 'GET', '/admin/operations', undefined, { origin: 'https://evil.example' })).status).toBe(403)
  })
})

describe('a superseded operation', () => {
  let idle: IsolatedHarness
  beforeAll(async () => {
    // No worker, and a database of its own (the other harness's dispatcher would deliver its jobs to a worker):
    // the install is still waiting when the DELETE cancels it.
    idle = await startIsolatedHarness({ worker: false })
  })
  afterAll(() => idle?.close())

  it('ends Canceled with its code on the timeline, and the delete that superseded it is listed by kind', async () => {
    const sub = freshSubscription()
    await registerCluster(idle, sub)
    const put = await call(idle, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(put.status).toBe(201)
    const installId = new URL(put.headers.get('azure-asyncoperation')!, idle.baseUrl).pathname.split('/').pop()!
    expect((await call(idle, 'DELETE', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`)).status).toBe(202)

    const install = await call<OperationView>(idle, 'GET', `/admin/operations/${installId}`)
    expect(install.body).toMatchObject({ status: 'Canceled', attempts: 0 })
    // No worker claimed its job and no dispatcher delivered it: accepted, then ended by the DELETE.
    expect(install.body.timeline!.map((e) => e.event)).toEqual(['accepted', 'finished'])
    expect(install.body.timeline![1]).toMatchObject({ status: 'Canceled', errorCode: install.body.error!.code })

    const deletes = await call<{ value: OperationView[] }>(idle, 'GET', `/admin/operations?subscription=${sub}&kind=extension.delete&status=InProgress`)
    expect(deletes.body.value).toHaveLength(1)
    const running = await call<OperationView>(idle, 'GET', `/admin/operations/${deletes.body.value[0]!.id}`)
    expect(running.body.timeline!.map((e) => e.event)).toEqual(['accepted'])
  })
})
