// Item 1: an accepted write commits resource + operation + outbox row together; the api's fast path delivers and
// leaves the row to the worker that starts the operation (issue 15: no delete round trip per request); the
// dispatcher delivers whatever the api did not, exactly once per row across dispatchers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from '../../core/db/client.js'
import type { ExtensionSpec } from '../../core/domain/model.js'
import { OperationQueue, redisConnection, type OperationRef } from '../../core/queue.js'
import { acceptExtensionCreate } from '../../core/store/extensions.js'
import { cancelOperation } from '../../core/store/operations.js'
import { dispatchOutbox } from '../../workers/dispatcher.js'
import { EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, registerCluster, until } from '../helpers/harness.js'
import { FAST_WORKER, allTerminal, settled, asyncUrl, startRp, type Rp } from './helpers/rp.js'

class RecordingQueue extends OperationQueue {
  readonly delivered: string[] = []
  override async enqueueMany(operations: readonly OperationRef[]): Promise<void> {
    this.delivered.push(...operations.map((op) => op.id))
    await super.enqueueMany(operations)
  }
}

async function outboxRows(rp: Rp, operationIds: string[]) {
  return rp.db.operationOutbox.findMany({ where: { operationId: { in: operationIds } } })
}

/** Accepts an install the way the api does, but "crashes" before delivering it: only the outbox knows. */
async function acceptUndelivered(rp: Rp, sub: string, name: string, spec: ExtensionSpec) {
  const cluster = await rp.db.cluster.findFirstOrThrow({ where: { idKey: clusterPath(sub).toLowerCase() } })
  const resourceId = extensionPath(sub, name)
  return acceptExtensionCreate(rp.db, {
    resourceId,
    idKey: resourceId.toLowerCase(),
    clusterId: cluster.id,
    name,
    spec: { ...spec, configurationSettings: { origin: name } },
    protectedSettingsSealed: undefined,
    caller: { id: 'outbox-test', type: 'Application' },
    apiVersion: '2023-05-01',
    admit: () => {}, // the catalog's judgement is the api's; this test accepts directly
  })
}

