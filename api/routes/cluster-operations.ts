// Status of asynchronous cluster operations (today: deleting a cluster together with its extensions). They are
// addressed like extension operations, under the resource they act on:
//   Azure-AsyncOperation  {clusterId}/operations/{operationId}        → the operation status (200 while known)
//   Location              {clusterId}/operationResults/{operationId}  → 202 while running, then 204, or the error
// with the api-version of the cluster DELETE that started them (docs/arm-rules.md rules 35-40). They stay readable after the
// cluster is gone.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { CLUSTER_PARENT_TYPES, type ClusterParentType } from '../../core/domain/cluster-types.js'
import { OPERATION_RESULT_SEGMENT, OPERATION_STATUS_SEGMENT, announceOperation } from '../arm/async-operation.js'
import { publicBaseUrl } from '../arm/base-url.js'
import { answerOperationResult, failureOf, operationOn } from '../arm/operation-result.js'
import { addressedCluster } from '../arm/resource-path.js'
import { answerOperationStatus } from './operation-status.js'
import { RESOURCE_GROUP_PATH } from './paths.js'
import { clusterRouteSchemas } from './cluster-route-schemas.js'

/** The 202 of an accepted cluster deletion: where to poll it. */
export function answerClusterOperation(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, resourceId: string, operationId: string): FastifyReply {
  announceOperation(reply, {
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
  const schemas = clusterRouteSchemas(type)

  /** The operation named in the URL, only if it acts on the cluster itself (not on one of its extensions). */
  const operationFor = (request: FastifyRequest) => operationOn(db, request, addressedCluster(request).key, (op) => op.extensionId === null)

  app.get(`${clusterPath}/${OPERATION_STATUS_SEGMENT}/:operationId`, { config, schema: schemas.operationStatus }, async (request, reply) =>
    answerOperationStatus(reply, appConfig.retryAfterSeconds, await operationFor(request)),
  )

  app.get(`${clusterPath}/${OPERATION_RESULT_SEGMENT}/:operationId`, { config, schema: schemas.operationResult }, async (request, reply) =>
    answerOperationResult(request, reply, appConfig, await operationFor(request), (op) => {
      if (op.status === 'Succeeded') return reply.code(204).send()
      return reply.code(op.status === 'Canceled' ? 409 : 400).send({ error: failureOf(op) })
    }),
  )
}

export async function clusterOperationRoutes(app: FastifyInstance): Promise<void> {
  for (const type of CLUSTER_PARENT_TYPES) registerFor(app, type)
}
