// Transactions on a node-postgres connection checked out of Prisma's own pool (driverPool), for the hottest writes.
// Prisma 6 runs an interactive transaction, even one of raw statements only, through its query compiler and
// interpreter: 21–52% of the api's CPU per accepted PUT in a profile (BENCHMARKS.md). The statements stay the same
// SQL (Prisma.sql templates), so one statement module serves both kinds of transaction.
import type pg from 'pg'
import type { Prisma, Db, Tx } from './client.js'
import { driverPool } from './client.js'

/** Runs one raw statement inside the transaction at hand and answers its rows. */
export type Sql = <Row>(query: Prisma.Sql) => Promise<Row[]>

/** The statements of a Prisma interactive transaction, for code shared with driver transactions. */
export function prismaSql(tx: Tx): Sql {
  return <Row>(query: Prisma.Sql) => tx.$queryRaw<Row[]>(query)
}

/**
 * Statements on the driver pool outside any transaction: each runs on whichever connection is free and commits on
 * its own, for a write that is a single statement (no BEGIN and COMMIT round trips around it). A statement Postgres
 * chose as a deadlock victim or write-conflict loser changed nothing, so it is sent again, as a transaction would be.
 */
export function driverStatements(db: Db): Sql {
  const pool = driverPool(db)
  return <Row>(query: Prisma.Sql) => retryingWriteConflicts(async () => (await pool.query<Row & pg.QueryResultRow>(query.text, query.values)).rows, isWriteConflict)
}

/** Postgres chose the transaction as a deadlock victim (40P01) or it lost a serialization conflict (40001). */
function isWriteConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error.code === '40P01' || error.code === '40001')
}

/** Ends a failed transaction; a connection that cannot even roll back is returned as the error that breaks it. */
async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK')
    return undefined
  } catch (error) {
    return error instanceof Error ? error : new Error('ROLLBACK failed')
  }
}

async function once<T>(pool: pg.Pool, work: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await work(async <Row>(query: Prisma.Sql) => {
      // As with $queryRaw, the caller names the row type its SQL selects.
      const { rows } = await client.query<Row & pg.QueryResultRow>(query.text, query.values)
      return rows
    })
    await client.query('COMMIT')
    return result
  } catch (error) {
    broken = await rollback(client)
    throw error
  } finally {
    // A broken connection is destroyed rather than handed to the next caller mid-transaction.
    client.release(broken)
  }
}

/**
 * Runs `work` in one READ COMMITTED transaction on a pooled driver connection, again (up to three times in all)
 * when Postgres chose it as a deadlock victim or write-conflict loser, as inTransaction does for Prisma's.
 * Waiting for a connection is bounded by the pool's connectionTimeoutMillis (a 503 in the api).
 */
export async function inDriverTransaction<T>(db: Db, work: (sql: Sql) => Promise<T>): Promise<T> {
  const pool = driverPool(db)
  return retryingWriteConflicts(() => once(pool, work), isWriteConflict)
}

/**
 * Runs a transaction again (up to three times in all, after a short jittered pause) while `isWriteConflict` says
 * Postgres chose it as a deadlock victim or write-conflict loser. Shared by Prisma's transactions (inTransaction)
 * and the driver's, which report the same failure differently.
 */
export async function retryingWriteConflicts<T>(run: () => Promise<T>, isWriteConflict: (error: unknown) => boolean): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run()
    } catch (error) {
      if (!isWriteConflict(error) || attempt >= 3) throw error
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt * (1 + Math.random())))
    }
  }
}
