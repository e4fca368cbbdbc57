// The pieces each extensions api-version builds its request schemas from: JSON Schemas of the writable part of the
// swagger's `Extension` and of `patchExtension` (test/contract/version-shapes.test.ts holds each version's schemas to
// its vendored swagger). Versions compose these as their swaggers do; the routes' own validation schema
// (extension-schemas.ts) is the union of all of them, and each version's checks refuse what only later ones define.

export interface RequestSchema {
  readonly type?: string | readonly string[]
  readonly properties?: Readonly<Record<string, RequestSchema>>
  readonly additionalProperties?: RequestSchema
  readonly required?: readonly string[]
  readonly enum?: readonly string[]
  readonly items?: RequestSchema
}

const string = { type: 'string' } as const
const nullableString = { type: ['string', 'null'] } as const
const stringMap: RequestSchema = { type: ['object', 'null'], additionalProperties: string }
/** A merge patch: a null value removes that key (docs/arm-rules.md rule 29). */
const patchStringMap: RequestSchema = { type: ['object', 'null'], additionalProperties: nullableString }

const scope: RequestSchema = {
  type: 'object',
  properties: {
    cluster: { type: ['object', 'null'], properties: { releaseNamespace: nullableString } },
    namespace: { type: ['object', 'null'], properties: { targetNamespace: nullableString } },
  },
}

/** The properties every version's PUT declares writable (swagger `Extension.properties`). */
export const COMMON_PUT_PROPERTIES: Readonly<Record<string, RequestSchema>> = {
  extensionType: string,
  autoUpgradeMinorVersion: { type: 'boolean' },
  releaseTrain: string,
  version: nullableString,
  scope,
  configurationSettings: stringMap,
  configurationProtectedSettings: stringMap,
  // Writable in the swaggers though only the service fills it; ignored in a request.
  statuses: { type: ['array', 'null'], items: { type: 'object' } },
}

/** The properties every version's PATCH may change (swagger `patchExtension.properties`, docs/arm-rules.md rule 30). */
export const COMMON_PATCH_PROPERTIES: Readonly<Record<string, RequestSchema>> = {
  autoUpgradeMinorVersion: { type: 'boolean' },
  releaseTrain: string,
  version: nullableString,
  configurationSettings: patchStringMap,
  configurationProtectedSettings: patchStringMap,
}

export const autoUpgradeMode: RequestSchema = { type: 'string', enum: ['none', 'patch', 'compatible'] }

export const plan: RequestSchema = {
  type: ['object', 'null'],
  required: ['name', 'publisher', 'product'],
  properties: { name: string, publisher: string, product: string, promotionCode: string, version: string },
}

/** `identity` admitting these types; user-assigned identities come with their map (2025-03-01). */
export function identity(types: readonly string[]): RequestSchema {
  const userAssigned: Record<string, RequestSchema> = types.includes('UserAssigned') ? { userAssignedIdentities: { type: ['object', 'null'], additionalProperties: { type: ['object', 'null'] } } } : {}
  return { type: ['object', 'null'], properties: { type: { type: 'string', enum: types }, ...userAssigned } }
}

/** `properties.aksAssignedIdentity` admitting these types. */
export function aksAssignedIdentity(types: readonly string[]): RequestSchema {
  return { type: ['object', 'null'], properties: { type: { type: 'string', enum: types } } }
}

/** A PUT body: `top` beside `properties`, which holds `properties`. */
export function putBody(top: Record<string, RequestSchema>, properties: Record<string, RequestSchema>): RequestSchema {
  return { type: 'object', required: ['properties'], properties: { ...top, properties: { type: 'object', properties } } }
}

/** A PATCH body: `top` beside `properties`, which holds `properties`. */
export function patchBody(top: Record<string, RequestSchema>, properties: Record<string, RequestSchema>): RequestSchema {
  return { type: 'object', properties: { ...top, properties: { type: ['object', 'null'], properties } } }
}

/** The schema with more top-level fields (later versions add `plan`, `managedBy`, ...). */
export function withTopLevel(schema: RequestSchema, top: Record<string, RequestSchema>): RequestSchema {
  return { ...schema, properties: { ...schema.properties, ...top } }
}
