// Providers_List/Get/Register for the namespaces arcext serves: Microsoft.KubernetesConfiguration and the cluster
// parents' namespaces. Each is Registered in every subscription (there is nothing to register), and each resource
// type lists the api-versions its routes accept, read from the same tables the routes use.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { CLUSTER_PARENT_TYPES } from '../../../core/domain/cluster-types.js'
import { ArmErrors } from '../../arm/errors.js'
import { SUPPORTED_EXTENSION_API_VERSIONS } from '../../versions/extension-api-versions.js'
import { EXTENSION_TYPE_API_VERSIONS } from '../../versions/extension-type-api-versions.js'
import { RESOURCE_MANAGER_API_VERSIONS } from './api-versions.js'
import { AZURE_REGIONS } from './locations.js'
import type { SubscriptionVisibility } from './visible-subscriptions.js'
import { HIDDEN } from './hidden.js'

interface ResourceTypeEntry {
  resourceType: string
  apiVersions: readonly string[]
}

const KUBERNETES_CONFIGURATION: ResourceTypeEntry[] = [
  { resourceType: 'extensions', apiVersions: SUPPORTED_EXTENSION_API_VERSIONS },
  { resourceType: 'extensions/operations', apiVersions: SUPPORTED_EXTENSION_API_VERSIONS },
  { resourceType: 'extensionTypes', apiVersions: EXTENSION_TYPE_API_VERSIONS },
  { resourceType: 'locations/extensionTypes', apiVersions: EXTENSION_TYPE_API_VERSIONS },
  { resourceType: 'operations', apiVersions: SUPPORTED_EXTENSION_API_VERSIONS },
]

function servedNamespaces(): Map<string, { namespace: string; resourceTypes: ResourceTypeEntry[] }> {
  const namespaces = new Map([['microsoft.kubernetesconfiguration', { namespace: 'Microsoft.KubernetesConfiguration', resourceTypes: KUBERNETES_CONFIGURATION }]])
  for (const parent of CLUSTER_PARENT_TYPES) {
    const key = parent.provider.toLowerCase()
    const entry = namespaces.get(key) ?? { namespace: parent.provider, resourceTypes: [] }
    entry.resourceTypes.push({ resourceType: parent.resourceType, apiVersions: parent.registryApiVersions })
    namespaces.set(key, entry)
  }
  return namespaces
}

const NAMESPACES = servedNamespaces()
const LOCATION_NAMES = AZURE_REGIONS.map((region) => region.displayName)

function providerBody(subscriptionId: string, namespace: string, resourceTypes: readonly ResourceTypeEntry[]) {
  return {
    id: `/subscriptions/${subscriptionId}/providers/${namespace}`,
    namespace,
    registrationState: 'Registered',
    registrationPolicy: 'RegistrationRequired',
    resourceTypes: resourceTypes.map((type) => ({
      resourceType: type.resourceType,
      locations: type.resourceType === 'operations' ? [] : LOCATION_NAMES,
      apiVersions: [...type.apiVersions],
      ...(type.resourceType === 'extensions' ? { capabilities: 'SupportsExtension' } : {}),
    })),
  }
}

const config = { arm: { resourceType: 'Microsoft.Resources/providers', apiVersions: RESOURCE_MANAGER_API_VERSIONS }, access: { kind: 'authenticated' } } as const

type ProviderRequest = FastifyRequest<{ Params: { subscriptionId: string; namespace: string } }>

export function providerRoutes(visibility: SubscriptionVisibility) {
  return async (app: FastifyInstance): Promise<void> => {
    const visibleSubscription = async (request: FastifyRequest<{ Params: { subscriptionId: string } }>): Promise<string> => {
      if (!(await visibility.includes(request, request.params.subscriptionId))) throw ArmErrors.subscriptionNotFound(request.params.subscriptionId)
      return request.params.subscriptionId
    }
    const provider = async (request: ProviderRequest) => {
      const subscriptionId = await visibleSubscription(request)
      const served = NAMESPACES.get(request.params.namespace.toLowerCase())
      if (!served) throw ArmErrors.invalidResourceNamespace(request.params.namespace)
      return providerBody(subscriptionId, served.namespace, served.resourceTypes)
    }

    app.get<{ Params: { subscriptionId: string } }>('/subscriptions/:subscriptionId/providers', { config, schema: HIDDEN }, async (request) => {
      const subscriptionId = await visibleSubscription(request)
      return { value: [...NAMESPACES.values()].map((served) => providerBody(subscriptionId, served.namespace, served.resourceTypes)) }
    })
    app.get('/subscriptions/:subscriptionId/providers/:namespace', { config, schema: HIDDEN }, provider)
    // Registration is a write in Azure's RBAC (Microsoft.<namespace>/register/action); here it changes nothing.
    app.post('/subscriptions/:subscriptionId/providers/:namespace/register', { config, schema: HIDDEN }, provider)
  }
}
