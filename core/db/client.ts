import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaClient, type Prisma } from './generated/client.js'

export type Db = PrismaClient
export type Tx = Prisma.TransactionClient
export { Prisma } from './generated/client.js'

const driverPools = new WeakMap<Db, pg.Pool>()

export function createDb(databaseUrl: string, poolSize = 10): Db {
  // A query waits at most 10 s for a pooled connection: beyond that the caller gets a retryable error
  // (503 with Retry-After in the api) instead of hanging, and shutdown is never held up by a starved pool.
  // No statement waits more than 20 s for a row lock (lock_timeout, set per connection at connect time, so it costs no
  // statement): a transaction stuck behind another gives up and the api answers 503, as Prisma's 20 s transaction
  // timeout did before the hot transactions moved to the driver (core/db/driver-transaction.ts).
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 10_000, lock_timeout: 20_000 })
  // Prisma listens for a failing idle connection only once it connects, and a direct read (driverPool) may come
  // first; without a listener that error would end the process. The pool drops the connection either way.
  pool.on('error', () => {})
  // 'minimal' errors: any other format captures a stack trace on every query (to point at the call site in an
  // error message), about 5% of the api's CPU under load; our errors are logged with their own stacks.
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }), errorFormat: 'minimal' })
  driverPools.set(db, pool)
  return db
}

/**
 * The node-postgres pool under a client, for the few hottest single-statement reads. Prisma 6 runs even a raw
 * statement through its query compiler and interpreter: about a quarter of the api's CPU per GET in a profile
 * (BENCHMARKS.md). Same connections and limits as Prisma's own statements, which share the pool; `$disconnect` ends
 * it, so it is for clients that stay connected until the process stops.
 */
export function driverPool(db: Db): pg.Pool {
  const pool = driverPools.get(db)
  if (!pool) throw new Error('this database client was not made by createDb')
  return pool
}

/**
 * One statement on the driver pool, as a named prepared statement: Postgres parses and plans it once per connection,
 * and Prisma's query compiler and interpreter (a fifth of a worker's CPU per operation in a profile, BENCHMARKS.md)
 * are skipped. For the worker's per-operation statements. `name` must always go with the same SQL text: the
 * template's parameters change, its text does not.
 */
export async function driverRows<Row extends pg.QueryResultRow>(db: Db, name: string, query: Prisma.Sql): Promise<Row[]> {
  const { rows } = await driverPool(db).query<Row>({ name, text: query.text, values: query.values })
  return rows
}
