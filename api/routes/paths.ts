// Route paths, spelled as ARM spells them; matching is case-insensitive (api/app.ts).
import type { FastifyRequest } from 'fastify'
import { idKey, assertClusterName, assertExtensionName, assertResourceGroupName, assertSubscriptionId } from '../arm/resource-id.js'

export const RESOURCE_GROUP_PATH = '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName'
export const CLUSTER_PATH = `${RESOURCE_GROUP_PATH}/providers/:clusterRp/:clusterResourceName/:clusterName`
export const EXTENSIONS_PATH = `${CLUSTER_PATH}/providers/Microsoft.KubernetesConfiguration/extensions`
export const EXTENSION_PATH = `${EXTENSIONS_PATH}/:extensionName`

export interface ClusterParams {
  subscriptionId: string
  resourceGroupName: string
  clusterRp: string
  clusterResourceName: string
  clusterName: string
}

export interface ExtensionParams extends ClusterParams {
  extensionName: string
}

/**
 * ARM's `id` of the resource a request addresses (ARM-CONTRACT 2): the matched route's path with the router's decoded
 * parameters in the caller's casing, never the raw request target. It is the one reading of the path that storage
 * keys (idKey), throttling (the subscriptionId parameter) and authorization (subscriptionId, resourceGroupName) share,
 * so '%37e00…' and '7e00…', or a path reached through an absolute-form target, cannot name two resources.
 */
export function requestResourceId(request: FastifyRequest): string {
  const params = request.params as Record<string, string | undefined>
  return (request.routeOptions.url ?? '')
    .split('/')
    .map((segment) => (segment.startsWith(':') ? (params[segment.slice(1)] ?? segment) : segment))
    .join('/')
}

export function clusterResourceId(params: ClusterParams): string {
  return `/subscriptions/${params.subscriptionId}/resourceGroups/${params.resourceGroupName}/providers/${params.clusterRp}/${params.clusterResourceName}/${params.clusterName}`
}

export function clusterKey(params: ClusterParams): string {
  return idKey(clusterResourceId(params))
}

export function assertClusterParams(params: ClusterParams): void {
  assertSubscriptionId(params.subscriptionId)
  assertResourceGroupName(params.resourceGroupName)
  assertClusterName(params.clusterName)
}

export function assertExtensionParams(params: ExtensionParams): void {
  assertClusterParams(params)
  assertExtensionName(params.extensionName)
}
