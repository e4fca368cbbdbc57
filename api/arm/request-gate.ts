// Checks on the raw request, made on both listeners before Fastify routes it, so nothing later (routing, throttling,
// authorization, storage) ever sees a request whose target or Host could be read two ways:
// - more header fields than the server keeps: Node would silently drop the rest (an If-Match among them), so the
//   request is refused with 431 instead;
// - a request target that is not a path (absolute-form `http://evil.example/subscriptions/…`, `*`, or `//…`): the
//   router would match its path while everything reading request.url saw another string; refused with 400;
// - no Host, several Host headers, or one that is not a host name: 400; a host this service does not answer to: 421
//   (a page that rebinds its own DNS name to this address still sends its own name as Host).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { normalizeHostName } from '../../core/config.js'
import { generateRequestId } from './request-context.js'
import { ArmErrors, type ArmError } from './errors.js'
import { rawHeaderValues } from './request-reading.js'

/** Header fields a request may carry; the listeners keep one more, so reaching it means the request is refused. */
export const MAX_REQUEST_HEADERS = 100

/** The lower-case host name of a Host header value, without its port; null when it is not one. */
export function hostNameOf(hostHeader: string): string | null {
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(hostHeader)
  if (!match?.[1]) return null
  return normalizeHostName(match[1])
}

// Clients send the same Host on every request, and reading one parses a URL (a GET's profile had it at about 1% of
// the api's CPU), so answers are remembered; a bounded few, so Host values a client makes up cannot grow it.
const KNOWN_HOSTS_KEPT = 64
const knownHosts = new Map<string, string | null>()

function cachedHostNameOf(hostHeader: string): string | null {
  let hostName = knownHosts.get(hostHeader)
  if (hostName === undefined) {
    hostName = hostNameOf(hostHeader)
    if (knownHosts.size >= KNOWN_HOSTS_KEPT) knownHosts.clear()
    knownHosts.set(hostHeader, hostName)
  }
  return hostName
}

/** Why the request must not reach the router, or null when it may. */
export function gateRefusal(req: Pick<IncomingMessage, 'rawHeaders' | 'url'>, allowedHosts: ReadonlySet<string>): ArmError | null {
  if (req.rawHeaders.length / 2 > MAX_REQUEST_HEADERS) return ArmErrors.tooManyHeaders(MAX_REQUEST_HEADERS)
  const target = req.url ?? ''
  if (!target.startsWith('/') || target.startsWith('//')) return ArmErrors.requestTargetNotPath()
  const hosts = rawHeaderValues(req.rawHeaders, 'host')
  if (hosts.length !== 1) return ArmErrors.invalidHostHeader(hosts.length === 0 ? 'The request has no Host header.' : 'The request has more than one Host header.')
  const hostName = cachedHostNameOf(hosts[0]!)
  if (!hostName) return ArmErrors.invalidHostHeader('The Host header is not a host name or IP address with an optional port.')
  if (!allowedHosts.has(hostName)) return ArmErrors.hostNotAllowed(hostName)
  return null
}

/** Answers a refused request with the envelope and closes the connection: nothing else from this client is trusted. */
export function answerRefused(res: ServerResponse, error: ArmError): void {
  const body = JSON.stringify(error.toBody())
  res.shouldKeepAlive = false
  res.writeHead(error.statusCode, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-ms-request-id': generateRequestId(),
    'x-ms-correlation-request-id': generateRequestId(),
    date: new Date().toUTCString(),
    connection: 'close',
  })
  res.end(body)
}

/**
 * The Azure CLI joins its resource manager endpoint, which ends in '/', with '/metadata/endpoints': that one public
 * path is read with a single slash. No other '//' target is, so nothing else can be read two ways.
 */
const CLI_METADATA_TARGET = /^\/\/metadata\/endpoints(?=\?|$)/i

/** Wraps a request listener so refused requests never reach it. */
export function gated(allowedHosts: ReadonlySet<string>, next: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.url !== undefined) req.url = req.url.replace(CLI_METADATA_TARGET, '/metadata/endpoints')
    const refusal = gateRefusal(req, allowedHosts)
    if (refusal) answerRefused(res, refusal)
    else next(req, res)
  }
}
