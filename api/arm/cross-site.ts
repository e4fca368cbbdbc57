// What keeps a web page the operator happens to visit from driving the operator endpoints through the operator's
// browser (CSRF). No CORS is answered anywhere, so a page cannot read responses; these checks stop the requests a
// page can still send without asking: a form POST (text/plain, form-encoded or no content type at all), or any
// request a browser marks with an Origin other than this service's own.
import type { FastifyRequest } from 'fastify'
import type { Config } from '../../core/config.js'
import { ArmErrors } from './errors.js'
import { rawHeaderValues } from './request-reading.js'

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 }

/** The service's own origins: PUBLIC_BASE_URL's, and an allowed host on the scheme and port the request came in on. */
function isOwnOrigin(origin: string, request: FastifyRequest, config: Pick<Config, 'publicBaseUrl' | 'allowedHosts'>): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false // 'null' (sandboxed frames, file: pages) and anything else unparseable
  }
  if (config.publicBaseUrl && new URL(config.publicBaseUrl).origin === url.origin) return true
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol]
  return url.protocol === `${request.protocol}:` && config.allowedHosts.includes(url.hostname) && port === request.socket.localPort
}

/** The declared media type, read from the raw headers: a bodyless request's Content-Type is dropped before routing. */
function declaredMediaType(request: FastifyRequest): string | undefined {
  const [declared] = rawHeaderValues(request.raw.rawHeaders, 'content-type')
  return declared?.split(';')[0]!.trim().toLowerCase() || undefined
}

/**
 * State-changing operator requests carry JSON, declared as such even without a body (a browser sends
 * application/json cross-site only after a preflight this service never answers); a DELETE may omit the type.
 */
export function assertNotCrossSite(request: FastifyRequest, config: Pick<Config, 'publicBaseUrl' | 'allowedHosts'>): void {
  const origin = request.headers.origin
  if (origin !== undefined && !isOwnOrigin(origin, request, config)) throw ArmErrors.crossOriginRequest(origin.slice(0, 200))
  if (request.method === 'GET' || request.method === 'HEAD') return
  const type = declaredMediaType(request)
  if (type === 'application/json' || (type === undefined && request.method === 'DELETE')) return
  throw ArmErrors.unsupportedMediaType((type ?? 'none').slice(0, 200))
}
