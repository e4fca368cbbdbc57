// extensions at 2025-03-01: the newest registered version; adds autoUpgradeMode, managedBy, managementDetails and
// additionalDetails.
import type { ExtensionApiVersion } from '../extension-api-versions.js'
import { FOUR_PARENTS } from '../extension-parents.js'

export const extensions: ExtensionApiVersion = {
  version: '2025-03-01',
  installedVersionField: 'currentVersion',
  hasPlanAndSystemFlag: true,
  noOpPatchStatus: 200,
  parents: FOUR_PARENTS,
  hasAutoUpgradeMode: true,
}
