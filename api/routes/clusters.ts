// Cluster registry: the parents extensions install into. No agent reports cluster facts here, so a PUT carries
// them (distribution, infrastructure, kubernetesVersion, totalNodeCount, miscellaneousProperties.architecture).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { CLUSTER_PARENT_TYPES, clusterTypeKey, type ClusterParentType } from '../../core/domain/cluster-types.js'
import { findCluster, upsertCluster, type Cluster } from '../../core/store/clusters.js'
import { ArmErrors } from '../arm/errors.js'
import { assertPreconditions, setEtag } from '../arm/etag.js'
import { idKey } from '../arm/resource-id.js'
import { RESOURCE_GROUP_PATH, assertClusterParams, requestResourceId } from './paths.js'

interface Params {
  subscriptionId: string
  resourceGroupName: string
  clusterName: string
}

interface ClusterPutBody {
  location: string
  tags?: Record<string, string>
  identity?: Record<string, unknown> | null
  properties?: Record<string, unknown>
}

const clusterPutSchema = {
  type: 'object',
  required: ['location'],
  properties: {
    location: { type: 'string', minLength: 1 },
    tags: { type: 'object', additionalProperties: { type: 'string' } },
    identity: { type: ['object', 'null'], properties: { type: { type: 'string', enum: ['SystemAssigned', 'None'] } } },
    properties: {
      type: 'object',
      properties: {
        distribution: { type: 'string' },
        infrastructure: { type: 'string' },
        kubernetesVersion: { type: 'string', pattern: '^v?\\d+\\.\\d+(\\.\\d+)?([-+].*)?$' },
        totalNodeCount: { type: 'integer', minimum: 0 },
        agentPublicKeyCertificate: { type: 'string' },
        miscellaneousProperties: {
          type: 'object',
          additionalProperties: { type: 'string' },
          properties: { architecture: { type: 'string', enum: ['amd64', 'arm64'] } },
        },
      },
    },
  },
} as const

function clusterToWire(cluster: Cluster, type: ClusterParentType): Record<string, unknown> {
  const properties = cluster.properties as Record<string, unknown>
  return {
    id: cluster.resourceId,
    name: cluster.name,
    type: `${type.provider}/${type.resourceType}`,
    location: cluster.location,
    tags: cluster.tags,
    ...(cluster.identity ? { identity: cluster.identity } : {}),
    systemData: {
      createdBy: cluster.createdBy,
      createdByType: cluster.createdByType,
      createdAt: cluster.createdAt.toISOString(),
      lastModifiedBy: cluster.lastModifiedBy,
      lastModifiedByType: cluster.lastModifiedByType,
      lastModifiedAt: cluster.lastModifiedAt.toISOString(),
    },
    properties: { ...properties, provisioningState: cluster.provisioningState, connectivityStatus: 'Connected' },
  }
}

function registerClusterType(app: FastifyInstance, type: ClusterParentType): void {
  const path = `${RESOURCE_GROUP_PATH}/providers/${type.provider}/${type.resourceType}/:clusterName`
  const config = { arm: { resourceType: `${type.provider}/${type.resourceType}`, apiVersions: type.registryApiVersions } }
  const assertParams = (params: Params) => assertClusterParams({ ...params, clusterRp: type.provider, clusterResourceName: type.resourceType })

  app.put<{ Params: Params; Body: ClusterPutBody }>(path, { config, schema: { body: clusterPutSchema } }, async (request, reply) => {
    assertParams(request.params)
    const resourceId = requestResourceId(request)
    const key = idKey(resourceId)
    const { db } = app.services
    assertPreconditions(request, await findCluster(db, key))
    const { cluster, created } = await upsertCluster(db, {
      resourceId,
      idKey: key,
      subscriptionKey: request.params.subscriptionId.toLowerCase(),
      resourceGroupKey: request.params.resourceGroupName.toLowerCase(),
      typeKey: clusterTypeKey(type),
      name: request.params.clusterName,
      location: request.body.location,
      tags: request.body.tags ?? {},
      identity: request.body.identity ?? null,
      properties: request.body.properties ?? {},
      caller: request.arm.caller,
    })
    setEtag(reply, cluster.etag)
    return reply.code(created ? 201 : 200).send(clusterToWire(cluster, type))
  })

  app.get<{ Params: Params }>(path, { config }, async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    assertParams(request.params)
    const cluster = await findCluster(app.services.db, idKey(requestResourceId(request)))
    if (!cluster) throw ArmErrors.resourceNotFound(config.arm.resourceType, requestResourceId(request))
    setEtag(reply, cluster.etag)
    return clusterToWire(cluster, type)
  })

  app.delete<{ Params: Params }>(path, { config }, async (request, reply) => {
    assertParams(request.params)
    const { db } = app.services
    const cluster = await findCluster(db, idKey(requestResourceId(request)))
    if (!cluster) return reply.code(204).send()
    assertPreconditions(request, cluster)
    const extensions = await db.extension.count({ where: { clusterId: cluster.id } })
    if (extensions > 0) {
      throw ArmErrors.conflict(
        `The cluster '${cluster.name}' still has ${extensions} extension(s); delete them before deleting the cluster.`,
        cluster.resourceId,
      )
    }
    await db.cluster.delete({ where: { id: cluster.id } })
    return reply.code(200).send()
  })
}

export async function clusterRoutes(app: FastifyInstance): Promise<void> {
  for (const type of CLUSTER_PARENT_TYPES) registerClusterType(app, type)
}
