// The ARM requests the scenarios send: cluster registration, extension create, read and list.
import type { RequestSpec } from './load.js'

const CLUSTER_API = 'api-version=2024-01-01'
const EXTENSION_API = 'api-version=2023-05-01'

/** The benchmark's one subscription (throttling budgets are set out of reach, so sharing one costs nothing). */
export const BENCH_SUBSCRIPTION = '0b0e0c0a-0000-4000-8000-00000000be0c'

export const clusterPath = (cluster: string) => `/subscriptions/${BENCH_SUBSCRIPTION}/resourceGroups/bench/providers/Microsoft.Kubernetes/connectedClusters/${cluster}`

export const extensionPath = (cluster: string, extension: string) => `${clusterPath(cluster)}/providers/Microsoft.KubernetesConfiguration/extensions/${extension}`

/** The key the store files an extension under: its resource id, case-folded. */
export const extensionKey = (cluster: string, extension: string) => extensionPath(cluster, extension).toLowerCase()

const COMPATIBLE_CLUSTER = {
  location: 'eastus',
  properties: { distribution: 'k3s', infrastructure: 'generic', kubernetesVersion: '1.30.4', totalNodeCount: 3, miscellaneousProperties: { architecture: 'amd64' } },
}

export const registerCluster = (cluster: string): RequestSpec => ({ method: 'PUT', path: `${clusterPath(cluster)}?${CLUSTER_API}`, body: COMPATIBLE_CLUSTER })

/** A namespace-scoped extension type many of which may share a cluster, each in its own namespace. */
export const BENCH_EXTENSION_TYPE = 'microsoft.apimanagement'
/** What its catalog settings rules require: the gateway's endpoint and, protected, its token. */
const BENCH_EXTENSION_SETTINGS = {
  configurationSettings: { 'gateway.configuration.uri': 'https://bench.configuration.azure-api.net' },
  configurationProtectedSettings: { 'gateway.auth.token': 'GatewayKey bench' },
}

export const createExtension = (cluster: string, extension: string): RequestSpec => ({
  method: 'PUT',
  path: `${extensionPath(cluster, extension)}?${EXTENSION_API}`,
  body: { properties: { extensionType: BENCH_EXTENSION_TYPE, scope: { namespace: { targetNamespace: extension } }, ...BENCH_EXTENSION_SETTINGS } },
})

export const readExtension = (cluster: string, extension: string): RequestSpec => ({ method: 'GET', path: `${extensionPath(cluster, extension)}?${EXTENSION_API}` })

/** The first page (default size) of a cluster's extensions. */
export const listExtensions = (cluster: string): RequestSpec => ({ method: 'GET', path: `${clusterPath(cluster)}/providers/Microsoft.KubernetesConfiguration/extensions?${EXTENSION_API}` })

export const baselineRead = (name: string): RequestSpec => ({ method: 'GET', path: `/rows/${name}` })

export const baselineInsert = (name: string): RequestSpec => ({ method: 'PUT', path: `/rows/${name}`, body: { extensionType: BENCH_EXTENSION_TYPE, targetNamespace: name } })
