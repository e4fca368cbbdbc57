// Cluster registry: the parents extensions install into, ARM-shaped like Microsoft.Kubernetes/connectedClusters
// (2024-01-01 / 2021-10-01 swagger); the other parent types share it, each answering with its own fact names. No agent reports cluster
// facts here, so PUT and PATCH carry them (distribution, infrastructure, kubernetesVersion, totalNodeCount,
// miscellaneousProperties.architecture), read-only as they are in Azure.
import { systemDataToWire } from '../arm/system-data.js'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { CLUSTER_PARENT_TYPES, clusterTypeKey, type ClusterParentType } from '../../core/domain/cluster-types.js'
import { ConcurrentModificationError } from '../../core/domain/errors.js'
import { clusterDocument, createCluster, findCluster, listClusters, replaceCluster, updateClusterDocument, type Cluster } from '../../core/store/clusters.js'
import { acceptClusterDelete } from '../../core/store/extensions.js'
import { deliverOrLeaveToOutbox } from '../../core/store/outbox.js'
import { answerClusterOperation } from './cluster-operations.js'
import { ArmErrors } from '../arm/errors.js'
import { judgedAgainstLatest } from '../arm/lost-race.js'
import { assertPreconditions, setEtag } from '../arm/etag.js'
import { pageRequest, pagingQuerySchema, toPage } from '../arm/paging.js'
import { isStorable } from '../arm/content-limits.js'
import { addressedCluster } from '../arm/resource-path.js'
import { RESOURCE_GROUP_PATH } from './paths.js'
import { readableResourceGroups } from '../auth/route-access.js'
import { isJsonObject, mergePatch, type JsonObject } from '../arm/merge-patch.js'
import { canonicalJson } from '../arm/canonical-json.js'
import { clusterRouteSchemas } from './cluster-route-schemas.js'

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

/** Server-owned properties: a client's value is ignored rather than stored and echoed (docs/arm-rules.md rule 25). */
const SERVER_OWNED_PROPERTIES = ['provisioningState', 'connectivityStatus']

function withoutServerOwned(properties: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(properties).filter(([key]) => !SERVER_OWNED_PROPERTIES.includes(key)))
}

/**
 * What each type's own swagger calls the facts the registry keeps in connectedClusters' words: connectivityStatus is
 * a connectedClusters property; a managed cluster reports its version also as currentKubernetesVersion, and an
 * appliance its distribution as `distro`. Every type answers with provisioningState.
 */
function typeProperties(type: ClusterParentType, properties: JsonObject): JsonObject {
  switch (type.resourceType) {
    case 'connectedClusters':
      return { connectivityStatus: 'Connected' }
    case 'managedClusters':
      return properties.kubernetesVersion !== undefined ? { currentKubernetesVersion: properties.kubernetesVersion } : {}
    case 'appliances':
      return properties.distribution !== undefined ? { distro: properties.distribution } : {}
    default:
      return {}
  }
}

function clusterToWire(cluster: Cluster, type: ClusterParentType): JsonObject {
  const { tags, identity, properties } = clusterDocument(cluster)
  return {
    id: cluster.resourceId,
    name: cluster.name,
    type: `${type.provider}/${type.resourceType}`,
    location: cluster.location,
    tags,
    ...(identity ? { identity } : {}),
    systemData: systemDataToWire(cluster),
    properties: { ...properties, ...typeProperties(type, properties), provisioningState: cluster.provisioningState },
  }
}

/** A registration being torn down (its extensions are being deleted) cannot be changed meanwhile (docs/arm-rules.md rule 48). */
function assertNotDeleting(cluster: Cluster): void {
  if (cluster.provisioningState === 'Deleting') {
    throw ArmErrors.anotherOperationInProgress(`The cluster '${cluster.name}' is being deleted; it cannot be changed.`, cluster.resourceId)
  }
}

/** Keyset position: name first (the order callers see), then the id, which is unique across resource groups. */
function encodeKey(cluster: Pick<Cluster, 'nameKey' | 'idKey'>): string {
  return JSON.stringify([cluster.nameKey, cluster.idKey])
}

function decodeKey(after: string | null): { nameKey: string; idKey: string } | null {
  if (after === null) return null
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
  const [nameKey, idKey] = parsed as [string, string]
  return { nameKey, idKey }
}

function registerClusterList(app: FastifyInstance, type: ClusterParentType): void {
  const config = { arm: { resourceType: `${type.provider}/${type.resourceType}`, apiVersions: type.registryApiVersions } }
  const suffix = `/providers/${type.provider}/${type.resourceType}`
  const list = async (request: FastifyRequest) => {
    const { subscriptionId, resourceGroupName } = request.arm.resourceId
    const page = pageRequest(request)
    // A caller with roles on only some resource groups sees only theirs (api/auth/authorization.ts).
    const readable = readableResourceGroups(request)
    const rows = await listClusters(app.services.db, {
      subscriptionKey: (subscriptionId ?? '').toLowerCase(),
      typeKey: clusterTypeKey(type),
      ...(resourceGroupName !== undefined ? { resourceGroupKey: resourceGroupName.toLowerCase() } : {}),
      ...(readable !== undefined ? { readableResourceGroupKeys: readable } : {}),
      after: decodeKey(page.after),
      take: page.top + 1,
    })
    return toPage(request, app.services.config, page, rows, encodeKey, (row) => clusterToWire(row, type))
  }
  const schemas = clusterRouteSchemas(type)
  app.get(`${RESOURCE_GROUP_PATH}${suffix}`, { config, schema: { ...schemas.listByResourceGroup, querystring: pagingQuerySchema } }, list)
  const subscriptionConfig = { ...config, access: { kind: 'resource', listsReadableResourceGroups: true } } as const
  app.get(`/subscriptions/:subscriptionId${suffix}`, { config: subscriptionConfig, schema: { ...schemas.listBySubscription, querystring: pagingQuerySchema } }, list)
}

