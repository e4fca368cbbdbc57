// A registered cluster's facts, read from its stored ARM properties (the registry accepts them on PUT).
import type { Cluster } from '../db/generated/client.js'
import type { ClusterFacts } from './model.js'

export function clusterFacts(cluster: Pick<Cluster, 'properties'>): ClusterFacts {
  const properties = (cluster.properties ?? {}) as Record<string, unknown>
  const misc = (properties.miscellaneousProperties ?? {}) as Record<string, unknown>
  const text = (value: unknown) => (typeof value === 'string' ? value : null)
  return {
    distribution: text(properties.distribution),
    infrastructure: text(properties.infrastructure),
    kubernetesVersion: text(properties.kubernetesVersion),
    totalNodeCount: typeof properties.totalNodeCount === 'number' ? properties.totalNodeCount : null,
    architecture: text(misc.architecture),
  }
}
