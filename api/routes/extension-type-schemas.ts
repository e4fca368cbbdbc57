// Response schemas of the extension-type routes (api/routes/extension-types.ts), published in the OpenAPI document.
// The api-versions served shape a type differently (api/versions/extension-type-api-versions.ts: 2023-05-01 repeats
// cluster scope settings flat, 2022-01-15-preview names the cluster types `clusterTypes`), so the parts that differ
// stay open, and the document describes them all.
import { ref } from '../versions/extension-schemas.js'

const IDS = {
  extensionType: 'ExtensionType',
  extensionTypeList: 'ExtensionTypeList',
  extensionTypeVersion: 'ExtensionTypeVersionForReleaseTrain',
  extensionTypeVersionList: 'ExtensionTypeVersionsList',
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

export const EXTENSION_TYPE_SCHEMAS = [extensionType, extensionTypeList, extensionTypeVersion, extensionTypeVersionList]

const ok = (description: string, id: string) => ({ 200: { description, ...ref(id) } })

export const extensionTypeResponses = {
  type: ok('The extension type.', IDS.extensionType),
  typeList: ok('A page of extension types.', IDS.extensionTypeList),
  version: ok('The version of the extension type.', IDS.extensionTypeVersion),
  versionList: ok('The versions of the extension type.', IDS.extensionTypeVersionList),
}
