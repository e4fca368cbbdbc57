// Wire schemas of the extensions API (swagger 2023-05-01 `Extension`, `PatchExtension`, ...). They are registered
// once with Fastify (app.addSchema): ajv validates requests with them and @fastify/swagger publishes them as the
// OpenAPI definitions, so the document and the validation never drift. Responses are serialised with plain
// JSON.stringify (api/app.ts), so response schemas document the shape without filtering it.

const stringMap = { type: ['object', 'null'], additionalProperties: { type: 'string' } } as const
/** A merge patch: a null value removes that key (docs/arm-rules.md rule 29). */
const patchStringMap = { type: ['object', 'null'], additionalProperties: { type: ['string', 'null'] } } as const

export const SCHEMA_IDS = {
  extension: 'Extension',
  patchExtension: 'patchExtension',
  extensionsList: 'ExtensionsList',
  operationStatusResult: 'OperationStatusResult',
  operationStatusList: 'OperationStatusList',
  resourceProviderOperationList: 'ResourceProviderOperationList',
  errorResponse: 'ErrorResponse',
  errorDetail: 'ErrorDetail',
  systemData: 'systemData',
  extensionStatus: 'ExtensionStatus',
  scope: 'Scope',
  identity: 'Identity',
  plan: 'Plan',
} as const

export const ref = (id: string) => ({ $ref: `${id}#` })

const errorDetail = {
  $id: SCHEMA_IDS.errorDetail,
  type: 'object',
  description: 'The error detail.',
  properties: {
    code: { type: 'string', readOnly: true },
    message: { type: 'string', readOnly: true },
    target: { type: 'string', readOnly: true },
    details: { type: 'array', readOnly: true, items: { $ref: `${SCHEMA_IDS.errorDetail}#` } },
    additionalInfo: {
      type: 'array',
      readOnly: true,
      items: { type: 'object', properties: { type: { type: 'string' }, info: { type: 'object' } } },
    },
  },
} as const

const errorResponse = {
  $id: SCHEMA_IDS.errorResponse,
  type: 'object',
  description: 'Common error response for all Azure Resource Manager APIs to return error details for failed operations.',
  properties: { error: ref(SCHEMA_IDS.errorDetail) },
} as const

const systemData = {
  $id: SCHEMA_IDS.systemData,
  type: 'object',
  readOnly: true,
  description: 'Metadata pertaining to creation and last modification of the resource.',
  properties: {
    createdBy: { type: 'string' },
    createdByType: { type: 'string', enum: ['User', 'Application', 'ManagedIdentity', 'Key'] },
    createdAt: { type: 'string', format: 'date-time' },
    lastModifiedBy: { type: 'string' },
    lastModifiedByType: { type: 'string', enum: ['User', 'Application', 'ManagedIdentity', 'Key'] },
    lastModifiedAt: { type: 'string', format: 'date-time' },
  },
} as const

const extensionStatus = {
  $id: SCHEMA_IDS.extensionStatus,
  type: 'object',
  readOnly: true,
  description: 'Status from the extension.',
  properties: {
    code: { type: 'string' },
    displayStatus: { type: 'string' },
    level: { type: 'string', enum: ['Error', 'Warning', 'Information'], default: 'Information' },
    message: { type: 'string' },
    time: { type: 'string' },
  },
} as const

const scope = {
  $id: SCHEMA_IDS.scope,
  type: 'object',
  description: 'Scope of the extension. It can be either Cluster or Namespace; but not both.',
  properties: {
    cluster: { type: ['object', 'null'], properties: { releaseNamespace: { type: ['string', 'null'] } } },
    namespace: { type: ['object', 'null'], properties: { targetNamespace: { type: ['string', 'null'] } } },
  },
} as const

const identity = {
  $id: SCHEMA_IDS.identity,
  type: 'object',
  description: 'Identity for the resource.',
  properties: {
    principalId: { type: 'string', readOnly: true },
    tenantId: { type: 'string', readOnly: true },
    type: { type: 'string', enum: ['SystemAssigned', 'UserAssigned'], description: "'UserAssigned' only at api-version 2025-03-01." },
    userAssignedIdentities: {
      type: ['object', 'null'],
      description:
        'api-version 2025-03-01: the user-assigned identities, keyed by their resource ids (/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}); send {} for each.',
      additionalProperties: {
        type: ['object', 'null'],
        properties: { principalId: { type: 'string', readOnly: true }, clientId: { type: 'string', readOnly: true } },
      },
    },
  },
} as const