function registerClusterType(app: FastifyInstance, type: ClusterParentType): void {
  const path = `${RESOURCE_GROUP_PATH}/providers/${type.provider}/${type.resourceType}/:clusterName`
  const config = { arm: { resourceType: `${type.provider}/${type.resourceType}`, apiVersions: type.registryApiVersions } }
  const { db } = app.services
  const schemas = clusterRouteSchemas(type)

  /**
   * Creates or replaces a registration. The write is conditional on the ETag the preconditions were checked
   * against, so a concurrent writer makes this request re-check them (412) instead of being silently overwritten.
   */
  async function putCluster(request: FastifyRequest<{ Body: ClusterPutBody }>): Promise<{ cluster: Cluster; created: boolean }> {
    const addressed = addressedCluster(request)
    const existing = await findCluster(db, addressed.key)
    assertPreconditions(request, existing)
    if (existing) assertNotDeleting(existing)
    const { body, arm } = request
    const document = { tags: body.tags ?? {}, identity: body.identity ?? null, properties: withoutServerOwned(body.properties ?? {}) }
    if (existing) {
      const cluster = await replaceCluster(db, existing, { ...document, location: body.location }, arm.caller)
      if (cluster) return { cluster, created: false }
    } else {
      const { resourceId } = arm
      const cluster = await createCluster(db, {
        ...document,
        location: body.location,
        resourceId: addressed.id,
        idKey: addressed.key,
        subscriptionKey: (resourceId.subscriptionId ?? '').toLowerCase(),
        resourceGroupKey: (resourceId.resourceGroupName ?? '').toLowerCase(),
        typeKey: clusterTypeKey(type),
        name: addressed.name,
        caller: arm.caller,
      })
      if (cluster) return { cluster, created: true }
    }
    throw new ConcurrentModificationError(addressed.id)
  }

  app.put<{ Body: ClusterPutBody }>(path, { config, schema: schemas.put }, async (request, reply) => {
    const { cluster, created } = await judgedAgainstLatest(() => putCluster(request))
    setEtag(reply, cluster.etag)
    return reply.code(created ? 201 : 200).send(clusterToWire(cluster, type))
  })

  app.get(path, { config, schema: schemas.get }, async (request: FastifyRequest, reply: FastifyReply) => {
    const addressed = addressedCluster(request)
    const cluster = await findCluster(db, addressed.key)
    if (!cluster) throw ArmErrors.resourceNotFound(config.arm.resourceType, addressed.id)
    setEtag(reply, cluster.etag)
    return clusterToWire(cluster, type)
  })

  app.patch<{ Body: ClusterPatchBody }>(path, { config, schema: schemas.patch }, async (request, reply) => {
    const cluster = await judgedAgainstLatest(() => patchCluster(request))
    setEtag(reply, cluster.etag)
    return reply.code(200).send(clusterToWire(cluster, type))
  })

  /** Merges a PATCH into the registration as it is now; nothing changes when the merge changes nothing. */
  async function patchCluster(request: FastifyRequest<{ Body: ClusterPatchBody }>): Promise<Cluster> {
    const addressed = addressedCluster(request)
    const current = await findCluster(db, addressed.key)
    // A PATCH never creates (docs/arm-rules.md rule 46).
    if (!current) throw ArmErrors.resourceNotFound(config.arm.resourceType, addressed.id)
    assertPreconditions(request, current)
    assertNotDeleting(current)
    const { body, arm } = request
    const stored = clusterDocument(current)
    // Tags are replaced as a whole, as ARM PATCH does for tags.
    const tags = body.tags !== undefined ? (body.tags ?? {}) : stored.tags
    const merged = body.properties ? mergePatch(stored.properties, body.properties) : stored.properties
    const properties = isJsonObject(merged) ? merged : {}
    // Nothing changes, so neither the ETag nor lastModified* moves (docs/arm-rules.md rule 54).
    if (canonicalJson(tags) === canonicalJson(stored.tags) && canonicalJson(properties) === canonicalJson(stored.properties)) return current
    const cluster = await updateClusterDocument(db, current, { tags, properties }, arm.caller)
    if (!cluster) throw new ConcurrentModificationError(addressed.id)
    return cluster
  }

  // Without extensions the registration goes at once (200). With extensions: 202 and a cluster.delete operation
  // that deletes every extension (each its own tracked delete, superseding what it had in flight) and then the
  // cluster; poll it at {clusterId}/operations/{operationId} (api/routes/cluster-operations.ts).
  const deleteQuerySchema = { type: 'object', properties: { forceDelete: { type: 'string', enum: ['true', 'false', 'True', 'False'] } } } as const
  app.delete<{ Querystring: { forceDelete?: string } }>(path, { config, schema: { ...schemas.delete, querystring: deleteQuerySchema } }, async (request, reply) => {
    const { db, queue } = app.services
    const judged = await judgedAgainstLatest(async () => {
      const cluster = await findCluster(db, addressedCluster(request).key)
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
