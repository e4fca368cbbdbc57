// The parent resource types extensions can be installed under, and the api-versions of their registry.
export interface ClusterParentType {
  provider: string
  resourceType: string
  /** api-versions the cluster registry route accepts for this type, newest first. */
  registryApiVersions: readonly string[]
}

// The oldest version of each is the one the az CLI's k8s-extension reads the parent at (connectedClusters 2021-10-01,
// managedClusters 2022-11-01, provisionedClusters 2022-05-01-preview, appliances 2021-10-31-preview).
export const CLUSTER_PARENT_TYPES: readonly ClusterParentType[] = [
  { provider: 'Microsoft.Kubernetes', resourceType: 'connectedClusters', registryApiVersions: ['2024-01-01', '2021-10-01'] },
  { provider: 'Microsoft.ContainerService', resourceType: 'managedClusters', registryApiVersions: ['2024-02-01', '2023-08-01', '2022-11-01'] },
  { provider: 'Microsoft.HybridContainerService', resourceType: 'provisionedClusters', registryApiVersions: ['2024-01-01', '2022-07-01', '2022-05-01-preview'] },
  // Arc resource bridge; a parent of extensions from extensions api-version 2022-11-01 on, as Azure accepts it.
  { provider: 'Microsoft.ResourceConnector', resourceType: 'appliances', registryApiVersions: ['2022-10-27', '2021-10-31-preview'] },
]

export function findClusterParentType(provider: string, resourceType: string): ClusterParentType | undefined {
  const p = provider.toLowerCase()
  const t = resourceType.toLowerCase()
  return CLUSTER_PARENT_TYPES.find((type) => type.provider.toLowerCase() === p && type.resourceType.toLowerCase() === t)
}

export function clusterTypeKey(type: ClusterParentType): string {
  return `${type.provider}/${type.resourceType}`.toLowerCase()
}
