// What a route needs from its caller, declared on the route (`config.access`) so route handlers stay free of
// authorization code; api/auth/authorization.ts enforces it. ARM routes need nothing declared: the method says
// read, write or delete, and the route's subscription and resource group params say over which scope.
import type { FastifyRequest } from 'fastify'
import type { Principal } from './principal.js'

export type RouteAccess =
  /** No token at all: health probes and the OpenAPI document. */
  | { kind: 'public' }
  /** Any valid token: tenant-wide information such as the provider's operations list. */
  | { kind: 'authenticated' }
  /**
   * ARM resources (the default for routes with `config.arm`). A list under a subscription with
   * `listsReadableResourceGroups` answers a caller who may read only some of its resource groups with those groups
   * (see `readableResourceGroups`) instead of refusing.
   */
  | { kind: 'resource'; listsReadableResourceGroups?: boolean }
  /**
   * Operator endpoints: Owner in jwt mode, loopback peers in dev mode. `cluster` names the cluster id the request
   * acts on (as the handler reads it), so Owner over a scope containing that cluster is enough; without it (or
   * when it names none) the request acts fleet-wide and needs Owner at "/".
   */
  | { kind: 'operator'; cluster?: (request: FastifyRequest) => string | undefined }

export interface RequestAuth {
  /** Null in dev mode when no decodable JWT was sent. */
  principal: Principal | null
  /** Set on a subscription-wide list the caller may read only partly: the lower-cased resource groups it may read. */
  readableResourceGroups?: string[]
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess
  }
  interface FastifyRequest {
    auth: RequestAuth
  }
}

/** The resource groups a list must be limited to, or undefined when the caller may read all of them. */
export function readableResourceGroups(request: FastifyRequest): string[] | undefined {
  return request.auth?.readableResourceGroups
}
