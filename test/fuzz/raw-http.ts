// HTTP/1.1 over a bare socket: the fuzz suite writes request bytes no HTTP client would send (absolute-form targets,
// repeated Host, control characters, broken framing) and reads whatever comes back until the server closes.
import net from 'node:net'
import tls from 'node:tls'

export interface RawRequest {
  method: string
  target: string
  version: string
  /** In order, repeats allowed; written as Latin-1 bytes, so any code unit below 256 reaches the server as is. */
  headers: [string, string][]
  body?: Buffer
  /** The body is shorter than its framing promises (or unframed): only a half-close ends it, which TLS cannot send. */
  incomplete?: true
}

interface RawResponse {
  status: number
  headers: Record<string, string[]>
  body: string
  elapsedMs: number
}

export type RawOutcome = { kind: 'response'; response: RawResponse } | { kind: 'noResponse'; elapsedMs: number; error?: string } | { kind: 'timeout'; elapsedMs: number }

export function serialize(request: RawRequest): Buffer {
  const head = `${request.method} ${request.target} ${request.version}\r\n${request.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`
  return Buffer.concat([Buffer.from(head, 'latin1'), request.body ?? Buffer.alloc(0)])
}

function decodeChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = []
  let offset = 0
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset)
    if (lineEnd < 0) break
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1'), 16)
    if (!Number.isFinite(size) || size <= 0) break
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size))
    offset = lineEnd + 2 + size + 2
  }
  return Buffer.concat(parts)
}

/** The first response in `raw` (a server may answer a pipelined or garbled request more than once). */
function parseResponse(raw: Buffer, elapsedMs: number): RawResponse | undefined {
  const headEnd = raw.indexOf('\r\n\r\n')
  if (headEnd < 0) return undefined
  const [statusLine = '', ...lines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1])
  if (!Number.isInteger(status)) return undefined
  // An interim answer (100 Continue) precedes the one that counts.
  if (status >= 100 && status < 200) return parseResponse(raw.subarray(headEnd + 4), elapsedMs)
  const headers: Record<string, string[]> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    ;(headers[name] ??= []).push(line.slice(colon + 1).trim())
  }
  let body = raw.subarray(headEnd + 4)
  if (headers['transfer-encoding']?.some((value) => /chunked/i.test(value))) body = decodeChunked(body)
  else if (headers['content-length']?.[0] !== undefined) body = body.subarray(0, Number(headers['content-length'][0]))
  return { status, headers, body: body.toString('utf8'), elapsedMs }
}

export interface Endpoint {
  host: string
  port: number
  /** Set for the HTTPS listener: the CA (the generated certificate) to trust. */
  tlsCa?: string
}

/** Sends `bytes` and collects everything until the server closes or `timeoutMs` passes. */
export function exchange(endpoint: Endpoint, bytes: Buffer, timeoutMs: number, incomplete = false): Promise<RawOutcome> {
  const started = Date.now()
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket = endpoint.tlsCa ? tls.connect({ host: endpoint.host, port: endpoint.port, ca: endpoint.tlsCa, servername: 'localhost' }) : net.connect({ host: endpoint.host, port: endpoint.port })
    let settled = false
    const finish = (outcome: RawOutcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(outcome)
    }
    let firstByteMs: number | undefined
    // A server that answered but kept the connection open has still answered; the time that counts is the answer's.
    const timer = setTimeout(() => {
      const response = firstByteMs === undefined ? undefined : parseResponse(Buffer.concat(chunks), firstByteMs)
      finish(response ? { kind: 'response', response } : { kind: 'timeout', elapsedMs: Date.now() - started })
    }, timeoutMs)
    socket.once(endpoint.tlsCa ? 'secureConnect' : 'connect', () => {
      // A server that answers and closes before the whole request is written makes the write fail; the answer counts.
      // Complete requests stay open for the answer (Node's server drops a half-closed connection whose request is
      // still being handled); an incomplete one is ended, as a client that gave up would.
      socket.write(bytes, () => {
        if (incomplete && !endpoint.tlsCa) socket.end()
      })
    })
    socket.on('data', (chunk: Buffer) => {
      firstByteMs ??= Date.now() - started
      chunks.push(chunk)
    })
    const settle = (error?: Error) => {
      const elapsedMs = firstByteMs ?? Date.now() - started
      const response = parseResponse(Buffer.concat(chunks), elapsedMs)
      finish(response ? { kind: 'response', response } : { kind: 'noResponse', elapsedMs, ...(error ? { error: error.message } : {}) })
    }
    socket.on('end', () => settle())
    socket.on('close', () => settle())
    socket.on('error', (error) => settle(error))
  })
}
