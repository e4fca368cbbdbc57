// Async operation status (Azure-AsyncOperation) and result (Location) for extension operations (ARM-CONTRACT 35-40).
import type { FastifyInstance } from 'fastify'
import { isTerminal, type ErrorDetail } from '../../core/domain/model.js'
import { findExtension } from '../../core/store/extensions.js'
import { loadOperation, type Operation } from '../../core/store/operations.js'
import { OPERATION_RESULT_SEGMENT, OPERATION_STATUS_SEGMENT, operationStatusPath } from '../arm/async-operation.js'
import { publicBaseUrl } from '../arm/base-url.js'
import { ArmErrors } from '../arm/errors.js'
import { setEtag } from '../arm/etag.js'
import { idKey } from '../arm/resource-id.js'
import { SUPPORTED_EXTENSION_API_VERSIONS, extensionApiVersion } from '../versions/extension-api-versions.js'
import { EXTENSION_RESOURCE_TYPE, extensionToWire } from '../versions/extension-convert.js'
import { extensionRouteSchemas } from './extension-route-schemas.js'
import { EXTENSION_PATH, assertExtensionParams, requestResourceId, type ExtensionParams } from './paths.js'

const config = { arm: { resourceType: `${EXTENSION_RESOURCE_TYPE}/operations`, apiVersions: SUPPORTED_EXTENSION_API_VERSIONS } }
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

type Params = ExtensionParams & { operationId: string }

export function operationStatusBody(op: Operation): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: operationStatusPath(op.resourceId, op.id),
    name: op.id,
    status: op.status,
    startTime: op.startTime.toISOString(),
    percentComplete: op.percentComplete,
    properties: op.status === 'Succeeded' ? (op.properties as Record<string, string>) : {},
    error: (op.error as unknown as ErrorDetail | null) ?? null,
  }
  if (op.endTime) body.endTime = op.endTime.toISOString()
  return body
}

export async function operationStatusRoutes(app: FastifyInstance): Promise<void> {
  const { db, config: appConfig } = app.services

  /** The operation named in the URL, only if it belongs to the extension named in the URL. */
  async function operationFor(params: Params, extensionId: string): Promise<Operation> {
    assertExtensionParams(params)
    const op = UUID.test(params.operationId) ? await loadOperation(db, params.operationId.toLowerCase()) : null
    if (!op || op.resourceIdKey !== idKey(extensionId)) throw ArmErrors.operationNotFound(params.operationId)
    return op
  }

  function extensionIdOf(url: string, segment: string): string {
    return url.slice(0, url.toLowerCase().lastIndexOf(`/${segment.toLowerCase()}/`))
  }

  app.get<{ Params: Params }>(`${EXTENSION_PATH}/${OPERATION_STATUS_SEGMENT}/:operationId`, { config, schema: extensionRouteSchemas.operationStatus }, async (request) => {
    const op = await operationFor(request.params, extensionIdOf(requestResourceId(request), OPERATION_STATUS_SEGMENT))
    return operationStatusBody(op)
  })

  // Location: 202 while running, then what the original request would have answered synchronously (ARM-CONTRACT 36).
  app.get<{ Params: Params }>(`${EXTENSION_PATH}/${OPERATION_RESULT_SEGMENT}/:operationId`, { config, schema: extensionRouteSchemas.operationResult }, async (request, reply) => {
    const op = await operationFor(request.params, extensionIdOf(requestResourceId(request), OPERATION_RESULT_SEGMENT))
    if (!isTerminal(op.status)) {
      reply.header('location', `${publicBaseUrl(request, appConfig)}${request.url}`)
      reply.header('retry-after', String(appConfig.retryAfterSeconds))
      return reply.code(202).send()
    }
    const extension = await findExtension(db, op.resourceIdKey)
    if (op.kind === 'extension.delete' && op.status === 'Succeeded') return reply.code(204).send()
    if (op.status === 'Failed' && !extension) {
      const error = (op.error as unknown as ErrorDetail | null) ?? { code: 'OperationFailed', message: 'The operation failed.' }
      return reply.code(400).send({ error })
    }
    if (!extension) return reply.code(204).send()
    setEtag(reply, extension.etag)
    return reply.code(200).send(extensionToWire(extension, extensionApiVersion(request.arm.apiVersion)))
  })
}
