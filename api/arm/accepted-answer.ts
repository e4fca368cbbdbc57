// The answer to a request that started an operation (a PUT, PATCH, DELETE or POST of an extension): where and how
// often to poll it (announceOperation) and the resource's new ETag, with the status the request answers.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { announceOperation } from './async-operation.js'
import { publicBaseUrl } from './base-url.js'
import { setEtag } from './etag.js'

export interface AcceptedChange {
  extension: { resourceId: string; etag: string }
  operation: { id: string }
}

export function answerAccepted(request: FastifyRequest, reply: FastifyReply, accepted: AcceptedChange, status: number, timeout: 'PT48H' | 'PT1H'): FastifyReply {
  const { config } = request.server.services
  announceOperation(reply, {
    baseUrl: publicBaseUrl(request, config),
    resourceId: accepted.extension.resourceId,
    operationId: accepted.operation.id,
    apiVersion: request.arm.apiVersion,
    retryAfterSeconds: config.retryAfterSeconds,
    timeout,
  })
  setEtag(reply, accepted.extension.etag)
  return reply.code(status)
}
