// A loopback TCP forwarder that counts what its clients send (wire-counters.ts). Only the counting pass goes
// through it, so the extra hop never slows the timed passes.
import { PostgresStatementCounter, RedisCommandCounter } from './wire-counters.js'
import { endpointOf, startTcpForwarder } from './tcp-forwarder.js'

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
  let count = 0
  const forwarder = await startTcpForwarder(endpointOf(targetUrl, protocol === 'postgres' ? 5432 : 6379), {
    tap: () => {
      const counter = protocol === 'postgres' ? new PostgresStatementCounter() : new RedisCommandCounter()
      return (chunk) => (count += counter.feed(chunk))
    },
  })
  return {
    port: forwarder.port,
    get count() {
      return count
    },
    urlFor: (url) => forwarder.urlFor(url),
    close: () => forwarder.close(),
  }
}
