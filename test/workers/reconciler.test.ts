// Item 1 and 4: the reconciler re-delivers operations whose jobs Redis lost, and no operation outlives
// OPERATION_DEADLINE_SECONDS: a hung one is failed by its own job, one nobody runs by the reconciler.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { OPERATIONS_QUEUE } from '../../core/queue.js'
import { failOverdueOperations, redeliverOrphanedOperations } from '../../workers/reconciler.js'
import { EXTENSION_API, call, clusterPath, extensionPath, freshSubscription, registerCluster, until } from '../helpers/harness.js'
import { FAST_WORKER, addFault, allTerminal, asyncUrl, operationIdOf, settled, startRp, type Body, type Rp } from './helpers/rp.js'

describe('reconciler recovery', () => {
  let rp: Rp
  beforeAll(async () => {
    rp = await startRp()
  })
  afterAll(() => rp?.close())

  it('re-delivers an accepted operation whose job Redis lost before any worker saw it', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    const opId = operationIdOf(put)
    const { queue } = rp.api.app.services
    expect(await queue.queue.getJobState(opId)).toBe('waiting')
    await rp.flushQueue()
    expect(await queue.queue.getJobState(opId)).toBe('unknown')
    // Its outbox row stays until a worker starts it; this worker's dispatcher is held back, so only the
    // reconciler can find it now.
    expect(await rp.db.operationOutbox.count({ where: { operationId: opId } })).toBe(1)

    await rp.startWorker({ ...FAST_WORKER, dispatcher: { pollMs: 600_000, graceMs: 600_000 } })
    expect((await settled(rp, asyncUrl(put))).status).toBe('Succeeded')
    const ops = await allTerminal(rp.db, sub)
    expect(ops.map((op) => [op.kind, op.status, op.attempts])).toEqual([['extension.install', 'Succeeded', 1]])
  })
})

describe('reconciler recovery from a partial loss of Redis data', () => {
  let rp: Rp
  beforeAll(async () => {
    rp = await startRp()
  })
  afterAll(() => rp?.close())

  it('re-delivers an operation whose job record outlived its queue entry (Redis lost only part of the keys)', async () => {
    // A loss that is not atomic (keys deleted one by one, writes lost in a failover) can leave a job's hash without
    // its entry in the wait list. BullMQ then reports the job 'unknown' yet treats adding it again as a duplicate.
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.dapr' } })
    const opId = operationIdOf(put)
    const { queue } = rp.api.app.services
    const redis = new Redis(rp.config.redisUrl)
    try {
      await redis.del(`${rp.config.queuePrefix}:${OPERATIONS_QUEUE}:wait`)
      expect(await redis.exists(`${rp.config.queuePrefix}:${OPERATIONS_QUEUE}:${opId}`)).toBe(1)
    } finally {
      redis.disconnect()
    }
    expect(await queue.queue.getJobState(opId)).toBe('unknown')

    expect(await redeliverOrphanedOperations(rp.db, queue, { graceMs: 0, batchSize: 100 })).toBe(1)
    expect(await queue.queue.getJobState(opId)).toBe('waiting')
    await rp.startWorker()
    expect((await settled(rp, asyncUrl(put))).status).toBe('Succeeded')
  })
})

describe('operation deadline', () => {
  let rp: Rp
  beforeAll(async () => {
    rp = await startRp({ OPERATION_DEADLINE_SECONDS: '2' })
  })
  afterAll(() => rp?.close())

  it('fails an operation no job is running once it is past the deadline', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.dapr' } })
    await rp.flushQueue()
    const options = { batchSize: 100, deadlineSeconds: 2, slackMs: 0 }
    expect(await failOverdueOperations(rp.db, options)).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 2100))
    expect(await failOverdueOperations(rp.db, options)).toBe(1)
    expect(await failOverdueOperations(rp.db, options)).toBe(0)

    const status = await settled(rp, asyncUrl(put))
    expect(status).toMatchObject({ status: 'Failed', error: { code: 'OperationDeadlineExceeded' } })
    expect(status.error.message).toContain('OPERATION_DEADLINE_SECONDS')
    const got = await call<Body>(rp, 'GET', `${extensionPath(sub, 'dapr')}?${EXTENSION_API}`)
    expect(got.body.properties).toMatchObject({
      provisioningState: 'Failed',
      errorInfo: { code: 'OperationDeadlineExceeded' },
      statuses: [{ code: 'OperationDeadlineExceeded', level: 'Error', displayStatus: 'Failed' }],
    })
  })

  it('fails a hung install at the deadline, frees the extension, and the next request succeeds', async () => {
    await rp.startWorker()
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    await addFault(rp, { kind: 'hang', clusterId: clusterPath(sub), durationMs: 600_000 })
    const put = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    const status = await settled(rp, asyncUrl(put), 10_000)
    expect(status).toMatchObject({ status: 'Failed', error: { code: 'OperationDeadlineExceeded' } })
    expect(new Date(status.endTime).getTime() - new Date(status.startTime).getTime()).toBeGreaterThanOrEqual(2000)

    await call(rp, 'POST', '/admin/simulator/reset', { clusterId: clusterPath(sub) })
    const retry = await call(rp, 'PUT', `${extensionPath(sub, 'flux')}?${EXTENSION_API}`, { properties: { extensionType: 'microsoft.flux' } })
    expect(retry.status).toBe(200)
    expect((await settled(rp, asyncUrl(retry))).status).toBe('Succeeded')
    const ops = await until(
      () => allTerminal(rp.db, sub),
      (all) => all.length === 2,
    )
    expect(ops.map((op) => [op.kind, op.status])).toEqual([
      ['extension.install', 'Failed'],
      ['extension.update', 'Succeeded'],
    ])
  })
})
