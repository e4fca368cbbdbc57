// Cluster registry: the parents extensions install into, ARM-shaped like Microsoft.Kubernetes/connectedClusters
// (2024-01-01 / 2021-10-01 swagger); managedClusters and provisionedClusters share it. No agent reports cluster
// facts here, so PUT and PATCH carry them (distribution, infrastructure, kubernetesVersion, totalNodeCount,
// miscellaneousProperties.architecture), read-only as they are in Azure.
import { systemDataToWire } from '../arm/system-data.js'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Prisma } from '../../core/db/client.js'
import { CLUSTER_PARENT_TYPES, clusterTypeKey, type ClusterParentType } from '../../core/domain/cluster-types.js'
import { ConcurrentModificationError } from '../../core/domain/errors.js'
import { findCluster, type Cluster } from '../../core/store/clusters.js'
import { acceptClusterDelete, newEtag } from '../../core/store/extensions.js'
import { deliverOrLeaveToOutbox } from '../../core/store/outbox.js'
import { answerClusterOperation } from './cluster-operations.js'
import { ArmErrors } from '../arm/errors.js'
import { judgedAgainstLatest } from '../arm/lost-race.js'
import { assertPreconditions, setEtag } from '../arm/etag.js'
import { pageRequest, pagingQuerySchema, toPage } from '../arm/paging.js'
import { isStorable } from '../arm/content-limits.js'
import { assertResourceGroupName, assertSubscriptionId, idKey } from '../arm/resource-id.js'
import { RESOURCE_GROUP_PATH, assertClusterParams, requestResourceId } from './paths.js'
import { readableResourceGroups } from '../auth/route-access.js'

interface Params {
  subscriptionId: string
  resourceGroupName: string
  clusterName: string
}

interface ListParams {
  subscriptionId: string
  resourceGroupName?: string
}

type JsonObject = Record<string, unknown>

interface ClusterPutBody {
  location: string
  tags?: Record<string, string>
  identity?: JsonObject | null
  properties?: JsonObject
}

interface ClusterPatchBody {
  tags?: Record<string, string> | null
  properties?: JsonObject | null
}

const KUBERNETES_VERSION_PATTERN = '^v?\\d+\\.\\d+(\\.\\d+)?([-+].*)?$'
const ARCHITECTURES = ['amd64', 'arm64']
const tagsSchema = { type: 'object', additionalProperties: { type: 'string', maxLength: 256 }, maxProperties: 50 } as const

/** The cluster facts the catalog rules read; the same shapes on PUT and PATCH. */
const factSchemas = {
  distribution: { type: 'string', minLength: 1, maxLength: 128 },
  distributionVersion: { type: 'string', maxLength: 128 },
  infrastructure: { type: 'string', minLength: 1, maxLength: 128 },
  kubernetesVersion: { type: 'string', pattern: KUBERNETES_VERSION_PATTERN, maxLength: 128 },
  totalNodeCount: { type: 'integer', minimum: 0 },
  totalCoreCount: { type: 'integer', minimum: 0 },
  azureHybridBenefit: { type: 'string', enum: ['True', 'False', 'NotApplicable'] },
} as const

const clusterPutSchema = {
  type: 'object',
  required: ['location'],
  properties: {
    location: { type: 'string', minLength: 1 },
    tags: tagsSchema,
    identity: { type: ['object', 'null'], properties: { type: { type: 'string', enum: ['SystemAssigned', 'None'] } } },
    properties: {
      type: 'object',
      properties: {
        ...factSchemas,
        agentPublicKeyCertificate: { type: 'string' },
        miscellaneousProperties: {
          type: 'object',
          additionalProperties: { type: 'string' },
          properties: { architecture: { type: 'string', enum: ARCHITECTURES } },
        },
      },
    },
  },
} as const

// PATCH is a JSON merge patch (RFC 7396): null removes a fact. Unlike Azure, the facts are patchable here, because
// nothing else can report that a cluster was upgraded; everything else a PUT sets needs a PUT.
const nullable = <T extends { type: string }>(schema: T) => ({ ...schema, type: [schema.type, 'null'] })
const clusterPatchSchema = {
  type: 'object',
  properties: {
    tags: { ...tagsSchema, type: ['object', 'null'] },
    properties: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: {
        distribution: nullable(factSchemas.distribution),
        distributionVersion: nullable(factSchemas.distributionVersion),
        infrastructure: nullable(factSchemas.infrastructure),
        kubernetesVersion: nullable(factSchemas.kubernetesVersion),
        totalNodeCount: nullable(factSchemas.totalNodeCount),
        totalCoreCount: nullable(factSchemas.totalCoreCount),
        azureHybridBenefit: nullable(factSchemas.azureHybridBenefit),
        miscellaneousProperties: {
          type: ['object', 'null'],
          additionalProperties: { type: ['string', 'null'] },
          properties: { architecture: { type: ['string', 'null'], enum: [...ARCHITECTURES, null] } },
        },
      },
    },
  },
} as const

