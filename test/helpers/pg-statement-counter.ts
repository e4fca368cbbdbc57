// A TCP forwarder in front of Postgres that counts the statements its clients send, read off the wire protocol:
// each simple Query ('Q') and each Execute ('E') of the extended protocol is one statement. Whatever library sends
// them (Prisma's adapter, a bare pg client, a LISTEN session), every statement a process sends is counted.
import net from 'node:net'

export interface PgStatementCounter {
  /** host:port to give a process in place of Postgres's. */
  readonly port: number
  /** Statements sent so far, over every connection. */
  readonly statements: number
  /** The database URL `databaseUrl` becomes when it goes through this counter. */
  urlFor(databaseUrl: string): string
  close(): Promise<void>
}

/** Startup-phase requests that carry no message type byte: the startup message itself and SSL/GSS encryption requests. */
const ENCRYPTION_REQUESTS = new Set([80877103, 80877104])

function frontendMessageCounter(onStatement: () => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0)
  let inStartup = true
  return (chunk) => {
    pending = Buffer.concat([pending, chunk])
    for (;;) {
      if (inStartup) {
        if (pending.length < 8) return
        const length = pending.readInt32BE(0)
        if (pending.length < length) return
        const code = pending.readInt32BE(4)
        if (!ENCRYPTION_REQUESTS.has(code)) inStartup = false
        pending = pending.subarray(length)
        continue
      }
      if (pending.length < 5) return
      const length = pending.readInt32BE(1)
      if (pending.length < length + 1) return
      const type = String.fromCharCode(pending[0]!)
      if (type === 'Q' || type === 'E') onStatement()
      pending = pending.subarray(length + 1)
    }
  }
}

export async function startPgStatementCounter(target: { host: string; port: number }): Promise<PgStatementCounter> {
  let statements = 0
  const open = new Set<net.Socket>()
  const server = net.createServer((client) => {
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
    client.on(
      'data',
      frontendMessageCounter(() => (statements += 1)),
    )
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    get statements() {
      return statements
    },
    urlFor(databaseUrl) {
      const url = new URL(databaseUrl)
      url.hostname = '127.0.0.1'
      url.port = String(port)
      return url.toString()
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of open) socket.destroy()
      await closed
    },
  }
}
