import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient, type Prisma } from './generated/client.js'

export type Db = PrismaClient
export type Tx = Prisma.TransactionClient
export { Prisma } from './generated/client.js'

export function createDb(databaseUrl: string, poolSize = 10): Db {
  // A query waits at most 10 s for a pooled connection: beyond that the caller gets a retryable error
  // (503 with Retry-After in the api) instead of hanging, and shutdown is never held up by a starved pool.
  // 'minimal' errors: any other format captures a stack trace on every query (to point at the call site in an
  // error message), about 5% of the api's CPU under load; our errors are logged with their own stacks.
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 10_000 }), errorFormat: 'minimal' })
}
