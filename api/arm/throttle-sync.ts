// Brings this api's token buckets (token-buckets.ts) in line with the other apis', off the request path: every sync
// interval one pipelined script call per 500 buckets tells Redis what each bucket spent here and answers the
// cluster-wide level and how many apis draw on it. Redis keeps the level in Redis time, so api clocks need not agree.
// A level may fall below zero (tokens several apis handed out in the same interval): that debt is paid back before
// anyone gets a token again, so the long-run rate holds exactly; it is floored at minus one bucket.
// Redis trouble never blocks a request: a sync that fails or takes longer than an interval leaves each api limiting
// alone (an N-api cluster then admits up to N times the budgets) and its spend is not carried over.
import { createHash, randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { Cluster } from 'ioredis'
import type { RedisClient } from '../../core/redis.js'
import { waitUnlessAborted } from '../../core/abortable-wait.js'
import type { BucketTable, SharedBucket } from './token-buckets.js'

// KEYS[1]: apis heard lately (sorted set: api id -> Redis time in ms of its last sync); KEYS[2..]: one hash per bucket
// (level, at, born, and api:<id> -> last sync for each api drawing on it). ARGV: api id, how long an api counts as
// present (ms), how long a bucket counts as young (ms), then per bucket: tokens spent, how many ms ago the last of
// them was, capacity, tokens per ms. Answers the number of apis, then per bucket its level (as text: Lua numbers come
// back truncated to integers) and the number of apis drawing on it. A young bucket counts every api as drawing on it:
// one that met it just now has not synced it yet, and must not find its share handed to the first api that did.
const SYNC_SCRIPT = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local me, window, young = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now, me)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('PEXPIRE', KEYS[1], window * 2)
local alive = redis.call('ZCARD', KEYS[1])
local reply = { alive }
for i = 2, #KEYS do
  local base = 4 + (i - 2) * 4
  local spend, ago, capacity, rate = tonumber(ARGV[base]), tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  local stored = redis.call('HMGET', KEYS[i], 'level', 'at', 'born')
  local level = tonumber(stored[1]) or capacity
  local born = tonumber(stored[3]) or now
  -- a bucket Redis has not seen (or has let expire, being full) was full when the spending happened
  local at = tonumber(stored[2]) or (now - ago)
  local spentAt = math.max(at, now - ago)
  level = math.min(capacity, level + (spentAt - at) * rate) - spend
  level = math.max(-capacity, math.min(capacity, level + (now - spentAt) * rate))
  redis.call('HSET', KEYS[i], 'level', tostring(level), 'at', string.format('%d', now), 'born', string.format('%d', born), 'api:' .. me, string.format('%d', now))
  local sharing = 0
  local fields = redis.call('HGETALL', KEYS[i])
  for f = 1, #fields, 2 do
    if string.sub(fields[f], 1, 4) == 'api:' then
      if tonumber(fields[f + 1]) < now - window then redis.call('HDEL', KEYS[i], fields[f]) else sharing = sharing + 1 end
    end
  end
  if now - born < young then sharing = math.max(sharing, alive) end
  redis.call('PEXPIRE', KEYS[i], math.min(86400000, math.ceil((capacity - level) / rate) + window))
  reply[#reply + 1] = tostring(level)
  reply[#reply + 1] = sharing
end
return reply
`
const SYNC_SCRIPT_SHA = createHash('sha1').update(SYNC_SCRIPT).digest('hex')
const BUCKETS_PER_CALL = 500
/** A sync slower than this (or than one interval, if longer) is given up: the apis limit alone until the next one. */
const REDIS_TIMEOUT_MS = 250

export interface ThrottleSyncOptions {
  /** Redis key prefix of the throttle state; every key shares one hash tag, so a script call stays on one slot. */
  keyPrefix: string
  intervalMs: number
}

export class ThrottleSync {
  private readonly apiId = randomUUID()
  /** An api, and a bucket's claim on its share, lapse after this long without a sync; idle buckets are forgotten at half. */
  private readonly presenceMs: number
  private timer: NodeJS.Timeout | undefined
  private running = false
  private lastSyncAt = -Infinity
  private failing = false

  constructor(
    private readonly redis: RedisClient,
    private readonly table: BucketTable,
    private readonly options: ThrottleSyncOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.presenceMs = Math.max(3000, options.intervalMs * 10)
  }

  start(): void {
    // The first sync, at once, tells the other apis this one is here (a connection still opening would fail it).
    if (this.redis.status === 'ready') void this.tick()
    else this.redis.once('ready', () => void this.tick())
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs)
    this.timer.unref()
  }

  /** Stops syncing, and leaves the apis Redis counts at once, so the others stop keeping a share for this one. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    await waitUnlessAborted(this.redis.zrem(`${this.options.keyPrefix}:apis`, this.apiId), AbortSignal.timeout(REDIS_TIMEOUT_MS)).catch(() => undefined)
  }

  /**
   * Drops the shared state of every bucket in Redis: the apis' next syncs start them full (POST /admin/reset). All
   * throttle keys share one hash tag, so on a Redis Cluster they live on one master, whichever it is.
   */
  async forgetShared(): Promise<void> {
    for (const node of this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis]) {
      let cursor = '0'
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${this.options.keyPrefix}:*`, 'COUNT', 500)
        if (keys.length) await node.unlink(...keys)
        cursor = next
      } while (cursor !== '0')
    }
  }

  private async tick(): Promise<void> {
    if (this.running) return
    const now = performance.now()
    const due = this.table.due(now, this.presenceMs / 2)
    // With nothing to report, an idle api still says it is there now and then, so its peers share buckets with it.
    if (!due.length && now - this.lastSyncAt < this.presenceMs / 3) return
    this.running = true
    this.lastSyncAt = now
    try {
      await this.sync(due, now)
      if (this.failing) this.log.info('throttling: Redis answers again; apis share their buckets')
      this.failing = false
    } catch (error) {
      this.table.standAlone(performance.now())
      if (!this.failing) this.log.warn({ reason: (error as Error).message }, 'throttling: Redis does not answer; each api limits on its own')
      this.failing = true
    } finally {
      this.running = false
    }
  }

  private async sync(due: SharedBucket[], now: number): Promise<void> {
    const calls: { buckets: SharedBucket[]; keys: string[]; args: string[] }[] = []
    for (let start = 0; start === 0 || start < due.length; start += BUCKETS_PER_CALL) {
      const buckets = due.slice(start, start + BUCKETS_PER_CALL)
      const keys = [`${this.options.keyPrefix}:apis`, ...buckets.map((bucket) => `${this.options.keyPrefix}:${bucket.key}`)]
      // Young for two intervals: by then every api that met the bucket has synced it.
      const args = [this.apiId, String(this.presenceMs), String(this.options.intervalMs * 2)]
      for (const bucket of buckets) {
        const { spend, agoMs } = bucket.spendToReport(now)
        args.push(String(spend), String(agoMs), String(bucket.limit.bucket), String(bucket.limit.perSecond / 1000))
      }
      calls.push({ buckets, keys, args })
    }
    const replies = await waitUnlessAborted(this.run(calls), AbortSignal.timeout(Math.max(REDIS_TIMEOUT_MS, this.options.intervalMs)))
    const answeredAt = performance.now()
    calls.forEach(({ buckets }, index) => {
      const reply = replies[index]!
      this.table.apis = Math.max(1, Number(reply[0]))
      buckets.forEach((bucket, position) => bucket.synced(Number(reply[1 + position * 2]), Number(reply[2 + position * 2]), answeredAt))
    })
  }

  /** The script by its hash; sent whole when Redis does not know it (first use, or after a restart or flush). */
  private async run(calls: { keys: string[]; args: string[] }[]): Promise<unknown[][]> {
    const send = async (byHash: boolean) => {
      const pipeline = this.redis.pipeline()
      for (const { keys, args } of calls) {
        if (byHash) pipeline.evalsha(SYNC_SCRIPT_SHA, keys.length, ...keys, ...args)
        else pipeline.eval(SYNC_SCRIPT, keys.length, ...keys, ...args)
      }
      return (await pipeline.exec()) ?? []
    }
    let results = await send(true)
    if (results.some(([error]) => error?.message.startsWith('NOSCRIPT'))) results = await send(false)
    return results.map(([error, reply]) => {
      if (error) throw error
      if (!Array.isArray(reply)) throw new Error('the throttle sync script answered something other than a list')
      return reply as unknown[]
    })
  }
}