/** Upstream operationIds per parent type, so the generated OpenAPI document names operations as Azure does. */
const OPERATION_IDS: Record<string, { put: string; get: string; patch: string; listByResourceGroup: string; listBySubscription: string }> = {
  connectedClusters: { put: 'ConnectedCluster_Create', get: 'ConnectedCluster_Get', patch: 'ConnectedCluster_Update', listByResourceGroup: 'ConnectedCluster_ListByResourceGroup', listBySubscription: 'ConnectedCluster_ListBySubscription' },
  managedClusters: { put: 'ManagedClusters_CreateOrUpdate', get: 'ManagedClusters_Get', patch: 'ManagedClusters_UpdateTags', listByResourceGroup: 'ManagedClusters_ListByResourceGroup', listBySubscription: 'ManagedClusters_List' },
  provisionedClusters: { put: 'ProvisionedClusters_CreateOrUpdate', get: 'ProvisionedClusters_Get', patch: 'ProvisionedClusters_Update', listByResourceGroup: 'ProvisionedClusters_ListByResourceGroup', listBySubscription: 'ProvisionedClusters_ListBySubscription' },
}

function operationId(type: ClusterParentType, operation: keyof (typeof OPERATION_IDS)[string]): string | undefined {
  return OPERATION_IDS[type.resourceType]?.[operation]
}

/** Server-owned properties: a client's value is ignored rather than stored and echoed (ARM-CONTRACT 25). */
const SERVER_OWNED_PROPERTIES = ['provisioningState', 'connectivityStatus']

function withoutServerOwned(properties: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(properties).filter(([key]) => !SERVER_OWNED_PROPERTIES.includes(key)))
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** RFC 7396 merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch
  const result: JsonObject = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

/** JSON with object keys sorted, so two values compare equal whatever order their keys came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (isObject(value)) return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(',')}}`
  return JSON.stringify(value)
}

function clusterToWire(cluster: Cluster, type: ClusterParentType): JsonObject {
  const properties = cluster.properties as JsonObject
  return {
    id: cluster.resourceId,
    name: cluster.name,
    type: `${type.provider}/${type.resourceType}`,
    location: cluster.location,
    tags: cluster.tags,
    ...(cluster.identity ? { identity: cluster.identity } : {}),
    systemData: systemDataToWire(cluster),
    properties: { ...properties, provisioningState: cluster.provisioningState, connectivityStatus: 'Connected' },
  }
}

/** A registration being torn down (its extensions are being deleted) cannot be changed meanwhile (ARM-CONTRACT 48). */
function assertNotDeleting(cluster: Cluster): void {
  if (cluster.provisioningState === 'Deleting') {
    throw ArmErrors.anotherOperationInProgress(`The cluster '${cluster.name}' is being deleted; it cannot be changed.`, cluster.resourceId)
  }
}

/** Keyset position: name first (the order callers see), then the id, which is unique across resource groups. */
function encodeKey(cluster: Pick<Cluster, 'nameKey' | 'idKey'>): string {
  return JSON.stringify([cluster.nameKey, cluster.idKey])
}

function afterKey(after: string | null): Prisma.ClusterWhereInput {
  if (after === null) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(after)
  } catch {
    parsed = null
  }
  // The token's parts are compared in Postgres: a forged one could carry text it cannot even compare (NUL).
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((part) => typeof part === 'string' && isStorable(part))) {
    throw ArmErrors.invalidSkipToken()
  }
  const [nameKey, id] = parsed as [string, string]
  return { OR: [{ nameKey: { gt: nameKey } }, { nameKey, idKey: { gt: id } }] }
}

