// Per-request ARM context: request ids, correlation, caller and chosen api-version (ARM-CONTRACT 11-13, 16).
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
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

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * Until authentication names the caller (api/auth/authentication.ts: the token's claims, verified in AUTH_MODE=jwt,
 * decoded in dev mode), nobody is named. Identity headers a client sends (x-ms-arm-resource-system-data,
 * x-ms-client-principal-name) are never believed: this service is the front door, so there is no ARM in front of it
 * whose word they could carry (ARM-CONTRACT 16), and believing them let any caller write someone else's name.
 */
const ANONYMOUS: Caller = { id: 'anonymous', type: 'Application' }

/** Sets the request's ARM context and echoes its ids; also used for requests the router rejects before any hook. */
export function stampArmContext(request: FastifyRequest, reply: FastifyReply): void {
  const clientRequestId = header(request, 'x-ms-client-request-id')
  const correlationId = header(request, 'x-ms-correlation-request-id') ?? randomUUID()
  request.arm = { requestId: request.id, correlationId, clientRequestId, caller: ANONYMOUS, apiVersion: '', resourceId: NO_RESOURCE }
  // Every log line of this request carries the ids a caller quotes in a support case (ARM-CONTRACT 12).
  request.log = request.log.child({ correlationId, ...(clientRequestId !== undefined ? { clientRequestId } : {}) })
  reply.header('x-ms-request-id', request.id)
  reply.header('x-ms-correlation-request-id', correlationId)
  if (clientRequestId !== undefined) reply.header('x-ms-client-request-id', clientRequestId)
  reply.header('date', new Date().toUTCString())
}

export function registerRequestContext(app: FastifyInstance): void {
  app.decorateRequest('arm', null as unknown as ArmRequestContext)
  app.addHook('onRequest', async (request, reply) => {
    stampArmContext(request, reply)
  })
}

export function generateRequestId(): string {
  return randomUUID()
}
