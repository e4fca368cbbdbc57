// Fleet-wide facts about operations for /metrics, read from Postgres at scrape time: every api then reports the same
// numbers whichever worker did the work, and nothing has to be counted in a process that may die.
import type { Db } from '../db/client.js'

export interface OperationCount {
  kind: string
  status: string
  count: number
}

export interface RecentDuration {
  kind: string
  status: string
  /** Seconds from acceptance to the end, at the 50th, 90th and 99th percentile of operations ended in the window. */
  p50: number
  p90: number
  p99: number
  count: number
}

export interface OperationFacts {
  counts: OperationCount[]
  recent: RecentDuration[]
  outboxRows: number
  /** Age of the oldest outbox row: how long the oldest accepted operation has waited for delivery to Redis. */
  outboxOldestSeconds: number
}

/** `windowSeconds`: which finished operations the duration percentiles look at. */
export async function operationFacts(db: Db, windowSeconds: number): Promise<OperationFacts> {
  const [counts, recent, outbox] = await Promise.all([
    db.$queryRaw<{ kind: string; status: string; count: bigint }[]>`SELECT kind, status, count(*) AS count FROM operations GROUP BY kind, status`,
    db.$queryRaw<{ kind: string; status: string; p50: number; p90: number; p99: number; count: bigint }[]>`
      SELECT kind, status,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS p50,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS p90,
        percentile_cont(0.99) WITHIN GROUP (ORDER BY seconds) AS p99,
        count(*) AS count
      FROM (SELECT kind, status, extract(epoch FROM end_time - start_time)::float8 AS seconds FROM operations
            WHERE end_time > now() - make_interval(secs => ${windowSeconds})) AS finished
      GROUP BY kind, status`,
    db.$queryRaw<{ rows: bigint; oldest: number | null }[]>`SELECT count(*) AS rows, extract(epoch FROM now() - min(created_at))::float8 AS oldest FROM operation_outbox`,
  ])
  return {
    counts: counts.map((row) => ({ kind: row.kind, status: row.status, count: Number(row.count) })),
    recent: recent.map((row) => ({ kind: row.kind, status: row.status, p50: row.p50, p90: row.p90, p99: row.p99, count: Number(row.count) })),
    outboxRows: Number(outbox[0]?.rows ?? 0),
    outboxOldestSeconds: outbox[0]?.oldest ?? 0,
  }
}
