// Per-request ARM context: request ids, correlation, caller and chosen api-version (ARM-CONTRACT 11-13, 16).
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Caller } from '../../core/domain/model.js'
import { storableIdentity } from './system-data.js'

export interface ArmRequestContext {
  requestId: string
  correlationId: string
  clientRequestId: string | undefined
  caller: Caller
  /** Set by the api-version hook on ARM routes. */
  apiVersion: string
}

declare module 'fastify' {
  interface FastifyRequest {
    arm: ArmRequestContext
  }
}

const CALLER_TYPES = new Set<Caller['type']>(['User', 'Application', 'ManagedIdentity', 'Key'])

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * The caller identity for systemData. ARM passes it in x-ms-arm-resource-system-data on writes; a direct caller
 * may name itself with x-ms-client-principal-name. In AUTH_MODE=jwt, and in dev mode when a JWT is sent,
 * api/auth/authentication.ts replaces this with the token's identity.
 */
function callerOf(request: FastifyRequest): Caller {
  const systemData = header(request, 'x-ms-arm-resource-system-data')
  if (systemData) {
    try {
      const parsed = JSON.parse(systemData) as { lastModifiedBy?: unknown; lastModifiedByType?: unknown; createdBy?: unknown; createdByType?: unknown }
      const id = storableIdentity(parsed.lastModifiedBy ?? parsed.createdBy)
      const type = parsed.lastModifiedByType ?? parsed.createdByType
      if (id) {
        return { id, type: CALLER_TYPES.has(type as Caller['type']) ? (type as Caller['type']) : 'User' }
      }
    } catch {
      // a malformed hint is ignored: the RP is the source of truth for systemData (ARM-CONTRACT 16)
    }
  }
  const principal = storableIdentity(header(request, 'x-ms-client-principal-name'))
  return { id: principal ?? 'anonymous', type: principal ? 'User' : 'Application' }
}

/** Sets the request's ARM context and echoes its ids; also used for requests the router rejects before any hook. */
export function stampArmContext(request: FastifyRequest, reply: FastifyReply): void {
  const clientRequestId = header(request, 'x-ms-client-request-id')
  const correlationId = header(request, 'x-ms-correlation-request-id') ?? randomUUID()
  request.arm = { requestId: request.id, correlationId, clientRequestId, caller: callerOf(request), apiVersion: '' }
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
