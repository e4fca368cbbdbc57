// What keeps test runs and suites apart on the shared Postgres and Redis: databases of their own, and queue key
// prefixes of their own, both removed afterwards.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { Redis } from 'ioredis'

/** A URL naming a new database next to `baseUrl`'s (created on first connect by core/db/migrate). */
export function siblingDatabaseUrl(baseUrl: string, tag: string): string {
  const url = new URL(baseUrl)
  url.pathname = `${url.pathname}_${tag}${randomBytes(3).toString('hex')}`
  return url.toString()
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl)
  const name = decodeURIComponent(url.pathname.slice(1))
  url.pathname = '/postgres'
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`)
  } finally {
    await client.end()
  }
}

/** Deletes every key starting with `prefix` (what FLUSHALL means for one instance sharing a Redis); returns how many. */
export async function deleteKeysWithPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl)
  let deleted = 0
  try {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length) deleted += await redis.del(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
  return deleted
}
