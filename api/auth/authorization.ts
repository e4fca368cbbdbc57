// What the caller may do, Azure-RBAC shaped (policy.ts holds the assignments, route-access.ts the route
// declarations). Reader reads, Contributor also writes and deletes ARM resources, Owner also reaches the operator
// endpoints. A request is judged from its route, method and decoded route params alone, before anything is looked
// up, so a refusal reads the same whether or not the resource exists. Dev mode judges only operator endpoints, by
// the peer's address.
import type { FastifyRequest } from 'fastify'
import type { AuthConfig } from '../../core/config.js'
import { parseClusterResourceId } from '../../core/store/cluster-resource-id.js'
import type { RouteConfig } from '../arm/arm-hooks.js'
import { ArmErrors, type ArmError } from '../arm/errors.js'
import { requestKind, type RequestKind } from '../arm/request-reading.js'
import { requestResourceId } from '../routes/paths.js'
import { inProcessOperator } from './in-process.js'
import { isLoopbackAddress } from './loopback.js'
import { AccessPolicy, type Role, type RoleAssignment, type RoleScope } from './policy.js'
import type { Principal } from './principal.js'
import type { RouteAccess } from './route-access.js'

export type Permission = RequestKind | 'operator'

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  Reader: ['read'],
  Contributor: ['read', 'write', 'delete'],
  Owner: ['read', 'write', 'delete', 'operator'],
}

/** The action named in a refusal, Azure-style, for operator endpoints (which have no ARM resource type). */
const OPERATOR_ACTION_PREFIX = 'Arcext.Operator/admin'

/** An assignment over `assigned` applies to a request over `target` when `target` is inside it. */
export function covers(assigned: RoleScope, target: RoleScope): boolean {
  if (assigned.subscription === undefined) return true
  if (assigned.subscription !== target.subscription) return false
  return assigned.resourceGroup === undefined || assigned.resourceGroup === target.resourceGroup
}

export function allows(assignments: readonly RoleAssignment[], permission: Permission, target: RoleScope): boolean {
  return assignments.some((assignment) => ROLE_PERMISSIONS[assignment.role].includes(permission) && covers(assignment.scope, target))
}

/** The subscription's resource groups the caller may read through resource-group-level assignments. */
function readableGroupsOf(assignments: readonly RoleAssignment[], subscription: string): string[] {
  return [...new Set(assignments.flatMap((a) => (a.scope.subscription === subscription && a.scope.resourceGroup !== undefined ? [a.scope.resourceGroup] : [])))]
}

function accessOf(request: FastifyRequest, config: RouteConfig): RouteAccess {
  if (config.access) return config.access
  if (request.is404) return { kind: 'authenticated' } // no route: the 404 says nothing about any resource
  if (config.arm) return { kind: 'resource' }
  return { kind: 'operator' } // an undeclared route is fail-closed: fleet Owner only
}

/** The scope of an ARM request, from Fastify's decoded route params, case-folded (docs/arm-rules.md rule 3). */
function resourceScope(request: FastifyRequest): RoleScope {
  const params = (request.params ?? {}) as { subscriptionId?: string; resourceGroupName?: string }
  if (params.subscriptionId === undefined) return {}
  return {
    subscription: params.subscriptionId.toLowerCase(),
    ...(params.resourceGroupName !== undefined ? { resourceGroup: params.resourceGroupName.toLowerCase() } : {}),
  }
}

function denied(principal: Principal, action: string, scope: string): ArmError {
  return ArmErrors.authorizationFailed(principal.displayName, principal.objectId ?? 'unknown', action, scope)
}

function authenticatedPrincipal(request: FastifyRequest): Principal {
  const principal = request.auth?.principal
  if (!principal) throw ArmErrors.authenticationFailed("The 'Authorization' header is missing.")
  return principal
}

function authorizeResource(request: FastifyRequest, config: RouteConfig, policy: AccessPolicy, access: Extract<RouteAccess, { kind: 'resource' }>): void {
  const principal = authenticatedPrincipal(request)
  const permission = requestKind(request.method)
  const target = resourceScope(request)
  const assignments = policy.assignmentsFor(principal)
  if (allows(assignments, permission, target)) return
  if (access.listsReadableResourceGroups && permission === 'read' && target.subscription !== undefined && target.resourceGroup === undefined) {
    const groups = readableGroupsOf(assignments, target.subscription)
    if (groups.length) {
      request.auth.readableResourceGroups = groups
      return
    }
  }
  const resourceType = config.arm?.resourceType ?? 'Microsoft.KubernetesConfiguration'
  throw denied(principal, `${resourceType}/${permission}`, requestResourceId(request) || '/')
}

function authorizeOperator(request: FastifyRequest, policy: AccessPolicy, access: Extract<RouteAccess, { kind: 'operator' }>): void {
  const principal = authenticatedPrincipal(request)
  let clusterId: string | undefined
  try {
    clusterId = access.cluster?.(request)
  } catch {
    clusterId = undefined // the handler will refuse the request; until then it is judged as fleet-wide
  }
  const parsed = clusterId === undefined ? undefined : parseClusterResourceId(clusterId)
  const cluster = parsed && !('problem' in parsed) ? parsed : undefined
  // A cluster id is /subscriptions/{sub}/resourceGroups/{rg}/providers/...: segments 2 and 4.
  const segments = cluster?.idKey.split('/')
  const target: RoleScope = segments ? { subscription: segments[2], resourceGroup: segments[4] } : {}
  if (allows(policy.assignmentsFor(principal), 'operator', target)) return
  throw denied(principal, `${OPERATOR_ACTION_PREFIX}/${requestKind(request.method)}`, cluster?.resourceId ?? '/')
}

export interface Authorization {
  /**
   * ARM routes (and dev mode's operator endpoints) are judged as soon as the route is known: before the body is read
   * and before throttling counts the request against a subscription's budget.
   */
  onRequest(request: FastifyRequest, config: RouteConfig): void
  /** In jwt mode operator endpoints may name their cluster in the body, so they are judged once it is parsed, before it is validated. */
  preValidation(request: FastifyRequest, config: RouteConfig): void
}

export function createAuthorization(auth: AuthConfig): Authorization {
  const policy = auth.mode === 'jwt' ? AccessPolicy.load(auth.policyFile!) : undefined
  return {
    onRequest(request, config) {
      if (inProcessOperator(request)) return // the process's own operator (api/auth/in-process.ts)
      const access = accessOf(request, config)
      if (policy && access.kind === 'resource') authorizeResource(request, config, policy, access)
      if (!policy && access.kind === 'operator' && !isLoopbackAddress(request.socket.remoteAddress)) throw ArmErrors.operatorEndpointNotLoopback()
    },
    preValidation(request, config) {
      if (inProcessOperator(request)) return
      const access = accessOf(request, config)
      if (policy && access.kind === 'operator') authorizeOperator(request, policy, access)
    },
  }
}
