// Per-request ARM context: request ids, correlation, caller and chosen api-version (docs/arm-rules.md rules 11-13, 16).
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js'
import type { Caller } from '../../core/domain/model.js'
import { NO_RESOURCE, type ArmResourceId } from './resource-path.js'

export interface ArmRequestContext {
  requestId: string
  correlationId: string
  clientRequestId: string | undefined
  caller: Caller
  /** Set by the api-version hook on ARM routes. */
  apiVersion: string
  /** The resource the path addresses, checked against the name rules; set just before an ARM route's handler runs. */
  resourceId: ArmResourceId
}

declare module 'fastify' {
  interface FastifyRequest {
    arm: ArmRequestContext
  }
}

function header(raw: IncomingMessage, name: string): string | undefined {
  const value = raw.headers[name]
  return Array.isArray(value) ? value[0] : value
}

interface ArmIds {
  correlationId: string
  clientRequestId: string | undefined
  /** True once the request's logger carries them. */
  logged: boolean
}

// Kept on the raw request under a symbol rather than in a WeakMap: an entry per request in a WeakMap is an ephemeron the
// collector has to trace, on the path every request takes.
const ARM_IDS = Symbol('arcext.armIds')
type WithArmIds = IncomingMessage & { [ARM_IDS]?: ArmIds }

/** The caller's ids for a request, the correlation id generated once when the caller sent none. */
function armIds(raw: WithArmIds): ArmIds {
  let ids = raw[ARM_IDS]
  if (!ids) {
    ids = { correlationId: header(raw, 'x-ms-correlation-request-id') ?? randomUUID(), clientRequestId: header(raw, 'x-ms-client-request-id'), logged: false }
    raw[ARM_IDS] = ids
  }
  return ids
}

function logBindings(ids: ArmIds): Record<string, string> {
  return { correlationId: ids.correlationId, ...(ids.clientRequestId !== undefined ? { clientRequestId: ids.clientRequestId } : {}) }
}

type Logger = FastifyBaseLogger & { isLevelEnabled?(level: string): boolean }
type LevelAware = FastifyBaseLogger & { isLevelEnabled(level: string): boolean }
type LogArgs = Parameters<FastifyBaseLogger['info']>

/**
 * A logger that makes its pino child (bindings serialised, redaction set up: about 3% of a GET's CPU in the profile,
 * BENCHMARKS.md) only when a line at an enabled level is written, which most requests never do. Lines, bindings and
 * redaction are those of the child it stands for; `root` (the app's logger) answers which levels are enabled. A class,
 * so a request allocates one small object and no closures.
 */
class LazyLogger {
  private made: FastifyBaseLogger | undefined

  constructor(
    private readonly root: LevelAware,
    private readonly make: () => FastifyBaseLogger,
  ) {}

  private real(): FastifyBaseLogger {
    return (this.made ??= this.make())
  }

  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', args: LogArgs): void {
    if (this.made || this.root.isLevelEnabled(level)) this.real()[level](...args)
  }

  get level(): string {
    return this.made?.level ?? this.root.level
  }

  set level(level: string) {
    this.real().level = level
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return new LazyLogger(this.root, () => this.real().child(bindings, options))
  }

  silent(): void {}
  fatal(...args: LogArgs): void {
    this.write('fatal', args)
  }
  error(...args: LogArgs): void {
    this.write('error', args)
  }
  warn(...args: LogArgs): void {
    this.write('warn', args)
  }
  info(...args: LogArgs): void {
    this.write('info', args)
  }
  debug(...args: LogArgs): void {
    this.write('debug', args)
  }
  trace(...args: LogArgs): void {
    this.write('trace', args)
  }
}

/**
 * Every log line of a request carries the ids a caller quotes in a support case (docs/arm-rules.md rule 12). Fastify builds one
 * child logger per request anyway; this factory puts the ids into that one instead of deriving a second from it, and
 * makes it lazily (a route with its own log level, or a logger that cannot tell its levels, gets it at once).
 */
const armChildLoggerFactory: Parameters<FastifyInstance['setChildLoggerFactory']>[0] = function (logger: Logger, bindings, options, raw) {
  const ids = armIds(raw)
  ids.logged = true
  const make = () => logger.child({ ...bindings, ...logBindings(ids) }, options)
  if (options.level !== undefined || typeof logger.isLevelEnabled !== 'function') return make()
  return new LazyLogger(logger as LevelAware, make)
}

/**
 * Until authentication names the caller (api/auth/authentication.ts: the token's claims, verified in AUTH_MODE=jwt,
 * decoded in dev mode), nobody is named. Identity headers a client sends (x-ms-arm-resource-system-data,
 * x-ms-client-principal-name) are never believed: this service is the front door, so there is no ARM in front of it
 * whose word they could carry (docs/arm-rules.md rule 16), and believing them let any caller write someone else's name.
 */
const ANONYMOUS: Caller = { id: 'anonymous', type: 'Application' }

/** Sets the request's ARM context and echoes its ids; also used for requests the router rejects before any hook. */
export function stampArmContext(request: FastifyRequest, reply: FastifyReply): void {
  const ids = armIds(request.raw)
  const { correlationId, clientRequestId } = ids
  request.arm = { requestId: request.id, correlationId, clientRequestId, caller: ANONYMOUS, apiVersion: '', resourceId: NO_RESOURCE }
  // Requests whose logger was not made by the factory (those Fastify answers outside a route) get the ids here.
  if (!ids.logged) request.log = request.log.child(logBindings(ids))
  reply.header('x-ms-request-id', request.id)
  reply.header('x-ms-correlation-request-id', correlationId)
  if (clientRequestId !== undefined) reply.header('x-ms-client-request-id', clientRequestId)
  // Date is Node's: every response gets one, formatted as toUTCString() and cached for the second.
}

export function registerRequestContext(app: FastifyInstance): void {
  app.decorateRequest('arm', null as unknown as ArmRequestContext)
  // Before any route is added: a route takes the instance's factory when it is registered.
  app.setChildLoggerFactory(armChildLoggerFactory)
}

export function generateRequestId(): string {
  return randomUUID()
}
