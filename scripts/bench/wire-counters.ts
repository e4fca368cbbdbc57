// Counters of the statements and commands a client sends, read off the wire: Postgres frontend messages (simple
// Query 'Q' and extended-protocol Execute 'E' each run one statement) and Redis RESP commands (one top-level array,
// or one inline line, each). They parse only the client-to-server direction and never keep a whole message.

export interface CommandCounter {
  /** Feeds the next bytes the client sent; returns how many statements or commands they began. */
  feed(chunk: Buffer): number
}

const SSL_REQUEST = 80877103
const GSSENC_REQUEST = 80877104

export class PostgresStatementCounter implements CommandCounter {
  /** Bytes of a message header not yet complete. */
  private header = Buffer.alloc(0)
  /** Bytes of the current message body still to pass. */
  private skip = 0
  /** The first messages (startup, SSL and GSS requests) carry no type byte. */
  private untyped = true

  feed(chunk: Buffer): number {
    let count = 0
    let offset = 0
    while (offset < chunk.length) {
      if (this.skip > 0) {
        const passed = Math.min(this.skip, chunk.length - offset)
        this.skip -= passed
        offset += passed
        continue
      }
      const headerLength = this.untyped ? 8 : 5
      const wanted = headerLength - this.header.length
      const taken = chunk.subarray(offset, offset + wanted)
      this.header = Buffer.concat([this.header, taken])
      offset += taken.length
      if (this.header.length < headerLength) break
      if (this.untyped) {
        const length = this.header.readInt32BE(0)
        const code = this.header.readInt32BE(4)
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) this.untyped = false
        this.skip = length - 8
      } else {
        const type = String.fromCharCode(this.header[0] ?? 0)
        if (type === 'Q' || type === 'E') count += 1
        this.skip = this.header.readInt32BE(1) - 4
      }
      this.header = Buffer.alloc(0)
    }
    return count
  }
}

export class RedisCommandCounter implements CommandCounter {
  private line = ''
  /** Bulk strings of the current command still to come. */
  private elements = 0
  /** Bytes of the current bulk string (and its CRLF) still to pass. */
  private skip = 0

  feed(chunk: Buffer): number {
    let count = 0
    let offset = 0
    while (offset < chunk.length) {
      if (this.skip > 0) {
        const passed = Math.min(this.skip, chunk.length - offset)
        this.skip -= passed
        offset += passed
        continue
      }
      const newline = chunk.indexOf(10, offset)
      if (newline < 0) {
        this.line += chunk.toString('latin1', offset)
        break
      }
      const text = (this.line + chunk.toString('latin1', offset, newline)).replace(/\r$/, '')
      this.line = ''
      offset = newline + 1
      if (this.elements === 0) {
        if (text.startsWith('*')) {
          count += 1
          this.elements = Math.max(0, Number.parseInt(text.slice(1), 10) || 0)
        } else if (text.trim() !== '') {
          count += 1
        }
      } else {
        this.elements -= 1
        const length = text.startsWith('$') ? Number.parseInt(text.slice(1), 10) : -1
        this.skip = length >= 0 ? length + 2 : 0
      }
    }
    return count
  }
}
