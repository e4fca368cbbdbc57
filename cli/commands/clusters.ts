// clusters ls | show | register: the cluster registrations extensions live under (ARM routes of the four parent types).
import { CLUSTER_PARENT_TYPES } from '../../core/domain/cluster-types.js'
import type { Command, Context } from '../context.js'
import { call, listAll } from '../http.js'
import { details, emit, table } from '../output.js'
import { CLUSTER_OPTIONS, SUBSCRIPTIONS_API_VERSION, clusterApiVersion, clusterId, pathOf, subscriptionOf } from '../resources.js'

interface Cluster {
  id: string
  name: string
  type: string
  location: string
  tags?: Record<string, string>
  properties?: {
    provisioningState?: string
    distribution?: string
    infrastructure?: string
    kubernetesVersion?: string
    totalNodeCount?: number
    miscellaneousProperties?: { architecture?: string }
  }
}

const resourceGroupOf = (id: string) => id.split('/')[4]
const subscriptionOfId = (id: string) => id.split('/')[2]

/** The subscriptions to list: the one named, else every one the service lists to this caller. */
async function subscriptions(context: Context): Promise<string[]> {
  const named = subscriptionOf(context)
  if (named) return [named]
  const listed = await listAll<{ subscriptionId: string }>(context.conn, `/subscriptions?api-version=${SUBSCRIPTIONS_API_VERSION}`)
  return listed.map((subscription) => subscription.subscriptionId)
}

const ls: Command = {
  words: ['clusters', 'ls'],
  usage: '[-s SUBSCRIPTION] [-g RESOURCE_GROUP]',
  summary: 'list registered clusters of every type, in one subscription or in all the service lists',
  options: CLUSTER_OPTIONS,
  async run(context) {
    const group = context.string('resource-group')
    const clusters: Cluster[] = []
    for (const subscription of await subscriptions(context)) {
      const scope = `/subscriptions/${encodeURIComponent(subscription)}${group ? `/resourceGroups/${encodeURIComponent(group)}` : ''}`
      for (const type of CLUSTER_PARENT_TYPES) {
        clusters.push(...(await listAll<Cluster>(context.conn, `${scope}/providers/${type.provider}/${type.resourceType}?api-version=${type.registryApiVersions[0]}`)))
      }
    }
    emit(context.format, clusters, () =>
      table(
        clusters,
        [
          { header: 'NAME', value: (c) => c.name },
          { header: 'TYPE', value: (c) => c.type.split('/').pop() },
          { header: 'RESOURCE GROUP', value: (c) => resourceGroupOf(c.id) },
          { header: 'SUBSCRIPTION', value: (c) => subscriptionOfId(c.id) },
          { header: 'LOCATION', value: (c) => c.location },
          { header: 'DISTRIBUTION', value: (c) => c.properties?.distribution },
          { header: 'KUBERNETES', value: (c) => c.properties?.kubernetesVersion },
          { header: 'STATE', value: (c) => c.properties?.provisioningState },
        ],
        '(no clusters)',
      ),
    )
  },
}

const showDetails = (cluster: Cluster) =>
  details([
    ['Name', cluster.name],
    ['Id', cluster.id],
    ['Type', cluster.type],
    ['Location', cluster.location],
    ['State', cluster.properties?.provisioningState],
    ['Distribution', cluster.properties?.distribution],
    ['Infrastructure', cluster.properties?.infrastructure],
    ['Kubernetes', cluster.properties?.kubernetesVersion],
    ['Nodes', cluster.properties?.totalNodeCount],
    ['Architecture', cluster.properties?.miscellaneousProperties?.architecture],
  ])

const show: Command = {
  words: ['clusters', 'show'],
  usage: '<NAME | CLUSTER_ID> [-s SUBSCRIPTION -g RESOURCE_GROUP] [--cluster-type TYPE]',
  summary: 'one cluster registration',
  options: CLUSTER_OPTIONS,
  async run(context) {
    const id = clusterId(context, context.argument(0, 'the cluster (a name or a resource id)'))
    const cluster = (await call(context.conn, 'GET', `${pathOf(id)}?api-version=${clusterApiVersion(id)}`)).body as Cluster
    emit(context.format, cluster, showDetails)
  },
}

const register: Command = {
  words: ['clusters', 'register'],
  usage:
    '<NAME | CLUSTER_ID> [-s SUBSCRIPTION -g RESOURCE_GROUP] [--cluster-type TYPE] [--location eastus] [--distribution k3s] [--infrastructure generic] [--kubernetes-version 1.30.4] [--nodes 3] [--architecture amd64]',
  summary: 'register (create or replace) a cluster with the facts an Arc agent would report',
  options: {
    ...CLUSTER_OPTIONS,
    location: { type: 'string' },
    distribution: { type: 'string' },
    infrastructure: { type: 'string' },
    'kubernetes-version': { type: 'string' },
    nodes: { type: 'string' },
    architecture: { type: 'string' },
  },
  async run(context) {
    const id = clusterId(context, context.argument(0, 'the cluster (a name or a resource id)'))
    const body = {
      location: context.string('location') ?? 'eastus',
      properties: {
        distribution: context.string('distribution') ?? 'k3s',
        infrastructure: context.string('infrastructure') ?? 'generic',
        kubernetesVersion: context.string('kubernetes-version') ?? '1.30.4',
        totalNodeCount: context.number('nodes', 3, { min: 1, integer: true }),
        miscellaneousProperties: { architecture: context.string('architecture') ?? 'amd64' },
      },
    }
    const answer = await call(context.conn, 'PUT', `${pathOf(id)}?api-version=${clusterApiVersion(id)}`, { json: body })
    const cluster = answer.body as Cluster
    emit(context.format, cluster, () => `${answer.status === 201 ? 'Registered' : 'Updated'} ${cluster.id}\n`)
  },
}

export const clusterCommands = [ls, show, register]
