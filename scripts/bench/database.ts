// The bench's own database and queue prefix (created, migrated, dropped), rows seeded straight into it where going
// through the api would measure the write path instead of what a scenario is about, and reads that tell when
// operations have finished without loading the api with polls.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { Redis } from 'ioredis'
import { migrate } from '../../core/db/migrate.js'
import { BENCH_EXTENSION_TYPE, clusterPath } from './arm-requests.js'

export interface BenchServices {
  runId: string
  databaseUrl: string
  redisUrl: string
  queuePrefix: string
}

export async function createBenchServices(baseDatabaseUrl: string, redisUrl: string): Promise<BenchServices> {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const url = new URL(baseDatabaseUrl)
  url.pathname = `/arcext_bench_${runId}`
  await migrate(url.toString())
  return { runId, databaseUrl: url.toString(), redisUrl, queuePrefix: `arcext-bench-${runId}` }
}

/** Drops the database a URL names (closing its sessions), through the server's `postgres` database. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const maintenance = new URL(databaseUrl)
  const name = decodeURIComponent(maintenance.pathname.slice(1))
  maintenance.pathname = '/postgres'
  const client = new pg.Client({ connectionString: maintenance.toString() })
  await client.connect()
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`)
  } finally {
    await client.end()
  }
}

export async function dropBenchServices(services: BenchServices): Promise<void> {
  await dropDatabase(services.databaseUrl)
  const redis = new Redis(services.redisUrl)
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${services.queuePrefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length) await redis.del(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
}

/** Adds `count` Succeeded extensions named `<prefix>-000001`… to a registered cluster, in one statement. */
export async function seedExtensions(db: pg.Client, cluster: string, count: number, prefix: string): Promise<void> {
  const inserted = await db.query(
    `INSERT INTO extensions (id, id_key, resource_id, cluster_id, name, name_key, extension_type, spec, provisioning_state, etag,
                             created_by, created_by_type, last_modified_by, last_modified_by_type)
     SELECT gen_random_uuid(), lower(c.resource_id || '/providers/Microsoft.KubernetesConfiguration/extensions/' || n.name),
            c.resource_id || '/providers/Microsoft.KubernetesConfiguration/extensions/' || n.name,
            c.id, n.name, n.name, $4,
            jsonb_build_object('extensionType', $4::text, 'autoUpgradeMinorVersion', true, 'releaseTrain', 'Stable', 'version', null,
                               'scope', jsonb_build_object('kind', 'namespace', 'targetNamespace', n.name), 'configurationSettings', '{}'::jsonb,
                               'identity', null, 'plan', null, 'aksAssignedIdentity', null),
            'Succeeded', gen_random_uuid()::text, 'bench-seed', 'Application', 'bench-seed', 'Application'
     FROM (SELECT $3 || '-' || lpad(i::text, 6, '0') AS name FROM generate_series(1, $1::int) AS i) n, clusters c WHERE c.id_key = $2`,
    [count, clusterPath(cluster).toLowerCase(), prefix, BENCH_EXTENSION_TYPE],
  )
  if (inserted.rowCount !== count) throw new Error(`seeding ${cluster} inserted ${inserted.rowCount} of ${count} extensions`)
  await db.query('ANALYZE extensions')
}

/** How many extensions named `name` (one per cluster in the install scenarios) have succeeded, and failed. */
export async function installProgress(db: pg.Client, name: string): Promise<{ succeeded: number; failed: number }> {
  const { rows } = await db.query<{ succeeded: number; failed: number }>(
    `SELECT count(*) FILTER (WHERE provisioning_state = 'Succeeded')::int AS succeeded, count(*) FILTER (WHERE provisioning_state = 'Failed')::int AS failed
     FROM extensions WHERE name_key = $1`,
    [name.toLowerCase()],
  )
  return rows[0] ?? { succeeded: 0, failed: 0 }
}

/**
 * Resolves when an extension reaches Succeeded, with the time that was seen (rejects on Failed). One query every
 * few milliseconds answers for all outstanding extensions at once, so waiting adds no load on the api.
 */
export class SucceededWatcher {
  private readonly waiting = new Map<string, { resolve: (at: number) => void; reject: (error: Error) => void; deadline: number }>()
  private polling = false

  constructor(
    private readonly db: pg.Client,
    private readonly intervalMs = 3,
  ) {}

  waitFor(extensionKey: string, timeoutMs = 60_000): Promise<number> {
    const done = new Promise<number>((resolve, reject) => this.waiting.set(extensionKey, { resolve, reject, deadline: Date.now() + timeoutMs }))
    if (!this.polling) void this.poll()
    return done
  }

  private async poll(): Promise<void> {
    this.polling = true
    try {
      while (this.waiting.size > 0) {
        const { rows } = await this.db.query<{ id_key: string; provisioning_state: string }>('SELECT id_key, provisioning_state FROM extensions WHERE id_key = ANY($1::text[])', [
          [...this.waiting.keys()],
        ])
        const seenAt = performance.now()
        for (const row of rows) {
          const waiter = this.waiting.get(row.id_key)
          if (!waiter) continue
          if (row.provisioning_state === 'Succeeded') {
            this.waiting.delete(row.id_key)
            waiter.resolve(seenAt)
          } else if (row.provisioning_state === 'Failed') {
            this.waiting.delete(row.id_key)
            waiter.reject(new Error(`${row.id_key} failed`))
          }
        }
        for (const [key, waiter] of this.waiting) {
          if (Date.now() > waiter.deadline) {
            this.waiting.delete(key)
            waiter.reject(new Error(`${key} did not succeed in time`))
          }
        }
        await new Promise((resolve) => setTimeout(resolve, this.intervalMs))
      }
    } catch (error) {
      for (const waiter of this.waiting.values()) waiter.reject(error instanceof Error ? error : new Error(String(error)))
      this.waiting.clear()
    } finally {
      this.polling = false
    }
  }
}