function registerClusterList(app: FastifyInstance, type: ClusterParentType): void {
  const config = { arm: { resourceType: `${type.provider}/${type.resourceType}`, apiVersions: type.registryApiVersions } }
  const suffix = `/providers/${type.provider}/${type.resourceType}`
  const list = async (request: FastifyRequest<{ Params: ListParams }>) => {
    const { subscriptionId, resourceGroupName } = request.params
    assertSubscriptionId(subscriptionId)
    if (resourceGroupName !== undefined) assertResourceGroupName(resourceGroupName)
    const page = pageRequest(request)
    // A caller with roles on only some resource groups sees only theirs (api/auth/authorization.ts).
    const readable = readableResourceGroups(request)
    const rows = await app.services.db.cluster.findMany({
      where: {
        subscriptionKey: subscriptionId.toLowerCase(),
        typeKey: clusterTypeKey(type),
        ...(resourceGroupName !== undefined ? { resourceGroupKey: resourceGroupName.toLowerCase() } : {}),
        ...(readable !== undefined ? { resourceGroupKey: { in: readable } } : {}),
        ...afterKey(page.after),
      },
      orderBy: [{ nameKey: 'asc' }, { idKey: 'asc' }],
      take: page.top + 1,
    })
    return toPage(request, app.services.config, page, rows, encodeKey, (row) => clusterToWire(row, type))
  }
  const schema = (operation: 'listByResourceGroup' | 'listBySubscription') => ({ querystring: pagingQuerySchema, operationId: operationId(type, operation) })
  app.get<{ Params: ListParams }>(`${RESOURCE_GROUP_PATH}${suffix}`, { config, schema: schema('listByResourceGroup') }, list)
  const subscriptionConfig = { ...config, access: { kind: 'resource', listsReadableResourceGroups: true } } as const
  app.get<{ Params: ListParams }>(`/subscriptions/:subscriptionId${suffix}`, { config: subscriptionConfig, schema: schema('listBySubscription') }, list)
}

