// Subscriptions_List/Get, Tenants_List and Subscriptions_ListLocations: what `az login` and `az account` read. Every
// subscription is in the caller's tenant (visible-subscriptions.ts) and is Enabled: arcext has no billing state.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../../../core/config.js'
import { ArmErrors } from '../../arm/errors.js'
import { SUBSCRIPTION_API_VERSIONS } from './api-versions.js'
import { AZURE_REGIONS } from './locations.js'
import { callerTenant } from '../../auth/caller-tenant.js'
import type { SubscriptionVisibility } from './visible-subscriptions.js'
import { HIDDEN } from './hidden.js'

const authenticated = { kind: 'authenticated' } as const
const subscriptionsConfig = { arm: { resourceType: 'Microsoft.Resources/subscriptions', apiVersions: SUBSCRIPTION_API_VERSIONS }, access: authenticated }
const tenantsConfig = { arm: { resourceType: 'Microsoft.Resources/tenants', apiVersions: SUBSCRIPTION_API_VERSIONS }, access: authenticated }
const locationsConfig = { arm: { resourceType: 'Microsoft.Resources/subscriptions/locations', apiVersions: SUBSCRIPTION_API_VERSIONS }, access: authenticated }

function subscriptionBody(subscriptionId: string, tenantId: string, config: Pick<Config, 'defaultSubscriptionId'>) {
  return {
    id: `/subscriptions/${subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId,
    tenantId,
    displayName: subscriptionId === config.defaultSubscriptionId ? 'arcext default subscription' : `arcext subscription ${subscriptionId}`,
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'arcext', spendingLimit: 'Off' },
  }
}

export function subscriptionRoutes(visibility: SubscriptionVisibility) {
  return async (app: FastifyInstance): Promise<void> => {
    const { config } = app.services
    const visibleSubscription = async (request: FastifyRequest<{ Params: { subscriptionId: string } }>): Promise<string> => {
      const subscriptionId = request.params.subscriptionId.toLowerCase()
      // A subscription the caller may not use answers as Azure's does for one outside the caller's tenant.
      if (!(await visibility.includes(request, subscriptionId))) throw ArmErrors.subscriptionNotFound(request.params.subscriptionId)
      return subscriptionId
    }

    app.get('/subscriptions', { config: subscriptionsConfig, schema: HIDDEN }, async (request) => {
      const tenantId = callerTenant(request, config)
      return { value: (await visibility.list(request)).map((subscriptionId) => subscriptionBody(subscriptionId, tenantId, config)) }
    })

    app.get<{ Params: { subscriptionId: string } }>('/subscriptions/:subscriptionId', { config: subscriptionsConfig, schema: HIDDEN }, async (request) =>
      subscriptionBody(await visibleSubscription(request), callerTenant(request, config), config),
    )

    app.get('/tenants', { config: tenantsConfig, schema: HIDDEN }, async (request) => {
      const tenantId = callerTenant(request, config)
      return { value: [{ id: `/tenants/${tenantId}`, tenantId, tenantCategory: 'Home', displayName: 'arcext', domains: [], tenantType: 'AAD' }] }
    })

    app.get<{ Params: { subscriptionId: string } }>('/subscriptions/:subscriptionId/locations', { config: locationsConfig, schema: HIDDEN }, async (request) => {
      const subscriptionId = await visibleSubscription(request)
      return {
        value: AZURE_REGIONS.map((region) => ({
          id: `/subscriptions/${subscriptionId}/locations/${region.name}`,
          name: region.name,
          displayName: region.displayName,
          regionalDisplayName: region.displayName,
          type: 'Region',
          metadata: { regionType: 'Physical', regionCategory: 'Recommended', geography: region.geography },
        })),
      }
    })
  }
}
