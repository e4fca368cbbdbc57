// A loopback TCP forwarder that counts what its clients send (wire-counters.ts). Only the counting pass goes
// through it, so the extra hop never slows the timed passes.
import net from 'node:net'
import { PostgresStatementCounter, RedisCommandCounter, type CommandCounter } from './wire-counters.js'

export type WireProtocol = 'postgres' | 'redis'

export interface CountingProxy {
  readonly port: number
  /** Statements (Postgres) or commands (Redis) sent since the proxy started. */
  readonly count: number
  /** `url` with its host and port replaced by the proxy's. */
  urlFor(url: string): string
  close(): Promise<void>
}

export async function startCountingProxy(targetUrl: string, protocol: WireProtocol): Promise<CountingProxy> {
  const target = new URL(targetUrl)
  const targetPort = Number(target.port || (protocol === 'postgres' ? 5432 : 6379))
  const open = new Set<net.Socket>()
  let count = 0
  const server = net.createServer((client) => {
    const counter: CommandCounter = protocol === 'postgres' ? new PostgresStatementCounter() : new RedisCommandCounter()
    const upstream = net.connect(targetPort, target.hostname)
    open.add(client).add(upstream)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      open.delete(client)
      open.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    client.on('data', (chunk: Buffer) => (count += counter.feed(chunk)))
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the counting proxy has no TCP port')
  return {
    port: address.port,
    get count() {
      return count
    },
    urlFor(url: string) {
      const proxied = new URL(url)
      proxied.hostname = '127.0.0.1'
      proxied.port = String(address.port)
      return proxied.toString()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
