// Route schemas of the extensions API: params, query, body and responses with the upstream operationIds. Fastify
// validates requests with them and @fastify/swagger publishes them (api/plugins/openapi.ts).
import { SCHEMA_IDS, ref } from '../versions/extension-schemas.js'

const name = (description: string) => ({ type: 'string', minLength: 1, description })

const clusterParams = {
  subscriptionId: name('The ID of the target subscription.'),
  resourceGroupName: { type: 'string', minLength: 1, maxLength: 90, description: 'The name of the resource group. The name is case insensitive.' },
  clusterRp: name('The Kubernetes cluster RP - i.e. Microsoft.ContainerService, Microsoft.Kubernetes, Microsoft.HybridContainerService.'),
  clusterResourceName: name('The Kubernetes cluster resource name - i.e. managedClusters, connectedClusters, provisionedClusters.'),
  clusterName: name('The name of the kubernetes cluster.'),
}

const objectOf = (properties: Record<string, unknown>) => ({ type: 'object', required: Object.keys(properties), properties })

export const clusterParamsSchema = objectOf(clusterParams)
export const extensionParamsSchema = objectOf({ ...clusterParams, extensionName: name('Name of the Extension.') })
export const operationParamsSchema = objectOf({ ...clusterParams, extensionName: name('Name of the Extension.'), operationId: name('operation Id') })

const apiVersion = { 'api-version': { type: 'string', minLength: 1, description: 'The API version to use for this operation.' } }
export const apiVersionQuerySchema = { type: 'object', required: ['api-version'], properties: apiVersion }
const pagedQuerySchema = {
  type: 'object',
  required: ['api-version'],
  properties: { ...apiVersion, $top: { type: 'string', pattern: '^[0-9]+$' }, $skipToken: { type: 'string' } },
}
const deleteQuerySchema = {
  type: 'object',
  required: ['api-version'],
  properties: { ...apiVersion, forceDelete: { type: 'string', enum: ['true', 'false', 'True', 'False'], description: 'Delete the extension resource in Azure - not the normal asynchronous delete.' } },
}

const error = { default: { description: 'Error response describing why the operation failed.', ...ref(SCHEMA_IDS.errorResponse) } }
const described = (description: string, id: string) => ({ description, ...ref(id) })
const empty = (description: string) => ({ description, type: 'null' })
const TAGS = ['Extensions']

const whatIfViolation = {
  type: 'object',
  required: ['code', 'message', 'status'],
  properties: { code: { type: 'string' }, message: { type: 'string' }, target: { type: 'string' }, status: { type: 'integer', description: 'The HTTP status the request would be refused with.' } },
}
const whatIfResult = {
  type: 'object',
  required: ['method', 'accepted', 'status', 'operation', 'startsOperation', 'installedVersion', 'resolvedVersion', 'resource', 'changes', 'violations'],
  properties: {
    method: { type: 'string', enum: ['PUT', 'PATCH'] },
    accepted: { type: 'boolean', description: 'Whether the request would be accepted.' },
    status: { type: 'integer', description: 'The HTTP status the request would be answered with (201/200/202 accepted, 4xx refused).' },
    operation: { type: 'string', enum: ['install', 'upgrade', 'reconfigure', 'none'], description: 'What the request does to the release; none when refused or nothing changes.' },
    startsOperation: { type: 'boolean', description: 'Whether it starts an asynchronous operation (a PUT always does).' },
    installedVersion: { type: ['string', 'null'] },
    resolvedVersion: { type: ['string', 'null'], description: 'The version the operation would leave installed; null when refused.' },
    resource: { description: 'The extension as a GET at this api-version would show it once the request is accepted; null when refused.', anyOf: [ref(SCHEMA_IDS.extension), { type: 'null' }] },
    changes: {
      type: 'object',
      required: ['properties', 'configurationSettings', 'configurationProtectedSettings'],
      properties: {
        properties: { type: 'array', items: { type: 'object', required: ['property'], properties: { property: { type: 'string' }, before: {}, after: {} } } },
        configurationSettings: {
          type: 'array',
          items: {
            type: 'object',
            required: ['key', 'change'],
            properties: { key: { type: 'string' }, change: { type: 'string', enum: ['added', 'removed', 'modified'] }, before: { type: 'string' }, after: { type: 'string' } },
          },
        },
        configurationProtectedSettings: {
          type: 'array',
          description: 'Keys only, never values: changed or unchanged.',
          items: { type: 'object', required: ['key', 'change'], properties: { key: { type: 'string' }, change: { type: 'string', enum: ['added', 'removed', 'changed', 'unchanged'] } } },
        },
      },
    },
    violations: { type: 'array', description: 'Every rule the request breaks, with the codes the request would be answered with.', items: whatIfViolation },
  },
}

