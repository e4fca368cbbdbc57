import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient, type Prisma } from './generated/client.js'

export type Db = PrismaClient
export type Tx = Prisma.TransactionClient
export { Prisma } from './generated/client.js'

export function createDb(databaseUrl: string, poolSize = 10): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) })
}
