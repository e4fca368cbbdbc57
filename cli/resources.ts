// Which resource a command names: a cluster as a full resource id, or as a name with -s/--subscription,
// -g/--resource-group and --cluster-type (ARCEXT_SUBSCRIPTION and ARCEXT_RESOURCE_GROUP as defaults); and the
// api-versions the CLI speaks.
import { CLUSTER_PARENT_TYPES, findClusterParentType, type ClusterParentType } from '../core/domain/cluster-types.js'
import type { Context, Options } from './context.js'
import { UsageError } from './errors.js'

/** The extensions api-version of the JavaScript SDK; it knows every cluster parent type. */
export const EXTENSION_API_VERSION = '2023-05-01'
export const SUBSCRIPTIONS_API_VERSION = '2022-12-01'

export const CLUSTER_OPTIONS: Options = {
  subscription: { type: 'string', short: 's' },
  'resource-group': { type: 'string', short: 'g' },
  'cluster-type': { type: 'string' },
}

const TYPE_NAMES = CLUSTER_PARENT_TYPES.map((type) => type.resourceType).join(', ')

function clusterType(name: string): ClusterParentType {
  const type = CLUSTER_PARENT_TYPES.find(
    (candidate) => candidate.resourceType.toLowerCase() === name.toLowerCase() || `${candidate.provider}/${candidate.resourceType}`.toLowerCase() === name.toLowerCase(),
  )
  if (!type) throw new UsageError(`--cluster-type is one of ${TYPE_NAMES}, not '${name}'`)
  return type
}

export function subscriptionOf(context: Context): string | undefined {
  return context.string('subscription') ?? (context.env.ARCEXT_SUBSCRIPTION || undefined)
}

/** A cluster's resource id from a full id, or from its name and the -s/-g/--cluster-type options. */
export function clusterId(context: Context, nameOrId: string): string {
  if (nameOrId.startsWith('/')) {
    const id = nameOrId.replace(/\/+$/, '')
    const parts = id.split('/')
    if (parts.length !== 9 || parts[1]?.toLowerCase() !== 'subscriptions' || !findClusterParentType(parts[6] ?? '', parts[7] ?? '')) {
      throw new UsageError(`'${nameOrId}' is not a cluster resource id (/subscriptions/{sub}/resourceGroups/{rg}/providers/{provider}/{type}/{name}, type one of ${TYPE_NAMES})`)
    }
    return id
  }
  const subscription = subscriptionOf(context)
  const group = context.string('resource-group') ?? (context.env.ARCEXT_RESOURCE_GROUP || undefined)
  if (!subscription || !group)
    throw new UsageError(`name the cluster '${nameOrId}' by its full resource id, or give -s/--subscription and -g/--resource-group (or ARCEXT_SUBSCRIPTION and ARCEXT_RESOURCE_GROUP)`)
  const type = clusterType(context.string('cluster-type') ?? 'connectedClusters')
  return `/subscriptions/${subscription}/resourceGroups/${group}/providers/${type.provider}/${type.resourceType}/${nameOrId}`
}

/** The newest registry api-version of the cluster's type. */
export function clusterApiVersion(id: string): string {
  const parts = id.split('/')
  return findClusterParentType(parts[6] ?? '', parts[7] ?? '')?.registryApiVersions[0] ?? CLUSTER_PARENT_TYPES[0]!.registryApiVersions[0]!
}

/** A resource id as a URL path: each segment percent-encoded. */
export function pathOf(id: string): string {
  return id.split('/').map(encodeURIComponent).join('/')
}

export function extensionsPath(cluster: string): string {
  return `${pathOf(cluster)}/providers/Microsoft.KubernetesConfiguration/extensions`
}
