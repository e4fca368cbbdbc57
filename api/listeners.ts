// The two listeners, built the same way: the request gate in front of the router, and the same limits on slow
// clients, header counts and open connections. Node's own defaults are no defence here: Fastify turns the request
// timeout off, and Node keeps only the first 2000 header fields without saying it dropped the rest.
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerOptions, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { Config } from '../core/config.js'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { answerClientError, answerOnSocket } from './arm/error-envelope.js'
import { ArmErrors } from './arm/errors.js'
import { MAX_REQUEST_HEADERS, answerRefused, gated } from './arm/request-gate.js'
import { tlsServerOptions, type TlsMaterial } from './tls.js'

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void
type ListenerConfig = Pick<Config, 'allowedHosts' | 'headersTimeoutMs' | 'requestTimeoutMs' | 'maxConnections'>

/** How often Node looks for requests past their timeouts; a timeout fires at most this much late. */
const TIMEOUT_CHECK_INTERVAL_MS = 1000
/** Idle keep-alive connections: Fastify's default, longer than the 60 s idle timeout of common load balancers. */
const KEEP_ALIVE_TIMEOUT_MS = 72_000

function serverOptions(config: ListenerConfig): ServerOptions {
  return {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    // Node would answer a missing Host with a bare 400; the request gate answers it in the envelope.
    requireHostHeader: false,
  }
}

/**
 * Requests Node answers itself unless told otherwise, with a bare body or none at all: an Expect other than
 * 100-continue (a bodyless 417) and CONNECT (the connection just dropped). This service is no proxy, so CONNECT is 405.
 */
function answerInEnvelope(server: HttpServer | HttpsServer): void {
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => answerRefused(res, ArmErrors.expectationFailed(String(req.headers.expect ?? ''))))
  server.on('connect', (req: IncomingMessage, socket: Duplex) => answerOnSocket(socket as Socket, ArmErrors.methodNotAllowed('CONNECT', req.url ?? '')))
}

function applyLimits<T extends HttpServer | HttpsServer>(server: T, config: ListenerConfig): T {
  answerInEnvelope(server)
  // One field more than allowed is kept, so the gate sees that the limit was passed instead of a silently cut list.
  server.maxHeadersCount = MAX_REQUEST_HEADERS + 1
  server.maxConnections = config.maxConnections
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS
  return server
}

/** The plain HTTP listener (Fastify's serverFactory); Fastify attaches its clientErrorHandler itself. */
export function createHttpListener(config: ListenerConfig, handler: RequestListener): HttpServer {
  return applyLimits(createHttpServer(serverOptions(config), gated(new Set(config.allowedHosts), handler)), config)
}

export function createHttpsListener(config: ListenerConfig, tls: TlsMaterial, handler: RequestListener): HttpsServer {
  const server = createHttpsServer({ ...serverOptions(config), ...tlsServerOptions(tls), handshakeTimeout: config.headersTimeoutMs }, gated(new Set(config.allowedHosts), handler))
  server.on('clientError', answerClientError)
  return applyLimits(server, config)
}
