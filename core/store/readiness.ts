// What /readyz asks of the database: that it answers, and that every committed migration has been applied.
import type { Db } from '../db/client.js'
import { pendingMigrations } from '../db/migrate.js'

export async function databaseAnswers(db: Db): Promise<void> {
  await db.$queryRaw`SELECT 1`
}

/** Names of the committed migrations this database has not applied. */
export function unappliedMigrations(db: Db): Promise<string[]> {
  return pendingMigrations((sql) => db.$queryRawUnsafe<{ name: string }[]>(sql))
}
