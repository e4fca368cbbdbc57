// Response schemas of the extension-type routes (api/routes/extension-types.ts), published in the OpenAPI document.
// The api-versions served shape a type differently (api/versions/extension-type-api-versions.ts: 2023-05-01 repeats
// cluster scope settings flat, 2022-01-15-preview names the cluster types `clusterTypes`), so the parts that differ
// stay open, and the document describes them all.
import type { ExtensionTypeSpec } from '../../core/catalog/index.js'
import { ref } from '../versions/extension-schemas.js'

const IDS = {
  extensionType: 'ExtensionType',
  extensionTypeList: 'ExtensionTypeList',
  extensionTypeVersion: 'ExtensionTypeVersionForReleaseTrain',
  extensionTypeVersionList: 'ExtensionTypeVersionsList',
  settingsSchema: 'ExtensionTypeSettingsSchema',
} as const

const resource = (id: string, description: string, properties: Record<string, unknown>) => ({
  $id: id,
  type: 'object',
  description,
  additionalProperties: true,
  properties: {
    id: { type: 'string', readOnly: true },
    name: { type: 'string', readOnly: true },
    type: { type: 'string', readOnly: true },
    properties: { type: 'object', additionalProperties: true, properties },
  },
})

const extensionType = resource(IDS.extensionType, 'An extension type of the catalog.', {
  description: { type: 'string' },
  publisher: { type: 'string' },
  releaseTrains: { type: 'array', items: { type: 'string' } },
  supportedClusterTypes: { type: 'array', items: { type: 'string' } },
  clusterTypes: { type: 'array', items: { type: 'string' }, description: 'The supported cluster types, at 2022-01-15-preview (instead of supportedClusterTypes).' },
  supportedScopes: { type: 'object', additionalProperties: true },
})

const extensionTypeVersion = resource(IDS.extensionTypeVersion, 'A version of an extension type.', {
  version: { type: 'string' },
  supportedClusterTypes: { type: 'array', items: { type: 'string' } },
  unsupportedKubernetesVersions: { type: 'object', additionalProperties: true },
})

const extensionTypeList = {
  $id: IDS.extensionTypeList,
  type: 'object',
  description: 'A page of extension types.',
  properties: { value: { type: 'array', items: ref(IDS.extensionType) }, nextLink: { type: 'string' } },
}

// 2023-05-01 and 2022-01-15-preview list `{releaseTrain, versions}` per release train; the later previews list version resources.
const extensionTypeVersionList = {
  $id: IDS.extensionTypeVersionList,
  type: 'object',
  description: 'The versions of an extension type: per release train (2023-05-01, 2022-01-15-preview) or as version resources (2023-05-01-preview, 2024-11-01-preview).',
  properties: {
    value: { type: 'array', items: { type: 'object', additionalProperties: true, properties: { releaseTrain: { type: 'string' }, versions: { type: 'array', items: { type: 'string' } } } } },
  },
}

const jsonSchema = (description: string) => ({ type: ['object', 'null'], additionalProperties: true, description })
const settingsSchema = {
  $id: IDS.settingsSchema,
  type: 'object',
  description:
    "The settings rules an extension PUT and PATCH enforce for this version of the type (docs/catalog.md, 'Settings rules'). The schemas are JSON Schema draft 2020-12; their vendor keyword x-problem words a failing keyword. Keys are Helm value paths, values strings.",
  required: [
    'id',
    'extensionType',
    'version',
    'releaseNamespace',
    'extensionName',
    'autoUpgradeMinorVersion',
    'defaultReleaseTrain',
    'keysInOneMapOnly',
    'configurationSettings',
    'configurationProtectedSettings',
    'anySettings',
    'exampleSettings',
  ],
  properties: {
    id: { type: 'string' },
    extensionType: { type: 'string' },
    version: { type: 'string' },
    releaseNamespace: { type: ['string', 'null'], description: 'The only properties.scope.cluster.releaseNamespace allowed, or null.' },
    extensionName: {
      type: 'object',
      properties: {
        fixed: { type: ['string', 'null'], description: 'The name the type must be installed under, or null.' },
        maxLength: { type: ['integer', 'null'] },
        helmReleaseName: { type: 'boolean', description: 'The name becomes the Helm release name: a lower-case DNS name of at most 53 characters.' },
      },
    },
    autoUpgradeMinorVersion: { type: ['boolean', 'null'], description: 'The forced value (applied when omitted, refused when contradicted), or null.' },
    defaultReleaseTrain: { type: ['string', 'null'], description: 'The train a request that names none installs from, or null for Stable.' },
    keysInOneMapOnly: { type: 'boolean', description: 'A key may not be in both configurationSettings and configurationProtectedSettings.' },
    configurationSettings: jsonSchema('Checked against properties.configurationSettings, or null.'),
    configurationProtectedSettings: jsonSchema('Checked against properties.configurationProtectedSettings, or null.'),
    anySettings: jsonSchema('Checked against both maps merged, or null.'),
    exampleSettings: { type: ['object', 'null'], additionalProperties: { type: 'string' }, description: 'The smallest configurationSettings the rules accept, or null.' },
  },
}

/** The answer of .../extensionTypes/{type}/versions/{version}/settingsSchema: the type's settings rules, in one shape for every type. */
export function settingsSchemaToWire(spec: ExtensionTypeSpec, id: string, version: string): Record<string, unknown> {
  const rules = spec.settingsRules
  return {
    id,
    extensionType: spec.type,
    version,
    releaseNamespace: rules?.releaseNamespace ?? null,
    extensionName: { fixed: spec.singletonName, maxLength: rules?.nameMaxLength ?? null, helmReleaseName: rules?.nameIsHelmReleaseName ?? false },
    autoUpgradeMinorVersion: rules?.autoUpgradeMinorVersion ?? null,
    defaultReleaseTrain: rules?.defaultReleaseTrain ?? null,
    keysInOneMapOnly: rules?.keysInOneMapOnly ?? false,
    configurationSettings: rules?.configurationSettings ?? null,
    configurationProtectedSettings: rules?.configurationProtectedSettings ?? null,
    anySettings: rules?.anySettings ?? null,
    exampleSettings: rules?.exampleSettings ?? null,
  }
}

export const EXTENSION_TYPE_SCHEMAS = [extensionType, extensionTypeList, extensionTypeVersion, extensionTypeVersionList, settingsSchema]

const ok = (description: string, id: string) => ({ 200: { description, ...ref(id) } })

export const extensionTypeResponses = {
  type: ok('The extension type.', IDS.extensionType),
  typeList: ok('A page of extension types.', IDS.extensionTypeList),
  version: ok('The version of the extension type.', IDS.extensionTypeVersion),
  versionList: ok('The versions of the extension type.', IDS.extensionTypeVersionList),
  settingsSchema: ok('The settings rules of the extension type at this version.', IDS.settingsSchema),
}
