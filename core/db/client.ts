import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient, type Prisma } from './generated/client.js'

export type Db = PrismaClient
export type Tx = Prisma.TransactionClient
export { Prisma } from './generated/client.js'

export function createDb(databaseUrl: string, poolSize = 10): Db {
  // A query waits at most 10 s for a pooled connection: beyond that the caller gets a retryable error
  // (503 with Retry-After in the api) instead of hanging, and shutdown is never held up by a starved pool.
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 10_000 }) })
}
