// Redis Cluster (issue #15, Deliver 3): three cluster nodes of our own on private loopback ports, the api and a
// worker process pointed at them with REDIS_CLUSTER_NODES, and an extension installed and deleted across them.
// Needs redis-server and redis-cli on PATH (Debian: apt-get install redis-server); skipped, and says so, without.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../core/config.js'
import { ServiceUnavailableError, assertRedisReachable } from '../../core/preflight.js'
import { OPERATIONS_QUEUE, OperationQueue, queueConnection } from '../../core/queue.js'
import { EXTENSION_API, POLL, call, extensionPath, freshSubscription, provisioningState, registerCluster } from '../helpers/harness.js'
import { operationIdOf, settled, startRp, type Rp } from './helpers/rp.js'

describe('REDIS_CLUSTER_NODES', () => {
  const nodes = 'redis://:pw@10.0.0.1:7000, redis://:pw@10.0.0.2:7001'

  it('selects a cluster and puts the queue prefix in a hash tag; one server keeps its keys as they were', () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: nodes, QUEUE_PREFIX: 'rp1' })
    expect(config).toMatchObject({ redisClusterNodes: ['redis://:pw@10.0.0.1:7000', 'redis://:pw@10.0.0.2:7001'], redisUrl: 'redis://:pw@10.0.0.1:7000', queuePrefix: '{rp1}' })
    expect(loadConfig({ QUEUE_PREFIX: 'rp1' })).toMatchObject({ redisClusterNodes: [], redisUrl: 'redis://127.0.0.1:6379', queuePrefix: 'rp1' })
  })

  it.each([
    [{ REDIS_CLUSTER_NODES: nodes, REDIS_URL: 'redis://10.0.0.9:6379' }, /REDIS_URL and REDIS_CLUSTER_NODES are both set/],
    [{ REDIS_CLUSTER_NODES: 'redis://:pw@10.0.0.1:7000,redis://:other@10.0.0.2:7001' }, /differ in scheme or credentials/],
    [{ REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000,rediss://10.0.0.2:7001' }, /differ in scheme or credentials/],
    [{ REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000/2' }, /entry 1 \(redis:\/\/10\.0\.0\.1:7000\/2\) names a database/],
    [{ REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000,10.0.0.2:7001' }, /entry 2 is not a URL such as redis:\/\/10\.0\.0\.1:6379/],
    [{ REDIS_CLUSTER_NODES: 'http://10.0.0.1:7000' }, /entry 1 .* is not a redis:\/\/ or rediss:\/\/ URL/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(message)
  })

  it('never prints a node password in a refusal', () => {
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis://:secret-pw@10.0.0.1:7000/3' })).toThrow(/redis:\/\/:\*\*\*@10\.0\.0\.1:7000\/3/)
  })

  it('fails startup with one line naming the nodes when none answers', async () => {
    const closed = [await freeNodePort(), await freeNodePort()].map((port) => `redis://127.0.0.1:${port}`)
    const check = assertRedisReachable(closed[0]!, 1000, closed)
    await expect(check).rejects.toThrow(ServiceUnavailableError)
    await expect(check).rejects.toThrow(`Redis is not reachable at the Redis Cluster nodes ${closed.join(', ')}`)
  })
})

const missing = ['redis-server', 'redis-cli'].filter((binary) => spawnSync('which', [binary]).status !== 0)
if (missing.length) console.warn(`redis-cluster.test.ts skipped: ${missing.join(' and ')} not installed (Debian: apt-get install redis-server)`)
const suite = missing.length ? describe.skip : describe

/** A cluster node also listens on its port + 10000 (the cluster bus), so both must be free. */
async function freeNodePort(): Promise<number> {
  const isFree = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = net.createServer()
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
    })
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000)
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port
  }
  throw new Error('no free port pair for a Redis Cluster node')
}

interface LocalCluster {
  /** redis:// URLs of the nodes, as REDIS_CLUSTER_NODES takes them. */
  nodes: string[]
  stop(): Promise<void>
}

const redisCli = (...args: string[]) => spawnSync('redis-cli', args, { encoding: 'utf8', timeout: 30_000 })

async function startLocalCluster(size: number): Promise<LocalCluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'arcext-redis-cluster-'))
  const servers: ChildProcess[] = []
  const stop = async () => {
    const exited = (server: ChildProcess) => new Promise<void>((resolve) => (server.exitCode !== null || server.signalCode !== null ? resolve() : server.once('exit', () => resolve())))
    await Promise.all(servers.map((server) => (server.kill('SIGKILL'), exited(server))))
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    const ports: number[] = []
    for (let i = 0; i < size; i++) {
      const port = await freeNodePort()
      ports.push(port)
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', dir, '--save', '', '--appendonly', 'no']
      const server = spawn('redis-server', args, { stdio: 'ignore' })
      servers.push(server)
    }
    const sleep = promisify(setTimeout)
    for (const port of ports) {
      for (let tries = 0; redisCli('-p', String(port), 'ping').stdout.trim() !== 'PONG'; tries++) {
        if (tries > 100) throw new Error(`redis-server on port ${port} did not answer`)
        await sleep(50)
      }
    }
    const create = redisCli('--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes')
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`)
    // Every node must have learnt the whole slot map before a client relies on any of them.
    for (const port of ports) {
      for (let tries = 0; !redisCli('-p', String(port), 'cluster', 'info').stdout.includes('cluster_state:ok'); tries++) {
        if (tries > 200) throw new Error(`the cluster node on port ${port} did not reach cluster_state:ok`)
        await sleep(50)
      }
    }
    return { nodes: ports.map((port) => `redis://127.0.0.1:${port}`), stop }
  } catch (error) {
    await stop()
    throw error
  }
}

