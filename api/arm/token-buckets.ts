// This api's side of the cluster's token buckets (api/arm/throttling.ts decides which buckets a request spends).
// Requests take tokens here, never waiting on Redis; throttle-sync.ts tells Redis what was spent every sync interval
// and hands back the cluster-wide level and how many apis draw on each bucket. Each api then owns an equal share of
// that level and refills at that share of the rate, so the shares add up to one bucket and one api alone is an exact
// token bucket. Times are this process's monotonic clock in milliseconds; Redis keeps its own.
import type { TokenBucketLimit } from '../../core/config.js'

export class SharedBucket {
  /** Tokens this api may still hand out: its share of the cluster's level, refilled at its share of the rate. */
  private allowance: number
  /** The cluster's level as last heard, refilled and less what this api spent since: what the headers report. */
  private clusterLevel: number
  /** 1 / the number of apis drawing on this bucket. */
  private share: number
  private updatedAt: number
  /** Tokens spent here that Redis has not been told of, and when the last of them was. */
  private unsynced = 0
  private lastSpentAt = 0
  /** A request asked for a token since the last sync. */
  private asked = false
  /** When a request last asked; a bucket nobody asks for is forgotten (see BucketTable.due). */
  askedAt: number

  constructor(
    readonly key: string,
    readonly limit: TokenBucketLimit,
    share: number,
    now: number,
  ) {
    this.share = share
    this.allowance = limit.bucket * share
    this.clusterLevel = limit.bucket
    this.updatedAt = now
    this.askedAt = now
  }

  private refill(now: number): void {
    const seconds = Math.max(0, now - this.updatedAt) / 1000
    this.allowance = Math.min(this.limit.bucket * this.share, this.allowance + seconds * this.limit.perSecond * this.share)
    this.clusterLevel = Math.min(this.limit.bucket, this.clusterLevel + seconds * this.limit.perSecond)
    this.updatedAt = now
  }

  /** Whether a token is there for a request arriving now. */
  hasToken(now: number): boolean {
    this.refill(now)
    this.askedAt = now
    this.asked = true
    return this.allowance >= 1
  }

  take(now: number): void {
    this.allowance -= 1
    this.clusterLevel -= 1
    this.unsynced += 1
    this.lastSpentAt = now
  }

  /** Whole tokens left in the cluster's bucket as this api knows it. */
  remaining(): number {
    return Math.max(0, Math.floor(this.clusterLevel))
  }

  /** Whole seconds until this api has a token again (at least 1: Retry-After is in whole seconds). */
  secondsUntilToken(): number {
    return Math.max(1, Math.ceil((1 - this.allowance) / (this.limit.perSecond * this.share)))
  }

  /** Whether the next sync should carry this bucket: a request asked for it, or spent what Redis has not heard of. */
  wanted(): boolean {
    return this.asked || this.unsynced > 0
  }

  /**
   * Starts a sync: the tokens to report, which from now on Redis is told of, and how long ago the last was spent.
   * Redis charges them all at that moment: later than some were spent, so it may refill a little less than a bucket
   * that saw each when it came (never more), but not so late that a bucket already full again refills nothing.
   */
  spendToReport(now: number): { spend: number; agoMs: number } {
    const report = { spend: this.unsynced, agoMs: this.unsynced > 0 ? Math.max(0, Math.round(now - this.lastSpentAt)) : 0 }
    this.unsynced = 0
    this.asked = false
    return report
  }

  /** Redis counted the spend: the cluster's level is now `level`, drawn on by `sharing` apis (this one included). */
  synced(level: number, sharing: number, now: number): void {
    this.share = 1 / Math.max(1, sharing)
    // What was spent while the sync was in flight is not in `level` yet.
    this.allowance = Math.min(this.limit.bucket * this.share, level * this.share - this.unsynced)
    this.clusterLevel = Math.min(this.limit.bucket, level) - this.unsynced
    this.updatedAt = now
  }

  /** Redis did not answer: this api limits alone, from the cluster's level as it last knew it, until Redis is back. */
  standAlone(now: number): void {
    this.refill(now)
    this.share = 1
    this.allowance = this.clusterLevel
  }
}

export class BucketTable {
  private readonly buckets = new Map<string, SharedBucket>()
  /** Apis heard of lately, this one included; a bucket met for the first time starts as this api's share of a full one. */
  apis = 1

  /** Forgets every bucket: the next request of each subject meets a new, full one. */
  clear(): void {
    this.buckets.clear()
  }

  bucket(key: string, limit: TokenBucketLimit, now: number): SharedBucket {
    let bucket = this.buckets.get(key)
    if (!bucket) {
      bucket = new SharedBucket(key, limit, 1 / this.apis, now)
      this.buckets.set(key, bucket)
    }
    return bucket
  }

  /** The buckets the next sync carries; forgets those nobody asked for in `idleMs` and with nothing to report. */
  due(now: number, idleMs: number): SharedBucket[] {
    const due: SharedBucket[] = []
    for (const [key, bucket] of this.buckets) {
      if (bucket.wanted()) due.push(bucket)
      else if (now - bucket.askedAt > idleMs) this.buckets.delete(key)
    }
    return due
  }

  /** Redis is out of reach: every bucket is limited by this api alone. */
  standAlone(now: number): void {
    this.apis = 1
    for (const bucket of this.buckets.values()) bucket.standAlone(now)
  }
}
