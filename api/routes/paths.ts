// Route paths, spelled as ARM spells them; matching is case-insensitive (api/app.ts). The resource a path addresses
// is read once per request into `request.arm.resourceId` (api/arm/resource-path.ts).
export { requestResourceId } from '../arm/resource-path.js'

export const RESOURCE_GROUP_PATH = '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName'
export const CLUSTER_PATH = `${RESOURCE_GROUP_PATH}/providers/:clusterRp/:clusterResourceName/:clusterName`
export const EXTENSIONS_PATH = `${CLUSTER_PATH}/providers/Microsoft.KubernetesConfiguration/extensions`
export const EXTENSION_PATH = `${EXTENSIONS_PATH}/:extensionName`
