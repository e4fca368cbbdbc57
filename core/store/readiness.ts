// What /readyz asks of the database: that it answers, and that every committed migration has been applied. Through
// the driver, not Prisma: Prisma's first statement instantiates its query compiler (about 30 MB resident), and a
// probe must not be what makes an api that serves only driver-backed requests pay for it.
import { driverPool, type Db } from '../db/client.js'
import { pendingMigrations } from '../db/migrate.js'

export async function databaseAnswers(db: Db): Promise<void> {
  await driverPool(db).query('SELECT 1')
}

/** Names of the committed migrations this database has not applied. */
export function unappliedMigrations(db: Db): Promise<string[]> {
  return pendingMigrations(async (sql) => (await driverPool(db).query<{ name: string }>(sql)).rows)
}
