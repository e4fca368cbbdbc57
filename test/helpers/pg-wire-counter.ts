// A TCP forwarder in front of Postgres that reads the frontend's side of the wire protocol and records every
// statement a client runs: a simple Query message, or an Execute of the extended protocol (with the SQL of the Parse
// before it, or of the named statement its Bind uses, which a connection parses only once). What it records is what
// reached the server, whichever library sent it.
import { startTcpForwarder } from '../../scripts/bench/tcp-forwarder.js'

export interface PgWireCounter {
  /** host:port to give the client in place of Postgres's. */
  readonly port: number
  /** The SQL of every statement executed so far, in the order the server received them. */
  readonly statements: readonly string[]
  /** `url` with its host and port replaced by the counter's. */
  urlFor(url: string): string
  close(): Promise<void>
}

/** Splits one connection's client-to-server bytes into messages and reports each executed statement. */
function frontendReader(onStatement: (sql: string) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0)
  let started = false
  let parsed = ''
  const named = new Map<string, string>()
  return (chunk) => {
    pending = Buffer.concat([pending, chunk])
    for (;;) {
      // The startup (and SSL/GSS request) message has no type byte: just its length, then the body.
      const headerLength = started ? 5 : 4
      if (pending.length < headerLength) return
      const length = started ? pending.readInt32BE(1) + 1 : pending.readInt32BE(0)
      if (pending.length < length) return
      const message = pending.subarray(0, length)
      pending = pending.subarray(length)
      if (!started) {
        // An SSLRequest (80877103) or GSSENCRequest (80877104) is followed by the real startup message.
        const code = message.readInt32BE(4)
        started = code !== 80877103 && code !== 80877104
        continue
      }
      const type = String.fromCharCode(message[0] ?? 0)
      const body = message.subarray(5)
      if (type === 'Q') onStatement(body.toString('utf8', 0, body.indexOf(0)))
      if (type === 'P') {
        const queryStart = body.indexOf(0) + 1
        parsed = body.toString('utf8', queryStart, body.indexOf(0, queryStart))
        if (queryStart > 1) named.set(body.toString('utf8', 0, queryStart - 1), parsed)
      }
      if (type === 'B') {
        const statementStart = body.indexOf(0) + 1
        const statement = body.toString('utf8', statementStart, body.indexOf(0, statementStart))
        if (statement !== '') parsed = named.get(statement) ?? parsed
      }
      if (type === 'E') onStatement(parsed)
    }
  }
}

export async function startPgWireCounter(target: { host: string; port: number }): Promise<PgWireCounter> {
  const statements: string[] = []
  const forwarder = await startTcpForwarder(target, { tap: () => frontendReader((sql) => statements.push(sql)) })
  return { port: forwarder.port, statements, urlFor: (url) => forwarder.urlFor(url), close: () => forwarder.close() }
}
