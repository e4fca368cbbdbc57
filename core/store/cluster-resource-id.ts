// Cluster resource ids given outside a request path (admin API bodies and paths, SIMULATED_FAULTS), checked against
// the parent types the registry knows and keyed lower-case like every other resource id (docs/arm-rules.md rule 3).
import { CLUSTER_PARENT_TYPES, findClusterParentType } from '../domain/cluster-types.js'

export interface ClusterResourceId {
  /** As given, without a trailing slash. */
  resourceId: string
  /** Lower-cased: the registry's `idKey`. */
  idKey: string
}

const SHAPE = /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourceGroups\/([-\w._()]{1,90})\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/i
// Text Postgres cannot store or a terminal would render misleadingly never names a cluster (docs/arm-rules.md rule 4).
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

/** The id, or a sentence saying what a cluster id looks like. */
export function parseClusterResourceId(raw: string): ClusterResourceId | { problem: string } {
  const resourceId = raw.trim().replace(/\/+$/, '')
  const match = SHAPE.exec(resourceId)
  const types = CLUSTER_PARENT_TYPES.map((type) => `${type.provider}/${type.resourceType}`).join(', ')
  if (!match || UNSAFE_CHARACTERS.test(resourceId) || !findClusterParentType(match[3]!, match[4]!)) {
    return {
      problem:
        `'${JSON.stringify(raw).slice(1, -1)}' is not a cluster resource id; expected ` +
        `/subscriptions/{subscription GUID}/resourceGroups/{resourceGroupName}/providers/{type}/{clusterName} with type one of ${types}, without control characters.`,
    }
  }
  return { resourceId, idKey: resourceId.toLowerCase() }
}
