// The pieces of a catalog entry's wire shape the extensionTypes api-versions share; each version
// (v{version}/extension-types.ts) composes its own type converter from them.
import { minKubernetesVersionOf, type ExtensionTypeSpec } from '../../core/catalog/index.js'

export const EXTENSION_TYPE_RESOURCE_TYPE = 'Microsoft.KubernetesConfiguration/extensionTypes'
const VERSION_RESOURCE_TYPE = `${EXTENSION_TYPE_RESOURCE_TYPE}/versions`

/** A type resource; each api-version (v{version}/extension-types.ts) decides its `properties`. */
export function typeResource(spec: ExtensionTypeSpec, collectionId: string, properties: Record<string, unknown>): ExtensionTypeResource {
  return { id: `${collectionId}/${spec.type}`, name: spec.type, type: EXTENSION_TYPE_RESOURCE_TYPE, properties }
}

export interface ExtensionTypeResource {
  id: string
  name: string
  type: string
  properties: Record<string, unknown>
}

/**
 * `supportedScopes`; a cluster-scoped type carries its clusterScopeSettings, placed in the object `place` returns
 * (nested under `properties` from 2023-05-01-preview, flat in 2022-01-15-preview).
 */
export function supportedScopes(spec: ExtensionTypeSpec, place: (settings: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown> {
  const settings = {
    allowMultipleInstances: spec.allowMultipleInstances,
    ...(spec.defaultReleaseNamespace ? { defaultReleaseNamespace: spec.defaultReleaseNamespace } : {}),
  }
  return { defaultScope: spec.scope, ...(spec.scope === 'cluster' ? { clusterScopeSettings: place(settings) } : {}) }
}

export const releaseTrainNames = (spec: ExtensionTypeSpec): string[] => spec.releaseTrains.map((train) => train.name)

/**
 * Catalog cluster types are plural resource names; the version resource's matrix keys are singular. The minimum is the
 * stricter of the type's and the version's own (Secret Store 1.3.0: Kubernetes 1.30).
 */
function unsupportedKubernetesVersions(spec: ExtensionTypeSpec, version: string): Record<string, unknown> | undefined {
  const minimum = minKubernetesVersionOf(
    spec,
    spec.releaseTrains.flatMap((train) => train.versions).find((v) => v.version === version),
  )
  if (!minimum) return undefined
  const item = {
    ...(spec.supportedDistributions === 'any' ? {} : { distributions: [...spec.supportedDistributions] }),
    unsupportedVersions: [`<${minimum}`],
  }
  return Object.fromEntries(spec.supportedClusterTypes.map((type) => [type === 'appliances' ? type : type.replace(/s$/, ''), [item]]))
}

export function extensionTypeVersionToWire(spec: ExtensionTypeSpec, collectionId: string, version: string): Record<string, unknown> {
  const unsupported = unsupportedKubernetesVersions(spec, version)
  return {
    id: `${collectionId}/${spec.type}/versions/${version}`,
    name: version,
    type: VERSION_RESOURCE_TYPE,
    properties: {
      version,
      ...(unsupported ? { unsupportedKubernetesVersions: unsupported } : {}),
      supportedClusterTypes: [...spec.supportedClusterTypes],
    },
  }
}

/** A release train's installable versions, newest first. */
export interface TrainVersions {
  releaseTrain: string
  versions: string[]
}

/** 2023-05-01 (ListExtensionTypeVersions.json) and 2022-01-15-preview (ExtensionVersionList): one entry per release train. */
export function perTrainVersionList(trains: readonly TrainVersions[]): { value: unknown[] } {
  return { value: trains.map(({ releaseTrain, versions }) => ({ releaseTrain, versions })) }
}

/** The preview versions with version resources: one resource per version. */
export function versionResourceList(spec: ExtensionTypeSpec, trains: readonly TrainVersions[], collectionId: string): { value: unknown[] } {
  return { value: trains.flatMap(({ versions }) => versions.map((version) => extensionTypeVersionToWire(spec, collectionId, version))) }
}
