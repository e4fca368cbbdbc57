// One api at a time applies SEED_FILE: several api processes starting together take turns on a session advisory lock
// (as migrations do, core/db/migrate.ts), and since applying is idempotent, the ones after the first change nothing.
import pg from 'pg'

const SEED_LOCK_KEY = 'arcext:seed'

export async function withSeedLock<T>(databaseUrl: string, apply: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [SEED_LOCK_KEY])
    return await apply()
  } finally {
    // Ending the session releases the lock whatever happened.
    await client.end().catch(() => undefined)
  }
}
