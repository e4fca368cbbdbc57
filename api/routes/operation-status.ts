// Async operation status (Azure-AsyncOperation) and result (Location) for extension operations (docs/arm-rules.md rules 35-40).
import type { FastifyInstance, FastifyReply } from 'fastify'
import { findExtension } from '../../core/store/extensions.js'
import { operationError, type Operation } from '../../core/store/operations.js'
import { OPERATION_RESULT_SEGMENT, OPERATION_STATUS_SEGMENT, operationStatusPath } from '../arm/async-operation.js'
import { setEtag } from '../arm/etag.js'
import { answerOperationResult, failureOf, operationOn } from '../arm/operation-result.js'
import { addressedExtension } from '../arm/resource-path.js'
import { SUPPORTED_EXTENSION_API_VERSIONS, extensionApiVersion } from '../versions/extension-api-versions.js'
import { EXTENSION_RESOURCE_TYPE } from '../versions/extension-convert.js'
import { extensionRouteSchemas } from './extension-route-schemas.js'
import { EXTENSION_PATH } from './paths.js'

const config = { arm: { resourceType: `${EXTENSION_RESOURCE_TYPE}/operations`, apiVersions: SUPPORTED_EXTENSION_API_VERSIONS } }

export function operationStatusBody(op: Operation): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: operationStatusPath(op.resourceId, op.id),
    name: op.id,
    status: op.status,
    startTime: op.startTime.toISOString(),
    percentComplete: op.percentComplete,
    properties: op.status === 'Succeeded' ? op.properties : {},
    error: operationError(op),
  }
  if (op.endTime) body.endTime = op.endTime.toISOString()
  return body
}

/**
 * The operation's status. While it runs, Retry-After says when to ask again: clients poll at that pace, and without
 * it the JS SDK waits 2 s between polls and the Python SDK 30 s, whatever RETRY_AFTER_SECONDS says.
 */
export function answerOperationStatus(reply: FastifyReply, retryAfterSeconds: number, op: Operation): Record<string, unknown> {
  if (op.status === 'InProgress') reply.header('retry-after', String(retryAfterSeconds))
  return operationStatusBody(op)
}

export async function operationStatusRoutes(app: FastifyInstance): Promise<void> {
  const { db, config: appConfig } = app.services

  app.get(`${EXTENSION_PATH}/${OPERATION_STATUS_SEGMENT}/:operationId`, { config, schema: extensionRouteSchemas.operationStatus }, async (request, reply) =>
    answerOperationStatus(reply, appConfig.retryAfterSeconds, await operationOn(db, request, addressedExtension(request).key)),
  )

  app.get(`${EXTENSION_PATH}/${OPERATION_RESULT_SEGMENT}/:operationId`, { config, schema: extensionRouteSchemas.operationResult }, async (request, reply) => {
    const op = await operationOn(db, request, addressedExtension(request).key)
    return answerOperationResult(request, reply, appConfig, op, async () => {
      const extension = await findExtension(db, op.resourceIdKey)
      if (op.kind === 'extension.delete' && op.status === 'Succeeded') return reply.code(204).send()
      if (op.status === 'Failed' && !extension) return reply.code(400).send({ error: failureOf(op) })
      if (!extension) return reply.code(204).send()
      setEtag(reply, extension.etag)
      return reply.code(200).send(extensionApiVersion(request.arm.apiVersion).toWire(extension))
    })
  })
}
