// extensions at 2022-11-01: the first with plan and isSystemExtension, and with the appliances parent.
import type { ExtensionApiVersion } from '../extension-api-versions.js'
import { FOUR_PARENTS } from '../extension-parents.js'

export const extensions: ExtensionApiVersion = {
  version: '2022-11-01',
  installedVersionField: 'currentVersion',
  hasPlanAndSystemFlag: true,
  noOpPatchStatus: 200,
  parents: FOUR_PARENTS,
  hasAutoUpgradeMode: false,
}
