// The ARM resource a request addresses, read once from the matched route and Fastify's decoded params and checked
// against the name rules (docs/arm-rules.md rules 1-4), so handlers read `request.arm.resourceId` instead of parsing paths.
import type { FastifyRequest } from 'fastify'
import type { RouteConfig } from './arm-hooks.js'
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

/** A route's path split once: its segments, the parameter each names (null for literal ones), and where the cluster and extension names are. */
interface RouteTemplate {
  segments: readonly string[]
  params: readonly (string | null)[]
  clusterAt: number
  extensionAt: number
}

// Parsed once per route path, not per request (a GET's profile had the per-request split and maps at about 4% of its
// CPU). Keyed by the route's path: one entry per route, and '' for requests no route matched.
const templates = new Map<string, RouteTemplate>()

function templateOf(url: string | undefined): RouteTemplate {
  const path = url ?? ''
  let template = templates.get(path)
  if (!template) {
    const segments = path.split('/')
    template = {
      segments,
      params: segments.map((segment) => (segment.startsWith(':') ? segment.slice(1) : null)),
      clusterAt: segments.indexOf(':clusterName'),
      extensionAt: segments.indexOf(':extensionName'),
    }
    templates.set(path, template)
  }
  return template
}

/** Segment `at` of the route with its parameter substituted ('' beyond the path's ends). */
function segmentAt(template: RouteTemplate, params: Params, at: number): string {
  const segment = template.segments[at]
  if (segment === undefined) return ''
  const param = template.params[at]
  return param === null || param === undefined ? segment : (params[param] ?? segment)
}

/** The route's path, its parameters substituted. */
function substituted(template: RouteTemplate, params: Params): string {
  let path = segmentAt(template, params, 0)
  for (let at = 1; at < template.segments.length; at++) path += '/' + segmentAt(template, params, at)
  return path
}

/**
 * ARM's `id` of the resource a request addresses (docs/arm-rules.md rule 2): the matched route's path with the router's decoded
 * parameters in the caller's casing, never the raw request target. It is the one reading of the path that storage
 * keys (idKey), throttling (the subscriptionId parameter) and authorization (subscriptionId, resourceGroupName) share,
 * so '%37e00…' and '7e00…', or a path reached through an absolute-form target, cannot name two resources.
 */
export function requestResourceId(request: FastifyRequest): string {
  return substituted(templateOf(request.routeOptions.url), request.params as Params)
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

/** Names are checked in the order of the path, so the first wrong one is the one reported. */
function assertNames(params: Params): void {
  if (params.subscriptionId !== undefined) assertSubscriptionId(params.subscriptionId)
  if (params.resourceGroupName !== undefined) assertResourceGroupName(params.resourceGroupName)
  if (params.location !== undefined) assertResourceName('location', params.location, 64)
  if (params.clusterName !== undefined) assertClusterName(params.clusterName)
  if (params.extensionName !== undefined) assertExtensionName(params.extensionName)
}

function readArmResourceId(request: FastifyRequest, url: string): ArmResourceId {
  const params = request.params as Params
  assertNames(params)
  const template = templateOf(url)
  const { clusterAt, extensionAt } = template
  // One walk along the path: the cluster's and the extension's ids are prefixes of the resource's (the extension's
  // usually all of it, so its key is the resource's).
  let id = ''
  let clusterId: string | undefined
  let extensionId: string | undefined
  for (let at = 0; at < template.segments.length; at++) {
    id = at === 0 ? segmentAt(template, params, 0) : id + '/' + segmentAt(template, params, at)
    if (at === clusterAt) clusterId = id
    if (at === extensionAt) extensionId = id
  }
  const key = idKey(id)
  return {
    id,
    key,
    subscriptionId: params.subscriptionId,
    resourceGroupName: params.resourceGroupName,
    location: params.location,
    cluster:
      clusterId === undefined
        ? undefined
        : {
            id: clusterId,
            key: idKey(clusterId),
            provider: segmentAt(template, params, clusterAt - 2),
            resourceType: segmentAt(template, params, clusterAt - 1),
            name: params.clusterName ?? '',
          },
    extension: extensionId === undefined ? undefined : { id: extensionId, key: extensionId === id ? key : idKey(extensionId), name: params.extensionName ?? '' },
    operationId: params.operationId,
  }
}

/**
 * Runs last before the handler (after authentication, authorization, throttling and body validation; api/arm/arm-hooks.ts),
 * so a request gets the same first error as when every handler checked its own path.
 */
export function stampResourceId(request: FastifyRequest, config: RouteConfig): void {
  if (config.arm) request.arm.resourceId = readArmResourceId(request, config.url)
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
