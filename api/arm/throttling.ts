// ARM request quotas (docs/arm-rules.md rules 55-56) as Azure applies them since 2024: token buckets per operation type (reads,
// writes, deletes), one per subscription and principal plus one per subscription shared by all its principals at
// THROTTLE_GLOBAL_MULTIPLIER times the size and rate. Remaining tokens are reported in
// x-ms-ratelimit-remaining-subscription-* and -subscription-global-*; an empty bucket is 429 with Retry-After, the
// whole seconds until it holds a token again. THROTTLING=off: no buckets, no headers, no Redis.
// The subscription is the route's decoded subscriptionId parameter, case-folded: the same reading authorization and
// storage use, so '%37e00…' or '7E00…' spend the buckets of '7e00…'. Requests that name no valid subscription (an
// unrouted or misspelt path, a subscription that is not a GUID, the tenant-level operations list) spend a bucket of
// the client's address instead (sized like a principal's), reported in x-ms-ratelimit-remaining-tenant-* as ARM does
// for tenant requests. The principal is the token's object id, else its application id, else the anonymous caller
// of dev mode (api/auth/principal.ts).
// No request waits on Redis: buckets live in each api (token-buckets.ts) and throttle-sync.ts shares them across apis
// every THROTTLE_SYNC_MS (I). Each api draws only on its share (1/N of the level for N apis drawing on a bucket), so
// one api alone is an exact token bucket and N apis overshoot one exact bucket only by what a sync cannot know yet:
// an api syncing gets its share of a level that lacks what the other apis spent since their own last sync, so each
// sync interval adds at most (N − 1)/N × the tokens the other apis admitted in that interval (less than
// rate × I at a steady pace, (N − 1)/N × the bucket in the worst burst); an api meeting a bucket for
// the first time starts from 1/N of a full one. The excess is owed in Redis and paid back before the bucket gives
// again, so over time the rate is exact. The other way round, an api hands out no more than its share before its
// next sync: a burst shorter than I that reaches one api of N gets 1/N of the bucket at once and the rest after a
// sync. See README, Throttling.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { RouteConfig } from './arm-hooks.js'
import type { RedisClient } from '../../core/redis.js'
import type { ThrottleConfig, TokenBucketLimit } from '../../core/config.js'
import { inProcessOperator } from '../auth/in-process.js'
import { ArmErrors } from './errors.js'
import { requestKind } from './request-reading.js'
import { isSubscriptionId } from './resource-id.js'
import { ThrottleSync } from './throttle-sync.js'
import { BucketTable, type SharedBucket } from './token-buckets.js'

type Budget = 'reads' | 'writes' | 'deletes'

/** Whose buckets a request spends: the principal's (or client's) own, and for a subscription the shared one. */
interface ThrottleSubject {
  scope: 'subscription' | 'tenant'
  /** Bucket key up to the operation type. */
  own: string
  shared: string | null
  describeOwn: string
  describeShared: string
}

/** Whose budget a request spends, or null for requests outside the ARM surface (health, operator endpoints). */
function throttleSubject(request: FastifyRequest, config: RouteConfig): ThrottleSubject | null {
  if (!request.is404 && !config.arm) return null
  if (inProcessOperator(request)) return null // the api's own requests (SEED_FILE) spend no caller's budget
  const subscriptionId = request.is404 ? undefined : (request.params as { subscriptionId?: unknown }).subscriptionId
  if (typeof subscriptionId === 'string' && isSubscriptionId(subscriptionId)) {
    const subscription = subscriptionId.toLowerCase()
    const principal = request.auth.principal
    // Keys: the principal's text (token claims) comes last but for the operation type, so no two principals share one.
    const who = principal?.objectId !== undefined ? `oid:${principal.objectId}` : principal?.appId !== undefined ? `app:${principal.appId}` : 'anonymous'
    return {
      scope: 'subscription',
      own: `subscription:${subscription}:principal:${who}`,
      shared: `subscription:${subscription}:all`,
      describeOwn: `subscription '${subscription}' and principal '${principal?.objectId ?? principal?.appId ?? 'anonymous'}'`,
      describeShared: `subscription '${subscription}' across all principals`,
    }
  }
  return { scope: 'tenant', own: `client:${request.ip}`, shared: null, describeOwn: `client '${request.ip}'`, describeShared: '' }
}

