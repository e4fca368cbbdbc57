// The CLI's one way to the service: HTTP(S) to the base URL, trusting an extra CA (the self-signed listener) and
// sending a bearer token when given. Errors come back as one line each: ARM's envelope as `Code: message`, OAuth's
// as `error: description`, an unreachable server or an untrusted certificate as what to do about it.
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { CliError } from './errors.js'

export interface Connection {
  baseUrl: URL
  /** PEM of a CA to trust besides the system's, for the self-signed https listener. */
  ca?: string
  token?: string
}

export interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  /** The parsed JSON body, or undefined when the answer had none or was not JSON. */
  body: unknown
  text: string
}

export interface RequestOptions {
  json?: unknown
  form?: Record<string, string>
  /** Send no bearer token (the token endpoint itself). */
  anonymous?: boolean
  timeoutMs?: number
}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

export function connection(url: string, caFile: string | undefined, token: string | undefined): Connection {
  let baseUrl: URL
  try {
    baseUrl = new URL(url)
  } catch {
    throw new CliError(`'${url}' is not a URL; --url (or ARCEXT_URL) is the service's base URL, e.g. http://127.0.0.1:8080`, 2)
  }
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') throw new CliError(`--url must be an http or https URL, not '${url}'`, 2)
  let ca: string | undefined
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8')
    } catch (error) {
      throw new CliError(`cannot read the CA certificate '${caFile}' (--ca or ARCEXT_CA): ${(error as Error).message}`, 2)
    }
  }
  return { baseUrl, ca, token: token || undefined }
}

function transportFailure(conn: Connection, error: NodeJS.ErrnoException): CliError {
  const where = conn.baseUrl.origin
  if (error.code && TLS_TRUST_CODES.has(error.code)) {
    return new CliError(`cannot trust the TLS certificate of ${where} (${error.message}): pass the service's certificate with --ca or ARCEXT_CA (npm start writes it to .arcext/tls/cert.pem)`)
  }
  if (error.code === 'EPROTO' || /wrong version number|packet length too long/i.test(error.message)) {
    const reason = /wrong version number|packet length too long/i.exec(error.message)?.[0] ?? error.code
    return new CliError(`the TLS handshake with ${where} failed (${reason}): is that the https port, or should the URL start with http://?`)
  }
  if (error.code === 'ECONNRESET' && conn.baseUrl.protocol === 'http:') {
    return new CliError(`${where} closed the connection (ECONNRESET): if that is the https port, the URL must start with https://`)
  }
  return new CliError(`cannot reach arcext at ${where} (${error.code ?? error.message}): is it running? Set --url or ARCEXT_URL to where it listens`)
}

export function request(conn: Connection, method: string, pathAndQuery: string, options: RequestOptions = {}): Promise<Answer> {
  const url = new URL(pathAndQuery, conn.baseUrl)
  const headers: Record<string, string> = { accept: 'application/json' }
  let payload: string | undefined
  if (options.json !== undefined) {
    payload = JSON.stringify(options.json)
    headers['content-type'] = 'application/json'
  } else if (options.form) {
    payload = new URLSearchParams(options.form).toString()
    headers['content-type'] = 'application/x-www-form-urlencoded'
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload))
  if (conn.token && !options.anonymous) headers.authorization = `Bearer ${conn.token}`
  const transport = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { method, headers, ...(url.protocol === 'https:' && conn.ca ? { ca: conn.ca } : {}) }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', (error) => reject(transportFailure(conn, error)))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let body: unknown
        try {
          body = text ? JSON.parse(text) : undefined
        } catch {
          body = undefined
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text })
      })
    })
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })))
    req.on('error', (error) => reject(transportFailure(conn, error)))
    req.end(payload)
  })
}

/** The one line an error answer is reported as. */
export function failureLine(answer: Answer): string {
  const body = answer.body as { error?: unknown; error_description?: unknown } | undefined
  if (body && typeof body.error === 'object' && body.error !== null) {
    const { code, message } = body.error as { code?: unknown; message?: unknown }
    if (typeof code === 'string') return `${code}: ${typeof message === 'string' ? message : ''}`.trim()
  }
  if (body && typeof body.error === 'string') return `${body.error}: ${typeof body.error_description === 'string' ? body.error_description : ''}`.trim()
  const text = answer.text.replace(/\s+/g, ' ').trim()
  return `HTTP ${answer.status}${text ? `: ${text.slice(0, 200)}` : ''}`
}

/** Sends the request and returns the answer, or throws its failure line when the status is 400 or more. */
export async function call(conn: Connection, method: string, pathAndQuery: string, options: RequestOptions = {}): Promise<Answer> {
  const answer = await request(conn, method, pathAndQuery, options)
  if (answer.status >= 400) throw new CliError(failureLine(answer))
  return answer
}

/** Every item of an ARM list, following nextLink (on the same service) to the end. */
export async function listAll<T>(conn: Connection, pathAndQuery: string): Promise<T[]> {
  const items: T[] = []
  let next: string | undefined = pathAndQuery
  while (next) {
    const page = (await call(conn, 'GET', next)).body as { value?: T[]; nextLink?: string | null }
    items.push(...(page.value ?? []))
    next = page.nextLink ? new URL(page.nextLink).pathname + new URL(page.nextLink).search : undefined
  }
  return items
}
