// Operations_List (what this provider can do, tenant-wide, docs/arm-rules.md rule 52) and OperationStatus_List (the async
// operations in progress on one cluster).
import type { FastifyInstance } from 'fastify'
import { findCluster } from '../../core/store/clusters.js'
import { listRunningOperations } from '../../core/store/operations.js'
import { addressedCluster } from '../arm/resource-path.js'
import { ArmErrors } from '../arm/errors.js'
import { pageRequest, toPage } from '../arm/paging.js'
import { extensionRouteSchemas } from './extension-route-schemas.js'
import { SUPPORTED_EXTENSION_API_VERSIONS } from '../versions/extension-api-versions.js'
import { operationStatusBody } from './operation-status.js'
import { CLUSTER_PATH } from './paths.js'
import { isGuid } from '../../core/domain/guid.js'

const PROVIDER = 'Microsoft.KubernetesConfiguration'
const DISPLAY_PROVIDER = 'Microsoft Kubernetes Configuration'

const PROVIDER_OPERATIONS = [
  ['extensions', 'write', 'Creates or updates an extension resource.'],
  ['extensions', 'read', 'Gets an extension resource.'],
  ['extensions', 'delete', 'Deletes an extension resource.'],
  ['extensions/operations', 'read', 'Gets the status of an asynchronous operation on an extension.'],
  ['extensionTypes', 'read', 'Gets the extension types available for a cluster or location.'],
  ['operations', 'read', 'Lists the operations of this resource provider or the operations in progress on a cluster.'],
].map(([resource, action, description]) => ({
  name: `${PROVIDER}/${resource}/${action}`,
  display: { provider: DISPLAY_PROVIDER, resource: `${PROVIDER}/${resource}`, operation: `${PROVIDER}/${resource}/${action}`, description },
  isDataAction: false,
  origin: 'user,system',
}))

export async function providerOperationRoutes(app: FastifyInstance): Promise<void> {
  const { db, config: appConfig } = app.services

  // Tenant-wide and the same for everyone: any valid token may read it.
  app.get(
    `/providers/${PROVIDER}/operations`,
    { config: { arm: { resourceType: `${PROVIDER}/operations`, apiVersions: SUPPORTED_EXTENSION_API_VERSIONS }, access: { kind: 'authenticated' } }, schema: extensionRouteSchemas.providerOperations },
    async () => ({
      value: PROVIDER_OPERATIONS,
    }),
  )

  app.get(
    `${CLUSTER_PATH}/providers/${PROVIDER}/operations`,
    { config: { arm: { resourceType: `${PROVIDER}/operations`, apiVersions: SUPPORTED_EXTENSION_API_VERSIONS } }, schema: extensionRouteSchemas.operationStatusList },
    async (request) => {
      const addressed = addressedCluster(request)
      const cluster = await findCluster(db, addressed.key)
      if (!cluster) throw ArmErrors.parentResourceNotFound(addressed.id)
      const page = pageRequest(request)
      // Operation ids are UUIDs, and Postgres compares them as such: any other position is not one this service issued.
      if (page.after !== null && !isGuid(page.after)) {
        throw ArmErrors.invalidSkipToken()
      }
      const rows = await listRunningOperations(db, cluster.id, { after: page.after, take: page.top + 1 })
      return toPage(request, appConfig, page, rows, (row) => row.id, operationStatusBody)
    },
  )
}
