// Resource groups, as far as the CLI and SDKs call them. arcext stores no groups: a group exists while it holds a
// registered cluster, and takes the location of its first one. PUT answers for such a group (200) or echoes a new
// empty one (201) that GET finds once a cluster is registered in it; DELETE refuses a group that still holds
// clusters (arcext never deletes clusters as a side effect) and answers 204 for an empty one, which has nothing to
// delete.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { firstClusterInGroup, firstClusterPerGroup, type Cluster } from '../../../core/store/clusters.js'
import { ArmErrors } from '../../arm/errors.js'
import { readableResourceGroups } from '../../auth/route-access.js'
import { RESOURCE_GROUP_PATH } from '../paths.js'
import { RESOURCE_MANAGER_API_VERSIONS } from './api-versions.js'
import { HIDDEN } from './hidden.js'

const RESOURCE_TYPE = 'Microsoft.Resources/resourceGroups'
const config = { arm: { resourceType: RESOURCE_TYPE, apiVersions: RESOURCE_MANAGER_API_VERSIONS } }

type GroupRequest = FastifyRequest<{ Params: { subscriptionId: string; resourceGroupName: string } }>

function groupBody(subscriptionId: string, name: string, location: string, tags: Record<string, string> = {}) {
  return { id: `/subscriptions/${subscriptionId}/resourceGroups/${name}`, name, type: RESOURCE_TYPE, location, tags, properties: { provisioningState: 'Succeeded' } }
}

/** The group's name as its first cluster's id spells it: /subscriptions/{s}/resourceGroups/{name}/... */
function groupNameOf(cluster: Cluster): string {
  return cluster.resourceId.split('/')[4] ?? cluster.resourceGroupKey
}

export async function resourceGroupRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.services
  const firstCluster = (request: GroupRequest) => firstClusterInGroup(db, request.params.subscriptionId.toLowerCase(), request.params.resourceGroupName.toLowerCase())
  const existingGroup = async (request: GroupRequest) => {
    const cluster = await firstCluster(request)
    if (!cluster) throw ArmErrors.resourceGroupNotFound(request.params.resourceGroupName)
    return groupBody(request.params.subscriptionId, groupNameOf(cluster), cluster.location)
  }

  app.get<{ Params: { subscriptionId: string } }>(
    '/subscriptions/:subscriptionId/resourceGroups',
    { config: { ...config, access: { kind: 'resource', listsReadableResourceGroups: true } }, schema: HIDDEN },
    async (request) => {
      const readable = readableResourceGroups(request)
      const clusters = await firstClusterPerGroup(db, request.params.subscriptionId.toLowerCase(), readable)
      return { value: clusters.map((cluster) => groupBody(request.params.subscriptionId, groupNameOf(cluster), cluster.location)) }
    },
  )
  // Declared before GET, or Fastify would answer HEAD with GET's handler (a 200, or the 404's envelope).
  app.head(RESOURCE_GROUP_PATH, { config, schema: HIDDEN }, async (request: GroupRequest, reply) => reply.code((await firstCluster(request)) ? 204 : 404).send())
  app.get(RESOURCE_GROUP_PATH, { config, schema: HIDDEN }, existingGroup)
  app.put<{ Params: { subscriptionId: string; resourceGroupName: string }; Body: { location: string; tags?: Record<string, string> } }>(
    RESOURCE_GROUP_PATH,
    {
      config,
      schema: {
        ...HIDDEN,
        body: {
          type: 'object',
          required: ['location'],
          properties: { location: { type: 'string', minLength: 1, maxLength: 64 }, tags: { type: 'object', additionalProperties: { type: 'string', maxLength: 256 } }, properties: { type: 'object' } },
        },
      },
    },
    async (request, reply) => {
      const cluster = await firstCluster(request)
      if (cluster) return reply.code(200).send(groupBody(request.params.subscriptionId, groupNameOf(cluster), cluster.location))
      return reply.code(201).send(groupBody(request.params.subscriptionId, request.params.resourceGroupName, request.body.location, request.body.tags))
    },
  )
  app.delete(RESOURCE_GROUP_PATH, { config, schema: HIDDEN }, async (request: GroupRequest, reply) => {
    if (await firstCluster(request)) throw ArmErrors.resourceGroupNotEmpty(request.params.resourceGroupName)
    return reply.code(204).send()
  })
}
