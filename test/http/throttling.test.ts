// Azure's request token buckets (api/arm/throttling.ts): per subscription and principal, a global bucket per
// subscription across principals, refill, Retry-After, THROTTLING=off, no Redis command on a request's own path, and
// two apis on one Redis holding the global bucket within the documented bound. Refill rates are tiny where a test
// counts exactly, so a slow machine cannot refill a bucket between two requests.
import { once } from 'node:events'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startApi } from '../../api/server.js'
import { loadConfig } from '../../core/config.js'
import type { RedisClient } from '../../core/redis.js'
import { bearer, unsignedToken } from '../auth/support.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'
import { CLUSTER_API, call, clusterPath, freshSubscription, startHarness, withBothListeners, type Harness, type ListeningApi } from '../helpers/harness.js'

const read = (h: Pick<Harness, 'baseUrl'>, subscription: string, headers: Record<string, string> = {}) => call(h, 'GET', `${clusterPath(subscription)}?${CLUSTER_API}`, undefined, headers)
const asPrincipal = (oid: string) => bearer(unsignedToken({ oid }))
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Records the name of every command sent on the api's shared Redis connection (the one throttling uses) once it is connected. */
async function recordCommands(client: RedisClient): Promise<string[]> {
  if (!(client instanceof Redis)) throw new Error('these tests run on one Redis server')
  const redis = client
  if (redis.status !== 'ready') await once(redis, 'ready') // connecting sends INFO
  const sent: string[] = []
  const send = redis.sendCommand.bind(redis)
  redis.sendCommand = (command, stream) => {
    sent.push(command.name)
    return send(command, stream)
  }
  return sent
}

describe("Azure's default buckets", () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ worker: false })
  })
  afterAll(() => h?.close())

  it('reports a full bucket less one, per principal and across principals, and spends one token per request', async () => {
    const sub = freshSubscription()
    const first = await read(h, sub)
    expect(first.status).toBe(404)
    expect(first.headers.get('x-ms-ratelimit-remaining-subscription-reads')).toBe('249')
    expect(first.headers.get('x-ms-ratelimit-remaining-subscription-global-reads')).toBe(String(250 * 15 - 1))
    const write = await call(h, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, {})
    expect(write.status).toBe(400)
    expect(write.headers.get('x-ms-ratelimit-remaining-subscription-writes')).toBe('199')
    expect(write.headers.get('x-ms-ratelimit-remaining-subscription-global-writes')).toBe(String(200 * 15 - 1))
    const remove = await call(h, 'DELETE', `${clusterPath(sub)}?${CLUSTER_API}`)
    expect(remove.headers.get('x-ms-ratelimit-remaining-subscription-deletes')).toBe('199')
    // another principal has a bucket of its own, and spends the shared one (which refills 375 a second meanwhile)
    const other = await read(h, sub, asPrincipal('8d1f2a35-5f7a-4c39-9a52-0d3c0f1a2b44'))
    expect(other.headers.get('x-ms-ratelimit-remaining-subscription-reads')).toBe('249')
    expect(Number(other.headers.get('x-ms-ratelimit-remaining-subscription-global-reads'))).toBeGreaterThanOrEqual(250 * 15 - 2)
    expect(Number(other.headers.get('x-ms-ratelimit-remaining-subscription-global-reads'))).toBeLessThanOrEqual(250 * 15 - 1)
  })

  it('costs no Redis command on a request: spending is pushed by the background sync alone', async () => {
    // A harness of its own with a long sync interval, so no sync falls among the requests once the first (at start)
    // is done.
    const quiet = await startHarness({ worker: false, env: { THROTTLE_SYNC_MS: '10000' } })
    try {
      await pause(300)
      const sent = await recordCommands(quiet.api.app.services.redis)
      const sub = freshSubscription()
      for (let i = 0; i < 30; i++) expect((await read(quiet, sub)).status).toBe(404)
      expect((await call(quiet, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, {})).status).toBe(400)
      // One command per request would be 31 here.
      expect(sent).toEqual([])
    } finally {
      await quiet.close()
    }
  })
})

