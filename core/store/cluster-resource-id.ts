// Cluster resource ids given outside a request path (admin API bodies and paths, SIMULATED_FAULTS), checked against
// the parent types the registry knows and keyed lower-case like every other resource id (ARM-CONTRACT 3).
import { CLUSTER_PARENT_TYPES, findClusterParentType } from '../domain/cluster-types.js'

export interface ClusterResourceId {
  /** As given, without a trailing slash. */
  resourceId: string
  /** Lower-cased: the registry's `idKey`. */
  idKey: string
}

const SHAPE = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/i

/** The id, or a sentence saying what a cluster id looks like. */
export function parseClusterResourceId(raw: string): ClusterResourceId | { problem: string } {
  const resourceId = raw.trim().replace(/\/+$/, '')
  const match = SHAPE.exec(resourceId)
  const types = CLUSTER_PARENT_TYPES.map((type) => `${type.provider}/${type.resourceType}`).join(', ')
  if (!match || !findClusterParentType(match[3]!, match[4]!)) {
    return {
      problem:
        `'${raw}' is not a cluster resource id; expected ` +
        `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/{type}/{clusterName} with type one of ${types}.`,
    }
  }
  return { resourceId, idKey: resourceId.toLowerCase() }
}
