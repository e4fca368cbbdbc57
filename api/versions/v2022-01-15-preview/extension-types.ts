// extensionTypes at 2022-01-15-preview: older az CLIs; their models read `properties.clusterTypes`, and `-o table` fails
// without it. Its ExtensionTypeProperties declare only releaseTrains, clusterTypes and supportedScopes, with
// clusterScopeSettings flat.
import type { ExtensionTypeApiVersion } from '../extension-type-api-versions.js'
import { perTrainVersionList, releaseTrainNames, supportedScopes, typeResource } from '../extension-type-convert.js'

export const extensionTypes: ExtensionTypeApiVersion = {
  version: '2022-01-15-preview',
  typeToWire: (spec, collectionId) =>
    typeResource(spec, collectionId, {
      releaseTrains: releaseTrainNames(spec),
      clusterTypes: [...spec.supportedClusterTypes],
      supportedScopes: supportedScopes(spec, (settings) => settings),
    }),
  versionListToWire: (_spec, trains) => perTrainVersionList(trains),
  stableByDefault: false,
  allOperations: false,
}