describe('a small bucket', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({
      worker: false,
      env: { THROTTLE_READS_BUCKET: '3', THROTTLE_READS_PER_SECOND: '0.001', THROTTLE_GLOBAL_MULTIPLIER: '2', THROTTLE_WRITES_BUCKET: '2', THROTTLE_WRITES_PER_SECOND: '4' },
    })
  })
  afterAll(() => h?.close())

  it("answers 429 SubscriptionRequestsThrottled once a principal's bucket is empty, with Retry-After until a token", async () => {
    const sub = freshSubscription()
    const answers = []
    for (let i = 0; i < 4; i++) answers.push(await read(h, sub))
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 429])
    expect(answers.map((a) => a.headers.get('x-ms-ratelimit-remaining-subscription-reads'))).toEqual(['2', '1', '0', '0'])
    expect(answers[3]!.body).toMatchObject({ error: { code: 'SubscriptionRequestsThrottled' } })
    expect((answers[3]!.body as { error: { message: string } }).error.message).toContain(`subscription '${sub}' and principal 'anonymous'`)
    // 0.001 tokens a second: a whole token is about 1000 seconds away
    expect(Number(answers[3]!.headers.get('retry-after'))).toBeGreaterThan(900)
    expect(Number(answers[3]!.headers.get('retry-after'))).toBeLessThanOrEqual(1000)
  })

  it('limits all principals of a subscription together with the global bucket, each principal keeping its own', async () => {
    const sub = freshSubscription()
    const principals = ['0b7c61f1-0001-4000-8000-000000000001', '0b7c61f1-0002-4000-8000-000000000002', '0b7c61f1-0003-4000-8000-000000000003']
    const statuses: number[] = []
    for (const principal of principals) for (let i = 0; i < 3; i++) statuses.push((await read(h, sub, asPrincipal(principal))).status)
    // the global bucket holds 2 × 3 = 6: the third principal finds it empty though its own bucket is full
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 429, 429, 429])
    const refused = await read(h, sub, asPrincipal(principals[2]!))
    expect(refused.headers.get('x-ms-ratelimit-remaining-subscription-reads')).toBe('3')
    expect(refused.headers.get('x-ms-ratelimit-remaining-subscription-global-reads')).toBe('0')
    expect((refused.body as { error: { message: string } }).error.message).toContain('across all principals')
    // another subscription is untouched
    expect((await read(h, freshSubscription(), asPrincipal(principals[2]!))).status).toBe(404)
  })

  it('refills at the configured rate, and says to retry after one second when a token is that close', async () => {
    const sub = freshSubscription()
    const put = () => call(h, 'PUT', `${clusterPath(sub)}?${CLUSTER_API}`, {})
    const answers = [await put(), await put(), await put()]
    expect(answers.map((a) => a.status)).toEqual([400, 400, 429])
    expect(answers[2]!.headers.get('retry-after')).toBe('1')
    await pause(300) // 4 tokens a second: one is back (a token every 250 ms, so three quick PUTs still met an empty bucket)
    expect((await put()).status).toBe(400)
  })
})

describe('THROTTLING=off', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({ worker: false, env: { THROTTLING: 'off', THROTTLE_READS_BUCKET: '1' } })
  })
  afterAll(() => h?.close())

  it('throttles nothing, sends no headers and no Redis commands', async () => {
    const sent = await recordCommands(h.api.app.services.redis)
    const sub = freshSubscription()
    const answers = []
    for (let i = 0; i < 5; i++) answers.push(await read(h, sub))
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404, 404])
    for (const answer of answers) expect([...answer.headers.keys()].filter((name) => name.startsWith('x-ms-ratelimit'))).toEqual([])
    await pause(400) // two default sync intervals: nothing runs in the background either
    expect(sent).toEqual([])
  })
})

describe('two apis sharing one Redis', () => {
  let h: Harness
  let second: ListeningApi
  const syncMs = 50
  beforeAll(async () => {
    h = await startHarness({
      worker: false,
      env: { THROTTLE_READS_BUCKET: '5', THROTTLE_READS_PER_SECOND: '0.001', THROTTLE_GLOBAL_MULTIPLIER: '2', THROTTLE_SYNC_MS: String(syncMs) },
    })
    second = withBothListeners(await startApi(h.config))
    // Each api hears of the other within a third of its presence window (10 sync intervals, at least 3 seconds).
    await pause(1300)
  })
  afterAll(async () => {
    await second?.stop()
    await h?.close()
  })

  it('holds the global bucket across both within the documented bound, and both refuse once they have synced', async () => {
    const apis = [h, { baseUrl: second.httpUrl }]
    const sub = freshSubscription()
    const principals = ['5a0e0c7e-0001-4000-8000-00000000000a', '5a0e0c7e-0002-4000-8000-00000000000b', '5a0e0c7e-0003-4000-8000-00000000000c', '5a0e0c7e-0004-4000-8000-00000000000d']
    let admitted = 0
    let request = 0
    // 4 principals × 5 tokens of their own, but the global bucket holds 2 × 5 = 10; requests alternate between apis,
    // in rounds two sync intervals apart, so each api's share is rebalanced as the other spends.
    for (let round = 0; round < 6; round++) {
      for (const principal of principals) {
        const answer = await read(apis[request++ % 2]!, sub, asPrincipal(principal))
        if (answer.status === 404) admitted += 1
        else expect(answer.status).toBe(429)
      }
      await pause(syncMs * 2)
    }
    // One exact bucket admits 10; two apis each limiting alone would admit 20. The bound (api/arm/throttling.ts):
    // at most (N − 1)/N of one bucket more in the worst burst, owed afterwards.
    expect(admitted).toBeGreaterThanOrEqual(10)
    expect(admitted).toBeLessThanOrEqual(15)
    await pause(syncMs * 4)
    for (const api of apis) {
      const answer = await read(api, sub, asPrincipal('5a0e0c7e-0005-4000-8000-00000000000e'))
      expect(answer.status).toBe(429)
      expect(answer.headers.get('x-ms-ratelimit-remaining-subscription-global-reads')).toBe('0')
    }
  })

  it('admits no more than the documented bound in a burst faster than a sync', async () => {
    const apis = [h, { baseUrl: second.httpUrl }]
    const sub = freshSubscription()
    const principals = ['5a0e0c7e-0006-4000-8000-00000000000f', '5a0e0c7e-0007-4000-8000-000000000010']
    // Concurrent requests, half to each api: each holds 2.5 of a principal's 5 tokens and 5 of the global 10 until
    // it syncs; the bound allows (N − 1)/N of the bucket more than 10.
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => read(apis[i % 2]!, sub, asPrincipal(principals[Math.floor(i / 2) % 2]!))))
    const admitted = answers.filter((answer) => answer.status === 404).length
    expect(answers.filter((answer) => answer.status !== 404 && answer.status !== 429)).toEqual([])
    expect(admitted).toBeLessThanOrEqual(15)
  })
})

