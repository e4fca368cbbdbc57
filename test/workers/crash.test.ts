// Item 4: a worker process SIGKILLed mid-install, and Redis losing every key of this instance mid-run, still end
// with every accepted operation terminal and every extension where its request left it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, registerCluster, until } from '../helpers/harness.js'
import { allTerminal, asyncUrl, startRp, type Body, type Rp } from './helpers/rp.js'

const TYPES = ['microsoft.flux', 'microsoft.dapr', 'microsoft.azuremonitor.containers', 'microsoft.policyinsights']

async function installAll(rp: Rp, sub: string, settings: Record<string, string> = {}): Promise<string[]> {
  await registerCluster(rp, sub)
  const ids: string[] = []
  for (const type of TYPES) {
    const name = type.split('.').pop()!
    const put = await call(rp, 'PUT', `${extensionPath(sub, name)}?${EXTENSION_API}`, { properties: { extensionType: type, configurationSettings: settings } })
    expect(put.status).toBe(201)
    ids.push(asyncUrl(put).split('/operations/')[1]!.split('?')[0]!)
  }
  return ids
}

async function expectAllInstalled(rp: Rp, sub: string, settings: Record<string, string> = {}) {
  for (const type of TYPES) {
    const got = await call<Body>(rp, 'GET', `${extensionPath(sub, type.split('.').pop()!)}?${EXTENSION_API}`)
    expect(got.body.properties).toMatchObject({ provisioningState: 'Succeeded', configurationSettings: settings })
  }
  const cluster = await rp.db.cluster.findFirstOrThrow({ where: { idKey: clusterPath(sub).toLowerCase() } })
  expect(await rp.db.simulatedRelease.count({ where: { clusterId: cluster.id, status: 'deployed' } })).toBe(TYPES.length)
}

describe('a worker killed with SIGKILL mid-install', () => {
  let rp: Rp
  beforeAll(async () => {
    rp = await startRp({ SIMULATED_STEP_LATENCY_MS: '1500', WORKER_CONCURRENCY: '4' })
  })
  afterAll(() => rp?.close())

  it('has its jobs taken over by another worker process and every operation succeeds', async () => {
    const doomed = await rp.spawnWorker()
    const sub = freshSubscription()
    const ids = await installAll(rp, sub)
    // Every install is mid-way: started by the doomed worker, not finished.
    await until(
      () => rp.db.operation.findMany({ where: { id: { in: ids } } }),
      (ops) => ops.every((op) => op.attempts === 1 && op.status === 'InProgress'),
    )
    doomed.kill('SIGKILL')
    expect(await doomed.exited).toBe('SIGKILL')
    expect((await rp.db.operation.findMany({ where: { id: { in: ids } } })).map((op) => op.status)).toEqual(ids.map(() => 'InProgress'))

    await rp.spawnWorker()
    const ops = await allTerminal(rp.db, sub)
    expect(ops.map((op) => [op.kind, op.status])).toEqual(TYPES.map(() => ['extension.install', 'Succeeded']))
    // The killed attempt counts: each operation ran once more to completion.
    for (const op of ops) expect(op.attempts).toBeGreaterThanOrEqual(2)
    await expectAllInstalled(rp, sub)
  })
})

describe('Redis losing all of this instance’s keys mid-run', () => {
  let rp: Rp
  beforeAll(async () => {
    rp = await startRp({ SIMULATED_STEP_LATENCY_MS: '600' })
    await rp.startWorker()
  })
  afterAll(() => rp?.close())

  it('finishes jobs in flight, re-delivers the lost ones, and accepts new work', async () => {
    const first = freshSubscription()
    const firstIds = await installAll(rp, first)
    await until(
      () => rp.db.operation.findMany({ where: { id: { in: firstIds } } }),
      (ops) => ops.some((op) => op.attempts >= 1),
    )
    // Updates queued behind nothing, deletes and installs, all lost together with the running jobs.
    const second = freshSubscription()
    await installAll(rp, second, { phase: 'one' })
    expect(await rp.flushQueue()).toBeGreaterThan(0)

    const afterFlush = freshSubscription()
    await installAll(rp, afterFlush)

    for (const sub of [first, second, afterFlush]) {
      const ops = await allTerminal(rp.db, sub)
      expect(ops.map((op) => [op.kind, op.status])).toEqual(TYPES.map(() => ['extension.install', 'Succeeded']))
    }
    await expectAllInstalled(rp, first)
    await expectAllInstalled(rp, second, { phase: 'one' })
    await expectAllInstalled(rp, afterFlush)

    // And again while updates and deletes are in flight.
    const updates = await Promise.all(
      TYPES.slice(0, 2).map((type) => call(rp, 'PATCH', `${extensionPath(second, type.split('.').pop()!)}?${EXTENSION_API}`, { properties: { configurationSettings: { phase: 'two' } } })),
    )
    const deletes = await Promise.all(TYPES.slice(2).map((type) => call(rp, 'DELETE', `${extensionPath(second, type.split('.').pop()!)}?${EXTENSION_API}`)))
    expect([...updates, ...deletes].map((r) => r.status)).toEqual([202, 202, 202, 202])
    await rp.flushQueue()
    const ops = await allTerminal(rp.db, second)
    expect(
      ops
        .filter((op) => op.kind !== 'extension.install')
        .map((op) => `${op.kind} ${op.status}`)
        .sort(),
    ).toEqual(['extension.delete Succeeded', 'extension.delete Succeeded', 'extension.update Succeeded', 'extension.update Succeeded'])
    for (const type of TYPES.slice(0, 2)) {
      const got = await call<Body>(rp, 'GET', `${extensionPath(second, type.split('.').pop()!)}?${EXTENSION_API}`)
      expect(got.body.properties).toMatchObject({ provisioningState: 'Succeeded', configurationSettings: { phase: 'two' } })
    }
    for (const type of TYPES.slice(2)) expect((await call(rp, 'GET', `${extensionPath(second, type.split('.').pop()!)}?${EXTENSION_API}`)).status).toBe(404)
  })
})
