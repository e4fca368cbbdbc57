// The ARM resource a request addresses, read once from the matched route and Fastify's decoded params and checked
// against the name rules (docs/arm-rules.md rules 1-4), so handlers read `request.arm.resourceId` instead of parsing paths.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { assertClusterName, assertExtensionName, assertResourceGroupName, assertResourceName, assertSubscriptionId, idKey } from './resource-id.js'

/** A resource id in the caller's casing, and its lower-cased storage key. */
export interface AddressedId {
  id: string
  key: string
}

export interface AddressedCluster extends AddressedId {
  /** The parent type as the path spells it: `Microsoft.Kubernetes` / `connectedClusters`, ... */
  provider: string
  resourceType: string
  name: string
}

export interface AddressedExtension extends AddressedId {
  name: string
}

export interface ArmResourceId extends AddressedId {
  subscriptionId: string | undefined
  resourceGroupName: string | undefined
  location: string | undefined
  cluster: AddressedCluster | undefined
  extension: AddressedExtension | undefined
  /** As the URL has it: not checked, an unknown one is a 404 of the lookup. */
  operationId: string | undefined
}

type Params = Record<string, string | undefined>

function templateOf(request: FastifyRequest): string[] {
  return (request.routeOptions.url ?? '').split('/')
}

function substituted(segments: readonly string[], params: Params): string {
  return segments.map((segment) => (segment.startsWith(':') ? (params[segment.slice(1)] ?? segment) : segment)).join('/')
}

/**
 * ARM's `id` of the resource a request addresses (docs/arm-rules.md rule 2): the matched route's path with the router's decoded
 * parameters in the caller's casing, never the raw request target. It is the one reading of the path that storage
 * keys (idKey), throttling (the subscriptionId parameter) and authorization (subscriptionId, resourceGroupName) share,
 * so '%37e00…' and '7e00…', or a path reached through an absolute-form target, cannot name two resources.
 */
export function requestResourceId(request: FastifyRequest): string {
  return substituted(templateOf(request), request.params as Params)
}

/** What a request outside an ARM route addresses: nothing. */
export const NO_RESOURCE: ArmResourceId = {
  id: '',
  key: '',
  subscriptionId: undefined,
  resourceGroupName: undefined,
  location: undefined,
  cluster: undefined,
  extension: undefined,
  operationId: undefined,
}

function addressed(id: string): AddressedId {
  return { id, key: idKey(id) }
}

/** The id up to and including the route segment `:param`, or undefined when the route has no such segment. */
function idThrough(segments: readonly string[], params: Params, param: string): string | undefined {
  const at = segments.indexOf(`:${param}`)
  return at === -1 ? undefined : substituted(segments.slice(0, at + 1), params)
}

/** Names are checked in the order of the path, so the first wrong one is the one reported. */
function assertNames(params: Params): void {
  if (params.subscriptionId !== undefined) assertSubscriptionId(params.subscriptionId)
  if (params.resourceGroupName !== undefined) assertResourceGroupName(params.resourceGroupName)
  if (params.location !== undefined) assertResourceName('location', params.location, 64)
  if (params.clusterName !== undefined) assertClusterName(params.clusterName)
  if (params.extensionName !== undefined) assertExtensionName(params.extensionName)
}

function readArmResourceId(request: FastifyRequest): ArmResourceId {
  const params = request.params as Params
  assertNames(params)
  const segments = templateOf(request)
  const clusterAt = segments.indexOf(':clusterName')
  const clusterId = idThrough(segments, params, 'clusterName')
  const extensionId = idThrough(segments, params, 'extensionName')
  return {
    ...addressed(substituted(segments, params)),
    subscriptionId: params.subscriptionId,
    resourceGroupName: params.resourceGroupName,
    location: params.location,
    cluster:
      clusterId === undefined
        ? undefined
        : {
            ...addressed(clusterId),
            provider: substituted([segments[clusterAt - 2] ?? ''], params),
            resourceType: substituted([segments[clusterAt - 1] ?? ''], params),
            name: params.clusterName ?? '',
          },
    extension: extensionId === undefined ? undefined : { ...addressed(extensionId), name: params.extensionName ?? '' },
    operationId: params.operationId,
  }
}

/**
 * Runs last before the handler (after authentication, authorization, throttling and body validation), so a request
 * gets the same first error as when every handler checked its own path.
 */
export function registerResourcePath(app: FastifyInstance): void {
  app.addHook('preHandler', (request, reply, done) => {
    if (request.routeOptions.config.arm) request.arm.resourceId = readArmResourceId(request)
    done()
  })
}

/** The cluster an ARM route addresses; only for routes whose path names one. */
export function addressedCluster(request: FastifyRequest): AddressedCluster {
  const { cluster } = request.arm.resourceId
  if (!cluster) throw new Error(`route ${request.routeOptions.url ?? ''} names no cluster`)
  return cluster
}

/** The extension an ARM route addresses; only for routes whose path names one. */
export function addressedExtension(request: FastifyRequest): AddressedExtension {
  const { extension } = request.arm.resourceId
  if (!extension) throw new Error(`route ${request.routeOptions.url ?? ''} names no extension`)
  return extension
}
