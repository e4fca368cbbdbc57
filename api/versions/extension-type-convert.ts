// Catalog entries to the wire shape of one extensionTypes api-version (extension-type-api-versions.ts says which).
import { minKubernetesVersionOf, type ExtensionTypeSpec } from '../../core/catalog/index.js'
import type { ExtensionTypeApiVersion } from './extension-type-api-versions.js'

export const EXTENSION_TYPE_RESOURCE_TYPE = 'Microsoft.KubernetesConfiguration/extensionTypes'
const VERSION_RESOURCE_TYPE = `${EXTENSION_TYPE_RESOURCE_TYPE}/versions`

function clusterScopeSettings(spec: ExtensionTypeSpec, apiVersion: ExtensionTypeApiVersion): Record<string, unknown> {
  const settings = {
    allowMultipleInstances: spec.allowMultipleInstances,
    ...(spec.defaultReleaseNamespace ? { defaultReleaseNamespace: spec.defaultReleaseNamespace } : {}),
  }
  if (apiVersion.typeShape === 'resource') return { properties: settings }
  if (apiVersion.typeShape === 'legacy') return settings
  // The 2023-05-01 examples disagree (flat in GetExtensionType, under `properties` in ListExtensionTypes); both are sent.
  return { ...settings, properties: settings }
}

function typeProperties(spec: ExtensionTypeSpec, apiVersion: ExtensionTypeApiVersion): Record<string, unknown> {
  const releaseTrains = spec.releaseTrains.map((train) => train.name)
  const supportedScopes = { defaultScope: spec.scope, ...(spec.scope === 'cluster' ? { clusterScopeSettings: clusterScopeSettings(spec, apiVersion) } : {}) }
  // 2022-01-15-preview's ExtensionTypeProperties declare only these three; its clients read the cluster types as `clusterTypes`.
  if (apiVersion.typeShape === 'legacy') return { releaseTrains, clusterTypes: [...spec.supportedClusterTypes], supportedScopes }
  return {
    isSystemExtension: false,
    ...(apiVersion.typeShape === 'resource' ? { isManagedIdentityRequired: false } : {}),
    description: spec.description,
    publisher: spec.publisher,
    ...(apiVersion.listsReleaseTrains ? { releaseTrains } : {}),
    supportedClusterTypes: [...spec.supportedClusterTypes],
    supportedScopes,
  }
}

export function extensionTypeToWire(spec: ExtensionTypeSpec, collectionId: string, apiVersion: ExtensionTypeApiVersion): Record<string, unknown> {
  return { id: `${collectionId}/${spec.type}`, name: spec.type, type: EXTENSION_TYPE_RESOURCE_TYPE, properties: typeProperties(spec, apiVersion) }
}

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
