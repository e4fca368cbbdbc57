// Raw HTTP/1.1 over a socket, for requests fetch cannot send: absolute-form targets, repeated or broken Host headers,
// thousands of header fields, a body that never arrives.
import net from 'node:net'
import tls from 'node:tls'

export interface RawResponse {
  /** 0 when the server closed the connection without answering. */
  status: number
  head: string
  body: string
  elapsedMs: number
}

export interface RawOptions {
  /** Bytes written after the first ones, `delayMs` later (a slow client). */
  then?: { delayMs: number; raw: string }
  /** Give up (and fail) after this long. */
  timeoutMs?: number
  ca?: string | Buffer
}

function parse(received: string, startedAt: number): RawResponse {
  const split = received.indexOf('\r\n\r\n')
  const head = split === -1 ? received : received.slice(0, split)
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)
  return { status, head, body: split === -1 ? '' : received.slice(split + 4), elapsedMs: Date.now() - startedAt }
}

/** Writes `raw` on a fresh connection to `baseUrl` and returns what comes back until the server closes it. */
export function exchange(baseUrl: string, raw: string, options: RawOptions = {}): Promise<RawResponse> {
  const { hostname, port, protocol } = new URL(baseUrl)
  const host = hostname.replace(/^\[|\]$/g, '')
  const startedAt = Date.now()
  return new Promise((resolve, reject) => {
    const socket =
      protocol === 'https:'
        ? tls.connect({ host, port: Number(port), servername: net.isIP(host) ? undefined : host, ...(options.ca ? { ca: options.ca } : { rejectUnauthorized: false }) })
        : net.connect(Number(port), host)
    let received = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer within ${options.timeoutMs} ms; received so far: ${received.slice(0, 500)}`))
    }, options.timeoutMs ?? 20_000)
    socket.once(protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      socket.write(raw)
      const then = options.then
      if (then) setTimeout(() => socket.writable && socket.write(then.raw), then.delayMs)
    })
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')))
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(parse(received, startedAt))
    })
    socket.on('error', () => undefined) // a reset after the answer still resolves on 'close'
  })
}

/** The body of a raw response as JSON (content-length framed, as every envelope is). */
export function jsonBody<T = { error: { code: string; message: string; target?: string } }>(response: RawResponse): T {
  return JSON.parse(response.body) as T
}
