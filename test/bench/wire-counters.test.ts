// The bench's counting proxy counts what real clients send: one per Postgres statement (simple and extended
// protocol, whatever the size of the message) and one per Redis command (also inside MULTI and pipelines).
import pg from 'pg'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { startCountingProxy, type CountingProxy } from '../../scripts/bench/counting-proxy.js'
import { PostgresStatementCounter, RedisCommandCounter } from '../../scripts/bench/wire-counters.js'

let proxy: CountingProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

describe('counting proxy', () => {
  it('counts Postgres statements sent by pg through simple and extended protocol', async () => {
    proxy = await startCountingProxy(inject('databaseUrl'), 'postgres')
    const client = new pg.Client({ connectionString: proxy.urlFor(inject('databaseUrl')) })
    await client.connect()
    const afterConnect = proxy.count
    await client.query('SELECT 1')
    await client.query('SELECT $1::text AS big', ['x'.repeat(200_000)])
    await client.query('BEGIN; SELECT 2; COMMIT')
    for (let i = 0; i < 5; i += 1) await client.query({ name: 'prepared', text: 'SELECT $1::int + 1 AS n', values: [i] })
    await client.end()
    // One simple query (however many statements it holds) is one Q; each parameterised call is one Execute.
    expect(proxy.count - afterConnect).toBe(1 + 1 + 1 + 5)
  })

  it('counts Redis commands, in pipelines and transactions too', async () => {
    proxy = await startCountingProxy(inject('redisUrl'), 'redis')
    const redis = new Redis(proxy.urlFor(inject('redisUrl')), { lazyConnect: true, enableReadyCheck: false })
    await redis.connect()
    const key = `${inject('queuePrefixBase')}-counting`
    const afterConnect = proxy.count
    await redis.set(key, 'a\r\n*3\r\n$3\r\nSET')
    await redis.pipeline().get(key).strlen(key).exec()
    await redis.multi().incr(`${key}-n`).expire(`${key}-n`, 60).exec()
    await redis.del(key, `${key}-n`)
    redis.disconnect()
    // SET, GET, STRLEN, MULTI, INCR, EXPIRE, EXEC, DEL.
    expect(proxy.count - afterConnect).toBe(8)
  })
})

describe('wire counters fed in pieces', () => {
  it('counts the same however the bytes are split', () => {
    const startup = Buffer.alloc(8)
    startup.writeInt32BE(8, 0)
    startup.writeInt32BE(196608, 4)
    const message = (type: string, body: Buffer) => {
      const header = Buffer.alloc(5)
      header.write(type, 0, 'latin1')
      header.writeInt32BE(body.length + 4, 1)
      return Buffer.concat([header, body])
    }
    const postgres = Buffer.concat([
      startup,
      message('Q', Buffer.from('SELECT 1\0')),
      message('P', Buffer.from('Q'.repeat(50))),
      message('E', Buffer.from('E\0\0\0\0\0')),
      message('S', Buffer.alloc(0)),
    ])
    const redis = Buffer.from('*2\r\n$3\r\nGET\r\n$8\r\n*1\r\n$1\r\n\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n')
    for (const size of [1, 2, 3, 7, 1000]) {
      const pgCounter = new PostgresStatementCounter()
      const redisCounter = new RedisCommandCounter()
      let pgCount = 0
      let redisCount = 0
      for (let offset = 0; offset < postgres.length; offset += size) pgCount += pgCounter.feed(postgres.subarray(offset, offset + size))
      for (let offset = 0; offset < redis.length; offset += size) redisCount += redisCounter.feed(redis.subarray(offset, offset + size))
      expect([size, pgCount]).toEqual([size, 2])
      expect([size, redisCount]).toEqual([size, 3])
    }
  })
})
