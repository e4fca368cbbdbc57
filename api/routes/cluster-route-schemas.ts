// Route schemas of the cluster registry (api/routes/clusters.ts, api/routes/cluster-operations.ts): request bodies
// Fastify validates, and the responses, operationIds and examples @fastify/swagger publishes (api/plugins/openapi.ts).
// connectedClusters, managedClusters, provisionedClusters and appliances share one shape, so one definition.
import type { ClusterParentType } from '../../core/domain/cluster-types.js'
import { SCHEMA_IDS, ref } from '../versions/extension-schemas.js'

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

export const clusterPutSchema = {
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
export const clusterPatchSchema = {
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

export const CLUSTER_SCHEMA_IDS = { cluster: 'ConnectedCluster', clusterList: 'ConnectedClusterList' } as const

/** A registration as the routes answer it; `properties` stays open because a PUT's properties beyond the facts are kept and echoed. */
const cluster = {
  $id: CLUSTER_SCHEMA_IDS.cluster,
  type: 'object',
  description: 'A registered Kubernetes cluster, the parent resource extensions are installed into.',
  properties: {
    id: { type: 'string', readOnly: true },
    name: { type: 'string', readOnly: true },
    type: { type: 'string', readOnly: true },
    location: { type: 'string' },
    tags: { type: 'object', additionalProperties: { type: 'string' } },
    identity: { type: 'object', additionalProperties: true, properties: { type: { type: 'string', enum: ['SystemAssigned', 'None'] } } },
    systemData: ref(SCHEMA_IDS.systemData),
    properties: {
      type: 'object',
      additionalProperties: true,
      properties: {
        distribution: { type: 'string' },
        distributionVersion: { type: 'string' },
        infrastructure: { type: 'string' },
        kubernetesVersion: { type: 'string' },
        totalNodeCount: { type: 'integer' },
        totalCoreCount: { type: 'integer' },
        azureHybridBenefit: { type: 'string', enum: factSchemas.azureHybridBenefit.enum },
        agentPublicKeyCertificate: { type: 'string' },
        miscellaneousProperties: { type: 'object', additionalProperties: { type: 'string' } },
        provisioningState: { type: 'string', readOnly: true },
        connectivityStatus: { type: 'string', readOnly: true },
      },
    },
  },
} as const

const clusterList = {
  $id: CLUSTER_SCHEMA_IDS.clusterList,
  type: 'object',
  description: 'A page of registered clusters.',
  properties: { value: { type: 'array', items: ref(CLUSTER_SCHEMA_IDS.cluster) }, nextLink: { type: 'string' } },
} as const

export const CLUSTER_SCHEMAS = [cluster, clusterList]

/** A registration request as in Azure's ConnectedClusters examples, with values the catalog's rules recognise. */
const putExample = {
  location: 'eastus',
  tags: { environment: 'dev' },
  identity: { type: 'SystemAssigned' },
  properties: {
    distribution: 'AKS',
    distributionVersion: '1.0',
    infrastructure: 'azure',
    kubernetesVersion: '1.29.4',
    totalNodeCount: 3,
    totalCoreCount: 12,
    azureHybridBenefit: 'NotApplicable',
    miscellaneousProperties: { architecture: 'amd64' },
  },
}
const patchExample = { tags: { environment: 'staging' }, properties: { kubernetesVersion: '1.30.1', totalNodeCount: 5 } }

interface ClusterOperationIds {
  put: string
  get: string
  patch: string
  delete: string
  listByResourceGroup: string
  listBySubscription: string
}

/** Upstream operationIds per parent type, so the generated OpenAPI document names operations as Azure does. */
const OPERATION_IDS: Record<string, ClusterOperationIds> = {
  connectedClusters: {
    put: 'ConnectedCluster_Create',
    get: 'ConnectedCluster_Get',
    patch: 'ConnectedCluster_Update',
    delete: 'ConnectedCluster_Delete',
    listByResourceGroup: 'ConnectedCluster_ListByResourceGroup',
    listBySubscription: 'ConnectedCluster_ListBySubscription',
  },
  managedClusters: {
    put: 'ManagedClusters_CreateOrUpdate',
    get: 'ManagedClusters_Get',
    patch: 'ManagedClusters_UpdateTags',
    delete: 'ManagedClusters_Delete',
    listByResourceGroup: 'ManagedClusters_ListByResourceGroup',
    listBySubscription: 'ManagedClusters_List',
  },
  provisionedClusters: {
    put: 'ProvisionedClusters_CreateOrUpdate',
    get: 'ProvisionedClusters_Get',
    patch: 'ProvisionedClusters_Update',
    delete: 'ProvisionedClusters_Delete',
    listByResourceGroup: 'ProvisionedClusters_ListByResourceGroup',
    listBySubscription: 'ProvisionedClusters_ListBySubscription',
  },
  appliances: {
    put: 'Appliances_CreateOrUpdate',
    get: 'Appliances_Get',
    patch: 'Appliances_Update',
    delete: 'Appliances_Delete',
    listByResourceGroup: 'Appliances_ListByResourceGroup',
    listBySubscription: 'Appliances_ListBySubscription',
  },
}

function operationIds(type: ClusterParentType): ClusterOperationIds & { operationStatus: string; operationResult: string } {
  const ids = OPERATION_IDS[type.resourceType]
  if (!ids) throw new Error(`No operationIds for cluster type ${type.provider}/${type.resourceType}`)
  // Azure has no such operations on its cluster RPs (their deletes are synchronous here only when empty).
  const prefix = ids.get.split('_')[0]
  return { ...ids, operationStatus: `${prefix}_GetOperationStatus`, operationResult: `${prefix}_GetOperationResult` }
}

const described = (description: string, id: string) => ({ description, ...ref(id) })
const empty = (description: string) => ({ description, type: 'null' })

/** The schema of each route of one cluster type. */
export function clusterRouteSchemas(type: ClusterParentType) {
  const ids = operationIds(type)
  const tags = [`${type.provider}/${type.resourceType}`]
  const clusterResponse = (description: string) => described(description, CLUSTER_SCHEMA_IDS.cluster)
  const list = (operationId: string, summary: string) => ({ operationId, summary, tags, response: { 200: described('A page of registered clusters.', CLUSTER_SCHEMA_IDS.clusterList) } })
  return {
    put: {
      operationId: ids.put,
      summary: 'Registers a cluster, or replaces its registration.',
      tags,
      body: { ...clusterPutSchema, example: putExample },
      response: { 200: clusterResponse('The registration was replaced.'), 201: clusterResponse('The cluster was registered.') },
    },
    get: { operationId: ids.get, summary: 'Gets a registered cluster.', tags, response: { 200: clusterResponse('The registered cluster.') } },
    patch: {
      operationId: ids.patch,
      summary: 'Updates tags and cluster facts (JSON merge patch; null removes a fact).',
      tags,
      body: { ...clusterPatchSchema, example: patchExample },
      response: { 200: clusterResponse('The updated registration.') },
    },
    delete: {
      operationId: ids.delete,
      summary: 'Deletes a registration, and with it every extension installed into the cluster.',
      tags,
      response: {
        200: empty('The registration had no extensions and was deleted.'),
        202: empty('The extensions are being deleted, then the registration; poll Azure-AsyncOperation or Location.'),
        204: empty('No such registration.'),
      },
    },
    listByResourceGroup: list(ids.listByResourceGroup, 'Lists the registered clusters of a resource group.'),
    listBySubscription: list(ids.listBySubscription, 'Lists the registered clusters of a subscription.'),
    operationStatus: {
      operationId: ids.operationStatus,
      summary: 'The status of an asynchronous cluster operation (a cluster delete).',
      tags,
      response: { 200: described('The operation status.', SCHEMA_IDS.operationStatusResult) },
    },
    operationResult: {
      operationId: ids.operationResult,
      summary: 'The Location URL of a cluster operation: 202 while it runs, then 204, or the error that ended it.',
      tags,
      response: {
        202: empty('The operation is still running.'),
        204: empty('The operation succeeded: the registration is gone.'),
        default: described('The error that ended the operation.', SCHEMA_IDS.errorResponse),
      },
    },
  }
}
