// extensionTypes at 2023-05-01-preview: what the az CLI's k8s-extension calls. Types as resources (clusterScopeSettings
// nested under `properties`, isManagedIdentityRequired), version resources; its ExtensionType declares no releaseTrains.
import type { ExtensionTypeApiVersion } from '../extension-type-api-versions.js'
import { supportedScopes, typeResource, versionResourceList } from '../extension-type-convert.js'

export const extensionTypes: ExtensionTypeApiVersion = {
  version: '2023-05-01-preview',
  typeToWire: (spec, collectionId) =>
    typeResource(spec, collectionId, {
      isSystemExtension: false,
      isManagedIdentityRequired: false,
      description: spec.description,
      publisher: spec.publisher,
      supportedClusterTypes: [...spec.supportedClusterTypes],
      supportedScopes: supportedScopes(spec, (settings) => ({ properties: settings })),
    }),
  versionListToWire: versionResourceList,
  stableByDefault: true,
  allOperations: true,
}