const plan = {
  $id: SCHEMA_IDS.plan,
  type: 'object',
  description: 'Plan for the resource.',
  required: ['name', 'publisher', 'product'],
  properties: {
    name: { type: 'string' },
    publisher: { type: 'string' },
    product: { type: 'string' },
    promotionCode: { type: 'string' },
    version: { type: 'string' },
  },
} as const

// Request bodies as in the upstream examples (2023-05-01 CreateExtension.json, PatchExtension.json), with the type's
// catalog name so that Swagger UI's "Try it out" installs it as shown.
const extensionExample = {
  properties: {
    extensionType: 'microsoft.azuremonitor.containers',
    autoUpgradeMinorVersion: true,
    releaseTrain: 'Stable',
    scope: { cluster: { releaseNamespace: 'kube-system' } },
    configurationSettings: { 'omsagent.env.clusterName': 'clusterName1' },
    configurationProtectedSettings: { 'omsagent.secret.key': 'secretKeyValue01' },
  },
}
const patchExtensionExample = {
  properties: {
    autoUpgradeMinorVersion: false,
    configurationSettings: { 'omsagent.env.clusterName': 'clusterName2' },
    configurationProtectedSettings: { 'omsagent.secret.key': 'secretKeyValue02' },
  },
}

/** api-version 2025-03-01 only; older versions refuse it (api/versions/extension-static-checks.ts). No default: see autoUpgradeMinorVersion. */
const autoUpgradeMode = {
  type: 'string',
  enum: ['none', 'patch', 'compatible'],
  description: "The upgrade mode for auto upgrade (api-version 2025-03-01). The default is 'compatible'.",
} as const

const extension = {
  $id: SCHEMA_IDS.extension,
  type: 'object',
  description: 'The Extension object.',
  example: extensionExample,
  required: ['properties'],
  properties: {
    id: { type: 'string', readOnly: true },
    name: { type: 'string', readOnly: true },
    type: { type: 'string', readOnly: true },
    systemData: ref(SCHEMA_IDS.systemData),
    identity: { anyOf: [ref(SCHEMA_IDS.identity), { type: 'null' }] },
    plan: { anyOf: [ref(SCHEMA_IDS.plan), { type: 'null' }] },
    managedBy: {
      type: 'string',
      readOnly: true,
      description:
        'api-version 2025-03-01: the fully qualified resource ID of the resource that manages this extension. Set by the managing service, never by users, who may only read a managed extension.',
    },
    properties: {
      type: 'object',
      description: 'Properties of an Extension resource',
      properties: {
        extensionType: { type: 'string', minLength: 1 },
        autoUpgradeMode,
        // No schema default: whether the request sent it decides how autoUpgradeMode is read (api/versions/auto-upgrade-settings.ts).
        autoUpgradeMinorVersion: { type: 'boolean', description: 'Flag to note if this extension participates in auto upgrade of minor version, or not. Default: true.' },
        releaseTrain: { type: 'string', minLength: 1, default: 'Stable' },
        version: { type: ['string', 'null'] },
        scope: ref(SCHEMA_IDS.scope),
        configurationSettings: stringMap,
        configurationProtectedSettings: stringMap,
        currentVersion: { type: ['string', 'null'], readOnly: true },
        provisioningState: { type: 'string', readOnly: true, enum: ['Succeeded', 'Failed', 'Canceled', 'Creating', 'Updating', 'Deleting'] },
        statuses: { type: ['array', 'null'], items: ref(SCHEMA_IDS.extensionStatus) },
        errorInfo: { anyOf: [ref(SCHEMA_IDS.errorDetail), { type: 'null' }] },
        customLocationSettings: { type: ['object', 'null'], readOnly: true, additionalProperties: { type: 'string' } },
        packageUri: { type: ['string', 'null'], readOnly: true },
        aksAssignedIdentity: {
          type: ['object', 'null'],
          properties: {
            principalId: { type: 'string', readOnly: true },
            tenantId: { type: 'string', readOnly: true },
            type: { type: 'string', enum: ['SystemAssigned', 'UserAssigned', 'Workload'], description: "'Workload' only at api-version 2025-03-01." },
          },
        },
        isSystemExtension: { type: 'boolean', readOnly: true, default: false },
        managementDetails: {
          type: ['object', 'null'],
          readOnly: true,
          description: 'api-version 2025-03-01: metadata about the managing entity and the permitted operations (set when managedBy is).',
          properties: {
            category: { type: 'string' },
            accessDetails: {
              type: 'array',
              items: { type: 'object', properties: { entity: { type: 'string' }, allowedActions: { type: 'array', items: { type: 'string' } }, description: { type: 'string' } } },
            },
          },
        },
        additionalDetails: {
          type: ['object', 'null'],
          readOnly: true,
          description: 'api-version 2025-03-01: additional details provided by the publisher of the extension.',
          properties: { docs: { type: 'string' }, releaseNotes: { type: 'string' }, troubleshootingGuide: { type: 'string' } },
        },
        extensionState: {
          type: 'string',
          readOnly: true,
          enum: ['Ready', 'Drifted', 'Pending', 'Failed'],
          description:
            "api-version 2025-03-01: the extension's state on the cluster. Not declared by the upstream swagger; its GetExtensionWithExtensionState example shows 'Ready'. Derived from provisioningState, and 'Drifted' for a Succeeded extension whose release was changed outside arcext.",
        },
      },
    },
  },
} as const

