// Applies the committed SQL migrations in prisma/migrations at startup (PRISMA-OFFLINE.md option b):
// each in its own transaction, recorded with a checksum, serialised across processes by an advisory lock,
// so any number of api and worker processes may start at once against the same database.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { migrationsDir } from '../paths.js'

export interface Migration {
  name: string
  sql: string
  checksum: string
}

const MIGRATION_LOCK_KEY = 7_281_932_001 // arbitrary, stable: identifies "arcext schema migration"

export function readMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8')
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    })
}

function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1))
  if (!name) throw new Error('DATABASE_URL names no database')
  return name
}

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl)
  const maintenance = new URL(databaseUrl)
  maintenance.pathname = '/postgres'
  const client = new pg.Client({ connectionString: maintenance.toString() })
  await client.connect()
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (found.rowCount) return
    try {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`)
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if ((error as { code?: string }).code !== '42P04') throw error
    }
  } finally {
    await client.end()
  }
}

const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS arcext_migrations (
  name TEXT PRIMARY KEY,
  checksum TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`

export async function applyMigrations(databaseUrl: string, migrations = readMigrations()): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const applied: string[] = []
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    await client.query(LEDGER_DDL)
    const { rows } = await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM arcext_migrations')
    const done = new Map(rows.map((row) => [row.name, row.checksum]))
    for (const migration of migrations) {
      const checksum = done.get(migration.name)
      if (checksum === migration.checksum) continue
      if (checksum !== undefined) {
        throw new Error(`migration ${migration.name} was changed after it was applied; add a new migration instead`)
      }
      await client.query('BEGIN')
      try {
        await client.query(migration.sql)
        await client.query('INSERT INTO arcext_migrations (name, checksum) VALUES ($1, $2)', [migration.name, migration.checksum])
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK')
        throw new Error(`migration ${migration.name} failed: ${(error as Error).message}`)
      }
      applied.push(migration.name)
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined)
    await client.end()
  }
  return applied
}

/** Names of committed migrations the database has not applied (empty when up to date). */
export async function pendingMigrations(query: (sql: string) => Promise<{ name: string }[]>, migrations = readMigrations()): Promise<string[]> {
  let appliedNames: Set<string>
  try {
    appliedNames = new Set((await query('SELECT name FROM arcext_migrations')).map((row) => row.name))
  } catch {
    return migrations.map((migration) => migration.name)
  }
  return migrations.map((migration) => migration.name).filter((name) => !appliedNames.has(name))
}

export async function migrate(databaseUrl: string): Promise<string[]> {
  await ensureDatabase(databaseUrl)
  return applyMigrations(databaseUrl)
}
