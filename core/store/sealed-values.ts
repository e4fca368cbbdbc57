// Every column that holds values sealed with core/secrets, and the queries key rotation and the startup check need.
// A new sealed column must be added to SEALED_COLUMNS, or rotation would leave it on an old key and retiring that
// key would make it unreadable (test/keys/sealed-columns.test.ts compares this list with the `…Sealed` fields of prisma/schema.prisma).
//
// A sealed value starts `v1.<keyId>.`, so which key seals a row is read with split_part, without any key.
import { driverPool, type Db } from '../db/client.js'

export interface SealedColumn {
  table: string
  column: string
  /** What it holds, for people reading a report. */
  holds: string
}

/** Each table's primary key is a uuid named `id`. */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'extensions', column: 'protected_settings_sealed', holds: 'extension configurationProtectedSettings' },
  { table: 'extensions', column: 'last_good_protected_settings_sealed', holds: "configurationProtectedSettings of extensions' last known good" },
  { table: 'clusters', column: 'kubeconfig_sealed', holds: 'cluster kubeconfigs' },
]

export function columnName(column: SealedColumn): string {
  return `${column.table}.${column.column}`
}

// Identifiers come only from SEALED_COLUMNS above, never from input, so interpolating them is safe.
const keyIdOf = (column: SealedColumn) => `split_part(${column.column}, '.', 2)`

export interface KeyUsage {
  column: SealedColumn
  keyId: string
  count: number
}

/** How many values each key seals, per column. */
export async function sealedKeyUsage(db: Db): Promise<KeyUsage[]> {
  const usage: KeyUsage[] = []
  for (const column of SEALED_COLUMNS) {
    const rows = await db.$queryRawUnsafe<{ key_id: string; count: number }[]>(
      `SELECT ${keyIdOf(column)} AS key_id, count(*)::int AS count FROM ${column.table} WHERE ${column.column} IS NOT NULL GROUP BY 1 ORDER BY 1`,
    )
    usage.push(...rows.map((row) => ({ column, keyId: row.key_id, count: row.count })))
  }
  return usage
}

export interface SealedSample {
  column: SealedColumn
  keyId: string
  rowId: string
  sealed: string
}

/**
 * One stored value per key id and column, so a startup check can prove each key it needs is present and right. Through
 * the driver: as the api's and worker's first statement on Prisma it would instantiate Prisma's query compiler (about
 * 30 MB resident) in processes whose requests may never need it.
 */
export async function sampleSealedPerKey(db: Db): Promise<SealedSample[]> {
  const samples: SealedSample[] = []
  for (const column of SEALED_COLUMNS) {
    const { rows } = await driverPool(db).query<{ key_id: string; id: string; sealed: string }>(
      `SELECT DISTINCT ON (${keyIdOf(column)}) ${keyIdOf(column)} AS key_id, id::text AS id, ${column.column} AS sealed
         FROM ${column.table} WHERE ${column.column} IS NOT NULL ORDER BY ${keyIdOf(column)}, id`,
    )
    samples.push(...rows.map((row) => ({ column, keyId: row.key_id, rowId: row.id, sealed: row.sealed })))
  }
  return samples
}

/** Values not sealed with `currentKeyId`, in primary-key order after `afterId`. */
export async function sealedNotWith(db: Db, column: SealedColumn, currentKeyId: string, afterId: string | null, limit: number): Promise<{ id: string; sealed: string }[]> {
  return db.$queryRawUnsafe<{ id: string; sealed: string }[]>(
    `SELECT id::text AS id, ${column.column} AS sealed FROM ${column.table}
      WHERE ${column.column} IS NOT NULL AND ${keyIdOf(column)} <> $1 AND ($2::uuid IS NULL OR id > $2::uuid)
      ORDER BY id LIMIT $3`,
    currentKeyId,
    afterId,
    limit,
  )
}

/**
 * Replaces a sealed value only if it is still the one that was read: a request that wrote the row meanwhile wins,
 * and its value (sealed with whatever key its process had) is looked at again by the next pass. The resource's
 * etag and lastModified* stay as they are: re-encryption does not change the resource.
 */
export async function replaceSealedIfUnchanged(db: Db, column: SealedColumn, rowId: string, expected: string, replacement: string): Promise<boolean> {
  const changed = await db.$executeRawUnsafe(`UPDATE ${column.table} SET ${column.column} = $3 WHERE id = $1::uuid AND ${column.column} = $2`, rowId, expected, replacement)
  return changed === 1
}
