// ARM request quotas (ARM-CONTRACT 55-56): per-subscription hourly read/write/delete budgets counted in Redis,
// reported in x-ms-ratelimit-remaining-subscription-* headers, and 429 with Retry-After when spent. Redis trouble
// never blocks a request: the limiter fails open and simply omits the headers.
// The subscription is the route's decoded subscriptionId parameter, case-folded: the same reading authorization and
// storage use, so '%37e00…' or '7E00…' spend the budget of '7e00…'. Requests that name no valid subscription (an
// unrouted or misspelt path, a subscription that is not a GUID, the tenant-level operations list) spend the budget
// of the client's address instead, reported in x-ms-ratelimit-remaining-tenant-* as ARM does for tenant requests.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { RedisClient } from '../../core/redis.js'
import { waitUnlessAborted } from '../../core/abortable-wait.js'
import { ArmError } from './errors.js'
import { requestKind } from './request-reading.js'
import { isSubscriptionId } from './resource-id.js'

export interface ThrottleLimits {
  readsPerHour: number
  writesPerHour: number
  deletesPerHour: number
}

type Budget = 'reads' | 'writes' | 'deletes'

interface ThrottleSubject {
  key: string
  scope: 'subscription' | 'tenant'
  describe: string
}
const WINDOW_SECONDS = 3600
/** A limiter round trip slower than this is skipped rather than waited for. */
const REDIS_TIMEOUT_MS = 250

function budgetOf(method: string): Budget {
  return `${requestKind(method)}s`
}

/** Whose budget a request spends, or null for requests outside the ARM surface (health, operator endpoints). */
function throttleSubject(request: FastifyRequest): ThrottleSubject | null {
  if (!request.is404 && !request.routeOptions.config.arm) return null
  const subscriptionId = request.is404 ? undefined : (request.params as { subscriptionId?: unknown }).subscriptionId
  if (typeof subscriptionId === 'string' && isSubscriptionId(subscriptionId)) {
    const subscription = subscriptionId.toLowerCase()
    return { key: `subscription:${subscription}`, scope: 'subscription', describe: `subscription '${subscription}'` }
  }
  return { key: `client:${request.ip}`, scope: 'tenant', describe: `client '${request.ip}'` }
}

export function registerThrottling(app: FastifyInstance, redis: RedisClient, keyPrefix: string, limits: ThrottleLimits): void {
  const limitOf: Record<Budget, number> = { reads: limits.readsPerHour, writes: limits.writesPerHour, deletes: limits.deletesPerHour }
  app.addHook('onRequest', async (request, reply) => {
    const subject = throttleSubject(request)
    if (!subject) return
    const budget = budgetOf(request.method)
    const window = Math.floor(Date.now() / 1000 / WINDOW_SECONDS)
    const key = `${keyPrefix}:throttle:${subject.key}:${budget}:${window}`
    let used: number | undefined
    try {
      // A slow limiter is skipped (below) like a failed one.
      const result = await waitUnlessAborted(
        redis
          .multi()
          .incr(key)
          .expire(key, WINDOW_SECONDS + 60)
          .exec(),
        AbortSignal.timeout(REDIS_TIMEOUT_MS),
      )
      const count = result?.[0]?.[1]
      used = typeof count === 'number' ? count : undefined
    } catch {
      used = undefined // fail open
    }
    if (used === undefined) return
    const remaining = Math.max(0, limitOf[budget] - used)
    reply.header(`x-ms-ratelimit-remaining-${subject.scope}-${budget}`, String(remaining))
    if (used > limitOf[budget]) {
      const retryAfter = WINDOW_SECONDS - (Math.floor(Date.now() / 1000) % WINDOW_SECONDS)
      throw new ArmError(
        429,
        'SubscriptionRequestsThrottled',
        `Number of ${budget} requests for ${subject.describe} exceeded the limit of ${limitOf[budget]} per hour. Please try again after ${retryAfter} seconds.`,
        undefined,
        undefined,
        { 'retry-after': String(retryAfter) },
      )
    }
  })
}
