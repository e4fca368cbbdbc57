// The ARM front door: what Azure's own resource manager answers before any provider is called, so unmodified Azure
// clients (the CLI, the SDKs) need nothing but arcext (README: Using the Azure CLI).
import type { FastifyInstance } from 'fastify'
import { AccessPolicy } from '../../auth/policy.js'
import { metadataEndpointRoutes } from './metadata-endpoints.js'
import { providerRoutes } from './providers.js'
import { resourceGroupRoutes } from './resource-groups.js'
import { subscriptionRoutes } from './subscriptions.js'
import { subscriptionVisibility } from './visible-subscriptions.js'

export async function frontDoorRoutes(app: FastifyInstance): Promise<void> {
  const { db, config } = app.services
  const visibility = subscriptionVisibility(db, config, config.auth.mode === 'jwt' ? AccessPolicy.load(config.auth.policyFile!) : undefined)
  await app.register(metadataEndpointRoutes)
  await app.register(subscriptionRoutes(visibility))
  await app.register(providerRoutes(visibility))
  await app.register(resourceGroupRoutes)
}
