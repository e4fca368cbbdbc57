// extensionTypes at 2023-05-01, a leniency: Azure registers no 2023-05-01 for extensionTypes, but its stable/2023-05-01
// folder ships a swagger and examples for it, which earlier arcext clients followed.
import type { ExtensionTypeApiVersion } from '../extension-type-api-versions.js'

export const extensionTypes: ExtensionTypeApiVersion = {
  version: '2023-05-01',
  typeShape: 'examples',
  versionList: 'perTrain',
  stableByDefault: false,
  listsReleaseTrains: true,
  allOperations: true,
}
