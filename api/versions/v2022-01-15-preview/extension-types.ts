// extensionTypes at 2022-01-15-preview: older az CLIs; their models read `properties.clusterTypes`, and `-o table` fails
// without it.
import type { ExtensionTypeApiVersion } from '../extension-type-api-versions.js'

export const extensionTypes: ExtensionTypeApiVersion = {
  version: '2022-01-15-preview',
  typeShape: 'legacy',
  versionList: 'perTrain',
  stableByDefault: false,
  listsReleaseTrains: true,
  allOperations: false,
}