const patchExtension = {
  $id: SCHEMA_IDS.patchExtension,
  type: 'object',
  description: 'The Extension Patch Request object.',
  example: patchExtensionExample,
  properties: {
    identity: { anyOf: [ref(SCHEMA_IDS.identity), { type: 'null' }], description: 'api-version 2025-03-01 only.' },
    properties: {
      type: ['object', 'null'],
      description: 'Updatable properties of an Extension Patch Request',
      properties: {
        autoUpgradeMode,
        autoUpgradeMinorVersion: { type: 'boolean' },
        releaseTrain: { type: 'string', minLength: 1 },
        version: { type: ['string', 'null'] },
        configurationSettings: patchStringMap,
        configurationProtectedSettings: patchStringMap,
      },
    },
  },
} as const

/** ARM's list envelope (docs/arm-rules.md rule 49): `value` plus an absolute `nextLink` while more pages exist. */
function pagedList<Id extends string>(id: Id, description: string, items: Record<string, unknown>) {
  return {
    $id: id,
    type: 'object',
    description,
    properties: {
      value: { type: 'array', readOnly: true, items },
      nextLink: { type: ['string', 'null'], readOnly: true },
    },
  } as const
}

const extensionsList = pagedList(SCHEMA_IDS.extensionsList, 'Result of the request to list Extensions.', ref(SCHEMA_IDS.extension))

const operationStatusResult = {
  $id: SCHEMA_IDS.operationStatusResult,
  type: 'object',
  description: 'The current status of an async operation.',
  required: ['status'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    status: { type: 'string' },
    startTime: { type: 'string', format: 'date-time' },
    endTime: { type: 'string', format: 'date-time' },
    percentComplete: { type: 'number' },
    properties: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
    error: { anyOf: [ref(SCHEMA_IDS.errorDetail), { type: 'null' }] },
  },
} as const

const operationStatusList = pagedList(SCHEMA_IDS.operationStatusList, 'The async operations in progress, in the cluster.', ref(SCHEMA_IDS.operationStatusResult))

const resourceProviderOperationList = {
  $id: SCHEMA_IDS.resourceProviderOperationList,
  type: 'object',
  description: 'Result of the request to list operations.',
  properties: {
    value: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          display: {
            type: 'object',
            properties: { provider: { type: 'string' }, resource: { type: 'string' }, operation: { type: 'string' }, description: { type: 'string' } },
          },
          isDataAction: { type: 'boolean', readOnly: true },
          origin: { type: 'string', readOnly: true },
        },
      },
    },
    nextLink: { type: ['string', 'null'], readOnly: true },
  },
} as const

/** In dependency order, as app.addSchema needs them. */
export const SHARED_SCHEMAS = [
  errorDetail,
  errorResponse,
  systemData,
  extensionStatus,
  scope,
  identity,
  plan,
  extension,
  patchExtension,
  extensionsList,
  operationStatusResult,
  operationStatusList,
  resourceProviderOperationList,
] as const
