// extensions at 2023-05-01: Azure's default version.
import type { ExtensionApiVersion } from '../extension-api-versions.js'
import { FOUR_PARENTS } from '../extension-parents.js'

export const extensions: ExtensionApiVersion = {
  version: '2023-05-01',
  installedVersionField: 'currentVersion',
  hasPlanAndSystemFlag: true,
  noOpPatchStatus: 200,
  parents: FOUR_PARENTS,
  hasAutoUpgradeMode: false,
}
