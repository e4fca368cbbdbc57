// Route paths, spelled as ARM spells them; matching is case-insensitive (api/app.ts).
import type { FastifyRequest } from 'fastify'
import { idKey, assertResourceGroupName, assertResourceName, assertSubscriptionId } from '../arm/resource-id.js'

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

/** The request path in the caller's casing, without query or trailing slash: ARM's `id` (ARM-CONTRACT 2). */
export function requestResourceId(request: FastifyRequest): string {
  const path = (request.url.split('?')[0] ?? '').replace(/\/+$/, '')
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
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
  assertResourceName('cluster', params.clusterName, 63)
}

export function assertExtensionParams(params: ExtensionParams): void {
  assertClusterParams(params)
  assertResourceName('extension', params.extensionName, 253)
}
