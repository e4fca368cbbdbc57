// Which subscriptions a caller may use: in dev mode every subscription holding a cluster plus DEFAULT_SUBSCRIPTION_ID
// (and any other id asked for by name, since dev mode serves every request); in jwt mode those its role assignments
// name, or all of the former for an assignment over "/".
import type { FastifyRequest } from 'fastify'
import type { Config } from '../../../core/config.js'
import type { Db } from '../../../core/db/client.js'
import { subscriptionsHoldingClusters } from '../../../core/store/clusters.js'
import type { AccessPolicy } from '../../auth/policy.js'

export interface SubscriptionVisibility {
  /** Lower-cased ids, sorted. */
  list(request: FastifyRequest): Promise<string[]>
  includes(request: FastifyRequest, subscriptionId: string): Promise<boolean>
}

export function subscriptionVisibility(db: Db, config: Pick<Config, 'defaultSubscriptionId'>, policy: AccessPolicy | undefined): SubscriptionVisibility {
  const everything = async () => [...new Set([config.defaultSubscriptionId.toLowerCase(), ...(await subscriptionsHoldingClusters(db))])].sort()
  /** Null: every subscription. */
  const assigned = (request: FastifyRequest): string[] | null => {
    const principal = request.auth.principal
    if (!policy) return null
    if (!principal) return []
    const scopes = policy.assignmentsFor(principal).map((assignment) => assignment.scope.subscription)
    return scopes.includes(undefined) ? null : [...new Set(scopes.filter((scope) => scope !== undefined))].sort()
  }
  return {
    list: async (request) => assigned(request) ?? (await everything()),
    includes: async (request, subscriptionId) => assigned(request)?.includes(subscriptionId.toLowerCase()) ?? true,
  }
}
