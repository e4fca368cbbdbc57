// A TCP forwarder between the RP and a real service, so a test can take the service away from this RP alone (as a
// restart would: every connection dropped, new ones refused) without touching the shared server other test files
// use at the same time.
import net from 'node:net'

export interface TcpProxy {
  /** host:port to give the RP in place of the service's. */
  readonly port: number
  /** Drops every open connection and refuses new ones until `restore`. */
  cut(): Promise<void>
  /** Listens again on the same port. */
  restore(): Promise<void>
  close(): Promise<void>
  /** Connections accepted so far. */
  readonly connections: number
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
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
  const port = (server.address() as net.AddressInfo).port
  const stopListening = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()))
  const cut = async () => {
    const closed = stopListening()
    for (const socket of open) socket.destroy()
    open.clear()
    await closed
  }
  return {
    port,
    get connections() {
      return accepted
    },
    cut,
    restore: () => listen(port),
    close: cut,
  }
}