describe('Redis out of reach', () => {
  let h: Harness
  let proxy: TcpProxy
  beforeAll(async () => {
    const redis = new URL(inject('redisUrl'))
    proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) })
    redis.port = String(proxy.port)
    h = await startHarness({ worker: false, env: { REDIS_URL: redis.toString(), THROTTLE_READS_BUCKET: '3', THROTTLE_READS_PER_SECOND: '0.001', THROTTLE_SYNC_MS: '50' } })
  })
  afterAll(async () => {
    await proxy?.restore().catch(() => undefined) // a failed test may have left it cut
    await h?.close()
    await proxy?.close()
  })

  it('never holds a request up: the api goes on limiting with its own buckets, and shares them again when Redis is back', async () => {
    const sub = freshSubscription()
    expect((await read(h, sub)).status).toBe(404)
    await pause(200) // synced: Redis holds 2 of 3 tokens
    await proxy.cut()
    await pause(200) // a sync or two fail
    const during = []
    for (let i = 0; i < 3; i++) {
      const started = performance.now()
      during.push({ answer: await read(h, sub), ms: performance.now() - started })
    }
    expect(during.map(({ answer }) => answer.status)).toEqual([404, 404, 429])
    for (const { ms } of during) expect(ms).toBeLessThan(1000)
    await proxy.restore()
    // Back in touch, the api syncs again and takes the level Redis holds (2 tokens: the spending during the outage is
    // not carried over), so the subscription it had to refuse alone is served again.
    await expect.poll(async () => (await read(h, sub)).status, { timeout: 10_000, interval: 100 }).toBe(404)
  })
})

describe('throttle configuration', () => {
  it("defaults to Azure's buckets and reads each variable", () => {
    expect(loadConfig({}).throttle).toEqual({
      reads: { bucket: 250, perSecond: 25 },
      writes: { bucket: 200, perSecond: 10 },
      deletes: { bucket: 200, perSecond: 10 },
      globalMultiplier: 15,
      syncIntervalMs: 200,
    })
    expect(loadConfig({ THROTTLING: 'off' }).throttle).toBeNull()
    expect(loadConfig({ THROTTLE_DELETES_BUCKET: '7', THROTTLE_DELETES_PER_SECOND: '0.5', THROTTLE_GLOBAL_MULTIPLIER: '3' }).throttle).toMatchObject({
      deletes: { bucket: 7, perSecond: 0.5 },
      globalMultiplier: 3,
    })
  })

  it.each([
    [{ THROTTLING: 'no' }, 'THROTTLING=no is not on or off'],
    [{ THROTTLE_READS_BUCKET: '0' }, 'THROTTLE_READS_BUCKET=0 is not an integer between 1 and 1000000000'],
    [{ THROTTLE_WRITES_PER_SECOND: '0' }, 'THROTTLE_WRITES_PER_SECOND=0 is not a number above 0'],
    [{ THROTTLE_WRITES_PER_SECOND: '1e3' }, 'THROTTLE_WRITES_PER_SECOND=1e3 is not a number above 0'],
    [{ THROTTLE_SYNC_MS: '5' }, 'THROTTLE_SYNC_MS=5 is not an integer between 10 and 10000'],
    [{ THROTTLE_READS_PER_HOUR: '12000' }, 'THROTTLE_READS_PER_HOUR is no longer read: throttling uses token buckets; set THROTTLE_READS_BUCKET and THROTTLE_READS_PER_SECOND'],
  ])('refuses %j in one line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message)
    try {
      loadConfig(env)
    } catch (error) {
      expect((error as Error).message).not.toContain('\n')
    }
  })
})