suite('on a three-node Redis Cluster', () => {
  let cluster: LocalCluster
  let rp: Rp
  let client: Cluster

  beforeAll(async () => {
    cluster = await startLocalCluster(3)
    rp = await startRp({ REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.nodes.join(',') })
    await rp.spawnWorker()
    client = new Cluster(cluster.nodes.map((node) => ({ host: '127.0.0.1', port: Number(new URL(node).port) })))
  }, 90_000)
  afterAll(async () => {
    client?.disconnect()
    await rp?.close()
    await cluster?.stop()
  })

  it('runs from three masters that share the slots', async () => {
    const masters = (await client.cluster('SHARDS')) as unknown[]
    expect(masters).toHaveLength(3)
    expect(rp.config.queuePrefix).toMatch(/^\{.+\}$/)
  })

  it('installs and deletes an extension, with every key of the queue in the slot of the prefix', async () => {
    const sub = freshSubscription()
    await registerCluster(rp, sub)
    const url = `${extensionPath(sub, 'flux')}?${EXTENSION_API}`
    const put = await call(rp, 'PUT', url, { properties: { extensionType: 'microsoft.flux' } })
    expect(put.status).toBe(201)
    // The throttle counters reach the cluster too: without a cluster client the limiter fails open and omits this.
    expect(put.headers.get('x-ms-ratelimit-remaining-subscription-writes')).toMatch(/^\d+$/)
    expect(await settled(rp, put.headers.get('azure-asyncoperation')!)).toMatchObject({ status: 'Succeeded' })
    expect(await provisioningState(rp, url)).toBe('Succeeded')

    const jobKey = `${rp.config.queuePrefix}:${OPERATIONS_QUEUE}:${operationIdOf(put)}`
    expect(await client.hget(jobKey, 'finishedOn')).toMatch(/^\d+$/)
    const tag = rp.config.queuePrefix.slice(1, -1)
    expect(await client.cluster('KEYSLOT', jobKey)).toBe(await client.cluster('KEYSLOT', tag))
    // The queue UI reads the same keys (the api's Queue, with the hash-tagged prefix) and the cluster's stats.
    const job = await call<{ job: { id: string; data: unknown } }>(rp, 'GET', `/admin/queues/api/queues/operations/${operationIdOf(put)}`)
    expect(job.status).toBe(200)
    expect(job.body.job).toMatchObject({ id: operationIdOf(put), data: { operationId: operationIdOf(put) } })
    expect((await call(rp, 'GET', '/admin/queues/api/redis/stats')).status).toBe(200)

    const del = await call(rp, 'DELETE', url)
    expect(del.status).toBe(202)
    expect(await settled(rp, del.headers.get('azure-asyncoperation')!)).toMatchObject({ status: 'Succeeded' })
    await expect.poll(() => call(rp, 'GET', url).then((response) => response.status), POLL).toBe(404)
  })

  it('needs the hash tag: a prefix without one has BullMQ refused, its keys spread over slots', async () => {
    const connection = queueConnection(rp.config)
    const untagged = new OperationQueue(connection.options, rp.config.queuePrefix.slice(1, -1))
    try {
      await expect(untagged.enqueueMany([{ id: 'no-such-operation', kind: 'extension.install' }])).rejects.toThrow(/CROSSSLOT|same slot/)
    } finally {
      await untagged.close()
      connection.close()
    }
  })
})
