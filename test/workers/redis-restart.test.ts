// Item 4: Redis restarting during load (every connection dropped, new ones refused for a while, and every key of
// this instance gone, as with a Redis that keeps nothing on disk) still ends with every accepted operation
// terminal and every extension as its last request left it. Requests that arrive while Redis is away are accepted
// into the outbox. The outage goes through a TCP proxy in front of the shared Redis, so only this RP loses it.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'
import { CLUSTER_API, EXTENSION_API, call, clusterPath, compatibleCluster, extensionPath, freshSubscription } from '../helpers/harness.js'
import { deleteKeysWithPrefix } from '../helpers/isolation.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'
import { allTerminal, operationIdOf, startRp, type Body, type Rp } from './helpers/rp.js'

const INSTALLED = ['c1', 'c2', 'c3']
const DELETED_DURING_OUTAGE = 'c4'
const CREATED_DURING_OUTAGE = 'c5'
const TYPES = ['microsoft.flux', 'microsoft.dapr', 'microsoft.azuremonitor.containers', 'microsoft.policyinsights']
const nameOf = (type: string) => type.split('.').pop()!

describe('a Redis restart during load', () => {
  let rp: Rp
  let proxy: TcpProxy
  beforeAll(async () => {
    const redis = new URL(inject('redisUrl'))
    proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) })
    redis.port = String(proxy.port)
    rp = await startRp({ REDIS_URL: redis.toString(), SIMULATED_STEP_LATENCY_MS: '300', WORKER_CONCURRENCY: '8' })
  })
  afterAll(async () => {
    await proxy?.restore().catch(() => undefined) // a failed test may have left it cut
    await rp?.close()
    await proxy?.close()
  })

  it('accepts requests while Redis is away and ends every accepted operation as asked', async () => {
    await rp.spawnWorker()
    await rp.startWorker()
    const sub = freshSubscription()
    for (const cluster of [...INSTALLED, DELETED_DURING_OUTAGE, CREATED_DURING_OUTAGE]) {
      expect((await call(rp, 'PUT', `${clusterPath(sub, cluster)}?${CLUSTER_API}`, compatibleCluster)).status).toBe(201)
    }
    const put = (cluster: string, type: string) =>
      call<Body>(rp, 'PUT', `${extensionPath(sub, nameOf(type), cluster)}?${EXTENSION_API}`, { properties: { extensionType: type, configurationSettings: { cluster } } })
    const started = new Set<string>()
    for (const cluster of [...INSTALLED, DELETED_DURING_OUTAGE]) {
      for (const type of TYPES) {
        const response = await put(cluster, type)
        expect(response.status).toBe(201)
        started.add(operationIdOf(response))
      }
    }

    // Mid-run: jobs are waiting, running and finishing when Redis goes away with all of this instance's keys.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const connectionsBefore = proxy.connections
    await proxy.cut()
    await deleteKeysWithPrefix(inject('redisUrl'), `${rp.config.queuePrefix}:`)
    const duringOutage = await Promise.all([
      ...TYPES.map((type) => call(rp, 'DELETE', `${extensionPath(sub, nameOf(type), DELETED_DURING_OUTAGE)}?${EXTENSION_API}`)),
      ...TYPES.map((type) => put(CREATED_DURING_OUTAGE, type)),
    ])
    expect(duringOutage.map((response) => response.status)).toEqual([...TYPES.map(() => 202), ...TYPES.map(() => 201)])
    for (const response of duringOutage) started.add(operationIdOf(response))
    expect(await rp.db.operationOutbox.count()).toBeGreaterThanOrEqual(duringOutage.length)
    await new Promise((resolve) => setTimeout(resolve, 2000))
    await proxy.restore()

    const ops = await allTerminal(rp.db, sub, 90_000)
    expect(proxy.connections).toBeGreaterThan(connectionsBefore) // every component came back through the proxy
    expect(ops.map((op) => op.id).sort()).toEqual([...started].sort())
    // Installs on c4 that the DELETEs caught in flight end Canceled; nothing else may end short of Succeeded.
    const unexpected = ops.filter((op) => op.status !== 'Succeeded' && !(op.status === 'Canceled' && op.resourceId.includes(`/${DELETED_DURING_OUTAGE}/`)))
    expect(unexpected.map((op) => [op.kind, op.resourceId, op.status, op.error])).toEqual([])
    expect(await rp.db.operationOutbox.count()).toBe(0)

    for (const cluster of [...INSTALLED, CREATED_DURING_OUTAGE]) {
      for (const type of TYPES) {
        const got = await call<Body>(rp, 'GET', `${extensionPath(sub, nameOf(type), cluster)}?${EXTENSION_API}`)
        expect(got.body.properties, `${cluster}/${nameOf(type)}`).toMatchObject({ provisioningState: 'Succeeded', configurationSettings: { cluster } })
      }
    }
    for (const type of TYPES) {
      expect((await call(rp, 'GET', `${extensionPath(sub, nameOf(type), DELETED_DURING_OUTAGE)}?${EXTENSION_API}`)).status).toBe(404)
    }
    const releases = await rp.db.simulatedRelease.findMany({ where: { cluster: { resourceId: { contains: `/${sub}/` } } }, include: { cluster: true } })
    expect(releases.filter((r) => r.cluster.name === DELETED_DURING_OUTAGE)).toEqual([])
    expect(releases.filter((r) => r.status === 'deployed')).toHaveLength((INSTALLED.length + 1) * TYPES.length)
  }, 120_000)
})