describe('transactional outbox', () => {
  let rp: Rp
  beforeAll(async () => {
    rp = await startRp()
  })
  afterAll(() => rp?.close())

  it('writes the outbox row with the operation and keeps it, once the api has delivered the job, until a worker starts it', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(put.status).toBe(201)
    const operationId = asyncUrl(put).split('/operations/')[1]!.split('?')[0]!
    // Delivered by the api right after commit: the job is in Redis; no worker ran, so the row is still there.
    expect(await outboxRows(rp, [operationId])).toHaveLength(1)
    expect(await rp.api.app.services.queue.queue.getJobState(operationId)).toBe('waiting')

    const spec = (await rp.db.extension.findFirstOrThrow({ where: { idKey: extensionPath(sub, 'flux').toLowerCase() } })).spec as unknown as ExtensionSpec
    const undelivered = await acceptUndelivered(rp, sub, 'flux-copy', { ...spec, extensionType: 'microsoft.dapr' })
    expect(await outboxRows(rp, [undelivered.operation.id])).toHaveLength(1)
    expect(await rp.api.app.services.queue.queue.getJobState(undelivered.operation.id)).toBe('unknown')
  })

  it('delivers operations the api never enqueued, through a running worker, and removes their rows', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const worker = await rp.startWorker()
    try {
      const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
      expect((await settled(rp, asyncUrl(put))).status).toBe('Succeeded')
      // The worker that started it removed the row the api left.
      expect(await outboxRows(rp, [asyncUrl(put).split('/operations/')[1]!.split('?')[0]!])).toEqual([])
      const spec = (await rp.db.extension.findFirstOrThrow({ where: { idKey: extensionPath(sub, 'flux').toLowerCase() } })).spec as unknown as ExtensionSpec
      const lost = await acceptUndelivered(rp, sub, 'dapr', { ...spec, extensionType: 'microsoft.dapr' })

      const ops = await allTerminal(rp.db, sub)
      expect(ops.map((op) => [op.kind, op.status])).toEqual([
        ['extension.install', 'Succeeded'],
        ['extension.install', 'Succeeded'],
      ])
      expect(await outboxRows(rp, [lost.operation.id])).toEqual([])
      const got = await call(rp, 'GET', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`)
      expect(got.body).toMatchObject({ properties: { provisioningState: 'Succeeded', configurationSettings: { origin: 'dapr' } } })
    } finally {
      await worker.stop()
    }
  })

  it('hands each outbox row to exactly one of several concurrent dispatchers', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const template = (await rp.db.extension.findFirst({ where: { extensionType: 'microsoft.flux' } }))?.spec as unknown as ExtensionSpec
    expect(template).toBeTruthy()
    // Namespace-scoped API Management allows many instances per cluster, so 30 creates are all accepted.
    const accepted = []
    for (let i = 0; i < 30; i += 1) {
      accepted.push(await acceptUndelivered(rp, sub, `apim-${i}`, { ...template, extensionType: 'microsoft.apimanagement', scope: { kind: 'namespace', targetNamespace: `apim-${i}` } }))
    }
    const ids = accepted.map((a) => a.operation.id)
    const connection = redisConnection(rp.config.redisUrl)
    const dispatchers = [0, 1, 2].map(() => ({ db: createDb(rp.config.databaseUrl, 2), queue: new RecordingQueue(connection, rp.config.queuePrefix) }))
    try {
      await Promise.all(
        dispatchers.map(async ({ db, queue }) => {
          while ((await dispatchOutbox(db, queue, { graceMs: 0, batchSize: 4 })) > 0) {
            // keep draining
          }
        }),
      )
      const delivered = dispatchers.flatMap(({ queue }) => queue.delivered).filter((id) => ids.includes(id))
      expect(delivered.sort()).toEqual([...ids].sort())
      expect(await outboxRows(rp, ids)).toEqual([])
      expect(new Set(await Promise.all(ids.map((id) => rp.api.app.services.queue.queue.getJobState(id))))).toEqual(new Set(['waiting']))
    } finally {
      for (const { db, queue } of dispatchers) {
        await queue.close()
        await db.$disconnect()
      }
    }
  })
  it('removes the rows of operations that already ended without delivering them again', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const template = (await rp.db.extension.findFirst({ where: { extensionType: 'microsoft.flux' } }))?.spec as unknown as ExtensionSpec
    const ended = await acceptUndelivered(rp, sub, 'ended', { ...template, extensionType: 'microsoft.dapr' })
    await rp.db.$transaction((tx) => cancelOperation(tx, ended.operation.id, { code: 'OperationCanceled', message: 'Canceled by the test.' }))
    const queue = new RecordingQueue(redisConnection(rp.config.redisUrl), rp.config.queuePrefix)
    try {
      while ((await dispatchOutbox(rp.db, queue, { graceMs: 0, batchSize: 50 })) > 0) {
        // keep draining
      }
      expect(queue.delivered).not.toContain(ended.operation.id)
      expect(await outboxRows(rp, [ended.operation.id])).toEqual([])
      expect(await queue.queue.getJobState(ended.operation.id)).toBe('unknown')
    } finally {
      await queue.close()
    }
  })
})

describe('an idle dispatcher', () => {
  let rp: Rp
  beforeAll(async () => {
    rp = await startRp()
  })
  afterAll(() => rp?.close())

  const listeners = () =>
    rp.db.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'arcext-worker-outbox:%' AND query ILIKE 'LISTEN%'`

  it('is woken by the outbox notification instead of polling, and listens again once its session is dropped', async () => {
    // No safety poll and no reconciler within the test: only a notification can get the undelivered rows delivered.
    const never = 600_000
    await rp.startWorker({ ...FAST_WORKER, reconcileIntervalMs: never, reconcileGraceMs: never, dispatcher: { pollMs: never, graceMs: 200 } })
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect((await settled(rp, asyncUrl(put))).status).toBe('Succeeded')
    const spec = (await rp.db.extension.findFirstOrThrow({ where: { idKey: extensionPath(sub, 'flux').toLowerCase() } })).spec as unknown as ExtensionSpec
    const ended = async (operationId: string) =>
      until(
        () => rp.db.operation.findUniqueOrThrow({ where: { id: operationId } }),
        (op) => op.status !== 'InProgress',
        10_000,
      )

    const first = await acceptUndelivered(rp, sub, 'dapr', { ...spec, extensionType: 'microsoft.dapr' })
    expect((await ended(first.operation.id)).status).toBe('Succeeded')

    const [dropped] = await until(listeners, (rows) => rows.length === 1)
    await rp.db.$queryRaw`SELECT pg_terminate_backend(${dropped!.pid}::int)`
    await until(listeners, (rows) => rows.length === 1 && rows[0]!.pid !== dropped!.pid)
    const second = await acceptUndelivered(rp, sub, 'monitor', { ...spec, extensionType: 'microsoft.azuremonitor.containers' })
    expect((await ended(second.operation.id)).status).toBe('Succeeded')
    expect(await outboxRows(rp, [first.operation.id, second.operation.id])).toEqual([])
  })
})
