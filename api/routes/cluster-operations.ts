// Status of asynchronous cluster operations (today: deleting a cluster together with its extensions). They are
// addressed like extension operations, under the resource they act on:
//   Azure-AsyncOperation  {clusterId}/operations/{operationId}        → the operation status (200 while known)
//   Location              {clusterId}/operationResults/{operationId}  → 202 while running, then 204, or the error
// with the api-version of the cluster DELETE that started them (ARM-CONTRACT 35-40). They stay readable after the
// cluster is gone.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { CLUSTER_PARENT_TYPES, type ClusterParentType } from '../../core/domain/cluster-types.js'
import { isTerminal, type ErrorDetail } from '../../core/domain/model.js'
import { loadOperation, type Operation } from '../../core/store/operations.js'
import { OPERATION_RESULT_SEGMENT, OPERATION_STATUS_SEGMENT, setAsyncOperationHeaders } from '../arm/async-operation.js'
import { publicBaseUrl } from '../arm/base-url.js'
import { ArmErrors } from '../arm/errors.js'
import { idKey } from '../arm/resource-id.js'
import { operationStatusBody } from './operation-status.js'
import { RESOURCE_GROUP_PATH, assertClusterParams, requestResourceId } from './paths.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface Params {
  subscriptionId: string
  resourceGroupName: string
  clusterName: string
  operationId: string
}

/** The 202 of an accepted cluster deletion: where to poll it. */
export function answerClusterOperation(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, resourceId: string, operationId: string): FastifyReply {
  setAsyncOperationHeaders(reply, {
    baseUrl: publicBaseUrl(request, app.services.config),
    resourceId,
    operationId,
    apiVersion: request.arm.apiVersion,
    retryAfterSeconds: app.services.config.retryAfterSeconds,
    timeout: 'PT1H',
  })
  return reply.code(202)
}

function registerFor(app: FastifyInstance, type: ClusterParentType): void {
  const clusterPath = `${RESOURCE_GROUP_PATH}/providers/${type.provider}/${type.resourceType}/:clusterName`
  const config = { arm: { resourceType: `${type.provider}/${type.resourceType}/operations`, apiVersions: type.registryApiVersions } }
  const { db, config: appConfig } = app.services

  /** The operation named in the URL, only if it acts on the cluster named in the URL. */
  async function operationFor(request: FastifyRequest<{ Params: Params }>, segment: string): Promise<Operation> {
    const { params } = request
    assertClusterParams({ ...params, clusterRp: type.provider, clusterResourceName: type.resourceType })
    const url = requestResourceId(request)
    const clusterId = url.slice(0, url.toLowerCase().lastIndexOf(`/${segment.toLowerCase()}/`))
    const op = UUID.test(params.operationId) ? await loadOperation(db, params.operationId.toLowerCase()) : null
    if (!op || op.resourceIdKey !== idKey(clusterId) || op.extensionId !== null) throw ArmErrors.operationNotFound(params.operationId)
    return op
  }

  app.get<{ Params: Params }>(`${clusterPath}/${OPERATION_STATUS_SEGMENT}/:operationId`, { config }, async (request) =>
    operationStatusBody(await operationFor(request, OPERATION_STATUS_SEGMENT)),
  )

  app.get<{ Params: Params }>(`${clusterPath}/${OPERATION_RESULT_SEGMENT}/:operationId`, { config }, async (request, reply) => {
    const op = await operationFor(request, OPERATION_RESULT_SEGMENT)
    if (!isTerminal(op.status)) {
      reply.header('location', `${publicBaseUrl(request, appConfig)}${request.url}`)
      reply.header('retry-after', String(appConfig.retryAfterSeconds))
      return reply.code(202).send()
    }
    if (op.status === 'Succeeded') return reply.code(204).send()
    const error = (op.error as unknown as ErrorDetail | null) ?? { code: 'OperationFailed', message: 'The operation failed.' }
    return reply.code(op.status === 'Canceled' ? 409 : 400).send({ error })
  })
}

export async function clusterOperationRoutes(app: FastifyInstance): Promise<void> {
  for (const type of CLUSTER_PARENT_TYPES) registerFor(app, type)
}
