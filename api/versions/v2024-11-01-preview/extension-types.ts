// extensionTypes at 2024-11-01-preview: the newest, with version resources.
import type { ExtensionTypeApiVersion } from '../extension-type-api-versions.js'

export const extensionTypes: ExtensionTypeApiVersion = {
  version: '2024-11-01-preview',
  typeShape: 'resource',
  versionList: 'resources',
  stableByDefault: true,
  listsReleaseTrains: true,
  allOperations: true,
}
