// Transactions on the driver pool keep what Prisma's interactive transactions gave the accept path: a deadlock
// victim is run again rather than failing the request, and a refused request leaves nothing written.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { Prisma, createDb, driverPool, type Db } from '../../core/db/client.js'
import { inDriverTransaction, type Sql } from '../../core/db/driver-transaction.js'

const table = Prisma.raw(`driver_tx_${randomBytes(4).toString('hex')}`)
let db: Db

beforeAll(async () => {
  db = createDb(inject('databaseUrl'), 4)
  await driverPool(db).query(Prisma.sql`CREATE TABLE ${table} (id text PRIMARY KEY, n int NOT NULL)`.text)
})

afterAll(async () => {
  await driverPool(db).query(Prisma.sql`DROP TABLE IF EXISTS ${table}`.text)
  await db.$disconnect()
})

async function reset(...ids: string[]): Promise<void> {
  await driverPool(db).query(Prisma.sql`TRUNCATE ${table}`.text)
  for (const id of ids) await driverPool(db).query(Prisma.sql`INSERT INTO ${table} (id, n) VALUES (${id}, 0)`.text, [id])
}

async function counts(): Promise<Record<string, number>> {
  const { rows } = await driverPool(db).query<{ id: string; n: number }>(Prisma.sql`SELECT id, n FROM ${table} ORDER BY id`.text)
  return Object.fromEntries(rows.map((row) => [row.id, row.n]))
}

function bump(sql: Sql, id: string): Promise<unknown[]> {
  return sql(Prisma.sql`UPDATE ${table} SET n = n + 1 WHERE id = ${id}`)
}

describe('inDriverTransaction', () => {
  it('runs the deadlock victim again, so both of two transactions locking in opposite orders commit once', async () => {
    await reset('a', 'b')
    let attempts = 0
    let holding = 0
    let bothHold: () => void = () => {}
    const bothHolding = new Promise<void>((resolve) => (bothHold = resolve))
    const crossing = (first: string, second: string) =>
      inDriverTransaction(db, async (sql) => {
        attempts += 1
        await bump(sql, first)
        holding += 1
        if (holding === 2) bothHold()
        await bothHolding
        await bump(sql, second)
      })
    await Promise.all([crossing('a', 'b'), crossing('b', 'a')])
    // At least the victim ran again; on a loaded machine its retry can be chosen as a victim once more.
    expect(attempts).toBeGreaterThanOrEqual(3)
    expect(await counts()).toEqual({ a: 2, b: 2 })
  })

  it('rolls back and rethrows what the work threw, and the connection serves the next transaction', async () => {
    await reset('a')
    const refused = new Error('refused')
    await expect(
      inDriverTransaction(db, async (sql) => {
        await bump(sql, 'a')
        throw refused
      }),
    ).rejects.toBe(refused)
    expect(await counts()).toEqual({ a: 0 })
    await inDriverTransaction(db, (sql) => bump(sql, 'a'))
    expect(await counts()).toEqual({ a: 1 })
  })

  it('does not retry other database errors', async () => {
    await reset('a')
    let attempts = 0
    const failed = inDriverTransaction(db, async (sql) => {
      attempts += 1
      await sql(Prisma.sql`INSERT INTO ${table} (id, n) VALUES (${'a'}, 0)`)
    })
    await expect(failed).rejects.toMatchObject({ code: '23505' })
    expect(attempts).toBe(1)
  })
})
