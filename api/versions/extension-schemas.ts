// Wire schemas of the Extension resource (swagger `Extension`, `patchExtension`), used both to validate requests
// (ajv, through Fastify) and to describe them in the OpenAPI document, so the two never drift.

const stringMap = { type: ['object', 'null'], additionalProperties: { type: 'string' } } as const

const scopeSchema = {
  type: 'object',
  properties: {
    cluster: { type: ['object', 'null'], properties: { releaseNamespace: { type: ['string', 'null'] } } },
    namespace: { type: ['object', 'null'], properties: { targetNamespace: { type: ['string', 'null'] } } },
  },
} as const

const identitySchema = {
  type: ['object', 'null'],
  properties: {
    type: { type: 'string', enum: ['SystemAssigned'] },
    principalId: { type: 'string' },
    tenantId: { type: 'string' },
  },
} as const

const planSchema = {
  type: ['object', 'null'],
  required: ['name', 'publisher', 'product'],
  properties: {
    name: { type: 'string' },
    publisher: { type: 'string' },
    product: { type: 'string' },
    promotionCode: { type: 'string' },
    version: { type: 'string' },
  },
} as const

export const extensionPutBodySchema = {
  type: 'object',
  required: ['properties'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    type: { type: 'string' },
    identity: identitySchema,
    plan: planSchema,
    systemData: { type: 'object' },
    properties: {
      type: 'object',
      properties: {
        extensionType: { type: 'string', minLength: 1 },
        autoUpgradeMinorVersion: { type: 'boolean' },
        releaseTrain: { type: 'string', minLength: 1 },
        version: { type: ['string', 'null'] },
        scope: scopeSchema,
        configurationSettings: stringMap,
        configurationProtectedSettings: stringMap,
        provisioningState: { type: 'string' },
        aksAssignedIdentity: {
          type: ['object', 'null'],
          properties: { type: { type: 'string', enum: ['SystemAssigned', 'UserAssigned'] } },
        },
      },
    },
  },
} as const

/** A merge patch: a null value removes that key (ARM-CONTRACT 29). */
const patchStringMap = { type: ['object', 'null'], additionalProperties: { type: ['string', 'null'] } } as const

export const extensionPatchBodySchema = {
  type: 'object',
  properties: {
    properties: {
      type: ['object', 'null'],
      properties: {
        autoUpgradeMinorVersion: { type: 'boolean' },
        releaseTrain: { type: 'string', minLength: 1 },
        version: { type: ['string', 'null'] },
        configurationSettings: patchStringMap,
        configurationProtectedSettings: patchStringMap,
      },
    },
  },
} as const