/** Fills every bucket again (POST /admin/reset): this api's, and the shared state in Redis the other apis sync with. */
export type ThrottleReset = () => Promise<void>

export interface Throttling {
  /** Spends a token of the request's buckets and reports what is left; throws 429 when one is empty. Null when THROTTLING=off. */
  check: ((request: FastifyRequest, reply: FastifyReply, config: RouteConfig) => void) | null
  reset: ThrottleReset
}

export function registerThrottling(app: FastifyInstance, redis: RedisClient, keyPrefix: string, config: ThrottleConfig | null): Throttling {
  if (!config) return { check: null, reset: async () => undefined }
  const own: Record<Budget, TokenBucketLimit> = { reads: config.reads, writes: config.writes, deletes: config.deletes }
  const shared = (limit: TokenBucketLimit): TokenBucketLimit => ({ bucket: limit.bucket * config.globalMultiplier, perSecond: limit.perSecond * config.globalMultiplier })
  const sharedLimits: Record<Budget, TokenBucketLimit> = { reads: shared(config.reads), writes: shared(config.writes), deletes: shared(config.deletes) }
  const table = new BucketTable()
  // One hash tag for every throttle key: a sync's script call touches many buckets and must stay on one Cluster slot.
  const sync = new ThrottleSync(redis, table, { keyPrefix: `${keyPrefix}:{throttle}`, intervalMs: config.syncIntervalMs }, app.log)
  app.addHook('onReady', async () => sync.start())
  app.addHook('onClose', () => sync.stop())

  const describeLimit = (limit: TokenBucketLimit) => `${limit.bucket} tokens refilled at ${limit.perSecond} per second`

  // Synchronous: nothing on this path waits, so a request costs no round trip and no promise here.
  const check = (request: FastifyRequest, reply: FastifyReply, routeConfig: RouteConfig): void => {
    const subject = throttleSubject(request, routeConfig)
    if (!subject) return
    const budget: Budget = `${requestKind(request.method)}s`
    const now = performance.now()
    const ownBucket = table.bucket(`${subject.own}:${budget}`, own[budget], now)
    const sharedBucket: SharedBucket | null = subject.shared === null ? null : table.bucket(`${subject.shared}:${budget}`, sharedLimits[budget], now)
    const ownHasToken = ownBucket.hasToken(now)
    const sharedHasToken = sharedBucket?.hasToken(now) ?? true
    if (ownHasToken && sharedHasToken) {
      ownBucket.take(now)
      sharedBucket?.take(now)
    }
    reply.header(`x-ms-ratelimit-remaining-${subject.scope}-${budget}`, String(ownBucket.remaining()))
    if (sharedBucket) reply.header(`x-ms-ratelimit-remaining-subscription-global-${budget}`, String(sharedBucket.remaining()))
    if (ownHasToken && sharedHasToken) return
    // The principal's own bucket is named when both are empty; Retry-After waits for both.
    const empty = [
      ownHasToken ? null : { bucket: ownBucket, describe: subject.describeOwn, limit: own[budget] },
      sharedHasToken || !sharedBucket ? null : { bucket: sharedBucket, describe: subject.describeShared, limit: sharedLimits[budget] },
    ].filter((entry) => entry !== null)
    const retryAfter = Math.max(...empty.map((entry) => entry.bucket.secondsUntilToken()))
    throw ArmErrors.requestsThrottled(budget, empty[0]!.describe, describeLimit(empty[0]!.limit), retryAfter)
  }

  const reset = async () => {
    table.clear()
    await sync.forgetShared()
  }
  return { check, reset }
}