export const extensionRouteSchemas = {
  create: {
    operationId: 'Extensions_Create',
    summary: 'Create a new Kubernetes Cluster Extension.',
    tags: TAGS,
    params: extensionParamsSchema,
    querystring: apiVersionQuerySchema,
    body: ref(SCHEMA_IDS.extension),
    response: {
      200: described('Request received successfully for an existing extension.', SCHEMA_IDS.extension),
      201: described('Request received successfully, and the resource will be created in a non-blocking manner.', SCHEMA_IDS.extension),
      ...error,
    },
  },
  get: {
    operationId: 'Extensions_Get',
    summary: 'Gets Kubernetes Cluster Extension.',
    tags: TAGS,
    params: extensionParamsSchema,
    querystring: apiVersionQuerySchema,
    response: { 200: described('Details of the Extension.', SCHEMA_IDS.extension), ...error },
  },
  update: {
    operationId: 'Extensions_Update',
    summary: 'Patch an existing Kubernetes Cluster Extension.',
    tags: TAGS,
    params: extensionParamsSchema,
    querystring: apiVersionQuerySchema,
    body: ref(SCHEMA_IDS.patchExtension),
    response: {
      200: described('Extension properties from not updating any property values.', SCHEMA_IDS.extension),
      202: described('Request received successfully, and the resource will be updated asynchronously.', SCHEMA_IDS.extension),
      ...error,
    },
  },
  delete: {
    operationId: 'Extensions_Delete',
    summary: 'Delete a Kubernetes Cluster Extension. This will cause the Agent to Uninstall the extension from the cluster.',
    tags: TAGS,
    params: extensionParamsSchema,
    querystring: deleteQuerySchema,
    response: {
      200: empty('forceDelete=true: the resource is deleted (GET answers 404 at once); its release is uninstalled in the background.'),
      202: empty('Request received successfully, and the resource will be deleted asynchronously.'),
      204: empty('Request received successfully, but the resource was not found.'),
      ...error,
    },
  },
  whatIf: {
    operationId: 'Extensions_WhatIf',
    summary:
      'What a PUT (or, with method=PATCH, a PATCH) of this extension would do, without changing anything: the resource as it would be stored, the operation it would start, the version it would resolve to, the settings diff and every rule it breaks. An arcext extension; Azure has no such operation.',
    tags: TAGS,
    params: extensionParamsSchema,
    querystring: {
      type: 'object',
      required: ['api-version'],
      properties: { ...apiVersion, method: { type: 'string', enum: ['PUT', 'PATCH', 'put', 'patch'], description: 'Which request the body is for: PUT (the default) or PATCH.' } },
    },
    body: {
      type: 'object',
      description: 'The body of the PUT (an Extension) or, with method=PATCH, of the PATCH (a patchExtension) to preview, exactly as it would be sent.',
      example: { properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: false, version: '1.16.2', configurationSettings: { 'multiTenancy.enforce': 'false' } } },
    },
    response: { 200: { description: 'The prediction; a request that would be refused is answered 200 too, with accepted false and its violations.', ...whatIfResult }, ...error },
  },
  list: {
    operationId: 'Extensions_List',
    summary: 'List all Extensions in the cluster.',
    tags: TAGS,
    params: clusterParamsSchema,
    querystring: pagedQuerySchema,
    response: { 200: described('List of Extensions.', SCHEMA_IDS.extensionsList), ...error },
  },
  rollback: {
    operationId: 'Extensions_Rollback',
    summary: 'Return the extension to its last known good version and settings (an arcext extension to the Azure API).',
    tags: TAGS,
    params: extensionParamsSchema,
    querystring: apiVersionQuerySchema,
    response: {
      202: empty('Request received successfully; the extension is rolled back asynchronously (follow Azure-AsyncOperation).'),
      ...error,
    },
  },
  operationStatus: {
    operationId: 'OperationStatus_Get',
    summary: 'Get Async Operation status',
    tags: ['OperationStatus'],
    params: operationParamsSchema,
    querystring: apiVersionQuerySchema,
    response: { 200: described('Async Operation status.', SCHEMA_IDS.operationStatusResult), ...error },
  },
  operationResult: {
    operationId: 'OperationResult_Get',
    summary: 'The Location URL of an operation: 202 while it runs, then the result the original request would have returned.',
    tags: ['OperationStatus'],
    params: operationParamsSchema,
    querystring: apiVersionQuerySchema,
    response: {
      200: described('The extension after the operation.', SCHEMA_IDS.extension),
      202: empty('The operation is still running.'),
      204: empty('The extension was deleted.'),
      ...error,
    },
  },
  operationStatusList: {
    operationId: 'OperationStatus_List',
    summary: 'List Async Operations, currently in progress, in a cluster.',
    tags: ['OperationStatus'],
    params: clusterParamsSchema,
    querystring: pagedQuerySchema,
    response: { 200: described('List of Async Operations in progress, in the cluster.', SCHEMA_IDS.operationStatusList), ...error },
  },
  providerOperations: {
    operationId: 'Operations_List',
    summary: 'List all the available operations the KubernetesConfiguration resource provider supports.',
    tags: ['Operations'],
    querystring: apiVersionQuerySchema,
    response: { 200: described('OK response definition.', SCHEMA_IDS.resourceProviderOperationList), ...error },
  },
}