function registerClusterType(app: FastifyInstance, type: ClusterParentType): void {
  const path = `${RESOURCE_GROUP_PATH}/providers/${type.provider}/${type.resourceType}/:clusterName`
  const config = { arm: { resourceType: `${type.provider}/${type.resourceType}`, apiVersions: type.registryApiVersions } }
  const assertParams = (params: Params) => assertClusterParams({ ...params, clusterRp: type.provider, clusterResourceName: type.resourceType })
  const { db } = app.services

  /**
   * Creates or replaces a registration. The write is conditional on the ETag the preconditions were checked
   * against, so a concurrent writer makes this request re-check them (412) instead of being silently overwritten.
   */
  async function putCluster(request: FastifyRequest<{ Params: Params; Body: ClusterPutBody }>): Promise<{ cluster: Cluster; created: boolean }> {
    const resourceId = requestResourceId(request)
    const key = idKey(resourceId)
    const existing = await findCluster(db, key)
    assertPreconditions(request, existing)
    if (existing) assertNotDeleting(existing)
    const { body, arm } = request
    const now = new Date()
    const fields = {
      location: body.location,
      tags: (body.tags ?? {}) as Prisma.InputJsonValue,
      identity: body.identity ? (body.identity as Prisma.InputJsonValue) : Prisma.DbNull,
      properties: withoutServerOwned(body.properties ?? {}) as Prisma.InputJsonValue,
      etag: newEtag(),
      lastModifiedBy: arm.caller.id,
      lastModifiedByType: arm.caller.type,
      lastModifiedAt: now,
    }
    if (existing) {
      const updated = await db.cluster.updateMany({ where: { id: existing.id, etag: existing.etag }, data: fields })
      if (updated.count === 1) return { cluster: await db.cluster.findUniqueOrThrow({ where: { id: existing.id } }), created: false }
    } else {
      try {
        const cluster = await db.cluster.create({
          data: {
            ...fields,
            idKey: key,
            resourceId,
            subscriptionKey: request.params.subscriptionId.toLowerCase(),
            resourceGroupKey: request.params.resourceGroupName.toLowerCase(),
            typeKey: clusterTypeKey(type),
            name: request.params.clusterName,
            nameKey: request.params.clusterName.toLowerCase(),
            provisioningState: 'Succeeded',
            createdBy: arm.caller.id,
            createdByType: arm.caller.type,
            createdAt: now,
          },
        })
        return { cluster, created: true }
      } catch (error) {
        if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error
      }
    }
    throw new ConcurrentModificationError(resourceId)
  }

  app.put<{ Params: Params; Body: ClusterPutBody }>(path, { config, schema: { body: clusterPutSchema, operationId: operationId(type, 'put') } }, async (request, reply) => {
    assertParams(request.params)
    const { cluster, created } = await judgedAgainstLatest(() => putCluster(request))
    setEtag(reply, cluster.etag)
    return reply.code(created ? 201 : 200).send(clusterToWire(cluster, type))
  })

  app.get<{ Params: Params }>(path, { config, schema: { operationId: operationId(type, 'get') } }, async (request: FastifyRequest<{ Params: Params }>, reply: FastifyReply) => {
    assertParams(request.params)
    const cluster = await findCluster(db, idKey(requestResourceId(request)))
    if (!cluster) throw ArmErrors.resourceNotFound(config.arm.resourceType, requestResourceId(request))
    setEtag(reply, cluster.etag)
    return clusterToWire(cluster, type)
  })

  app.patch<{ Params: Params; Body: ClusterPatchBody }>(path, { config, schema: { body: clusterPatchSchema, operationId: operationId(type, 'patch') } }, async (request, reply) => {
    assertParams(request.params)
    const cluster = await judgedAgainstLatest(() => patchCluster(request))
    setEtag(reply, cluster.etag)
    return reply.code(200).send(clusterToWire(cluster, type))
  })

  /** Merges a PATCH into the registration as it is now; nothing changes when the merge changes nothing. */
  async function patchCluster(request: FastifyRequest<{ Params: Params; Body: ClusterPatchBody }>): Promise<Cluster> {
    const resourceId = requestResourceId(request)
    const current = await findCluster(db, idKey(resourceId))
    // A PATCH never creates (ARM-CONTRACT 46).
    if (!current) throw ArmErrors.resourceNotFound(config.arm.resourceType, resourceId)
    assertPreconditions(request, current)
    assertNotDeleting(current)
    const { body, arm } = request
    // Tags are replaced as a whole, as ARM PATCH does for tags.
    const tags = body.tags !== undefined ? (body.tags ?? {}) : current.tags
    const properties = body.properties ? mergePatch(current.properties, body.properties) : current.properties
    // Nothing changes, so neither the ETag nor lastModified* moves (ARM-CONTRACT 54).
    if (canonical(tags) === canonical(current.tags) && canonical(properties) === canonical(current.properties)) return current
    const data = {
      tags: tags as Prisma.InputJsonValue,
      properties: properties as Prisma.InputJsonValue,
      etag: newEtag(),
      lastModifiedBy: arm.caller.id,
      lastModifiedByType: arm.caller.type,
      lastModifiedAt: new Date(),
    }
    const updated = await db.cluster.updateMany({ where: { id: current.id, etag: current.etag }, data })
    const cluster = updated.count === 1 ? await db.cluster.findUnique({ where: { id: current.id } }) : null
    if (!cluster) throw new ConcurrentModificationError(resourceId)
    return cluster
  }

  // Without extensions the registration goes at once (200). With extensions: 202 and a cluster.delete operation
  // that deletes every extension (each its own tracked delete, superseding what it had in flight) and then the
  // cluster; poll it at {clusterId}/operations/{operationId} (api/routes/cluster-operations.ts).
  const deleteQuerySchema = { type: 'object', properties: { forceDelete: { type: 'string', enum: ['true', 'false', 'True', 'False'] } } } as const
  app.delete<{ Params: Params; Querystring: { forceDelete?: string } }>(path, { config, schema: { querystring: deleteQuerySchema } }, async (request, reply) => {
    assertParams(request.params)
    const { db, queue } = app.services
    const judged = await judgedAgainstLatest(async () => {
      const cluster = await findCluster(db, idKey(requestResourceId(request)))
      if (!cluster) return null
      assertPreconditions(request, cluster)
      const ifMatch = request.headers['if-match']
      const result = await acceptClusterDelete(db, cluster, {
        apiVersion: request.arm.apiVersion,
        correlationId: request.arm.correlationId,
        forceDelete: request.query.forceDelete?.toLowerCase() === 'true',
        expectedEtag: ifMatch !== undefined && ifMatch !== '*' ? cluster.etag : undefined,
      })
      return { cluster, result }
    })
    if (!judged || judged.result.outcome === 'gone') return reply.code(204).send()
    const { cluster, result } = judged
    if (result.outcome === 'deleted') return reply.code(200).send()
    await deliverOrLeaveToOutbox(db, queue, result.deliver, request.log)
    return answerClusterOperation(app, request, reply, cluster.resourceId, result.operation.id).send()
  })
}

export async function clusterRoutes(app: FastifyInstance): Promise<void> {
  for (const type of CLUSTER_PARENT_TYPES) {
    registerClusterType(app, type)
    registerClusterList(app, type)
  }
}
