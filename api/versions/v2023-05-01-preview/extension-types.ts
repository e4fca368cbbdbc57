// extensionTypes at 2023-05-01-preview: what the az CLI's k8s-extension calls.
import type { ExtensionTypeApiVersion } from '../extension-type-api-versions.js'

export const extensionTypes: ExtensionTypeApiVersion = {
  version: '2023-05-01-preview',
  typeShape: 'resource',
  versionList: 'resources',
  stableByDefault: true,
  listsReleaseTrains: false,
  allOperations: true,
}
