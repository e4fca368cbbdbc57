// A loopback TCP forwarder to a real service: the one behind the bench's counting proxies and the tests' proxies.
// `tap` sees every byte a client sends (a counter reads the wire protocol there); `cut` takes the service away from
// the forwarder's clients alone (every connection dropped, new ones refused, as in a restart) until `restore`.
import net from 'node:net'

export interface TcpForwarder {
  /** The loopback port to give a client in place of the service's. */
  readonly port: number
  /** Connections accepted so far. */
  readonly connections: number
  /** `url` with its host and port replaced by the forwarder's. */
  urlFor(url: string): string
  /** Drops every open connection and refuses new ones until `restore`. */
  cut(): Promise<void>
  /** Listens again on the same port. */
  restore(): Promise<void>
  close(): Promise<void>
}

export interface TcpForwarderOptions {
  /** Called once per connection; the function it returns is given each chunk the client sends, before it is passed on. */
  tap?: () => (chunk: Buffer) => void
}

export async function startTcpForwarder(target: { host: string; port: number }, options: TcpForwarderOptions = {}): Promise<TcpForwarder> {
  const open = new Set<net.Socket>()
  let accepted = 0
  const server = net.createServer((client) => {
    accepted += 1
    const upstream = net.connect(target.port, target.host)
    open.add(client).add(upstream)
    const drop = () => {
      client.destroy()
      upstream.destroy()
      open.delete(client)
      open.delete(upstream)
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    const tap = options.tap?.()
    if (tap) client.on('data', tap)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  await listen(0)
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the forwarder has no TCP port')
  const stopListening = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))
  const cut = async () => {
    const closed = stopListening()
    for (const socket of open) socket.destroy()
    open.clear()
    await closed
  }
  return {
    port: address.port,
    get connections() {
      return accepted
    },
    urlFor(url: string) {
      const forwarded = new URL(url)
      forwarded.hostname = '127.0.0.1'
      forwarded.port = String(address.port)
      return forwarded.toString()
    },
    cut,
    restore: () => listen(address.port),
    close: cut,
  }
}

/** host and port of a service URL, with the protocol's default port. */
export function endpointOf(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url)
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) }
}
