// extensionTypes at 2023-05-01, a leniency: Azure registers no 2023-05-01 for extensionTypes, but its stable/2023-05-01
// folder ships a swagger and examples for it, which earlier arcext clients followed. Its examples disagree on where clusterScopeSettings go (flat in GetExtensionType, under `properties` in ListExtensionTypes), so
// both placements are sent.
import type { ExtensionTypeApiVersion } from '../extension-type-api-versions.js'
import { perTrainVersionList, releaseTrainNames, supportedScopes, typeResource } from '../extension-type-convert.js'

export const extensionTypes: ExtensionTypeApiVersion = {
  version: '2023-05-01',
  typeToWire: (spec, collectionId) =>
    typeResource(spec, collectionId, {
      isSystemExtension: false,
      description: spec.description,
      publisher: spec.publisher,
      releaseTrains: releaseTrainNames(spec),
      supportedClusterTypes: [...spec.supportedClusterTypes],
      supportedScopes: supportedScopes(spec, (settings) => ({ ...settings, properties: settings })),
    }),
  versionListToWire: (_spec, trains) => perTrainVersionList(trains),
  stableByDefault: false,
  allOperations: true,
}
