// ARM request quotas (ARM-CONTRACT 55-56): per-subscription hourly read/write/delete budgets counted in Redis,
// reported in x-ms-ratelimit-remaining-subscription-* headers, and 429 with Retry-After when spent. Redis trouble
// never blocks a request: the limiter fails open and simply omits the headers.
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { ArmError } from './errors.js'

export interface ThrottleLimits {
  readsPerHour: number
  writesPerHour: number
  deletesPerHour: number
}

type Budget = 'reads' | 'writes' | 'deletes'

const SUBSCRIPTION_IN_PATH = /^\/subscriptions\/([^/?]+)/i
const WINDOW_SECONDS = 3600
/** A limiter round trip slower than this is skipped rather than waited for. */
const REDIS_TIMEOUT_MS = 250

function budgetOf(method: string): Budget {
  if (method === 'GET' || method === 'HEAD') return 'reads'
  return method === 'DELETE' ? 'deletes' : 'writes'
}

async function withTimeout<T>(promise: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), REDIS_TIMEOUT_MS)))])
  } finally {
    clearTimeout(timer)
  }
}

export function registerThrottling(app: FastifyInstance, redis: Redis, keyPrefix: string, limits: ThrottleLimits): void {
  const limitOf: Record<Budget, number> = { reads: limits.readsPerHour, writes: limits.writesPerHour, deletes: limits.deletesPerHour }
  app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.config.arm) return
    const subscription = SUBSCRIPTION_IN_PATH.exec(request.url)?.[1]?.toLowerCase()
    if (!subscription) return
    const budget = budgetOf(request.method)
    const window = Math.floor(Date.now() / 1000 / WINDOW_SECONDS)
    const key = `${keyPrefix}:throttle:${subscription}:${budget}:${window}`
    let used: number | undefined
    try {
      const result = await withTimeout(redis.multi().incr(key).expire(key, WINDOW_SECONDS + 60).exec())
      const count = result?.[0]?.[1]
      used = typeof count === 'number' ? count : undefined
    } catch {
      used = undefined // fail open
    }
    if (used === undefined) return
    const remaining = Math.max(0, limitOf[budget] - used)
    reply.header(`x-ms-ratelimit-remaining-subscription-${budget}`, String(remaining))
    if (used > limitOf[budget]) {
      const retryAfter = WINDOW_SECONDS - (Math.floor(Date.now() / 1000) % WINDOW_SECONDS)
      throw new ArmError(
        429,
        'SubscriptionRequestsThrottled',
        `Number of ${budget} requests for subscription '${subscription}' exceeded the limit of ${limitOf[budget]} per hour. Please try again after ${retryAfter} seconds.`,
        undefined,
        undefined,
        { 'retry-after': String(retryAfter) },
      )
    }
  })
}
