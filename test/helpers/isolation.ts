// What keeps test runs and suites apart on the shared Postgres and Redis: databases of their own, and queue key
// prefixes of their own, both removed afterwards.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'

export { dropDatabase } from '../../scripts/bench/database.js'

/** A URL naming a new database next to `baseUrl`'s (created on first connect by core/db/migrate). */
export function siblingDatabaseUrl(baseUrl: string, tag: string): string {
  const url = new URL(baseUrl)
  url.pathname = `${url.pathname}_${tag}${randomBytes(3).toString('hex')}`
  return url.toString()
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
